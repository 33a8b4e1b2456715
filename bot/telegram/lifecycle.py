"""Running an Application whose source of updates is ours: PTB's `run_polling` and
`run_webhook` order, around a `begin` and an `end` of our own.

Initialize, post_init, begin (serve the webhook, or start electing the poller), start, run
until a stop signal raises SystemExit; then end, stop, shut down and post_shutdown, in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram.ext import Application

from bot.telegram.election import STANDBY_SECONDS, PollerElection
from bot.telegram.polling import ALLOWED_UPDATES

log = logging.getLogger(__name__)


def serve(
    application: Application,
    begin: Callable[[], Awaitable[None]],
    end: Callable[[], Awaitable[None]],
) -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    begun = False
    try:
        loop.run_until_complete(application.initialize())
        if application.post_init is not None:
            loop.run_until_complete(application.post_init(application))
        loop.run_until_complete(begin())
        begun = True
        loop.run_until_complete(application.start())
        loop.run_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if begun:
            loop.run_until_complete(end())
        if application.running:
            loop.run_until_complete(application.stop())
        loop.run_until_complete(application.shutdown())
        if application.post_shutdown is not None:
            loop.run_until_complete(application.post_shutdown(application))
        loop.close()


async def poll_while_leading(application: Application, election: PollerElection) -> None:
    """Polling replicas: poll while this replica holds the poller's lock, stand by while
    another does; take over within STANDBY_SECONDS of the poller's death."""
    updater = application.updater
    assert updater is not None
    standing_by = False
    while True:
        if await asyncio.to_thread(election.leads):
            if not updater.running:
                log.info("this replica polls now (it holds the poller's lock)")
                await updater.start_polling(allowed_updates=ALLOWED_UPDATES)
                standing_by = False
        else:
            if updater.running:
                log.error("lost the poller's lock (PostgreSQL connection gone); standing by")
                await updater.stop()
            if not standing_by:
                log.info("standing by: another replica polls")
                standing_by = True
        await asyncio.sleep(STANDBY_SECONDS)


def run_polling_replica(application: Application, election: PollerElection) -> None:
    """Polling with a shared inbox: one replica polls at a time, no 409 fights."""
    polling: list[asyncio.Task[None]] = []

    async def begin() -> None:
        polling.append(asyncio.ensure_future(poll_while_leading(application, election)))

    async def end() -> None:
        for task in polling:
            task.cancel()
        if application.updater is not None and application.updater.running:
            await application.updater.stop()

    serve(application, begin, end)
