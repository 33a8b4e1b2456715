"""What the bot keeps across restarts, opened from the settings: the one place that picks the
stores, so nothing else needs to know which they are.

Without BOT_INBOX_URL: the SQLite inbox, subscriptions and operator records (votes, replies per
day, kept questions: `operator.sqlite3`) in BOT_DATA_DIR; a folder that cannot be written
leaves the bot running without them, with an ERROR. With it: the shared inbox, the
subscriptions and the operator records in that PostgreSQL, and the poller's election among the
replicas; PostgreSQL unreachable stops the start (PostgresError). With BOT_KEEP_QUESTIONS off,
questions kept by an earlier run are deleted at start.

What is opened here is closed by the ExitStack given, once the bot has stopped.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from contextlib import ExitStack, closing
from dataclasses import dataclass, replace
from pathlib import Path

from bot.operator.daily import DailyReplies
from bot.operator.kept import KeptQuestions
from bot.operator.votes import Votes
from bot.postgres import Postgres
from bot.settings import Settings
from bot.telegram.database import Database, SqliteDatabase
from bot.telegram.election import PollerElection
from bot.telegram.inbox import DurableInbox
from bot.telegram.shared_inbox import SharedInbox
from bot.telegram.sqlite_inbox import SqliteInbox
from bot.telegram.subscriptions import SUBSCRIPTIONS_FILE, Subscriptions

log = logging.getLogger(__name__)

OPERATOR_FILE = "operator.sqlite3"


@dataclass(frozen=True)
class Stores:
    inbox: DurableInbox | None = None  # None: updates in flight can be lost in a crash
    subscriptions: Subscriptions | None = None  # None: /theodoi says nothing
    election: PollerElection | None = None  # replicas sharing the inbox: which one polls
    votes: Votes | None = None  # None: votes are not counted
    daily: DailyReplies | None = None  # None: the operator page's chart stays empty
    kept: KeptQuestions | None = None  # None: BOT_KEEP_QUESTIONS is off (or no store)


def bot_id(settings: Settings) -> int:
    """The token's public part, before the colon (0 when it is not a number)."""
    token = settings.token.get_secret_value() if settings.token else ""
    number = token.split(":", 1)[0]
    return int(number) if number.isdigit() else 0


def inbox_path(settings: Settings) -> Path:
    """One inbox per bot: update ids are only unique within one bot."""
    number = bot_id(settings)
    return settings.data_dir / f"inbox-{number if number else 'bot'}.sqlite3"


def open_stores(settings: Settings, resources: ExitStack) -> Stores:
    if settings.inbox_url is not None:
        return _shared_stores(settings, settings.inbox_url.get_secret_value(), resources)
    stores = Stores(_local_inbox(settings, resources), _local_subscriptions(settings, resources))
    local = str(settings.data_dir)
    return _with_operator_stores(stores, settings, local, lambda: _local(settings, resources))


def open_kept_questions(settings: Settings, resources: ExitStack) -> KeptQuestions:
    """The kept questions alone (`python -m bot questions`), wherever the bot keeps them."""
    url = settings.inbox_url
    database: Database = (
        resources.enter_context(closing(Postgres(url.get_secret_value())))
        if url is not None
        else _local(settings, resources)
    )
    return KeptQuestions(database, bot_id(settings), settings.keep_days)


def _local(settings: Settings, resources: ExitStack) -> SqliteDatabase:
    path = settings.data_dir / OPERATOR_FILE
    return resources.enter_context(closing(SqliteDatabase(path)))


def _shared_stores(settings: Settings, url: str, resources: ExitStack) -> Stores:
    number = bot_id(settings)
    database = resources.enter_context(closing(Postgres(url)))
    inbox = SharedInbox(database, number, settings.inbox_lease_seconds)
    resources.enter_context(closing(inbox))
    election = resources.enter_context(closing(PollerElection(url, number)))
    stores = Stores(inbox, _subscriptions(settings, "PostgreSQL", lambda: database), election)
    return _with_operator_stores(stores, settings, "PostgreSQL", lambda: database)


def _local_inbox(settings: Settings, resources: ExitStack) -> SqliteInbox | None:
    try:
        return resources.enter_context(closing(SqliteInbox(inbox_path(settings))))
    except (OSError, sqlite3.Error) as error:
        log.error(
            "no durable inbox in %s (%s): updates in flight can be lost", settings.data_dir, error
        )
        return None


def _local_subscriptions(settings: Settings, resources: ExitStack) -> Subscriptions | None:
    path = settings.data_dir / SUBSCRIPTIONS_FILE
    return _subscriptions(
        settings,
        str(settings.data_dir),
        lambda: resources.enter_context(closing(SqliteDatabase(path))),
    )


def _subscriptions(
    settings: Settings, where: str, open_database: Callable[[], Database]
) -> Subscriptions | None:
    try:
        return Subscriptions(open_database(), bot_id(settings))
    except (OSError, sqlite3.Error) as error:
        log.error("no topic subscriptions in %s (%s)", where, error)
        return None


def _with_operator_stores(
    stores: Stores, settings: Settings, where: str, open_database: Callable[[], Database]
) -> Stores:
    """`stores` with the votes, the replies per day and (with BOT_KEEP_QUESTIONS) the kept
    questions; without BOT_KEEP_QUESTIONS, what an earlier run kept is deleted."""
    number = bot_id(settings)
    try:
        database = open_database()
        key = settings.token.get_secret_value().encode() if settings.token else b""
        kept = KeptQuestions(database, number, settings.keep_days)
        if not settings.keep_questions and (forgotten := kept.forget_all()):
            log.info("BOT_KEEP_QUESTIONS is off: %d kept questions deleted", forgotten)
        return replace(
            stores,
            votes=Votes(database, number, key),
            daily=DailyReplies(database, number),
            kept=kept if settings.keep_questions else None,
        )
    except (OSError, sqlite3.Error) as error:
        log.error("no votes or operator records in %s (%s)", where, error)
        return stores
