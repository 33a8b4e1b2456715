"""The durable inbox in PostgreSQL (BOT_INBOX_URL), so several replicas share one.

The same promises as the SQLite inbox (`inbox.py`), across hosts:

- An update is stored before it is acknowledged; unique on (bot id, update id), so Telegram's
  redelivery, or the same update reaching two replicas, is stored and answered once.
- The replica that stores an update holds a lease on it (owner, lease_until) and renews its
  leases every `delivery.RENEW_SECONDS` while it runs; it answers the update and marks it done.
- A replica that dies stops renewing: once a lease has expired, any replica claims the update
  (`FOR UPDATE SKIP LOCKED`: two replicas never claim the same row), oldest first, and answers
  it. The only possible duplicate is a reply sent in the instant before a crash, before its
  update was marked done, as with SQLite.
- A row that does not parse is quarantined; done updates keep only their id, for a day.

Which replica polls is `election.py`'s business.
"""

from __future__ import annotations

import os
import socket
import time

from bot.postgres import Postgres, PostgresError
from bot.telegram.inbox import DurableInbox

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tin_bot_updates (
    bot_id      BIGINT           NOT NULL,
    update_id   BIGINT           NOT NULL,
    payload     TEXT             NOT NULL,
    received_at DOUBLE PRECISION NOT NULL,
    done_at     DOUBLE PRECISION,
    owner       TEXT,
    lease_until DOUBLE PRECISION,
    PRIMARY KEY (bot_id, update_id)
);
CREATE TABLE IF NOT EXISTS tin_bot_quarantine (
    bot_id    BIGINT           NOT NULL,
    update_id BIGINT           NOT NULL,
    payload   TEXT             NOT NULL,
    reason    TEXT             NOT NULL,
    at        DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (bot_id, update_id)
);
"""
SCHEMA_LOCK = 0x7469_6DFF  # two replicas starting at once: one creates the tables, under it
_FORGET_PAYLOAD = (
    "UPDATE tin_bot_updates SET done_at = %s, payload = '', owner = NULL "
    "WHERE bot_id = %s AND update_id = %s"
)


def replica_name() -> str:
    """Who holds a lease: host and process, for an operator reading the table."""
    return f"{socket.gethostname()}:{os.getpid()}"


class SharedInbox(DurableInbox):
    def __init__(
        self, database: Postgres, bot_id: int, lease_seconds: float, owner: str | None = None
    ) -> None:
        """`lease_seconds`: how long an update stays with the replica that took it, unless
        renewed (BOT_INBOX_LEASE_SECONDS): a dead replica's updates wait that long."""
        self.bot_id = bot_id
        self.lease_seconds = lease_seconds
        self.owner = owner or replica_name()
        self._database = database
        with database.connection() as connection, connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
            connection.execute(_SCHEMA)
        super().__init__("shared-inbox")

    def store(self, update_id: int, payload: str) -> bool:
        """Keep an arriving update, leased to this replica; False when it was seen before."""
        now = time.time()
        with self._database.connection() as connection:
            cursor = connection.execute(
                "INSERT INTO tin_bot_updates (bot_id, update_id, payload, received_at, owner, "
                "lease_until) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (self.bot_id, update_id, payload, now, self.owner, now + self.lease_seconds),
            )
            return cursor.rowcount == 1

    def _forget_payload(self, update_id: int) -> None:
        with self._database.connection() as connection:
            connection.execute(_FORGET_PAYLOAD, (time.time(), self.bot_id, update_id))

    def quarantine(self, update_id: int, reason: str) -> None:
        with self._database.connection() as connection, connection.transaction():
            connection.execute(
                "INSERT INTO tin_bot_quarantine (bot_id, update_id, payload, reason, at) "
                "SELECT bot_id, update_id, payload, %s, %s FROM tin_bot_updates "
                "WHERE bot_id = %s AND update_id = %s ON CONFLICT DO NOTHING",
                (reason, time.time(), self.bot_id, update_id),
            )
            connection.execute(_FORGET_PAYLOAD, (time.time(), self.bot_id, update_id))

    def pending(self) -> list[tuple[int, str]]:
        """By any replica."""
        with self._database.connection() as connection:
            rows = connection.execute(
                "SELECT update_id, payload FROM tin_bot_updates "
                "WHERE bot_id = %s AND done_at IS NULL ORDER BY update_id",
                (self.bot_id,),
            )
            return [(int(update_id), str(payload)) for update_id, payload in rows]

    def backlog(self) -> tuple[int, float | None]:
        """By any replica."""
        _, rows = self._database.run(
            "SELECT COUNT(*), MIN(received_at) FROM tin_bot_updates"
            " WHERE bot_id = ? AND done_at IS NULL",
            (self.bot_id,),
        )
        count, oldest = rows[0]
        return int(count), oldest

    def claim(self) -> list[tuple[int, str]]:
        """The pending updates whose lease has expired (their replica stopped or died)."""
        now = time.time()
        with self._database.connection() as connection:
            rows = connection.execute(
                "UPDATE tin_bot_updates SET owner = %s, lease_until = %s "
                "WHERE (bot_id, update_id) IN ("
                "  SELECT bot_id, update_id FROM tin_bot_updates"
                "  WHERE bot_id = %s AND done_at IS NULL AND lease_until < %s"
                "  ORDER BY update_id FOR UPDATE SKIP LOCKED"
                ") RETURNING update_id, payload",
                (self.owner, now + self.lease_seconds, self.bot_id, now),
            ).fetchall()
        return sorted((int(update_id), str(payload)) for update_id, payload in rows)

    def renew(self) -> None:
        """Extend the leases of the updates this replica holds and has not answered yet."""
        self._set_leases(time.time() + self.lease_seconds)

    def release(self) -> None:
        """Let this replica's leases expire now."""
        self._set_leases(0)

    def _set_leases(self, until: float) -> None:
        with self._database.connection() as connection:
            connection.execute(
                "UPDATE tin_bot_updates SET lease_until = %s "
                "WHERE bot_id = %s AND owner = %s AND done_at IS NULL",
                (until, self.bot_id, self.owner),
            )

    def writable(self) -> bool:
        try:
            self._database.run("SELECT 1")
        except PostgresError:
            return False
        return True

    def _forget_done_before(self, cutoff: float) -> int:
        changed, _ = self._database.run(
            "DELETE FROM tin_bot_updates WHERE bot_id = ? AND done_at IS NOT NULL AND done_at < ?",
            (self.bot_id, cutoff),
        )
        return changed
