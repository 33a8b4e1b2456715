"""Crash-safe delivery inside PTB's extension points: the update queue and the processor.

python-telegram-bot acknowledges a batch of updates to Telegram with its next getUpdates call,
before their handlers have run; a webhook answers 200 as soon as the update is queued. Both
paths go through `Application.update_queue`, so a queue that writes each update to the inbox
before queueing it makes every update durable before Telegram can consider it delivered. The
update processor marks it done once its handlers have run. At start, the pending ones are
queued again, oldest first: at-least-once delivery, with redeliveries recognised by update id.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Bot, Update
from telegram.ext import SimpleUpdateProcessor

from bot.telegram.inbox import Inbox

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 256


class DurableQueue(asyncio.Queue):  # type: ignore[type-arg]
    """Application.update_queue that stores each update in the inbox before queueing it."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox

    async def put(self, item: object) -> None:
        is_new = not isinstance(item, Update) or self.inbox.store(item.update_id, item.to_json())
        if not is_new:
            log.info("update %s seen before; not answered again", item.update_id)  # type: ignore[attr-defined]
            return
        await super().put(item)

    async def replay(self, bot: Bot) -> int:
        """Queue the updates left pending by an earlier run; returns how many."""
        pending = self.inbox.pending()
        for _, payload in pending:
            await super().put(Update.de_json(json.loads(payload), bot))
        return len(pending)


class InboxProcessor(SimpleUpdateProcessor):
    """Processes updates concurrently and marks each done once its handlers have run."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__(CONCURRENT_UPDATES)
        self.inbox = inbox

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        await coroutine
        if isinstance(update, Update):
            self.inbox.mark_done(update.update_id)
