"""Questions and their answers: every text in a private chat; in a group only /ask, a mention
of the bot, or a reply to one of its messages (everything else is ignored).

Answers reply to the question's message, so the "more results" button finds its question again
from the message it is attached to: no server-side state, and it keeps working after a restart.
"""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.telegram.context import BotContext, message_of
from bot.telegram.handlers.guards import flood_limited, within_flood_limit
from bot.telegram.render import answer_messages, text_messages
from bot.telegram.sending import late_notice, send_html, show_typing
from bot.texts import ASK_USAGE, LOST_QUESTION, MORE_BUTTON, NO_MORE
from retrieval.reply.answer import Answer

log = logging.getLogger(__name__)

MORE_PREFIX = "more:"


def _mention_pattern(username: str) -> re.Pattern[str]:
    return re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE)


def question_in(message: Message, username: str) -> str:
    """The question a message asks: its text without a leading /ask or @bot mentions."""
    text = message.text or ""
    if text.startswith("/"):
        text = text.split(maxsplit=1)[1] if " " in text.strip() else ""
    return _mention_pattern(username).sub(" ", text).strip()


def addresses_bot(message: Message, bot_id: int, username: str) -> bool:
    """In a group: a mention of the bot, or a reply to one of its messages."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    return bool(_mention_pattern(username).search(message.text or ""))


def more_markup(result: Answer, skip: int, top_k: int) -> InlineKeyboardMarkup | None:
    """The "more results" button, under a full page of shown passages: the next page may hold
    more."""
    if not result.shows_hits or len(result.hits) != top_k:
        return None
    button = InlineKeyboardButton(MORE_BUTTON, callback_data=f"{MORE_PREFIX}{skip + top_k}")
    return InlineKeyboardMarkup([[button]])


async def reply_with_answer(
    context: BotContext, message: Message, question: str, skip: int = 0
) -> None:
    state = context.state
    await show_typing(context, message.chat_id)
    result = await state.ask(question, skip=skip)
    markup = more_markup(result, skip, state.top_k)
    await send_html(
        context, message, late_notice(message) + answer_messages(result, state.zone), markup
    )
    log.info("answered chat=%s tier=%s hits=%d", message.chat_id, result.tier, len(result.hits))


@flood_limited
async def ask_command(update: Update, context: BotContext) -> None:
    message = message_of(update)
    question = question_in(message, context.bot.username)
    if not question:
        example, _ = context.state.example_questions()
        await send_html(context, message, text_messages(ASK_USAGE.format(example=example)))
        return
    await reply_with_answer(context, message, question)


@flood_limited
async def private_question(update: Update, context: BotContext) -> None:
    message = message_of(update)
    await reply_with_answer(context, message, question_in(message, context.bot.username))


async def group_message(update: Update, context: BotContext) -> None:
    message = message_of(update)
    if not addresses_bot(message, context.bot.id, context.bot.username):
        return  # group chatter is not the bot's business, and does not count against anyone
    question = question_in(message, context.bot.username)
    if question and await within_flood_limit(update, context):
        await reply_with_answer(context, message, question)


@flood_limited
async def more_results(update: Update, context: BotContext) -> None:
    """The next hits for the question the pressed answer replied to."""
    query = update.callback_query
    if query is None:
        return
    try:
        skip = int((query.data or "").removeprefix(MORE_PREFIX))
    except ValueError:
        await query.answer()
        return
    pressed = query.message if isinstance(query.message, Message) else None
    original = pressed.reply_to_message if pressed is not None else None
    question = question_in(original, context.bot.username) if original else ""
    if original is None or not question:
        await query.answer(LOST_QUESTION, show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=None)
    result = await context.state.ask(question, skip=skip)
    if not result.hits:
        await send_html(context, original, text_messages(NO_MORE))
        return
    markup = more_markup(result, skip, context.state.top_k)
    await send_html(context, original, answer_messages(result, context.state.zone), markup)
