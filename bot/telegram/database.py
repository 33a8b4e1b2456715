"""The small SQL stores kept beside the inbox (topic subscriptions, votes, replies per day, kept
questions) run on a `Database`: an SQLite file in BOT_DATA_DIR (`SqliteDatabase`), or the shared
inbox's PostgreSQL (`postgres.Postgres`) when BOT_INBOX_URL is set.

One dialect for both: BIGINT and DOUBLE PRECISION, ON CONFLICT, "?" placeholders (written "%s"
for psycopg).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, Protocol

Row = tuple[Any, ...]


class Database(Protocol):
    def run(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[int, list[Row]]:
        """(rows changed, rows returned) of one statement."""
        ...

    def run_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """One statement for each of `rows`, in one transaction."""
        ...


class SqliteDatabase:
    """A file beside the inbox (folder 0700, file 0600). Deleted rows are overwritten on disk
    (`secure_delete`): what was deleted cannot be read back from the file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        old_mask = os.umask(0o077)
        try:
            self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        finally:
            os.umask(old_mask)
        self._connection.execute("PRAGMA secure_delete=ON")
        self._lock = threading.Lock()  # one statement at a time, from any worker thread

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[int, list[Row]]:
        with self._lock:
            cursor = self._connection.execute(sql, params)
            return cursor.rowcount, cursor.fetchall()

    def run_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with self._lock, self._connection:
            self._connection.execute("BEGIN")
            self._connection.executemany(sql, rows)

    def close(self) -> None:
        with self._lock:
            self._connection.close()
