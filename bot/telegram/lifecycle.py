"""The bot's life around python-telegram-bot's Application: its start-up and shutdown hooks, and
the run loop, in the order of PTB's `run_polling`, with a source of updates of our own.

`serve`: stop signals, initialize, post_init (`Lifecycle.started`), begin (the source: poll,
poll while elected, or serve the webhook), start, run until a stop signal raises SystemExit;
then end, stop, shut down and post_shutdown (`Lifecycle.stopped`), in order. An error while
starting (a refused token, no Bot API) comes out of `serve` as it was raised: no retry loop,
no traceback in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from dataclasses import dataclass
from typing import Protocol

from telegram import BotCommand
from telegram.ext import Application

from bot.operator.server import OperatorListener
from bot.telegram.context import BotState
from bot.telegram.delivery import DurableQueue, InboxProcessor, keep_leases
from bot.telegram.pushes import push_new_articles
from bot.texts import COMMAND_MENU

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
COMMANDS = [BotCommand(command, description) for command, description in COMMAND_MENU]


class UpdateSource(Protocol):
    """Where updates come from: begun once the bot is initialized, ended before it stops."""

    async def begin(self, application: Application) -> None: ...

    async def end(self, application: Application) -> None: ...


@dataclass(frozen=True)
class Lifecycle:
    """The Application's post_init and post_shutdown. `queue`: the durable update queue, when
    there is an inbox; `listener`: the operator listener, with BOT_HTTP_PORT."""

    state: BotState
    queue: DurableQueue | None
    listener: OperatorListener | None = None

    async def started(self, application: Application) -> None:
        """Register the command menu, open the operator listener, replay what the last run
        left pending and keep the leases, start watching the corpus and pushing new articles,
        log who we are (never the token)."""
        await application.bot.set_my_commands(COMMANDS)
        state = self.state
        if self.listener is not None:
            await self.listener.start(application)
        if self.queue is not None:
            replayed = await self.queue.replay(application.bot)
            if replayed:
                log.info("answering %d updates left pending by the last run first", replayed)
            state.tasks.append(asyncio.ensure_future(keep_leases(self.queue, application.bot)))
        state.live.start_watching(state.reload_seconds)
        if state.subscriptions is not None:
            pusher = push_new_articles(application.bot, state, state.subscriptions)
            state.tasks.append(asyncio.ensure_future(pusher))
        index = state.index
        log.info(
            "started as @%s; corpus: %d articles, %d passages",
            application.bot.username,
            len(index.articles),
            len(index.passages),
        )

    async def stopped(self, application: Application) -> None:
        """Stop the corpus watcher, the lease keeper, the pusher and the operator listener;
        hand this process's unanswered updates to the other replicas at once (a shared
        inbox)."""
        state = self.state
        state.live.stop_watching()
        if self.listener is not None:
            await self.listener.stop()
        for task in state.tasks:
            task.cancel()
        if state.inbox is not None:
            with contextlib.suppress(OSError):
                await state.inbox.call(state.inbox.release)


def stop_on_signals(application: Application, loop: asyncio.AbstractEventLoop) -> None:
    """SIGTERM / SIGINT: give the answers in flight a grace period, then stop (what PTB's own
    stop signals do, plus the grace period: a 429 wait must not hold the exit)."""
    processor = application.update_processor

    def stop() -> None:
        if isinstance(processor, InboxProcessor):
            processor.begin_stop()
        raise SystemExit  # leaves the run loop, which then shuts down in order

    for signal_number in STOP_SIGNALS:
        loop.add_signal_handler(signal_number, stop)


def serve(application: Application, source: UpdateSource) -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stop_on_signals(application, loop)
    begun = False
    try:
        loop.run_until_complete(application.initialize())
        if application.post_init is not None:
            loop.run_until_complete(application.post_init(application))
        loop.run_until_complete(source.begin(application))
        begun = True
        loop.run_until_complete(application.start())
        loop.run_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if begun:
            loop.run_until_complete(source.end(application))
        if application.running:
            loop.run_until_complete(application.stop())
        loop.run_until_complete(application.shutdown())
        if application.post_shutdown is not None:
            loop.run_until_complete(application.post_shutdown(application))
        loop.close()
