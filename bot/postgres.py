"""The PostgreSQL database of BOT_INBOX_URL, shared by replicas: the shared inbox's tables and
the subscriptions' (as their `subscriptions.Database`).

One small psycopg connection pool per process. A statement that fails, or a server that cannot
be reached, raises PostgresError: an OSError, as the SQLite stores' disk faults are, so the
delivery code treats both alike (not acknowledged, ERROR once a minute, recovery by itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

CONNECT_SECONDS = 5.0
_OPTIONS: dict[str, Any] = {"autocommit": True, "connect_timeout": int(CONNECT_SECONDS)}


class PostgresError(OSError):
    """PostgreSQL could not be reached or refused a statement (never the URL's password)."""


def connect(url: str) -> psycopg.Connection[Any]:
    """A connection of its own, outside the pool (what a session-level lock needs)."""
    return psycopg.connect(url, **_OPTIONS)


class Postgres:
    def __init__(self, url: str) -> None:
        self._pool = ConnectionPool(url, min_size=1, max_size=2, kwargs=_OPTIONS, open=False)
        try:
            self._pool.open(wait=True, timeout=CONNECT_SECONDS)
        except Exception as error:
            self._pool.close()
            raise PostgresError(f"PostgreSQL unreachable ({type(error).__name__})") from None

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        """A pooled connection, in autocommit; errors come out as PostgresError."""
        try:
            with self._pool.connection(timeout=CONNECT_SECONDS) as connection:
                yield connection
        except (psycopg.Error, TimeoutError) as error:
            raise PostgresError(f"PostgreSQL: {type(error).__name__}") from None

    def run(self, sql: str, params: tuple[Any, ...] = ()) -> tuple[int, list[tuple[Any, ...]]]:
        """One statement written with "?" placeholders: (rows changed, rows returned)."""
        with self.connection() as connection:
            cursor = connection.execute(sql.replace("?", "%s"), params)
            return cursor.rowcount, (cursor.fetchall() if cursor.description else [])

    def run_many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        with self.connection() as connection, connection.transaction():
            connection.cursor().executemany(sql.replace("?", "%s"), rows)

    def close(self) -> None:
        self._pool.close()
