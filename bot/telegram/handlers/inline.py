"""Inline queries (@bot question, typed in any chat): the best passages as results to pick and
send; an empty query gets the help text as its one result."""

from __future__ import annotations

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode

from bot.operator.metrics import INLINE
from bot.telegram.context import BotContext
from bot.telegram.handlers.guards import flood_limited
from bot.telegram.handlers.guide import help_text
from bot.telegram.render import NO_PREVIEW, hit_block, pack, text_messages
from bot.texts import INLINE_HELP_TITLE, INLINE_NOT_FOUND_TITLE, INLINE_RELATED_TITLE
from retrieval.reply.answer import Answer
from retrieval.reply.phrases import NO_ANSWER

INLINE_RESULTS = 5
INLINE_CACHE_SECONDS = 30


def _article(
    result_id: str, title: str, description: str, html_text: str
) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=result_id,
        title=title,
        description=description,
        input_message_content=InputTextMessageContent(
            html_text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        ),
    )


def _results(result: Answer) -> list[InlineQueryResultArticle]:
    if not result.shows_hits:
        reply = text_messages(result.reply)[0]
        return [_article("none", INLINE_NOT_FOUND_TITLE, NO_ANSWER, reply)]
    title = "{}" if result.answered else INLINE_RELATED_TITLE
    return [
        _article(str(n), title.format(hit.title), hit.excerpt.text, pack([hit_block(hit)])[0])
        for n, hit in enumerate(result.hits)
    ]


@flood_limited
async def inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    if query is None:
        return
    state = context.state
    text = query.query.strip()
    if not text:
        example, _ = state.example_questions()
        help_html = text_messages(help_text(state, context.bot.username))[0]
        results = [_article("help", INLINE_HELP_TITLE, example, help_html)]
    else:
        results = _results(await state.ask(text, top_k=INLINE_RESULTS, adapter=INLINE))
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS)
