"""Topic subscriptions, kept durably beside the inbox: `BOT_DATA_DIR/subscriptions.sqlite3`, or
the shared inbox's PostgreSQL when `BOT_INBOX_URL` is set (replicas share them): either is a
`database.Database`, opened and closed by `stores.py`.

Three tables: the topics each chat follows (at most MAX_TOPICS, each with when it was made),
every article the bot has seen (by file name, with when it first appeared: an edited file is
the same article), and every (chat, article) already pushed, so no chat gets an article twice,
restarts included, and none gets one that existed before its subscription.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.telegram.database import Database, Row

SUBSCRIPTIONS_FILE = "subscriptions.sqlite3"
MAX_TOPICS = 20
MAX_TOPIC_CHARS = 100
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS tin_bot_topics (bot_id BIGINT NOT NULL, chat_id BIGINT NOT NULL,"
    " topic TEXT NOT NULL, created_at DOUBLE PRECISION NOT NULL,"
    " PRIMARY KEY (bot_id, chat_id, topic))",
    "CREATE TABLE IF NOT EXISTS tin_bot_articles (bot_id BIGINT NOT NULL, source TEXT NOT NULL,"
    " first_seen DOUBLE PRECISION NOT NULL, PRIMARY KEY (bot_id, source))",
    "CREATE TABLE IF NOT EXISTS tin_bot_pushed (bot_id BIGINT NOT NULL, chat_id BIGINT NOT NULL,"
    " source TEXT NOT NULL, PRIMARY KEY (bot_id, chat_id, source))",
)


class TooManyTopics(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Topic:
    chat_id: int
    topic: str
    created_at: float


class Subscriptions:
    def __init__(self, database: Database, bot_id: int = 0) -> None:
        self._database = database
        self.bot_id = bot_id
        for statement in _SCHEMA:
            database.run(statement)

    def _run(self, sql: str, *params: Any) -> tuple[int, list[Row]]:
        return self._database.run(sql, (self.bot_id, *params))

    def follow(self, chat_id: int, topic: str) -> bool:
        """Subscribe; False when the chat already follows it. TooManyTopics past MAX_TOPICS."""
        _, rows = self._run(
            "SELECT topic FROM tin_bot_topics WHERE bot_id = ? AND chat_id = ?", chat_id
        )
        if any(row[0] == topic for row in rows):
            return False
        if len(rows) >= MAX_TOPICS:
            raise TooManyTopics
        changed, _ = self._run(
            "INSERT INTO tin_bot_topics (bot_id, chat_id, topic, created_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            chat_id,
            topic,
            time.time(),
        )
        return changed == 1

    def unfollow(self, chat_id: int, topic: str) -> bool:
        changed, _ = self._run(
            "DELETE FROM tin_bot_topics WHERE bot_id = ? AND chat_id = ? AND topic = ?",
            chat_id,
            topic,
        )
        return changed == 1

    def topics_of(self, chat_id: int) -> list[str]:
        _, rows = self._run(
            "SELECT topic FROM tin_bot_topics WHERE bot_id = ? AND chat_id = ? ORDER BY created_at",
            chat_id,
        )
        return [str(row[0]) for row in rows]

    def all_topics(self) -> list[Topic]:
        _, rows = self._run(
            "SELECT chat_id, topic, created_at FROM tin_bot_topics WHERE bot_id = ?"
            " ORDER BY chat_id, created_at"
        )
        return [Topic(int(chat), str(topic), float(at)) for chat, topic, at in rows]

    def drop_chat(self, chat_id: int) -> None:
        """A chat that blocked the bot follows nothing any more."""
        self._run("DELETE FROM tin_bot_topics WHERE bot_id = ? AND chat_id = ?", chat_id)

    def newly_seen(self, sources: Iterable[str]) -> dict[str, float]:
        """Of `sources`, those never seen before, recorded now in one batch: {source: first
        seen}. Another replica recording the same one at once keeps its own time."""
        _, rows = self._run("SELECT source FROM tin_bot_articles WHERE bot_id = ?")
        known = {str(row[0]) for row in rows}
        now = time.time()
        fresh = {source: now for source in sources if source not in known}
        self._database.run_many(
            "INSERT INTO tin_bot_articles (bot_id, source, first_seen) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(self.bot_id, source, now) for source in fresh],
        )
        return fresh

    def mark_pushed(self, chat_id: int, source: str) -> bool:
        """Record a push; False when this chat already got this article (from any replica)."""
        changed, _ = self._run(
            "INSERT INTO tin_bot_pushed (bot_id, chat_id, source) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            chat_id,
            source,
        )
        return changed == 1
