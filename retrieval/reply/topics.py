"""Whether one article matches a subscribed topic, judged on that article alone.

A topic is read as a question is (`understand`: diacritics restored, typos, names), and the
article's best passage for it must pass the same confidence as an answer does; its rank among
older articles does not matter, so a new article on a topic the archive has covered for years
still matches. The topic's names and numbers must all stand in the article.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from retrieval.index.corpus import NO_PROVENANCE, Article, Provenance, published_moment
from retrieval.index.search_index import SearchIndex
from retrieval.question.reading import Question, understand
from retrieval.ranking.confidence import is_confident
from retrieval.ranking.search import best_first, score_one, signals
from retrieval.reply.excerpt import Excerpt, make_excerpt


@dataclass(frozen=True, slots=True)
class TopicMatch:
    source: str
    title: str
    excerpt: Excerpt  # the best excerpt for the topic from the article's body (not its title)
    provenance: Provenance = NO_PROVENANCE


def article_positions(index: SearchIndex) -> dict[str, int]:
    """Each article's first passage, by file name."""
    starts = index.article_starts.tolist()
    return dict(zip(index.articles.sources, starts, strict=True))


def match_topic(topic: Question, index: SearchIndex, first: int) -> TopicMatch | None:
    """The article whose first passage is `first`, when it matches the topic (read as a
    question by `understand`) with an answer's confidence."""
    start, end = index.article_span(first)
    if any(not index.article_mentions(start, unit.terms) for unit in topic.units):
        return None
    scored = sorted((score_one(topic, index, p) for p in range(start, end)), key=best_first)
    if scored[0].score <= 0 or not is_confident(signals(topic, index, scored[0])):
        return None
    body = [r for r in scored if not index.is_headline(r.position)] or scored
    shown = index.passages[body[0].position]
    excerpt = make_excerpt(shown.text, topic.terms, index.bm25)
    return TopicMatch(shown.source, shown.title, excerpt, shown.provenance)


def newest_first(articles: Sequence[Article], zone: tzinfo) -> list[Article]:
    """The articles that state when they were published, the latest first."""
    dated = [(moment, a) for a in articles if (moment := _moment(a, zone)) is not None]
    return [a for _, a in sorted(dated, key=lambda pair: pair[0], reverse=True)]


def by_date(articles: Sequence[Article], zone: tzinfo) -> list[Article]:
    """Every article: the dated ones latest first, then the others in their order."""
    undated = [a for a in articles if a.provenance.published is None]
    return [*newest_first(articles, zone), *undated]


def newest_articles(index: SearchIndex, zone: tzinfo, topic: str, count: int) -> list[Article]:
    """The `count` latest dated articles; with a `topic`, the latest that match it as a
    subscription would (read by `understand`, so typed bare too)."""
    if not topic:
        return newest_first(index.articles, zone)[:count]
    return list(itertools.islice(_newest_matching(understand(topic, index), index, zone), count))


def _newest_matching(topic: Question, index: SearchIndex, zone: tzinfo) -> Iterator[Article]:
    positions = article_positions(index)
    for article in newest_first(index.articles, zone):
        if match_topic(topic, index, positions[article.source]) is not None:
            yield article


def _moment(article: Article, zone: tzinfo) -> datetime | None:
    published = article.provenance.published
    return published_moment(published, zone) if published else None
