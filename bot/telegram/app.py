"""Wiring: ApplicationBuilder, handlers and filters, start-up, polling or webhook."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable

from telegram import BotCommand
from telegram.error import InvalidToken, NetworkError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot.settings import Settings
from bot.telegram.context import CONTEXT_TYPES, STATE_KEY, BotState
from bot.telegram.delivery import STORE_PATIENCE_SECONDS, DurableQueue, InboxProcessor, keep_leases
from bot.telegram.flood import FloodGuard
from bot.telegram.handlers import add_handlers
from bot.telegram.inbox import DurableInbox
from bot.telegram.instance import AlreadyRunning, hold_instance_lock
from bot.telegram.lifecycle import run_polling_replica
from bot.telegram.polling import ALLOWED_UPDATES, TolerantUpdatesRequest
from bot.telegram.postgres import PostgresError
from bot.telegram.pushes import push_new_articles
from bot.telegram.stores import Stores, open_stores
from bot.telegram.subscriptions import Subscriptions
from bot.telegram.webhook import run_webhook
from bot.texts import COMMAND_MENU
from retrieval.live import LiveIndex

log = logging.getLogger(__name__)

# 429 flood control: the rate limiter waits `retry_after` and tries again, this many times.
FLOOD_RETRIES = 5
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
COMMANDS = [BotCommand(command, description) for command, description in COMMAND_MENU]


async def announce(application: Application) -> None:
    """post_init: register the command menu, replay what the last run left pending, start
    watching the corpus, log who we are (never the token)."""
    await application.bot.set_my_commands(COMMANDS)
    state = state_of_application(application)
    queue = application.update_queue
    if isinstance(queue, DurableQueue):
        replayed = await queue.replay(application.bot)
        if replayed:
            log.info("answering %d updates left pending by the last run first", replayed)
        state.tasks.append(asyncio.ensure_future(keep_leases(queue, application.bot)))
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


def stop_on_signals(application: Application) -> None:
    """SIGTERM / SIGINT: give the answers in flight a grace period, then stop (what PTB's own
    stop signals do, plus the grace period: a 429 wait must not hold the exit)."""
    processor = application.update_processor
    loop = asyncio.get_running_loop()

    def stop() -> None:
        if isinstance(processor, InboxProcessor):
            processor.begin_stop()
        raise SystemExit  # leaves run_polling / run_webhook, which then shut down in order

    for signal_number in STOP_SIGNALS:
        loop.add_signal_handler(signal_number, stop)


async def wind_down(application: Application) -> None:
    """post_shutdown: stop the corpus watcher and the lease keeper; hand this process's
    unanswered updates to the other replicas at once (a shared inbox)."""
    state = state_of_application(application)
    state.live.stop_watching()
    for task in state.tasks:
        task.cancel()
    if state.inbox is not None:
        with contextlib.suppress(OSError):
            await state.inbox.call(state.inbox.release)


def state_of_application(application: Application) -> BotState:
    state: BotState = application.bot_data[STATE_KEY]
    return state


def build_application(
    settings: Settings,
    live: LiveIndex,
    request: BaseRequest | None = None,
    inbox: DurableInbox | None = None,
    subscriptions: Subscriptions | None = None,
) -> Application:
    """The bot, wired; `request` replaces PTB's HTTP client (tests pass a fake one); with an
    `inbox`, every update is stored before it is acknowledged and replayed after a crash."""
    if settings.token is None:
        raise ValueError("BOT_TOKEN is required for the Telegram adapter")
    builder = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .context_types(CONTEXT_TYPES)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .rate_limiter(AIORateLimiter(max_retries=FLOOD_RETRIES))
        .post_init(announce)
        .post_shutdown(wind_down)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.get_updates_request(TolerantUpdatesRequest())
    if inbox is not None:
        patience = STORE_PATIENCE_SECONDS if settings.webhook_url else None
        builder = builder.update_queue(DurableQueue(inbox, patience))
    builder = builder.concurrent_updates(InboxProcessor(inbox))
    application = builder.build()
    flood = FloodGuard(settings.flood_limit, settings.flood_window_seconds)
    application.bot_data[STATE_KEY] = BotState(
        live,
        settings.top_k,
        flood,
        settings.reload_seconds,
        settings.allowed_chats,
        settings.admin_ids,
        inbox,
        subscriptions,
    )
    add_handlers(application)
    return application


class TelegramStartError(Exception):
    """The bot could not start: a refused token or an unreachable Bot API (no secret inside)."""


def run_telegram(settings: Settings, open_live: Callable[[], LiveIndex]) -> int:
    """Serve until stopped: webhook when BOT_WEBHOOK_URL is set, long polling otherwise. The
    data folder is taken first, so a second instance stops before it spends time indexing."""
    try:
        lock = hold_instance_lock(settings.data_dir)
    except AlreadyRunning as error:
        raise TelegramStartError(str(error)) from None
    except OSError as error:
        folder = settings.data_dir
        log.error("cannot lock %s (%s): a second instance would go unnoticed", folder, error)
        lock = None
    try:
        live = open_live()
        with contextlib.ExitStack() as resources:
            try:
                stores = open_stores(settings, resources)
            except PostgresError as error:
                raise TelegramStartError(f"BOT_INBOX_URL: {error}") from None
            return _serve(settings, live, stores)
    finally:
        if lock is not None:
            lock.close()


def _serve(settings: Settings, live: LiveIndex, stores: Stores) -> int:
    application = build_application(
        settings, live, inbox=stores.inbox, subscriptions=stores.subscriptions
    )

    async def started(application: Application) -> None:
        stop_on_signals(application)
        await announce(application)

    application.post_init = started
    try:
        if settings.webhook_url:
            log.info("webhook mode on %s:%d", settings.webhook_listen, settings.webhook_port)
            run_webhook(application, settings, state_of_application(application))
        elif stores.election is not None:
            log.info("polling mode, one replica of several (shared inbox)")
            run_polling_replica(application, stores.election)
        else:
            log.info("polling mode")
            application.run_polling(allowed_updates=ALLOWED_UPDATES, stop_signals=None)
    except InvalidToken:
        raise TelegramStartError(
            "BOT_TOKEN: Telegram refused this token; check it with @BotFather"
        ) from None
    except NetworkError as error:
        reason = type(error).__name__
        raise TelegramStartError(
            f"cannot reach the Bot API at {settings.api_url} ({reason})"
        ) from None
    log.info("stopped")
    return 0
