"""Which replica polls, when replicas share an inbox in PostgreSQL: one at a time, no 409 fights.

The poller holds a PostgreSQL advisory lock (POLLING_LOCK, with the bot id) on a connection of
its own; the others stand by and try to take it every few seconds (`polling.ElectedPolling`).
The lock goes with the poller's connection, so a replica that dies, or loses PostgreSQL, hands
over within seconds.
"""

from __future__ import annotations

from typing import Any

import psycopg

from bot.postgres import connect

POLLING_LOCK = 0x7469_6E00  # "tin\0": with the bot id, the advisory lock of the poller


class PollerElection:
    def __init__(self, url: str, bot_id: int) -> None:
        self._url = url
        self.bot_id = bot_id
        self._leader: psycopg.Connection[Any] | None = None

    def leads(self) -> bool:
        """Whether this replica holds, or has just taken, the poller's lock (blocks: run it
        off the event loop)."""
        try:
            if self._leader is not None:
                self._leader.execute("SELECT 1")
                return True
            candidate = connect(self._url)
            taken = candidate.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", (POLLING_LOCK, self.bot_id % 2**31)
            ).fetchone()
        except psycopg.Error:
            self.close()
            return False
        if taken and taken[0]:
            self._leader = candidate
            return True
        candidate.close()
        return False

    def close(self) -> None:
        """Step down: the lock goes with the connection."""
        if self._leader is not None:
            self._leader.close()
            self._leader = None
