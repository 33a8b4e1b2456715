"""Replies per tier per day, kept beside the inbox (a `database.Database`), for the operator
page's chart: counts only, never a question. Days are BOT_TIMEZONE's."""

from __future__ import annotations

import datetime
from collections import Counter

from bot.telegram.database import Database
from retrieval.reply.answer import Tier

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tin_bot_daily (bot_id BIGINT NOT NULL, day TEXT NOT NULL,"
    " tier TEXT NOT NULL, replies BIGINT NOT NULL, PRIMARY KEY (bot_id, day, tier))"
)


class DailyReplies:
    def __init__(self, database: Database, bot_id: int) -> None:
        self._database = database
        self.bot_id = bot_id
        database.run(_SCHEMA)

    def count(self, day: datetime.date, tier: Tier) -> None:
        """One more reply of `tier` on `day`."""
        self._database.run(
            "INSERT INTO tin_bot_daily (bot_id, day, tier, replies) VALUES (?, ?, ?, 1)"
            " ON CONFLICT (bot_id, day, tier) DO UPDATE SET replies = tin_bot_daily.replies + 1",
            (self.bot_id, day.isoformat(), tier.value),
        )

    def last_days(
        self, today: datetime.date, days: int
    ) -> list[tuple[datetime.date, Counter[Tier]]]:
        """Each of the `days` days up to `today`, oldest first, with its replies per tier."""
        first = today - datetime.timedelta(days=days - 1)
        _, rows = self._database.run(
            "SELECT day, tier, replies FROM tin_bot_daily WHERE bot_id = ? AND day >= ?",
            (self.bot_id, first.isoformat()),
        )
        per_day: dict[str, Counter[Tier]] = {}
        for day, tier, replies in rows:
            per_day.setdefault(str(day), Counter())[Tier(tier)] += int(replies)
        span = (first + datetime.timedelta(days=n) for n in range(days))
        return [(day, per_day.get(day.isoformat(), Counter())) for day in span]
