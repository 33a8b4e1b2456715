"""The shared inbox: the durable inbox in PostgreSQL, so several replicas share one (BOT_INBOX_URL).

The same promises as the SQLite inbox (`inbox.py`), across hosts:

- An update is stored before it is acknowledged; unique on (bot id, update id), so Telegram's
  redelivery, or the same update reaching two replicas, is stored and answered once.
- The replica that stores an update holds a lease on it (owner, lease_until) and renews its
  leases every RENEW_SECONDS while it runs; it answers the update and marks it done.
- A replica that dies stops renewing: once a lease has expired, any replica claims the update
  (`FOR UPDATE SKIP LOCKED`: two replicas never claim the same row), oldest first, and answers
  it. The only possible duplicate is a reply sent in the instant before a crash, before its
  update was marked done, as with SQLite.
- A row that does not parse is quarantined; done updates keep only their id, for a day.
- Polling: one replica polls, holding a PostgreSQL advisory lock on its own connection; the
  others stand by and try to take it every STANDBY_SECONDS. The lock goes with the poller's
  connection, so a replica that dies hands over within seconds.

Every statement runs on the inbox's own thread (`call`), off the event loop, through
psycopg's connection pool. A failing statement raises SharedInboxError (an OSError, as the
SQLite inbox's disk faults are), so the delivery code treats both alike: not acknowledged,
ERROR once a minute, recovery by itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import psycopg
from psycopg_pool import ConnectionPool

from bot.telegram.inbox import KEEP_DONE_SECONDS, PRUNE_EVERY, Inbox

log = logging.getLogger(__name__)

RENEW_SECONDS = 2.0  # how often a replica renews its leases and claims expired ones
STANDBY_SECONDS = 2.0  # how often a standby replica tries to become the poller
CONNECT_SECONDS = 5.0
POLLING_LOCK = 0x7469_6E00  # "tin\0": with the bot id, the advisory lock of the poller
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
Result = TypeVar("Result")


class SharedInboxError(OSError):
    """PostgreSQL could not be reached or refused a statement (never the URL's password)."""


def replica_name() -> str:
    """Who holds a lease: host and process, for an operator reading the table."""
    return f"{socket.gethostname()}:{os.getpid()}"


class SharedInbox:
    shared = True

    def __init__(
        self, url: str, bot_id: int, lease_seconds: float, owner: str | None = None
    ) -> None:
        """`lease_seconds`: how long an update stays with the replica that took it, unless
        renewed (BOT_INBOX_LEASE_SECONDS): a dead replica's updates wait that long."""
        self.bot_id = bot_id
        self.lease_seconds = lease_seconds
        self.owner = owner or replica_name()
        self._url = url
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shared-inbox")
        connect = {"autocommit": True, "connect_timeout": int(CONNECT_SECONDS)}
        self._pool = ConnectionPool(url, min_size=1, max_size=2, kwargs=connect, open=False)
        self._leader: psycopg.Connection[Any] | None = None
        self._marks = 0
        try:
            self._pool.open(wait=True, timeout=CONNECT_SECONDS)
        except Exception as error:
            self._pool.close()
            raise SharedInboxError(f"PostgreSQL unreachable ({type(error).__name__})") from None
        with self._statement() as connection, connection.transaction():
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (POLLING_LOCK - 1,))
            connection.execute(_SCHEMA)  # two replicas starting at once: one creates

    async def call(self, method: Callable[..., Result], *args: object) -> Result:
        """Run one of this inbox's methods on its own thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, method, *args)

    @contextmanager
    def _statement(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            with self._pool.connection(timeout=CONNECT_SECONDS) as connection:
                yield connection
        except (psycopg.Error, TimeoutError) as error:
            raise SharedInboxError(f"PostgreSQL: {type(error).__name__}") from None

    def store(self, update_id: int, payload: str) -> bool:
        """Keep an arriving update, leased to this replica; False when it was seen before."""
        now = time.time()
        with self._statement() as connection:
            cursor = connection.execute(
                "INSERT INTO tin_bot_updates (bot_id, update_id, payload, received_at, owner, "
                "lease_until) VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (self.bot_id, update_id, payload, now, self.owner, now + self.lease_seconds),
            )
            return cursor.rowcount == 1

    def mark_done(self, update_id: int) -> None:
        """Handled: keep the id only, so a redelivery is recognised and nothing else stays;
        every PRUNE_EVERY marks, what was handled more than a day ago is forgotten."""
        with self._statement() as connection:
            connection.execute(
                "UPDATE tin_bot_updates SET done_at = %s, payload = '', owner = NULL "
                "WHERE bot_id = %s AND update_id = %s",
                (time.time(), self.bot_id, update_id),
            )
        self._marks += 1
        if self._marks % PRUNE_EVERY == 0:
            self.prune()

    def quarantine(self, update_id: int, reason: str) -> None:
        """Set a pending row that cannot be answered aside, out of every replay."""
        with self._statement() as connection, connection.transaction():
            connection.execute(
                "INSERT INTO tin_bot_quarantine (bot_id, update_id, payload, reason, at) "
                "SELECT bot_id, update_id, payload, %s, %s FROM tin_bot_updates "
                "WHERE bot_id = %s AND update_id = %s ON CONFLICT DO NOTHING",
                (reason, time.time(), self.bot_id, update_id),
            )
            connection.execute(
                "UPDATE tin_bot_updates SET done_at = %s, payload = '', owner = NULL "
                "WHERE bot_id = %s AND update_id = %s",
                (time.time(), self.bot_id, update_id),
            )

    def pending(self) -> list[tuple[int, str]]:
        """(update id, payload) of every update not yet handled, by any replica, oldest first."""
        with self._statement() as connection:
            rows = connection.execute(
                "SELECT update_id, payload FROM tin_bot_updates "
                "WHERE bot_id = %s AND done_at IS NULL ORDER BY update_id",
                (self.bot_id,),
            )
            return [(int(update_id), str(payload)) for update_id, payload in rows]

    def claim(self) -> list[tuple[int, str]]:
        """Take over, oldest first, the pending updates whose lease has expired (their
        replica stopped or died); they are this replica's to answer now."""
        now = time.time()
        with self._statement() as connection:
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
        with self._statement() as connection:
            connection.execute(
                "UPDATE tin_bot_updates SET lease_until = %s "
                "WHERE bot_id = %s AND owner = %s AND done_at IS NULL",
                (time.time() + self.lease_seconds, self.bot_id, self.owner),
            )

    def release(self) -> None:
        """Stopping: hand this replica's unanswered updates to the others at once."""
        with self._statement() as connection:
            connection.execute(
                "UPDATE tin_bot_updates SET lease_until = 0 "
                "WHERE bot_id = %s AND owner = %s AND done_at IS NULL",
                (self.bot_id, self.owner),
            )

    def writable(self) -> bool:
        try:
            with self._statement() as connection:
                connection.execute("SELECT 1")
        except SharedInboxError:
            return False
        return True

    def prune(self, now: float | None = None) -> int:
        """Forget updates handled more than a day ago; returns how many."""
        cutoff = (now or time.time()) - KEEP_DONE_SECONDS
        with self._statement() as connection:
            cursor = connection.execute(
                "DELETE FROM tin_bot_updates "
                "WHERE bot_id = %s AND done_at IS NOT NULL AND done_at < %s",
                (self.bot_id, cutoff),
            )
            return cursor.rowcount

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[int, list[tuple[Any, ...]]]:
        """One statement of the other tables kept beside the inbox (topic subscriptions),
        written with "?" placeholders: (rows changed, rows returned)."""
        with self._statement() as connection:
            cursor = connection.execute(sql.replace("?", "%s"), params)
            return cursor.rowcount, (cursor.fetchall() if cursor.description else [])

    def run_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with self._statement() as connection, connection.transaction():
            connection.cursor().executemany(sql.replace("?", "%s"), rows)

    def lead_polling(self) -> bool:
        """Whether this replica holds, or has just taken, the poller's lock. The lock lives
        on a connection of its own: lost with it, when PostgreSQL or this process goes."""
        try:
            if self._leader is not None:
                self._leader.execute("SELECT 1")
                return True
            leader = psycopg.connect(
                self._url, autocommit=True, connect_timeout=int(CONNECT_SECONDS)
            )
            taken = leader.execute(
                "SELECT pg_try_advisory_lock(%s, %s)", (POLLING_LOCK, self.bot_id % 2**31)
            ).fetchone()
        except psycopg.Error:
            self._drop_leader()
            return False
        if taken and taken[0]:
            self._leader = leader
            return True
        leader.close()
        return False

    def _drop_leader(self) -> None:
        if self._leader is not None:
            self._leader.close()
            self._leader = None

    def close(self) -> None:
        self._drop_leader()
        self._pool.close()
        self._thread.shutdown(wait=False)


DurableInbox = Inbox | SharedInbox  # what the delivery code stores updates in


class SharedTables:
    """The shared inbox's database as the subscriptions' `Database`; closing it leaves the
    inbox open (the inbox closes its own pool)."""

    def __init__(self, inbox: SharedInbox) -> None:
        self.run = inbox.run
        self.run_many = inbox.run_many

    def close(self) -> None:
        return None
