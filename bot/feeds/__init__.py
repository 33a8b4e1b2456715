"""Following news sites: RSS/Atom feeds and XML sitemaps fetched politely into the corpus folder.

`http.py` makes every request (limits, one host at a time, allowed hosts only), `parsing.py`
reads feeds and sitemaps, `pages.py` turns an article page into an article file, `state.py`
remembers what was fetched, `crawler.py` runs one round and `poller.py` repeats it in a
running bot. Nothing here is imported by the retrieval core.
"""
