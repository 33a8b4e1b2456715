"""Telegram handlers: one short async function per kind of update, all calling `answer()`.

Private chats: every text is a question. Groups: only /ask, a mention of the bot, or a reply to
one of its messages; everything else is ignored. Answers reply to the question's message, so
the "more results" button finds its question again from the message it is attached to — no
server-side state, and it keeps working after a restart.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Conflict
from telegram.ext import ApplicationHandlerStop

from bot.documents import (
    MAX_UPLOAD_BYTES,
    DocumentError,
    Problem,
    corpus_file,
    read_document,
    save_article,
)
from bot.telegram.context import BotContext, BotState
from bot.telegram.flood import Verdict
from bot.telegram.render import Block, answer_messages, hit_block, pack, text_messages
from bot.telegram.sending import late_notice, send_html, show_typing
from bot.telegram.stats import stats_text
from bot.telegram.subscriptions import MAX_TOPIC_CHARS, MAX_TOPICS, TooManyTopics
from bot.texts import (
    ALREADY_FOLLOWING,
    ASK_USAGE,
    DELETE_USAGE,
    DELETED,
    FOLLOWED_TOPICS,
    FOLLOWING,
    HELP,
    INLINE_HELP_TITLE,
    INLINE_NOT_FOUND_TITLE,
    INLINE_RELATED_TITLE,
    LOST_QUESTION,
    MORE_BUTTON,
    NO_MORE,
    NO_TOPICS,
    NON_TEXT_HINT,
    NOT_AN_ARTICLE,
    NOT_FOLLOWING,
    REFUSAL,
    REPLACE_USAGE,
    SLOW_DOWN,
    START,
    TOO_MANY_TOPICS,
    UNFOLLOW_USAGE,
    UNFOLLOWED,
    UNKNOWN_COMMAND,
    UPLOAD_ADDED,
    UPLOAD_ADMINS_ONLY,
    UPLOAD_EXISTS,
    UPLOAD_PROBLEMS,
)
from retrieval.index.search_index import SearchIndex
from retrieval.language.text import shown_name
from retrieval.reply.answer import Answer
from retrieval.reply.phrases import NO_ANSWER

log = logging.getLogger(__name__)


MORE_PREFIX = "more:"
INLINE_RESULTS = 5
INLINE_CACHE_SECONDS = 30
MAX_LISTED_SOURCES = 50


def message_of(update: Update) -> Message:
    """The message of an update routed here by a message filter (so it has one)."""
    message = update.effective_message
    if message is None:
        raise ValueError(f"update {update.update_id} has no message")
    return message


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


def more_button(skip: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(MORE_BUTTON, callback_data=f"{MORE_PREFIX}{skip}")]]
    )


def more_markup(result: Answer, skip: int, top_k: int) -> InlineKeyboardMarkup | None:
    """The "more results" button, under a full page of shown passages: the next page may hold
    more."""
    return more_button(skip + top_k) if result.shows_hits and len(result.hits) == top_k else None


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


Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]


def flood_limited(handler: Handler) -> Handler:
    """The handler, run only while its user is within the flood limit."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: BotContext) -> None:
        if await within_flood_limit(update, context):
            await handler(update, context)

    return guarded


async def reply_with_answer(
    context: BotContext, message: Message, question: str, skip: int = 0
) -> None:
    state = context.state
    await show_typing(context, message.chat_id)
    result = await state.ask(question, skip=skip)
    markup = more_markup(result, skip, state.top_k)
    await send_html(context, message, late_notice(message) + answer_messages(result), markup)
    log.info("answered chat=%s tier=%s hits=%d", message.chat_id, result.tier, len(result.hits))


@flood_limited
async def start(update: Update, context: BotContext) -> None:
    state = context.state
    example, bare_example = state.example_questions()
    text = START.format(
        help=_help_text(state, context.bot.username), example=example, bare_example=bare_example
    )
    await send_html(context, message_of(update), text_messages(text))


def _help_text(state: BotState, username: str) -> str:
    return HELP.format(articles=len(state.index.articles), username=username)


@flood_limited
async def help_command(update: Update, context: BotContext) -> None:
    text = _help_text(context.state, context.bot.username)
    await send_html(context, message_of(update), text_messages(text))


def sources_text(index: SearchIndex) -> str:
    articles = index.articles
    lines = [f"Các bài viết ({len(articles)}):"]
    lines += [f"• {a.title} — {shown_name(a.source)}" for a in articles[:MAX_LISTED_SOURCES]]
    if len(articles) > MAX_LISTED_SOURCES:
        lines.append(f"… và {len(articles) - MAX_LISTED_SOURCES} bài khác.")
    return "\n".join(lines)


@flood_limited
async def sources(update: Update, context: BotContext) -> None:
    text = sources_text(context.state.index)
    await send_html(context, message_of(update), text_messages(text))


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


def is_admin(update: Update, context: BotContext) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.state.admin_ids


async def admins_only(update: Update, context: BotContext, message: Message) -> bool:
    """Whether the sender is an admin; to anyone else an admin command is unknown."""
    if is_admin(update, context):
        return True
    await send_html(context, message, text_messages(UNKNOWN_COMMAND))
    return False


