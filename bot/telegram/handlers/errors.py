"""The error handler: one line per failure, and the bot keeps running."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Conflict

from bot.telegram.context import BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure in one line (type only: messages may quote URLs) and count it by its
    type. Errors without an update come from fetching updates (polling retries by itself)."""
    error = context.error
    if error is not None:
        context.state.feedback.metrics.failed(error)
    if isinstance(update, Update):
        log.error("update %s failed: %s", update.update_id, type(error).__name__)
    elif isinstance(error, Conflict):
        log.error("another process is polling with this token (409 Conflict); retrying")
    else:
        log.error("fetching updates failed: %s; retrying", type(error).__name__)
