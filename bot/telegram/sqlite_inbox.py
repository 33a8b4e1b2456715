"""The durable inbox in SQLite, for one process: `BOT_DATA_DIR/inbox-<bot id>.sqlite3`.

An embedded SQLite database in WAL mode (`BOT_DATA_DIR/inbox-<bot id>.sqlite3`, folder 0700,
file 0600). An update is stored when it arrives and marked done once handled; what is still
pending at start is answered first, oldest first. Update ids seen before are not stored (nor
answered) again. A done update keeps only its id (what de-duplication needs), and is forgotten
after a day. A file SQLite cannot read is moved aside with a warning and a new one started, so
a damaged inbox never keeps the bot from starting; a file merely locked by another process is
waited for, never taken for a damaged one. A pending row that does not parse is quarantined
(moved to its own table) with a warning, never blocking the rows behind it.

All SQLite work runs on the inbox's own thread (`DurableInbox.call`), off the event loop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from pathlib import Path

from bot.telegram.inbox import KEEP_DONE_SECONDS, DurableInbox

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 5.0  # one statement waits this long for another process's lock
OPEN_PATIENCE_SECONDS = 30.0  # opening waits this long for a lock before giving up
_SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT    NOT NULL,
    received_at REAL    NOT NULL,
    done_at     REAL
);
CREATE TABLE IF NOT EXISTS quarantine (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    at          REAL    NOT NULL
);
"""


def is_locked(error: sqlite3.Error) -> bool:
    """Another connection holds the lock: wait, the file is fine."""
    text = str(error).lower()
    return isinstance(error, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


class SqliteInbox(DurableInbox):
    """One process owns the file (`instance.py` sees to it): no leases, and what is pending
    at start is all left by the last run."""

    def __init__(self, path: Path, open_patience: float = OPEN_PATIENCE_SECONDS) -> None:
        self.path = path
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):  # a folder we do not own keeps its mode
            path.parent.chmod(0o700)
        self._connection = self._open_or_replace(open_patience)
        self._claimed = False
        super().__init__("inbox")

    def _open(self) -> sqlite3.Connection:
        old_mask = os.umask(0o077)  # the file and its -wal/-shm: 0600
        try:
            connection = sqlite3.connect(
                self.path,
                isolation_level=None,
                timeout=BUSY_TIMEOUT_SECONDS,
                check_same_thread=False,  # used from the inbox thread only, one at a time
            )
            connection.execute("PRAGMA journal_mode=WAL")
        finally:
            os.umask(old_mask)
        connection.execute("PRAGMA secure_delete=ON")  # a handled question is gone from the file
        connection.execute("PRAGMA synchronous=FULL")  # survives a host crash, not only ours
        if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            connection.close()
            raise sqlite3.DatabaseError("quick_check failed")
        connection.executescript(_SCHEMA)
        _delete_done_before(connection, time.time() - KEEP_DONE_SECONDS)
        return connection

    def _open_waiting(self, patience: float) -> sqlite3.Connection:
        """`_open`, waiting out another process's lock for up to `patience` seconds."""
        deadline = time.monotonic() + patience
        while True:
            try:
                return self._open()
            except sqlite3.OperationalError as error:
                if not is_locked(error) or time.monotonic() >= deadline:
                    raise
                log.warning("inbox %s is locked by another process; waiting", self.path.name)
                time.sleep(1.0)

    def _open_or_replace(self, patience: float) -> sqlite3.Connection:
        try:
            return self._open_waiting(patience)
        except sqlite3.DatabaseError as error:
            if is_locked(error):
                raise
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            log.warning("inbox %s unreadable (%s); moved to %s", self.path, error, aside.name)
            for suffix in ("", "-wal", "-shm"):
                damaged = Path(f"{self.path}{suffix}")
                if damaged.exists():
                    damaged.rename(Path(f"{aside}{suffix}"))
            return self._open()

    def store(self, update_id: int, payload: str) -> bool:
        cursor = self._connection.execute(
            "INSERT OR IGNORE INTO updates (update_id, payload, received_at) VALUES (?, ?, ?)",
            (update_id, payload, time.time()),
        )
        return cursor.rowcount == 1

    def writable(self) -> bool:
        """The write lock taken and given back at once."""
        try:
            self._connection.execute("BEGIN IMMEDIATE")
            self._connection.execute("ROLLBACK")
        except (sqlite3.Error, OSError):
            return False
        return True

    def _forget_payload(self, update_id: int) -> None:
        self._connection.execute(
            "UPDATE updates SET done_at = ?, payload = '' WHERE update_id = ?",
            (time.time(), update_id),
        )

    def quarantine(self, update_id: int, reason: str) -> None:
        with self._connection:
            self._connection.execute("BEGIN IMMEDIATE")
            self._connection.execute(
                "INSERT OR REPLACE INTO quarantine (update_id, payload, reason, at) "
                "SELECT update_id, payload, ?, ? FROM updates WHERE update_id = ?",
                (reason, time.time(), update_id),
            )
            self._forget_payload(update_id)

    def pending(self) -> list[tuple[int, str]]:
        rows = self._connection.execute(
            "SELECT update_id, payload FROM updates WHERE done_at IS NULL ORDER BY update_id"
        )
        return list(rows)

    def backlog(self) -> tuple[int, float | None]:
        count, oldest = self._connection.execute(
            "SELECT COUNT(*), MIN(received_at) FROM updates WHERE done_at IS NULL"
        ).fetchone()
        return int(count), oldest

    def claim(self) -> list[tuple[int, str]]:
        """The first claim: every pending update, left by the last run. Later ones: none,
        since this process holds whatever is pending after it started."""
        if self._claimed:
            return []
        self._claimed = True
        return self.pending()

    def _forget_done_before(self, cutoff: float) -> int:
        return _delete_done_before(self._connection, cutoff)

    def close(self) -> None:
        self._connection.close()
        super().close()


def _delete_done_before(connection: sqlite3.Connection, cutoff: float) -> int:
    """Delete the updates handled before `cutoff`; returns how many."""
    cursor = connection.execute(
        "DELETE FROM updates WHERE done_at IS NOT NULL AND done_at < ?", (cutoff,)
    )
    return cursor.rowcount
