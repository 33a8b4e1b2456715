"""Readers' votes: 👍 or 👎 under an `answer` or `related` reply, one per user and reply (a
second press changes it), kept beside the inbox in a `database.Database`, so they survive
restarts and replicas share them.

A vote is stored under its ballot, a keyed hash (HMAC-SHA256 with the bot's token) of the
reply and the voter: a changed vote replaces the earlier one, and neither the user's nor the
chat's id is stored. Each vote keeps its reply's tier and when it was cast.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import Counter
from dataclasses import dataclass, field

from bot.telegram.database import Database
from retrieval.reply.answer import Tier

VOTED_TIERS = (Tier.ANSWER, Tier.RELATED)  # the replies that carry the buttons
UP, DOWN = 1, -1
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tin_bot_votes (bot_id BIGINT NOT NULL, ballot TEXT NOT NULL,"
    " tier TEXT NOT NULL, vote INTEGER NOT NULL, at DOUBLE PRECISION NOT NULL,"
    " PRIMARY KEY (bot_id, ballot))"
)


@dataclass
class VoteCounts:
    """Votes per (tier, UP or DOWN)."""

    counts: Counter[tuple[str, int]] = field(default_factory=Counter)

    def of(self, tier: Tier) -> str:
        return f"👍 {self.counts[tier.value, UP]} 👎 {self.counts[tier.value, DOWN]}"

    def line(self) -> str:
        """Every tier's, e.g. "answer 👍 3 👎 1, related 👍 0 👎 2"."""
        return ", ".join(f"{tier} {self.of(tier)}" for tier in VOTED_TIERS)


class Votes:
    def __init__(self, database: Database, bot_id: int, key: bytes) -> None:
        self._database = database
        self.bot_id = bot_id
        self._key = key
        database.run(_SCHEMA)

    def cast(self, reply: tuple[int, int], user_id: int, tier: Tier, vote: int) -> bool:
        """Record `user_id`'s vote (UP or DOWN) on `reply` (chat id, message id); False when
        it had already voted so."""
        ballot = hmac.new(self._key, f"{reply[0]}:{reply[1]}:{user_id}".encode(), hashlib.sha256)
        changed, _ = self._database.run(
            "INSERT INTO tin_bot_votes (bot_id, ballot, tier, vote, at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (bot_id, ballot) DO UPDATE SET vote = excluded.vote, at = excluded.at"
            " WHERE tin_bot_votes.vote <> excluded.vote",
            (self.bot_id, ballot.hexdigest(), tier.value, vote, time.time()),
        )
        return changed == 1

    def counts(self, since: float = 0.0) -> VoteCounts:
        """The votes cast (or last changed) since `since`, a wall time."""
        _, rows = self._database.run(
            "SELECT tier, vote, COUNT(*) FROM tin_bot_votes WHERE bot_id = ? AND at >= ?"
            " GROUP BY tier, vote",
            (self.bot_id, since),
        )
        return VoteCounts(Counter({(str(tier), int(vote)): int(n) for tier, vote, n in rows}))
