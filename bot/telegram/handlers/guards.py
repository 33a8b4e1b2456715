"""Who may use the bot, and how often: the access guard that runs before every handler, the
per-user flood limit, and the admins' commands, unknown to everyone else."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.telegram.context import BotContext
from bot.telegram.flood import Verdict
from bot.telegram.render import Block, pack, text_messages
from bot.telegram.sending import send_html
from bot.texts import REFUSAL, SLOW_DOWN, UNKNOWN_COMMAND

log = logging.getLogger(__name__)

Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def _sender(update: Update) -> int | None:
    """The chat an update comes from, or its user where it has no chat (an inline query)."""
    chat, user = update.effective_chat, update.effective_user
    return chat.id if chat is not None else (user.id if user is not None else None)


async def access_guard(update: Update, context: BotContext) -> None:
    """Runs before every handler: stops updates from chats not in BOT_ALLOWED_CHATS."""
    state = context.state
    if not state.allowed_chats or _sender(update) in state.allowed_chats:
        return
    chat = update.effective_chat
    if update.callback_query is not None:  # a pressed button always gets its answer
        await update.callback_query.answer(REFUSAL)
        raise ApplicationHandlerStop
    message = update.effective_message
    private = chat is not None and chat.type == ChatType.PRIVATE
    if chat is not None and private and message is not None and chat.id not in state.refused_chats:
        state.refused_chats.add(chat.id)
        await send_html(context, message, pack([Block.plain(REFUSAL)]))
    raise ApplicationHandlerStop


async def within_flood_limit(update: Update, context: BotContext) -> bool:
    """Whether to act on this update now. Over the limit, the one slow-down notice goes where
    the user will see it: an alert on a pressed button, a reply to a message (an inline query
    gets no answer at all)."""
    state = context.state
    user = update.effective_user
    if user is None:
        return True
    now = time.monotonic()
    verdict = state.flood.check(user.id, now)
    if verdict is Verdict.WARN:
        notice = SLOW_DOWN.format(seconds=state.flood.wait_seconds(user.id, now))
        if update.callback_query is not None:
            await update.callback_query.answer(notice, show_alert=True)
        elif update.effective_message is not None and update.inline_query is None:
            await send_html(context, update.effective_message, text_messages(notice))
        log.info("flood limit reached by user=%s", user.id)
    return verdict is Verdict.ANSWER


def flood_limited(handler: Handler) -> Handler:
    """The handler, run only while its user is within the flood limit."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        if await within_flood_limit(update, context):
            await handler(update, context)

    return guarded


def is_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.state.admin_ids


async def admins_only(update: Update, context: BotContext, message: Message) -> bool:
    """Whether the sender is an admin; to anyone else an admin command is unknown."""
    if is_admin(update, context):
        return True
    await send_html(context, message, text_messages(UNKNOWN_COMMAND))
    return False
