"""The composition root of the Telegram adapter: the one place where the bot is put together.

`run_telegram` takes the data folder (one bot per folder), then `bootstrap` opens the index
(`bot.indexing`) and the stores (`stores.py`) and builds the application: python-telegram-bot
around the durable update queue and processor (`delivery.py`), the state every handler reads
(`context.py`) with what it records for the operator (`feedback.py`), the handlers
(`handlers`) and the lifecycle hooks (`lifecycle.py`, with the operator listener of
`bot/operator/server.py` when BOT_HTTP_PORT is set), each set once; then `lifecycle.serve`
runs it with its source of updates: the webhook, polling alone, or polling while elected among
replicas. Tests call `build_application` with stores of their
own, and drive the application themselves.
"""

from __future__ import annotations

import logging
from contextlib import ExitStack

from telegram.error import InvalidToken, NetworkError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot.feeds.poller import FeedPoller
from bot.indexing import open_index
from bot.operator.metrics import Metrics
from bot.operator.server import OperatorListener
from bot.postgres import PostgresError
from bot.settings import Settings
from bot.telegram.context import CONTEXT_TYPES, STATE_KEY, BotState
from bot.telegram.delivery import STORE_PATIENCE_SECONDS, DurableQueue, InboxProcessor
from bot.telegram.feedback import Feedback
from bot.telegram.flood import FloodGuard
from bot.telegram.handlers import add_handlers
from bot.telegram.instance import AlreadyRunning, instance_lock
from bot.telegram.lifecycle import Lifecycle, UpdateSource, serve
from bot.telegram.polling import ElectedPolling, Polling, TolerantUpdatesRequest
from bot.telegram.stores import Stores, open_stores
from bot.telegram.webhook import Webhook
from retrieval.index.live import LiveIndex

log = logging.getLogger(__name__)

# 429 flood control: the rate limiter waits `retry_after` and tries again, this many times.
FLOOD_RETRIES = 5


class TelegramStartError(Exception):
    """The bot could not start: a refused token or an unreachable Bot API (no secret inside)."""


def state_of_application(application: Application) -> BotState:
    state: BotState = application.bot_data[STATE_KEY]
    return state


def build_application(
    settings: Settings,
    live: LiveIndex,
    stores: Stores | None = None,
    request: BaseRequest | None = None,
) -> Application:
    """The bot, wired; `request` replaces PTB's HTTP client (tests pass a fake one); with an
    inbox among the `stores`, every update is stored before it is acknowledged and replayed
    after a crash."""
    if settings.token is None:
        raise ValueError("BOT_TOKEN is required for the Telegram adapter")
    stores = stores or Stores()
    state = BotState(
        live=live,
        top_k=settings.top_k,
        flood=FloodGuard(settings.flood_limit, settings.flood_window_seconds),
        reload_seconds=settings.reload_seconds,
        allowed_chats=settings.allowed_chats,
        admin_ids=settings.admin_ids,
        inbox=stores.inbox,
        subscriptions=stores.subscriptions,
        zone=settings.zone,
        feedback=Feedback(Metrics(), settings.zone, stores.votes, stores.daily, stores.kept),
    )
    patience = STORE_PATIENCE_SECONDS if settings.webhook_url else None
    queue = DurableQueue(stores.inbox, patience) if stores.inbox is not None else None
    listener = OperatorListener(settings, state) if settings.http_port is not None else None
    hooks = Lifecycle(state, queue, listener)
    builder = (
        ApplicationBuilder()
        .token(settings.token.get_secret_value())
        .context_types(CONTEXT_TYPES)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .rate_limiter(AIORateLimiter(max_retries=FLOOD_RETRIES))
        .concurrent_updates(InboxProcessor(stores.inbox))
        .post_init(hooks.started)
        .post_shutdown(hooks.stopped)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.get_updates_request(TolerantUpdatesRequest())
    if queue is not None:
        builder = builder.update_queue(queue)
    application = builder.build()
    application.bot_data[STATE_KEY] = state
    add_handlers(application)
    return application


def update_source(settings: Settings, state: BotState, stores: Stores) -> UpdateSource:
    """The webhook when BOT_WEBHOOK_URL is set; else polling, by the elected replica when
    replicas share the inbox."""
    if settings.webhook_url:
        return Webhook(settings, state)
    if stores.election is not None:
        return ElectedPolling(stores.election)
    return Polling()


def bootstrap(settings: Settings, resources: ExitStack) -> tuple[Application, UpdateSource]:
    """Open the index and the stores (closed by `resources`), and build the bot on them."""
    live = open_index(settings)
    stores = open_stores(settings, resources)
    application = build_application(settings, live, stores)
    state = state_of_application(application)
    feeds = FeedPoller(settings, state.feedback.metrics.feed_round)
    feeds.start()
    resources.callback(feeds.stop)
    return application, update_source(settings, state, stores)


def run_telegram(settings: Settings) -> int:
    """Serve until stopped. The data folder is taken first, so a second instance stops before
    it spends time indexing."""
    try:
        with instance_lock(settings.data_dir), ExitStack() as resources:
            serve(*bootstrap(settings, resources))
    except AlreadyRunning as error:
        raise TelegramStartError(str(error)) from None
    except PostgresError as error:
        raise TelegramStartError(f"BOT_INBOX_URL: {error}") from None
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