@flood_limited
async def stats(update: Update, context: BotContext) -> None:
    """/stats for BOT_ADMIN_IDS; to anyone else it is an unknown command."""
    state, message = context.state, message_of(update)
    if not await admins_only(update, context, message):
        return
    inbox = state.inbox
    pending = len(await inbox.call(inbox.pending)) if inbox is not None else None
    index = state.index
    text = stats_text(
        state.stats, len(index.articles), len(index.passages), pending, state.live.reloaded_at
    )
    await send_html(context, message, text_messages(text))


@flood_limited
async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not have, in a private chat or addressed to it in a group."""
    message = update.effective_message
    command = (message.text or "").split(maxsplit=1)[0] if message is not None else ""
    private = message is not None and message.chat.type == ChatType.PRIVATE
    if message is not None and (private or command.endswith(f"@{context.bot.username}")):
        await send_html(context, message, text_messages(UNKNOWN_COMMAND))


def article_paragraphs(index: SearchIndex, source: str) -> int:
    """How many paragraphs the corpus reader found in an article (what citations number)."""
    article = next((a for a in index.articles if a.source == source), None)
    return len(set(article.paragraph_numbers)) if article is not None else 0


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


def topic_in(context: BotContext) -> str:
    """A command's topic, as typed, spaces collapsed and lower-case: one spelling per topic."""
    return " ".join(context.args or []).strip().lower()[:MAX_TOPIC_CHARS]


@flood_limited
async def follow(update: Update, context: BotContext) -> None:
    """/theodoi <topic> subscribes this chat; /theodoi alone lists its topics."""
    message, subscriptions = message_of(update), context.state.subscriptions
    if subscriptions is None:
        return
    topic, chat_id = topic_in(context), message.chat_id
    if not topic:
        topics = await asyncio.to_thread(subscriptions.topics_of, chat_id)
        listed = "\n".join(f"• {t}" for t in topics)
        text = FOLLOWED_TOPICS.format(topics=listed) if topics else NO_TOPICS
    else:
        try:
            added = await asyncio.to_thread(subscriptions.follow, chat_id, topic)
        except TooManyTopics:
            text = TOO_MANY_TOPICS.format(limit=MAX_TOPICS)
        else:
            text = (FOLLOWING if added else ALREADY_FOLLOWING).format(topic=topic)
    await send_html(context, message, text_messages(text))


@flood_limited
async def unfollow(update: Update, context: BotContext) -> None:
    """/huytheodoi <topic> ends this chat's subscription."""
    message, subscriptions = message_of(update), context.state.subscriptions
    if subscriptions is None:
        return
    topic = topic_in(context)
    if not topic:
        text = UNFOLLOW_USAGE
    else:
        removed = await asyncio.to_thread(subscriptions.unfollow, message.chat_id, topic)
        text = (UNFOLLOWED if removed else NOT_FOLLOWING).format(topic=topic)
    await send_html(context, message, text_messages(text))


@flood_limited
async def non_text_private(update: Update, context: BotContext) -> None:
    example, _ = context.state.example_questions()
    hint = NON_TEXT_HINT.format(example=example)
    await send_html(context, message_of(update), text_messages(hint))


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
    await send_html(context, original, answer_messages(result), markup)


def _article(
    result_id: str, title: str, description: str, html_text: str
) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id=result_id,
        title=title,
        description=description,
        input_message_content=InputTextMessageContent(html_text, parse_mode=ParseMode.HTML),
    )


@flood_limited
async def inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    if query is None:
        return
    state = context.state
    text = query.query.strip()
    if not text:
        example, _ = state.example_questions()
        help_text = _help_text(state, context.bot.username)
        results = [_article("help", INLINE_HELP_TITLE, example, text_messages(help_text)[0])]
    else:
        result = await state.ask(text, top_k=INLINE_RESULTS)
        if not result.shows_hits:
            results = [
                _article("none", INLINE_NOT_FOUND_TITLE, NO_ANSWER, text_messages(result.reply)[0])
            ]
        else:
            title = "{}" if result.answered else INLINE_RELATED_TITLE
            results = [
                _article(
                    str(n), title.format(hit.title), hit.excerpt.text, pack([hit_block(hit)])[0]
                )
                for n, hit in enumerate(result.hits)
            ]
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS)


async def access_guard(update: Update, context: BotContext) -> None:
    """Runs before every handler: stops updates from chats not in BOT_ALLOWED_CHATS."""
    state = context.state
    if not state.allowed_chats:
        return
    chat, user = update.effective_chat, update.effective_user
    who = chat.id if chat is not None else (user.id if user is not None else None)
    if who in state.allowed_chats:
        return
    if update.callback_query is not None:  # a pressed button always gets its answer
        await update.callback_query.answer(REFUSAL)
        raise ApplicationHandlerStop
    message = update.effective_message
    private = chat is not None and chat.type == ChatType.PRIVATE
    if chat is not None and private and message is not None and chat.id not in state.refused_chats:
        state.refused_chats.add(chat.id)
        await send_html(context, message, pack([Block.plain(REFUSAL)]))
    raise ApplicationHandlerStop


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure in one line (type only: messages may quote URLs) and keep running.
    Errors without an update come from fetching updates (polling retries by itself)."""
    error = context.error
    if isinstance(update, Update):
        log.error("update %s failed: %s", update.update_id, type(error).__name__)
    elif isinstance(error, Conflict):
        log.error("another process is polling with this token (409 Conflict); retrying")
    else:
        log.error("fetching updates failed: %s; retrying", type(error).__name__)
