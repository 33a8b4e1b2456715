"""The durable inbox: every update on disk before Telegram may forget it, until answered.

An embedded SQLite database in WAL mode (`BOT_DATA_DIR/inbox-<bot id>.sqlite3`). An update is stored
when it arrives and marked done once handled; what is still pending at start is answered
first, oldest first. Update ids seen before are not stored (nor answered) again. Done entries
are pruned after a day. A file SQLite cannot read is moved aside with a warning and a new one
started, so a damaged inbox never keeps the bot from starting.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

log = logging.getLogger(__name__)

KEEP_DONE_SECONDS = 24 * 3600
PRUNE_EVERY = 500  # marks between two prunes
_SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT    NOT NULL,
    received_at REAL    NOT NULL,
    done_at     REAL
)
"""


class Inbox:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._connection = self._open_or_replace()
        self._marks = 0
        self.prune()

    def _open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")  # survives a host crash, not only ours
        if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            connection.close()
            raise sqlite3.DatabaseError("quick_check failed")
        connection.execute(_SCHEMA)
        return connection

    def _open_or_replace(self) -> sqlite3.Connection:
        try:
            return self._open()
        except sqlite3.DatabaseError as error:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            log.warning("inbox %s unreadable (%s); moved to %s", self.path, error, aside.name)
            for suffix in ("", "-wal", "-shm"):
                damaged = Path(f"{self.path}{suffix}")
                if damaged.exists():
                    damaged.rename(Path(f"{aside}{suffix}"))
            return self._open()

    def store(self, update_id: int, payload: str) -> bool:
        """Keep an arriving update; False when its id was seen before (a redelivery)."""
        cursor = self._connection.execute(
            "INSERT OR IGNORE INTO updates (update_id, payload, received_at) VALUES (?, ?, ?)",
            (update_id, payload, time.time()),
        )
        return cursor.rowcount == 1

    def mark_done(self, update_id: int) -> None:
        self._connection.execute(
            "UPDATE updates SET done_at = ? WHERE update_id = ?", (time.time(), update_id)
        )
        self._marks += 1
        if self._marks % PRUNE_EVERY == 0:
            self.prune()

    def pending(self) -> list[tuple[int, str]]:
        """(update id, payload) of every update not yet handled, oldest first."""
        rows = self._connection.execute(
            "SELECT update_id, payload FROM updates WHERE done_at IS NULL ORDER BY update_id"
        )
        return list(rows)

    def prune(self, now: float | None = None) -> int:
        """Forget updates handled more than a day ago; returns how many."""
        cutoff = (now if now is not None else time.time()) - KEEP_DONE_SECONDS
        cursor = self._connection.execute(
            "DELETE FROM updates WHERE done_at IS NOT NULL AND done_at < ?", (cutoff,)
        )
        return cursor.rowcount

    def close(self) -> None:
        self._connection.close()
