"""What the bot says about itself: /start, /help, /sources, a hint for a message without text,
and the answer to a command it does not have."""

from __future__ import annotations

from datetime import tzinfo

from telegram import Update
from telegram.constants import ChatType

from bot.telegram.context import BotContext, BotState, message_of
from bot.telegram.handlers.guards import flood_limited
from bot.telegram.render import article_list_messages, text_messages
from bot.telegram.sending import send_html
from bot.texts import HELP, NON_TEXT_HINT, SOURCES_HEADING, START, UNKNOWN_COMMAND
from retrieval.index.search_index import SearchIndex
from retrieval.reply.topics import by_date

MAX_LISTED_SOURCES = 50


def help_text(state: BotState, username: str) -> str:
    return HELP.format(articles=len(state.index.articles), username=username)


@flood_limited
async def start(update: Update, context: BotContext) -> None:
    state = context.state
    example, bare_example = state.example_questions()
    text = START.format(
        help=help_text(state, context.bot.username), example=example, bare_example=bare_example
    )
    await send_html(context, message_of(update), text_messages(text))


@flood_limited
async def help_command(update: Update, context: BotContext) -> None:
    text = help_text(context.state, context.bot.username)
    await send_html(context, message_of(update), text_messages(text))


def sources_messages(index: SearchIndex, zone: tzinfo) -> list[str]:
    """The articles, the dated ones newest first, then the others in file order."""
    count = len(index.articles)
    listed = by_date(index.articles, zone)[:MAX_LISTED_SOURCES]
    heading = SOURCES_HEADING.format(count=count)
    return article_list_messages(heading, listed, zone, count - len(listed))


@flood_limited
async def sources(update: Update, context: BotContext) -> None:
    messages = sources_messages(context.state.index, context.state.zone)
    await send_html(context, message_of(update), messages)


@flood_limited
async def non_text_private(update: Update, context: BotContext) -> None:
    example, _ = context.state.example_questions()
    hint = NON_TEXT_HINT.format(example=example)
    await send_html(context, message_of(update), text_messages(hint))


@flood_limited
async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not have, in a private chat or addressed to it in a group."""
    message = update.effective_message
    command = (message.text or "").split(maxsplit=1)[0] if message is not None else ""
    private = message is not None and message.chat.type == ChatType.PRIVATE
    if message is not None and (private or command.endswith(f"@{context.bot.username}")):
        await send_html(context, message, text_messages(UNKNOWN_COMMAND))
