"""What the bot records as it answers, for the operator: the metrics, replies per tier per
day, readers' votes, and (only with BOT_KEEP_QUESTIONS) the questions themselves.

The stores run in worker threads. One that fails costs a log line (its error's type, never a
question) and an error in the metrics, never a reply.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from zoneinfo import ZoneInfo

from bot.operator.daily import DailyReplies
from bot.operator.kept import KeptQuestions
from bot.operator.metrics import Metrics
from bot.operator.votes import VoteCounts, Votes
from bot.settings import DEFAULT_TIMEZONE
from bot.telegram.keyboard import Ballot
from retrieval.reply.answer import Answer

log = logging.getLogger(__name__)
Result = TypeVar("Result")


@dataclass
class Feedback:
    metrics: Metrics = field(default_factory=Metrics)
    zone: datetime.tzinfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))
    votes: Votes | None = None  # None: no store beside the inbox (votes are not counted)
    daily: DailyReplies | None = None
    kept: KeptQuestions | None = None  # None: BOT_KEEP_QUESTIONS is off

    def today(self) -> datetime.date:
        return datetime.datetime.now(self.zone).date()

    def midnight(self) -> float:
        """Today's start in BOT_TIMEZONE, as a wall time."""
        start = datetime.datetime.combine(self.today(), datetime.time(), self.zone)
        return start.timestamp()

    async def replied(self, result: Answer, seconds: float, adapter: str) -> None:
        self.metrics.replied(result, seconds, adapter)
        if self.daily is not None:
            await self.on_store(self.daily.count, self.today(), result.tier)

    async def keep(self, result: Answer) -> str | None:
        """Keep the question with its reply (BOT_KEEP_QUESTIONS); its id, for the votes."""
        return None if self.kept is None else await self.on_store(self.kept.keep, result)

    async def vote(self, reply: tuple[int, int], user_id: int, ballot: Ballot) -> bool | None:
        """Count a vote on `reply` (chat id, message id): True when new or changed, False when
        the same as before, None when it could not be stored."""
        if self.votes is None:
            return None
        changed = await self.on_store(self.votes.cast, reply, user_id, ballot.tier, ballot.vote)
        if changed:
            self.metrics.voted(ballot.tier, ballot.vote)
            if ballot.kept and self.kept is not None:
                await self.on_store(self.kept.vote, ballot.kept, ballot.vote)
        return changed

    async def vote_counts(self) -> tuple[VoteCounts, VoteCounts] | None:
        """The votes of today and of all time; None without a store (or when it fails)."""
        if self.votes is None:
            return None
        today = await self.on_store(self.votes.counts, self.midnight())
        ever = await self.on_store(self.votes.counts)
        return (today, ever) if today is not None and ever is not None else None

    async def on_store(self, call: Callable[..., Result], *args: object) -> Result | None:
        """`call(*args)` on a store, in a worker thread; None when the store fails."""
        try:
            return await asyncio.to_thread(call, *args)
        except (sqlite3.Error, OSError) as error:
            log.error("operator records failed: %s", type(error).__name__)
            self.metrics.failed(error)
            return None
