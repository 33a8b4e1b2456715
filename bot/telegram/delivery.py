"""Crash-safe delivery inside PTB's extension points: the update queue and the processor.

python-telegram-bot acknowledges a batch of updates to Telegram with its next getUpdates call,
before their handlers have run; a webhook answers 200 as soon as the update is queued. Both
paths go through `Application.update_queue`, so a queue that writes each update to the inbox
before queueing it makes every update durable before Telegram can consider it delivered. The
update processor marks it done once its handlers have run. At start, the pending ones are
queued again, oldest first: at-least-once delivery, with redeliveries recognised by update id.

When an update cannot be stored (disk full, the file locked by another process), it is not
acknowledged: polling waits and tries again, so its offset does not advance and Telegram keeps
the update; a webhook answers 503 after STORE_PATIENCE_SECONDS, so Telegram sends it again.
Either way an ERROR is logged once a minute while it lasts, and delivery resumes by itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
import time
from collections.abc import Awaitable
from typing import Any

from telegram import Bot, Update
from telegram.ext import SimpleUpdateProcessor
from tornado.web import HTTPError

from bot.telegram.inbox import DurableInbox

log = logging.getLogger(__name__)

CONCURRENT_UPDATES = 256
RETRY_SECONDS = 1.0  # between two tries to store an update
STORE_PATIENCE_SECONDS = 5.0  # a webhook update not stored by then gets a 500
REPORT_EVERY_SECONDS = 60.0  # one ERROR per this while the inbox fails
STOP_GRACE_SECONDS = 5.0  # answers in flight get this long to finish when the bot stops
RENEW_SECONDS = 2.0  # how often leases are renewed and expired ones claimed


class InboxUnavailable(HTTPError):
    """An update could not be stored: it must not be acknowledged. A webhook request that
    raises it is answered 503 with one warning line, and Telegram sends the update again."""

    def __init__(self, reason: str) -> None:
        super().__init__(503, "update not stored, Telegram will retry: %s", reason)


class FaultReport:
    """Logs a lasting fault at ERROR once per REPORT_EVERY_SECONDS, and its end once."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._since: float | None = None
        self._last = 0.0

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        if self._since is None:
            self._since = now
        if now - self._last >= REPORT_EVERY_SECONDS or self._last == 0.0:
            self._last = now
            log.error("%s failing (%s: %s); retrying", self.what, type(error).__name__, error)

    @property
    def failing(self) -> bool:
        return self._since is not None

    def succeeded(self) -> None:
        if self._since is not None:
            log.warning("%s recovered after %.0f s", self.what, time.monotonic() - self._since)
            self._since, self._last = None, 0.0


class DurableQueue(asyncio.Queue[object]):
    """Application.update_queue that stores each update in the inbox before queueing it.
    `patience`: how long one update may wait for the inbox before `put` raises
    InboxUnavailable (None: wait as long as it takes, as polling should)."""

    def __init__(self, inbox: DurableInbox, patience: float | None = None) -> None:
        super().__init__()
        self.inbox = inbox
        self.patience = patience
        self.storing = FaultReport("storing updates in the inbox")

    async def _store(self, update: Update) -> bool:
        deadline = None if self.patience is None else time.monotonic() + self.patience
        while True:
            try:
                is_new = await self.inbox.call(self.inbox.store, update.update_id, update.to_json())
            except (sqlite3.Error, OSError) as error:
                self.storing.failed(error)
                if deadline is not None and time.monotonic() >= deadline:
                    raise InboxUnavailable(str(error)) from None
                await asyncio.sleep(RETRY_SECONDS)
                continue
            self.storing.succeeded()
            return is_new

    async def put(self, item: object) -> None:
        """Store, then queue. Shielded: a poller stopped in between (its task cancelled)
        must not leave an update stored but never queued, which a redelivery, taken for
        "seen before", would never answer."""
        await asyncio.shield(self._store_then_queue(item))

    async def _store_then_queue(self, item: object) -> None:
        if isinstance(item, Update) and not await self._store(item):
            log.info("update %s seen before; not answered again", item.update_id)
            return
        await super().put(item)

    async def replay(self, bot: Bot) -> int:
        """Queue the updates left pending by an earlier run (with a shared inbox: those whose
        replica's lease expired); returns how many. A row that does not parse is quarantined
        with a warning; the others are answered."""
        replayed = 0
        for update_id, payload in await self.inbox.call(self.inbox.claim):
            try:
                update = Update.de_json(json.loads(payload), bot)
                if update is None or update.update_id != update_id:
                    raise ValueError("not an update")
            except Exception as error:  # any malformed row: JSON, shape, a missing field
                reason = f"{type(error).__name__}: {error}"[:200]
                log.warning("inbox row %s does not parse (%s); quarantined", update_id, reason)
                await self.inbox.call(self.inbox.quarantine, update_id, reason)
                continue
            await super().put(update)
            replayed += 1
        return replayed


async def keep_leases(queue: DurableQueue, bot: Bot) -> None:
    """For as long as the bot runs: renew this process's leases, and take over the updates of
    replicas that stopped renewing theirs (an inbox without leases has none to take)."""
    leases = FaultReport("renewing leases in the inbox")
    while True:
        await asyncio.sleep(RENEW_SECONDS)
        try:
            await queue.inbox.call(queue.inbox.renew)
            taken = await queue.replay(bot)
        except OSError as error:
            leases.failed(error)
            continue
        leases.succeeded()
        if taken:
            log.warning("took over %d updates another replica had not answered", taken)


def kind_of(update: Update) -> str:
    """What the update is, for the log: its one field besides the id ("message",
    "callback_query", "inline_query"…), never its content."""
    fields = update.to_dict()
    return next((name for name in fields if name != "update_id"), "empty")


class InboxProcessor(SimpleUpdateProcessor):
    """Processes updates concurrently and marks each done in the inbox (when there is one)
    once its handlers have run. A mark that cannot be written leaves the update pending:
    answered again after a restart, never lost.

    Stopping (`begin_stop`) gives the answers in flight STOP_GRACE_SECONDS to finish, then
    cancels the rest (one waiting out a 429 `retry_after`, say): they stay pending in the
    inbox and are answered first at the next start."""

    def __init__(self, inbox: DurableInbox | None) -> None:
        super().__init__(CONCURRENT_UPDATES)
        self.inbox = inbox
        self.marking = FaultReport("marking updates done in the inbox")
        self._stopping = asyncio.Event()

    def begin_stop(self) -> None:
        self._stopping.set()

    async def _grace_over(self) -> None:
        await self._stopping.wait()
        await asyncio.sleep(STOP_GRACE_SECONDS)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.monotonic()
        handling = asyncio.ensure_future(coroutine)
        deadline = asyncio.ensure_future(self._grace_over())
        await asyncio.wait((handling, deadline), return_when=asyncio.FIRST_COMPLETED)
        deadline.cancel()
        if not handling.done():
            handling.cancel()
            update_id = update.update_id if isinstance(update, Update) else None
            log.warning("update %s not finished when stopping; kept for the next start", update_id)
            return
        handling.result()
        if not isinstance(update, Update):
            return
        elapsed_ms = (time.monotonic() - started) * 1000
        log.info("update %s (%s) handled in %.0f ms", update.update_id, kind_of(update), elapsed_ms)
        if self.inbox is not None:
            await self._mark_done(self.inbox, update.update_id)

    async def _mark_done(self, inbox: DurableInbox, update_id: int) -> None:
        try:
            await inbox.call(inbox.mark_done, update_id)
        except (sqlite3.Error, OSError) as error:
            self.marking.failed(error)
        else:
            self.marking.succeeded()
