"""Questions and their answers: every text in a private chat; in a group only /ask, a mention
of the bot, or a reply to one of its messages (everything else is ignored).

Answers reply to the question's message, so the "more results" button finds its question again
from the message it is attached to: no server-side state, and it keeps working after a restart.
The keyboard under a reply, with its vote buttons, is `keyboard.py`'s.
"""

from __future__ import annotations

import logging
import re

from telegram import Message, Update

from bot.operator.metrics import MORE
from bot.telegram.context import BotContext, message_of
from bot.telegram.handlers.guards import flood_limited, within_flood_limit
from bot.telegram.keyboard import MORE_PREFIX, reply_markup, without_more
from bot.telegram.render import answer_messages, text_messages
from bot.telegram.sending import late_notice, send_html, show_typing
from bot.texts import ASK_USAGE, LOST_QUESTION, NO_MORE

log = logging.getLogger(__name__)


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


async def reply_with_answer(context: BotContext, message: Message, question: str) -> None:
    state = context.state
    await show_typing(context, message.chat_id)
    result = await state.ask(question)
    markup = reply_markup(result, 0, state.top_k, await state.feedback.keep(result))
    messages = late_notice(message) + answer_messages(result)
    await send_html(context, message, messages, markup)
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
    if pressed is None or original is None or not question:
        await query.answer(LOST_QUESTION, show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(reply_markup=without_more(pressed.reply_markup))
    result = await context.state.ask(question, skip=skip, adapter=MORE)
    if not result.hits:
        await send_html(context, original, text_messages(NO_MORE))
        return
    markup = reply_markup(result, skip, context.state.top_k)
    await send_html(context, original, answer_messages(result), markup)
