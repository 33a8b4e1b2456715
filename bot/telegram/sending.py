"""Sending replies: retries through outages and flood control, the typing status, and an
apology for questions that waited."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError

from bot.telegram.context import BotContext
from bot.telegram.render import NO_PREVIEW, text_messages
from bot.texts import LATE

log = logging.getLogger(__name__)
T = TypeVar("T")

SEND_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
LATE_AFTER_SECONDS = 180


async def with_retries(call: Callable[[], Awaitable[T]]) -> T:
    """`call()`, tried again after 0.5, 1, 2, 4 and 8 s while the Bot API is unreachable or
    answers 5xx, and after every `retry_after` of a 429 storm that outlasts the rate
    limiter's own retries: flood control delays a reply, never drops it. A refused request
    (400, 403) is not retried."""
    delays = iter(SEND_RETRY_DELAYS)
    while True:
        try:
            return await call()
        except BadRequest:
            raise
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            log.warning("flood control outlasted the rate limiter; waiting %.0f s", seconds)
            await asyncio.sleep(seconds)
        except NetworkError as error:
            delay = next(delays, None)
            if delay is None:
                raise
            log.warning("Bot API unreachable (%s); retrying in %.1f s", type(error).__name__, delay)
            await asyncio.sleep(delay)


async def send_html(
    context: BotContext,
    to: Message,
    messages: list[str],
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send messages as replies to `to`; the keyboard goes under the last one."""
    for number, text in enumerate(messages, start=1):
        keyboard = markup if number == len(messages) else None
        await with_retries(functools.partial(_reply, context, to, text, keyboard))


async def _reply(
    context: BotContext,
    to: Message,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> Message:
    return await context.bot.send_message(
        to.chat_id,
        text,
        parse_mode=ParseMode.HTML,
        reply_parameters=ReplyParameters(to.message_id, allow_sending_without_reply=True),
        reply_markup=markup,
        link_preview_options=NO_PREVIEW,
    )


def late_notice(message: Message) -> list[str]:
    """A short apology when the question waited (the bot was down), else nothing."""
    asked = message.edit_date or message.date
    waited = (datetime.now(UTC) - asked).total_seconds() if asked else 0
    if waited < LATE_AFTER_SECONDS:
        return []
    return text_messages(LATE.format(minutes=max(1, round(waited / 60))))


async def show_typing(context: BotContext, chat_id: int) -> None:
    """The "typing…" status: nice to have, never worth failing or waiting for."""
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as error:
        log.debug("chat action not sent: %s", type(error).__name__)
