"""The benchmark of `python -m bot bench`: this project against plain rank-bm25 and bm25s.

It lives beside the adapters, not among them: it drives the retrieval core and the command
line from outside, and takes its parameters from the modules that own them. It depends on the
bot, never the other way: the bot's `bench` runs `python -m benchmark` in a process of its own.
"""
