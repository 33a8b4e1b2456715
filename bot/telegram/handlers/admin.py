"""What BOT_ADMIN_IDS may do: /stats, /chuatraloi (the questions the archive could not answer,
with BOT_KEEP_QUESTIONS), and add (a document sent in a private chat), replace
(/thaythe) and delete (/xoa) the corpus's articles. To anyone else these commands are unknown,
and a document gets a polite refusal."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram import Message, Update
from telegram.error import BadRequest

from bot.documents import (
    MAX_UPLOAD_BYTES,
    DocumentError,
    Problem,
    corpus_file,
    read_document,
    save_article,
)
from bot.operator.kept import DAY_SECONDS, RECENT_DAYS
from bot.telegram.context import BotContext, message_of
from bot.telegram.handlers.guards import admins_only, flood_limited, is_admin
from bot.telegram.render import text_messages
from bot.telegram.sending import send_html
from bot.telegram.stats import stats_text
from bot.texts import (
    DELETE_USAGE,
    DELETED,
    KEEPING_OFF,
    NOT_AN_ARTICLE,
    NOTHING_UNANSWERED,
    REPLACE_USAGE,
    UNANSWERED,
    UPLOAD_ADDED,
    UPLOAD_ADMINS_ONLY,
    UPLOAD_EXISTS,
    UPLOAD_PROBLEMS,
)
from retrieval.index.search_index import SearchIndex
from retrieval.language.text import shown_name

log = logging.getLogger(__name__)


@flood_limited
async def stats(update: Update, context: BotContext) -> None:
    state, message = context.state, message_of(update)
    if not await admins_only(update, context, message):
        return
    inbox = state.inbox
    pending = (await inbox.call(inbox.backlog))[0] if inbox is not None else None
    votes = await state.feedback.vote_counts()
    index = state.index
    text = stats_text(
        state.stats,
        len(index.articles),
        len(index.passages),
        pending,
        state.live.reloaded_at,
        votes,
    )
    await send_html(context, message, text_messages(text))


@flood_limited
async def unanswered(update: Update, context: BotContext) -> None:
    """/chuatraloi: the most frequent questions of the last week the archive could not answer."""
    message, kept = message_of(update), context.state.feedback.kept
    if not await admins_only(update, context, message):
        return
    if kept is None:
        text = KEEPING_OFF
    else:
        since = time.time() - RECENT_DAYS * DAY_SECONDS
        groups = await asyncio.to_thread(kept.unanswered, since)
        lines = "\n".join(group.line() for group in groups)
        shown = UNANSWERED if groups else NOTHING_UNANSWERED
        text = shown.format(days=RECENT_DAYS, lines=lines)
    await send_html(context, message, text_messages(text))


def article_paragraphs(index: SearchIndex, source: str) -> int:
    """How many paragraphs the corpus reader found in an article (what citations number)."""
    articles = index.articles
    number = next((n for n, name in enumerate(articles.sources) if name == source), None)
    return len(set(articles[number].paragraph_numbers)) if number is not None else 0


async def add_article(
    context: BotContext, reply_to: Message, upload: Message, replace: bool
) -> None:
    """Download the document of `upload`, save it into the corpus and reload before saying
    it is added: a question sent the instant the reply arrives is answered from it."""
    document = upload.document
    assert document is not None
    name = document.file_name or "tệp"
    state = context.state
    try:
        if document.file_size and document.file_size > MAX_UPLOAD_BYTES:
            raise DocumentError(Problem.TOO_LARGE)
        data = await (await context.bot.get_file(document.file_id)).download_as_bytearray()
        article = read_document(name, bytes(data))
        path = await asyncio.to_thread(save_article, state.live.folder, article, replace)
    except DocumentError as error:
        text = UPLOAD_PROBLEMS[error.problem.value].format(name=name)
    except FileExistsError as taken:
        text = UPLOAD_EXISTS.format(name=str(taken))
    except BadRequest:  # the Bot API refuses to hand over a file this large
        text = UPLOAD_PROBLEMS[Problem.TOO_LARGE.value].format(name=name)
    else:
        await asyncio.to_thread(state.live.refresh)
        log.info("article added: %s", shown_name(path.name))
        paragraphs = article_paragraphs(state.index, path.name)
        text = UPLOAD_ADDED.format(title=article.title, paragraphs=paragraphs, name=path.name)
    await send_html(context, reply_to, text_messages(text))


@flood_limited
async def upload(update: Update, context: BotContext) -> None:
    """A document in a private chat: an article to add, from an admin."""
    message = message_of(update)
    if not is_admin(update, context):
        await send_html(context, message, text_messages(UPLOAD_ADMINS_ONLY))
        return
    await add_article(context, message, message, replace=False)


@flood_limited
async def replace_article(update: Update, context: BotContext) -> None:
    """/thaythe, in reply to an uploaded document (or to the bot's reply to one): replace the
    article of the same name with it."""
    message = message_of(update)
    if not await admins_only(update, context, message):
        return
    target = message.reply_to_message
    if target is not None and target.document is None:
        target = target.reply_to_message
    if target is None or target.document is None:
        await send_html(context, message, text_messages(REPLACE_USAGE))
        return
    await add_article(context, message, target, replace=True)


@flood_limited
async def delete_article(update: Update, context: BotContext) -> None:
    """/xoa <file>: remove an article, named as /sources and citations name it."""
    message = message_of(update)
    if not await admins_only(update, context, message):
        return
    name = " ".join(context.args or []).strip()
    folder = context.state.live.folder
    path = corpus_file(folder, name) if name else None
    if not name:
        text = DELETE_USAGE
    elif path is None:
        text = NOT_AN_ARTICLE.format(name=name)
    else:
        await asyncio.to_thread(path.unlink)
        await asyncio.to_thread(context.state.live.refresh)
        log.info("article removed: %s", shown_name(name))
        text = DELETED.format(name=name)
    await send_html(context, message, text_messages(text))
