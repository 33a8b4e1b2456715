"""What every handler reads: the bot's state, the typed context PTB hands each handler, and
the message an update carries.

PTB creates `bot_data` itself, with no arguments, so the state lives under one key of it, put
there once by `bootstrap.build_application`; `BotContext.state` reads it back typed (PTB's
contexttypesbot example's way: a CallbackContext subclass given to ContextTypes).
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from telegram import Message, Update
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.operator.metrics import CHAT
from bot.settings import DEFAULT_ZONE
from bot.telegram.feedback import Feedback
from bot.telegram.flood import FloodGuard
from bot.telegram.inbox import DurableInbox
from bot.telegram.stats import Stats
from bot.telegram.subscriptions import Subscriptions
from retrieval.index.live import LiveIndex
from retrieval.index.search_index import SearchIndex
from retrieval.language.text import fold
from retrieval.reply.answer import Answer, answer

STATE_KEY = "state"  # bot_data holds one entry: the BotState every handler reads
EXAMPLE_WORDS = 7
MIN_TOPIC_WORDS = 4


@dataclass
class BotState:
    """What every handler needs: the live index, the answer size, who may use the bot and
    how often."""

    live: LiveIndex
    top_k: int
    flood: FloodGuard
    reload_seconds: float = 0.0  # how often the corpus folder is looked at; 0: never
    allowed_chats: frozenset[int] = frozenset()
    admin_ids: frozenset[int] = frozenset()
    inbox: DurableInbox | None = None
    subscriptions: Subscriptions | None = None
    zone: tzinfo = DEFAULT_ZONE  # BOT_TIMEZONE: the days articles are dated in
    refused_chats: set[int] = field(default_factory=set)
    stats: Stats = field(default_factory=Stats)
    feedback: Feedback = field(default_factory=Feedback)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)  # cancelled at shutdown

    def __post_init__(self) -> None:
        self.feedback.metrics.observe_index(self.live)

    @property
    def index(self) -> SearchIndex:
        """The current snapshot: read once per update, so a reload never splits an answer."""
        return self.live.current

    def example_questions(self) -> tuple[str, str]:
        """Two questions the corpus answers, from the first and the last article's title (the
        second typed without diacritics, as many users do)."""
        titles = self.index.articles.titles
        return title_topic(titles[0]), fold(title_topic(titles[-1])).lower()

    async def ask(
        self, question: str, top_k: int | None = None, skip: int = 0, adapter: str = CHAT
    ) -> Answer:
        """`answer()` in a worker thread, so the event loop keeps serving other chats; counted
        for /stats and the operator, by the `adapter` it goes through."""
        started = time.monotonic()
        now = datetime.now(self.zone)
        result = await asyncio.to_thread(
            answer, question, self.index, top_k or self.top_k, skip, now
        )
        seconds = time.monotonic() - started
        self.stats.record(result, seconds)
        await self.feedback.replied(result, seconds, adapter)
        return result


def title_topic(title: str) -> str:
    """A headline's topic, as keywords to ask with: its part before the first colon or comma
    when that says enough, else its opening words."""
    head = re.split(r"[:;,]", title, maxsplit=1)[0].split()
    words = head if len(head) >= MIN_TOPIC_WORDS else title.split()
    return " ".join(words[:EXAMPLE_WORDS]).rstrip(":;,.…")


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[str, Any]]):
    @property
    def state(self) -> BotState:
        state: BotState = self.bot_data[STATE_KEY]
        return state


CONTEXT_TYPES = ContextTypes(context=BotContext)


def message_of(update: Update) -> Message:
    """The message of an update routed here by a message filter (so it has one)."""
    message = update.effective_message
    if message is None:
        raise ValueError(f"update {update.update_id} has no message")
    return message
