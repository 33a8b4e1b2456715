"""Prometheus metrics, with prometheus_client: one registry per bot, served at GET /metrics by
the operator listener (`server.py`).

- `tin_bot_replies_total{tier, adapter}`: replies by tier, and where they went (`chat`: a
  question in a chat, `more`: the "Thêm kết quả" button, `inline`: an inline query);
- `tin_bot_answer_seconds`: how long answers took to compute (a histogram);
- `tin_bot_votes_total{tier, vote}`: 👍 (`up`) and 👎 (`down`) cast or changed;
- `tin_bot_inbox_pending`, `tin_bot_inbox_oldest_age_seconds`: updates not answered yet;
- `tin_bot_corpus_articles`, `tin_bot_corpus_passages`, `tin_bot_reloads_total`,
  `tin_bot_last_reload_timestamp_seconds`: the corpus and its reloads;
- `tin_bot_feed_fetches_total{result}` (changed, unchanged, failed) and
  `tin_bot_feed_pages_total{result}` (saved, failed): only once feeds are followed;
- `tin_bot_errors_total{kind}`: failures, by the exception's type;
- `tin_bot_shard_up{shard}` (a server answers for it) and `tin_bot_shard_on_replica{shard}`
  (its primary failed): only where the bot searches Xapian shards.

Labels only ever hold these fixed words, shard numbers and exception type names: never a
token, a secret or a question.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.feeds.crawler import RoundReport
from bot.operator.votes import UP
from retrieval.index.live import LiveIndex
from retrieval.index.shards import ShardState
from retrieval.reply.answer import Answer, Tier

ANSWER_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
CHAT, MORE, INLINE = "chat", "more", "inline"  # the adapters a reply goes through


@dataclass(frozen=True)
class FeedOutcome:
    """How a feed's last fetch went, and when (wall time)."""

    at: float
    result: str  # "changed", "unchanged" or "failed"


class _IndexCollector(Collector):
    """The corpus's size and reloads, read when scraped."""

    def __init__(self, live: LiveIndex) -> None:
        self.live = live

    def collect(self) -> Iterator[Metric]:
        index = self.live.current
        yield GaugeMetricFamily(
            "tin_bot_corpus_articles", "Articles in the index", value=len(index.articles)
        )
        yield GaugeMetricFamily(
            "tin_bot_corpus_passages", "Passages in the index", value=len(index.passages)
        )
        yield CounterMetricFamily(
            "tin_bot_reloads", "Reloads that changed the index", value=self.live.reloads
        )
        if self.live.reloaded_at is not None:
            yield GaugeMetricFamily(
                "tin_bot_last_reload_timestamp_seconds",
                "When the index last changed (Unix time)",
                value=self.live.reloaded_at,
            )
        yield from _shard_families(self.live.shard_states())


def _shard_families(states: list[ShardState]) -> Iterator[Metric]:
    """Per Xapian shard searched: whether a server answers for it, and whether that is one of
    its replicas (its primary failed); nothing where the index is in this process."""
    if not states:
        return
    up = GaugeMetricFamily("tin_bot_shard_up", "A server answers for the shard", labels=["shard"])
    on_replica = GaugeMetricFamily(
        "tin_bot_shard_on_replica", "The shard is served by a replica", labels=["shard"]
    )
    for state in states:
        answering = state.server is not None
        up.add_metric([str(state.number)], float(answering))
        on_replica.add_metric([str(state.number)], float(answering and state.place > 0))
    yield from (up, on_replica)


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.replies = Counter(
            "tin_bot_replies",
            "Replies, by tier and adapter",
            ("tier", "adapter"),
            registry=registry,
        )
        self.answer_seconds = Histogram(
            "tin_bot_answer_seconds",
            "Time to compute an answer",
            buckets=ANSWER_BUCKETS,
            registry=registry,
        )
        self.votes = Counter(
            "tin_bot_votes",
            "Votes cast or changed, by tier and vote",
            ("tier", "vote"),
            registry=registry,
        )
        self.errors = Counter(
            "tin_bot_errors", "Failures, by the exception's type", ("kind",), registry=registry
        )
        self.inbox_pending = Gauge(
            "tin_bot_inbox_pending", "Updates stored and not answered yet", registry=registry
        )
        self.inbox_oldest = Gauge(
            "tin_bot_inbox_oldest_age_seconds",
            "Age of the oldest pending update",
            registry=registry,
        )
        self.feeds: dict[str, FeedOutcome] = {}  # each feed's last fetch (the operator page)
        self._feed_counters: tuple[Counter, Counter] | None = None
        self._lock = threading.Lock()  # feed rounds report from their own thread

    def observe_index(self, live: LiveIndex) -> None:
        self.registry.register(_IndexCollector(live))

    def replied(self, answer: Answer, seconds: float, adapter: str) -> None:
        self.replies.labels(answer.tier.value, adapter).inc()
        self.answer_seconds.observe(seconds)

    def voted(self, tier: Tier, vote: int) -> None:
        self.votes.labels(tier.value, "up" if vote == UP else "down").inc()

    def failed(self, error: BaseException) -> None:
        self.errors.labels(type(error).__name__).inc()

    def inbox(self, pending: int, oldest: float | None) -> None:
        """The inbox as it is now: how many updates wait, and since when (a wall time)."""
        self.inbox_pending.set(pending)
        self.inbox_oldest.set(time.time() - oldest if oldest is not None else 0)

    def feed_round(self, report: RoundReport) -> None:
        """A round over the feeds ended: count its fetches and pages, remember each feed's."""
        with self._lock:
            if self._feed_counters is None:
                self._feed_counters = (
                    Counter(
                        "tin_bot_feed_fetches",
                        "Feed fetches, by result",
                        ("result",),
                        registry=self.registry,
                    ),
                    Counter(
                        "tin_bot_feed_pages",
                        "Article pages fetched, by result",
                        ("result",),
                        registry=self.registry,
                    ),
                )
            fetches, pages = self._feed_counters
            now = time.time()
            for feed, result in report.results.items():
                fetches.labels(result).inc()
                self.feeds[feed] = FeedOutcome(now, result)
            pages.labels("saved").inc(len(report.saved))
            pages.labels("failed").inc(report.pages_failed)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
