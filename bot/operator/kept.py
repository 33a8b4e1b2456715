"""The questions kept to learn from, only with BOT_KEEP_QUESTIONS (off by default: then no
question's text is stored anywhere). Kept beside the inbox (a `database.Database`: the
`tin_bot_questions` table of `BOT_DATA_DIR/operator.sqlite3`, or of BOT_INBOX_URL's
PostgreSQL) for BOT_KEEP_DAYS, then deleted: each question's text as typed, as understood,
its reply's tier, the top source and the last vote on it; never a user's or chat's id.

`unanswered` groups the recent ones the archive could not answer (`none` or `related`
replies, or a 👎) by their understood form, most frequent first: what /chuatraloi and
`python -m bot questions` show, the articles to add.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.operator.votes import DOWN
from bot.telegram.database import Database
from retrieval.reply.answer import Answer, Tier

DAY_SECONDS = 86_400
RECENT_DAYS = 7  # what /chuatraloi and the operator page look back on
UNANSWERED_TIERS = frozenset({Tier.NONE, Tier.RELATED})
TOP_GROUPS = 20
KEPT_CHARS = 500  # what the bot reads of a question (retrieval's MAX_QUESTION_CHARS)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tin_bot_questions (bot_id BIGINT NOT NULL, id TEXT NOT NULL,"
    " asked_at DOUBLE PRECISION NOT NULL, question TEXT NOT NULL, understood TEXT NOT NULL,"
    " tier TEXT NOT NULL, source TEXT NOT NULL, vote INTEGER, PRIMARY KEY (bot_id, id))"
)


@dataclass
class Unanswered:
    """Questions understood alike, with how often they were asked and how they went."""

    understood: str
    count: int = 0
    tiers: Counter[str] = field(default_factory=Counter)
    down: int = 0
    typed: list[str] = field(default_factory=list)  # distinct forms as typed, first seen first

    def outcomes(self) -> str:
        """How they went, e.g. "none 2, related 1, 👎 1"."""
        parts = [f"{tier} {n}" for tier, n in sorted(self.tiers.items())]
        return ", ".join(parts + ([f"👎 {self.down}"] if self.down else []))

    def line(self) -> str:
        """One line, e.g. "3× giá vàng hôm nay (none 2, related 1, 👎 1)"."""
        return f"{self.count}× {self.understood} ({self.outcomes()})"

    def to_json(self) -> dict[str, Any]:
        return {
            "understood": self.understood,
            "count": self.count,
            "tiers": dict(sorted(self.tiers.items())),
            "down": self.down,
            "questions": self.typed,
        }


class KeptQuestions:
    def __init__(self, database: Database, bot_id: int, days: int) -> None:
        self._database = database
        self.bot_id = bot_id
        self.days = days
        database.run(_SCHEMA)
        self.prune()

    def keep(self, answer: Answer) -> str:
        """Keep a question and how it was answered; returns its id (what a vote names). What
        is older than the keeping period goes at the same time."""
        question_id = secrets.token_hex(6)
        source = answer.hits[0].source if answer.hits else ""
        self._database.run(
            "INSERT INTO tin_bot_questions (bot_id, id, asked_at, question, understood, tier,"
            " source) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                self.bot_id,
                question_id,
                time.time(),
                answer.question[:KEPT_CHARS],
                answer.understood[:KEPT_CHARS],
                answer.tier.value,
                source,
            ),
        )
        self.prune()
        return question_id

    def vote(self, question_id: str, vote: int) -> None:
        self._database.run(
            "UPDATE tin_bot_questions SET vote = ? WHERE bot_id = ? AND id = ?",
            (vote, self.bot_id, question_id),
        )

    def prune(self, now: float | None = None) -> int:
        """Delete what was kept more than `days` ago; returns how many."""
        cutoff = (now or time.time()) - self.days * DAY_SECONDS
        changed, _ = self._database.run(
            "DELETE FROM tin_bot_questions WHERE bot_id = ? AND asked_at < ?", (self.bot_id, cutoff)
        )
        return changed

    def forget_all(self) -> int:
        """Delete every kept question (keeping turned off); returns how many."""
        changed, _ = self._database.run(
            "DELETE FROM tin_bot_questions WHERE bot_id = ?", (self.bot_id,)
        )
        return changed

    def unanswered(
        self, since: float, tiers: frozenset[Tier] | None = None, limit: int = TOP_GROUPS
    ) -> list[Unanswered]:
        """The questions asked since `since` (a wall time) that got a reply of `tiers`
        (default: `none` or `related`, or a 👎 whatever their tier), grouped by understood
        form, most frequent first."""
        _, rows = self._database.run(
            "SELECT question, understood, tier, vote FROM tin_bot_questions"
            " WHERE bot_id = ? AND asked_at >= ? ORDER BY asked_at",
            (self.bot_id, since),
        )
        groups: dict[str, Unanswered] = {}
        for question, understood, tier, vote in rows:
            chosen = tier in tiers if tiers else tier in UNANSWERED_TIERS or vote == DOWN
            if not chosen:
                continue
            group = groups.setdefault(understood or question, Unanswered(understood or question))
            group.count += 1
            group.tiers[tier] += 1
            group.down += vote == DOWN
            if question not in group.typed:
                group.typed.append(question)
        ranked = sorted(groups.values(), key=lambda group: (-group.count, group.understood))
        return ranked[:limit]
