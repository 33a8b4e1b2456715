"""Topic subscriptions, kept durably beside the inbox (`BOT_DATA_DIR/subscriptions.sqlite3`).

Three tables: the topics each chat follows (at most MAX_TOPICS, each with when it was made),
every article the bot has seen (by file name, with when it first appeared: an edited file is
the same article), and every (chat, article) already pushed, so no chat gets an article twice,
restarts included, and none gets one that existed before its subscription.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SUBSCRIPTIONS_FILE = "subscriptions.sqlite3"
MAX_TOPICS = 20
MAX_TOPIC_CHARS = 100
_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (
    chat_id    INTEGER NOT NULL,
    topic      TEXT    NOT NULL,
    created_at REAL    NOT NULL,
    PRIMARY KEY (chat_id, topic)
);
CREATE TABLE IF NOT EXISTS articles (
    source     TEXT PRIMARY KEY,
    first_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS pushed (
    chat_id INTEGER NOT NULL,
    source  TEXT    NOT NULL,
    PRIMARY KEY (chat_id, source)
);
"""


class TooManyTopics(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Topic:
    chat_id: int
    topic: str
    created_at: float


class Subscriptions:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        old_mask = os.umask(0o077)
        try:
            self._connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        finally:
            os.umask(old_mask)
        self._lock = threading.Lock()  # one statement at a time, from any worker thread
        with self._lock:
            self._connection.executescript(_SCHEMA)

    def follow(self, chat_id: int, topic: str) -> bool:
        """Subscribe; False when the chat already follows it. TooManyTopics past MAX_TOPICS."""
        with self._lock:
            count = self._connection.execute(
                "SELECT COUNT(*) FROM topics WHERE chat_id = ?", (chat_id,)
            ).fetchone()[0]
            known = self._connection.execute(
                "SELECT 1 FROM topics WHERE chat_id = ? AND topic = ?", (chat_id, topic)
            ).fetchone()
            if known:
                return False
            if count >= MAX_TOPICS:
                raise TooManyTopics
            self._connection.execute(
                "INSERT INTO topics (chat_id, topic, created_at) VALUES (?, ?, ?)",
                (chat_id, topic, time.time()),
            )
            return True

    def unfollow(self, chat_id: int, topic: str) -> bool:
        with self._lock:
            cursor = self._connection.execute(
                "DELETE FROM topics WHERE chat_id = ? AND topic = ?", (chat_id, topic)
            )
            return cursor.rowcount == 1

    def topics_of(self, chat_id: int) -> list[str]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT topic FROM topics WHERE chat_id = ? ORDER BY created_at", (chat_id,)
            )
            return [topic for (topic,) in rows]

    def all_topics(self) -> list[Topic]:
        with self._lock:
            rows = self._connection.execute(
                "SELECT chat_id, topic, created_at FROM topics ORDER BY chat_id, created_at"
            )
            return [Topic(int(chat), str(topic), float(at)) for chat, topic, at in rows]

    def drop_chat(self, chat_id: int) -> None:
        """A chat that blocked the bot follows nothing any more."""
        with self._lock:
            self._connection.execute("DELETE FROM topics WHERE chat_id = ?", (chat_id,))

    def newly_seen(self, sources: Iterable[str]) -> dict[str, float]:
        """Of `sources`, those never seen before, recorded now: {source: first seen}."""
        now = time.time()
        fresh: dict[str, float] = {}
        with self._lock, contextlib.closing(self._connection.cursor()) as cursor:
            for source in sources:
                cursor.execute(
                    "INSERT OR IGNORE INTO articles (source, first_seen) VALUES (?, ?)",
                    (source, now),
                )
                if cursor.rowcount == 1:
                    fresh[source] = now
        return fresh

    def mark_pushed(self, chat_id: int, source: str) -> bool:
        """Record a push; False when this chat already got this article."""
        with self._lock:
            cursor = self._connection.execute(
                "INSERT OR IGNORE INTO pushed (chat_id, source) VALUES (?, ?)", (chat_id, source)
            )
            return cursor.rowcount == 1

    def close(self) -> None:
        with self._lock:
            self._connection.close()
