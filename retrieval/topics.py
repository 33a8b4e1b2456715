"""Whether one article matches a subscribed topic, judged on that article alone.

A topic is read as a question is (`understand`: diacritics restored, typos, names), and the
article's best passage for it must pass the same confidence as an answer does; its rank among
older articles does not matter, so a new article on a topic the archive has covered for years
still matches. The topic's names and numbers must all stand in the article.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.confidence import is_confident
from retrieval.excerpt import Excerpt, make_excerpt
from retrieval.index import SearchIndex
from retrieval.question import understand
from retrieval.search import score_one, signals


@dataclass(frozen=True, slots=True)
class TopicMatch:
    source: str
    title: str
    excerpt: Excerpt  # the best excerpt for the topic from the article's body (not its title)


def match_topic(topic: str, index: SearchIndex, source: str) -> TopicMatch | None:
    """The article `source` of `index`, when it matches `topic` with an answer's confidence."""
    starts = {
        article.source: int(start)
        for article, start in zip(index.articles, index.article_starts, strict=True)
    }
    if source not in starts:
        return None
    query = understand(topic, index)
    start, end = index.article_span(starts[source])
    if any(not index.article_mentions(start, unit.terms) for unit in query.units):
        return None
    scored = [score_one(query, index, position) for position in range(start, end)]
    best = max(scored, key=lambda ranked: (ranked.score, -ranked.position))
    if best.score <= 0 or not is_confident(signals(query, index, [best])):
        return None
    body = [r for r in scored if index.passages[r.position].paragraph > 1] or scored
    shown = index.passages[max(body, key=lambda ranked: (ranked.score, -ranked.position)).position]
    return TopicMatch(source, shown.title, make_excerpt(shown.text, query.terms, index.bm25))
