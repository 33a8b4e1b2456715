"""Long polling: what the bot asks Telegram for, how a batch of updates is read, and who polls.

`ALLOWED_UPDATES` lists the update types the handlers serve: Telegram sends nothing else.
`TolerantUpdatesRequest` reads getUpdates answers so that one update PTB cannot parse (say, a
newer Bot API's type, or an old self-hosted server's poll) costs only itself: it is logged once
and replaced by a bare update with its id, so the batch is handled and the offset moves past
it. Without this, PTB drops the whole batch and fetches it again, forever.

`Polling` polls alone; `ElectedPolling`, for replicas sharing an inbox, polls while this
replica is elected (`election.py`) and stands by otherwise. Both are `lifecycle.UpdateSource`s;
an error while fetching goes to the error handler, one line, and polling retries by itself.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from telegram import Update
from telegram.constants import UpdateType
from telegram.error import TelegramError
from telegram.ext import Application, Updater
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 10  # how long one getUpdates waits for updates (PTB's default)
STANDBY_SECONDS = 2.0  # how often a standby replica tries to become the poller
ALLOWED_UPDATES = [
    UpdateType.MESSAGE,
    UpdateType.EDITED_MESSAGE,
    UpdateType.CALLBACK_QUERY,
    UpdateType.INLINE_QUERY,
]


def readable(raw: Any) -> Any:
    """`raw` when PTB can parse it as an update, else a bare update with its id."""
    try:
        Update.de_json(raw, None)
        return raw
    except Exception as error:  # whatever PTB raises on a shape it does not know
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        log.warning("update %s cannot be read (%s); skipped", update_id, type(error).__name__)
        return {"update_id": update_id} if isinstance(update_id, int) else None


class TolerantUpdatesRequest(HTTPXRequest):
    """The HTTP client for getUpdates, whose list results are read update by update."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        parsed: dict[str, Any] = HTTPXRequest.parse_json_payload(payload)
        result = parsed.get("result")
        if isinstance(result, list):
            kept = (readable(raw) for raw in result)
            parsed["result"] = [raw for raw in kept if raw is not None]
        return parsed


def updater_of(application: Application) -> Updater:
    if application.updater is None:
        raise ValueError("polling needs the application's updater")
    return application.updater


async def start_polling(application: Application, timeout: int = LONG_POLL_SECONDS) -> None:
    """Poll as PTB's `run_polling` does, fetching errors to the error handler."""

    def fetching_failed(error: TelegramError) -> None:
        application.create_task(application.process_error(error=error, update=None))

    await updater_of(application).start_polling(
        timeout=timeout, allowed_updates=ALLOWED_UPDATES, error_callback=fetching_failed
    )


async def stop_polling(application: Application) -> None:
    updater = updater_of(application)
    if updater.running:
        await updater.stop()


class Polling:
    async def begin(self, application: Application) -> None:
        log.info("polling mode")
        await start_polling(application)

    async def end(self, application: Application) -> None:
        await stop_polling(application)


class Election(Protocol):
    def leads(self) -> bool:
        """Whether this replica is (or has just become) the poller; blocks."""
        ...


class ElectedPolling:
    """Poll while this replica is elected, stand by while another is; take over within
    STANDBY_SECONDS of the poller's death."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self._task: asyncio.Task[None] | None = None

    async def begin(self, application: Application) -> None:
        log.info("polling mode, one replica of several (shared inbox)")
        self._task = asyncio.ensure_future(self._poll_while_elected(application))

    async def end(self, application: Application) -> None:
        if self._task is not None:
            self._task.cancel()
        await stop_polling(application)

    async def _poll_while_elected(self, application: Application) -> None:
        updater = updater_of(application)
        standing_by = False
        while True:
            if await asyncio.to_thread(self.election.leads):
                if not updater.running:
                    log.info("this replica polls now (it holds the poller's lock)")
                    await start_polling(application)
                    standing_by = False
            else:
                if updater.running:
                    log.error("lost the poller's lock (PostgreSQL connection gone); standing by")
                    await updater.stop()
                if not standing_by:
                    log.info("standing by: another replica polls")
                    standing_by = True
            await asyncio.sleep(STANDBY_SECONDS)
