"""Webhook mode: our own small tornado server in front of the Application.

PTB's `run_webhook` serves one route and no other, but an operator's load balancer needs a
health check on the same server. So this module serves two routes itself:

- POST /BOT_WEBHOOK_PATH: an update from Telegram, accepted only with the secret header. It is
  stored in the durable inbox before the 200 (the queue's `put`); when it cannot be stored the
  answer is 503 and Telegram sends it again.
- GET /healthz: 200 when the index is loaded and the inbox takes writes, 503 otherwise, with
  one plain line saying which (`health.py`).

Nothing else: /metrics and the operator page are on the operator listener
(`bot/operator/server.py`), never on this public port.

The lifecycle is PTB's own for `run_webhook` (`lifecycle.serve`, with `Webhook` as the
source): initialize, post_init, register the webhook, start, serve until a stop signal, then
stop and shut down in order.
"""

from __future__ import annotations

import hmac
import json
import logging
from http import HTTPStatus

import tornado.web
from telegram import Update
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from bot.settings import Settings
from bot.telegram.context import BotState
from bot.telegram.health import HEALTH_PATH, HealthRoute
from bot.telegram.polling import ALLOWED_UPDATES

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class UpdateRoute(tornado.web.RequestHandler):
    def initialize(self, bot_application: Application, secret: str) -> None:
        self.bot_application = bot_application
        self.secret = secret

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            update = Update.de_json(json.loads(self.request.body), self.bot_application.bot)
        except Exception:  # any body that is not an update; its content is never logged
            log.warning(
                "webhook: a %d-byte body that is not an update; refused", len(self.request.body)
            )
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        await self.bot_application.update_queue.put(update)  # InboxUnavailable: a 503
        self.set_status(HTTPStatus.OK)

    def log_exception(self, kind: object, error: BaseException | None, trace: object) -> None:
        """Refusals are logged where they happen; anything else by its type, never the
        request's content."""
        if not isinstance(error, tornado.web.HTTPError):
            log.error("webhook request failed: %s", type(error).__name__)


def webhook_routes(
    application: Application, settings: Settings, state: BotState
) -> tornado.web.Application:
    assert settings.webhook_secret is not None
    path = "/" + settings.webhook_path.strip("/")
    secret = settings.webhook_secret.get_secret_value()
    return tornado.web.Application(
        [
            (rf"{path}/?", UpdateRoute, {"bot_application": application, "secret": secret}),
            (HEALTH_PATH, HealthRoute, {"bot_application": application, "state": state}),
        ],
        log_function=lambda handler: None,  # one line per update comes from the processor
    )


async def start_webhook(
    application: Application, settings: Settings, state: BotState
) -> HTTPServer:
    """Register the webhook with Telegram and serve both routes; returns the server."""
    assert settings.webhook_url is not None and settings.webhook_secret is not None
    server = HTTPServer(webhook_routes(application, settings, state))
    server.listen(settings.webhook_port, address=settings.webhook_listen)
    await application.bot.set_webhook(
        settings.webhook_url,
        secret_token=settings.webhook_secret.get_secret_value(),
        allowed_updates=ALLOWED_UPDATES,
    )
    return server


async def stop_webhook(server: HTTPServer) -> None:
    server.stop()
    await server.close_all_connections()


class Webhook:
    """Webhook mode as a `lifecycle.UpdateSource`: the server up and the webhook registered
    once the bot is initialized, the server stopped before the bot stops."""

    def __init__(self, settings: Settings, state: BotState) -> None:
        self.settings = settings
        self.state = state
        self._server: HTTPServer | None = None

    async def begin(self, application: Application) -> None:
        settings = self.settings
        log.info("webhook mode on %s:%d", settings.webhook_listen, settings.webhook_port)
        self._server = await start_webhook(application, settings, self.state)

    async def end(self, application: Application) -> None:
        if self._server is not None:
            await stop_webhook(self._server)
