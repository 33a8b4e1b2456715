"""What an operator sees with /stats: uptime, the corpus, how questions went, answer times,
readers' votes.

Counters cover the time since start and today (local date, reset at midnight); answer times
are the last LATENCY_WINDOW answers' percentiles. Votes are counted from their store: today
(BOT_TIMEZONE) and since the bot's first start. Nothing about the questions themselves is kept.
"""

from __future__ import annotations

import datetime
import statistics
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from bot.operator.votes import VoteCounts
from retrieval.reply.answer import Answer, Tier

LATENCY_WINDOW = 1000


@dataclass
class Stats:
    started: float = field(default_factory=time.monotonic)
    since_start: Counter[Tier] = field(default_factory=Counter)
    today: Counter[Tier] = field(default_factory=Counter)
    day: datetime.date = field(default_factory=datetime.date.today)
    latencies: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))

    def record(self, answer: Answer, seconds: float, on: datetime.date | None = None) -> None:
        on = on or datetime.date.today()
        if on != self.day:
            self.day, self.today = on, Counter()
        self.since_start[answer.tier] += 1
        self.today[answer.tier] += 1
        self.latencies.append(seconds)

    def percentile_ms(self, share: float) -> float | None:
        """The answer time below which `share` of the recent answers fall, in milliseconds."""
        if not self.latencies:
            return None
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        cuts = statistics.quantiles(self.latencies, n=100, method="inclusive")
        return cuts[round(share * 100) - 1] * 1000

    def uptime_seconds(self, now: float | None = None) -> float:
        return (now if now is not None else time.monotonic()) - self.started


def _counts(counter: Counter[Tier]) -> str:
    return ", ".join(f"{counter[tier]} {tier}" for tier in Tier)


def _duration(seconds: float) -> str:
    minutes, _ = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h {minutes}m" if days else f"{hours}h {minutes}m"


def stats_text(
    stats: Stats,
    articles: int,
    passages: int,
    pending: int | None,
    reloaded: float | None,
    votes: tuple[VoteCounts, VoteCounts] | None = None,
) -> str:
    """The /stats reply: plain text, one fact a line; `votes`: (today's, all)."""
    p50, p95 = stats.percentile_ms(0.5), stats.percentile_ms(0.95)
    times = f"p50 {p50:.0f} ms, p95 {p95:.0f} ms" if p50 is not None and p95 is not None else "-"
    reload_line = (
        f"{_duration(time.time() - reloaded)} ago" if reloaded is not None else "none since start"
    )
    return "\n".join(
        [
            f"uptime: {_duration(stats.uptime_seconds())}",
            f"corpus: {articles} articles, {passages} passages; last reload: {reload_line}",
            f"since start: {_counts(stats.since_start)}",
            f"today: {_counts(stats.today)}",
            f"answer time (last {len(stats.latencies)}): {times}",
            f"inbox pending: {'-' if pending is None else pending}",
        ]
        + (
            [f"votes today: {votes[0].line()}", f"votes since first start: {votes[1].line()}"]
            if votes is not None
            else []
        )
    )
