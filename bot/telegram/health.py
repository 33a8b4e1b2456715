"""GET /healthz, the same on the webhook server and on the operator listener (so polling mode
has one too): 200 "ok" when the index is loaded and the inbox takes writes, 503 otherwise,
with one plain line saying which (never a setting's value)."""

from __future__ import annotations

from http import HTTPStatus

import tornado.web
from telegram.ext import Application

from bot.telegram.context import BotState
from bot.telegram.delivery import DurableQueue

HEALTH_PATH = "/healthz"


async def health(state: BotState, queue: object) -> tuple[int, str]:
    """(HTTP status, one line): healthy when the index has articles and the inbox, if any,
    takes writes now."""
    if not state.index.articles:
        return HTTPStatus.SERVICE_UNAVAILABLE, "no articles indexed"
    if state.inbox is not None:
        failing = isinstance(queue, DurableQueue) and queue.storing.failing
        if failing or not await state.inbox.call(state.inbox.writable):
            return HTTPStatus.SERVICE_UNAVAILABLE, "inbox not writable"
    return HTTPStatus.OK, "ok"


class HealthRoute(tornado.web.RequestHandler):
    def initialize(self, bot_application: Application, state: BotState) -> None:
        self.bot_application = bot_application
        self.state = state

    async def get(self) -> None:
        status, line = await health(self.state, self.bot_application.update_queue)
        self.set_status(status)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(line + "\n")
