"""The operator listener, on BOT_HTTP_PORT (none when unset), in polling and webhook mode alike:

- GET /metrics: the Prometheus metrics (`metrics.py`), in the text format;
- GET /healthz: as on the webhook server (`bot/telegram/health.py`);
- GET /: the operator page (`page.py`).

It binds BOT_HTTP_LISTEN (127.0.0.1 by default). With BOT_HTTP_TOKEN (required when the address
is not a loopback one) every path but /healthz wants it, as `Authorization: Bearer <token>` or
`?token=<token>`, and answers 401 without it. Requests are not logged (a URL may hold the
token).
"""

from __future__ import annotations

import hmac
import logging
import sqlite3
import time
from http import HTTPStatus

import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from bot.operator.kept import DAY_SECONDS, RECENT_DAYS
from bot.operator.page import DAYS, Overview, page_html
from bot.settings import Settings
from bot.telegram.context import BotState
from bot.telegram.health import HEALTH_PATH, HealthRoute

log = logging.getLogger(__name__)


class OperatorListener:
    def __init__(self, settings: Settings, state: BotState) -> None:
        assert settings.http_port is not None
        self.port = settings.http_port
        self.address = settings.http_listen
        self.token = settings.http_token.get_secret_value() if settings.http_token else None
        self.feeds = settings.feeds
        self.state = state
        self._server: HTTPServer | None = None

    async def start(self, application: Application) -> None:
        guarded = {"listener": self}
        routes = tornado.web.Application(
            [
                ("/", PageRoute, guarded),
                ("/metrics", MetricsRoute, guarded),
                (HEALTH_PATH, HealthRoute, {"bot_application": application, "state": self.state}),
            ],
            log_function=lambda handler: None,
        )
        self._server = HTTPServer(routes)
        self._server.listen(self.port, address=self.address)
        log.info("operator listener on %s:%d (/metrics, /healthz, /)", self.address, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()

    async def pending(self) -> tuple[int, float | None] | None:
        """The inbox's backlog: (updates not answered, when the oldest arrived); None
        without an inbox."""
        inbox = self.state.inbox
        if inbox is None:
            return None
        try:
            return await inbox.call(inbox.backlog)
        except (sqlite3.Error, OSError) as error:  # /healthz says so; the rest is still served
            self.state.feedback.metrics.failed(error)
            return None

    async def overview(self) -> Overview:
        state, feedback = self.state, self.state.feedback
        daily, kept = feedback.daily, feedback.kept
        days = (
            []
            if daily is None
            else await feedback.on_store(daily.last_days, feedback.today(), DAYS)
        )
        since = time.time() - RECENT_DAYS * DAY_SECONDS
        backlog = await self.pending()
        index = state.index
        return Overview(
            days=days or [],
            votes=await feedback.vote_counts(),
            p50_ms=state.stats.percentile_ms(0.5),
            p95_ms=state.stats.percentile_ms(0.95),
            articles=len(index.articles),
            passages=len(index.passages),
            reloaded=state.live.reloaded_at,
            pending=None if backlog is None else backlog[0],
            feeds=[(feed, feedback.metrics.feeds.get(feed)) for feed in self.feeds],
            unanswered=None if kept is None else await feedback.on_store(kept.unanswered, since),
            zone=feedback.zone,
            shards=state.live.shard_states(),
        )


class GuardedRoute(tornado.web.RequestHandler):
    """A route that wants BOT_HTTP_TOKEN, when there is one."""

    def initialize(self, listener: OperatorListener) -> None:
        self.listener = listener

    def prepare(self) -> None:
        token = self.listener.token
        if token is None:
            return
        bearer = self.request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        given = self.get_query_argument("token", "") or bearer
        if not hmac.compare_digest(given.encode(), token.encode()):
            self.set_header("WWW-Authenticate", 'Bearer realm="tin-bot"')
            raise tornado.web.HTTPError(HTTPStatus.UNAUTHORIZED)


class MetricsRoute(GuardedRoute):
    async def get(self) -> None:
        metrics = self.listener.state.feedback.metrics
        backlog = await self.listener.pending()
        if backlog is not None:
            metrics.inbox(*backlog)
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(metrics.exposition())


class PageRoute(GuardedRoute):
    async def get(self) -> None:
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(page_html(await self.listener.overview()))
