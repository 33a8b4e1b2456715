"""Telegram handlers: one short async function per kind of update, all calling `answer()`.

Private chats: every text is a question. Groups: only /ask, a mention of the bot, or a reply to
one of its messages; everything else is ignored. Answers reply to the question's message, so
the "more results" button finds its question again from the message it is attached to — no
server-side state, and it keeps working after a restart.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot.telegram.flood import FloodGuard, Verdict
from bot.telegram.render import Block, answer_messages, hit_block, pack, text_messages
from retrieval.answer import NO_ANSWER, Answer, answer
from retrieval.index import SearchIndex
from retrieval.live import LiveIndex
from retrieval.text import fold

log = logging.getLogger(__name__)
T = TypeVar("T")

MORE_BUTTON = "Thêm kết quả"
MORE_PREFIX = "more:"
INLINE_RESULTS = 5
INLINE_CACHE_SECONDS = 30
MAX_LISTED_SOURCES = 50
EXAMPLE_WORDS = 7

ASK_USAGE = "Cách hỏi trong nhóm: /ask câu hỏi — ví dụ: /ask {example}"
NON_TEXT_HINT = "Tôi chỉ đọc được câu hỏi bằng chữ. Hãy gõ câu hỏi, ví dụ: {example}"
REFUSAL = "Xin lỗi, bot này chỉ phục vụ một số cuộc trò chuyện được cho phép."
LOST_QUESTION = "Không tìm thấy câu hỏi gốc; hãy gửi lại câu hỏi."
SLOW_DOWN = "Bạn hỏi nhanh quá. Vui lòng đợi khoảng {seconds} giây rồi hỏi tiếp."
SEND_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
LATE_AFTER_SECONDS = 180
LATE = "Xin lỗi vì trả lời muộn: câu hỏi này đã chờ khoảng {minutes} phút do bot gián đoạn."
NO_MORE = "Không còn kết quả nào khác."
INLINE_HELP_TITLE = "Gõ câu hỏi về các bài viết"
HELP = """Tôi trả lời câu hỏi về {articles} bài báo: trích đoạn văn liên quan nhất, \
kèm tên tệp nguồn và số đoạn.

Cách hỏi:
• Chat riêng: gõ câu hỏi, có dấu hoặc không dấu.
• Trong nhóm: /ask câu hỏi, nhắc @{username} kèm câu hỏi, hoặc trả lời một tin của bot.
• Ở bất kỳ đâu: gõ @{username} câu hỏi (inline).

Lệnh: /start, /help, /sources (danh sách bài), /ask câu hỏi.
Khi các bài viết không có thông tin, bot sẽ nói rõ."""
START = """Xin chào! {help}

Thử hỏi:
• {example}
• {bare_example}"""


@dataclass
class BotState:
    """What every handler needs: the live index, the answer size, who may use the bot and
    how often."""

    live: LiveIndex
    top_k: int
    flood: FloodGuard
    allowed_chats: frozenset[int] = frozenset()
    refused_chats: set[int] = field(default_factory=set)

    @property
    def index(self) -> SearchIndex:
        """The current snapshot: read once per update, so a reload never splits an answer."""
        return self.live.current

    def example_questions(self) -> tuple[str, str]:
        """Two questions the corpus answers: the opening words of the first two titles."""
        titles = [article.title for article in self.index.articles]
        first = " ".join(titles[0].split()[:EXAMPLE_WORDS]).rstrip(":,.")
        second = " ".join(titles[-1].split()[:EXAMPLE_WORDS]).rstrip(":,.")
        return first, fold(second).lower()

    async def ask(self, question: str, top_k: int | None = None, skip: int = 0) -> Answer:
        """`answer()` in a worker thread, so the event loop keeps serving other chats."""
        return await asyncio.to_thread(answer, question, self.index, top_k or self.top_k, skip)


def state_of(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    return context.bot_data["state"]


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
    context: ContextTypes.DEFAULT_TYPE,
    to: Message,
    messages: list[str],
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Send messages as replies to `to`; the keyboard goes under the last one."""
    for number, text in enumerate(messages, start=1):
        await with_retries(
            lambda text=text, number=number: context.bot.send_message(
                to.chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_parameters=ReplyParameters(to.message_id, allow_sending_without_reply=True),
                reply_markup=markup if number == len(messages) else None,
            )
        )


def late_notice(message: Message) -> list[str]:
    """A short apology when the question waited (the bot was down), else nothing."""
    asked = message.edit_date or message.date
    waited = (datetime.now(UTC) - asked).total_seconds() if asked else 0
    if waited < LATE_AFTER_SECONDS:
        return []
    return text_messages(LATE.format(minutes=max(1, round(waited / 60))))


async def show_typing(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> None:
    """The "typing…" status: nice to have, never worth failing or waiting for."""
    try:
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    except TelegramError as error:
        log.debug("chat action not sent: %s", type(error).__name__)


async def within_flood_limit(context: ContextTypes.DEFAULT_TYPE, message: Message) -> bool:
    """Whether to answer this user now; over the limit, the one slow-down notice."""
    state = state_of(context)
    user = message.from_user
    if user is None:
        return True
    now = time.monotonic()
    verdict = state.flood.check(user.id, now)
    if verdict is Verdict.WARN:
        notice = SLOW_DOWN.format(seconds=state.flood.wait_seconds(user.id, now))
        await send_html(context, message, text_messages(notice))
        log.info("flood limit reached by user=%s", user.id)
    return verdict is Verdict.ANSWER


async def reply_with_answer(
    context: ContextTypes.DEFAULT_TYPE, message: Message, question: str, skip: int = 0
) -> None:
    state = state_of(context)
    if not await within_flood_limit(context, message):
        return
    await show_typing(context, message.chat_id)
    result = await state.ask(question, skip=skip)
    has_more = result.answered and len(result.hits) == state.top_k
    markup = more_button(skip + state.top_k) if has_more else None
    await send_html(context, message, late_notice(message) + answer_messages(result), markup)
    log.info(
        "answered chat=%s answered=%s hits=%d", message.chat_id, result.answered, len(result.hits)
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    state = state_of(context)
    example, bare_example = state.example_questions()
    text = START.format(
        help=_help_text(state, context.bot.username), example=example, bare_example=bare_example
    )
    await send_html(context, update.effective_message, text_messages(text))


def _help_text(state: BotState, username: str) -> str:
    return HELP.format(articles=len(state.index.articles), username=username)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = _help_text(state_of(context), context.bot.username)
    await send_html(context, update.effective_message, text_messages(text))


def sources_text(index: SearchIndex) -> str:
    articles = index.articles
    lines = [f"Các bài viết ({len(articles)}):"]
    lines += [f"• {a.title} — {a.source}" for a in articles[:MAX_LISTED_SOURCES]]
    if len(articles) > MAX_LISTED_SOURCES:
        lines.append(f"… và {len(articles) - MAX_LISTED_SOURCES} bài khác.")
    return "\n".join(lines)


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = sources_text(state_of(context).index)
    await send_html(context, update.effective_message, text_messages(text))


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    question = question_in(message, context.bot.username)
    if not question:
        example, _ = state_of(context).example_questions()
        await send_html(context, message, text_messages(ASK_USAGE.format(example=example)))
        return
    await reply_with_answer(context, message, question)


async def private_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    await reply_with_answer(context, message, question_in(message, context.bot.username))


async def group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if not addresses_bot(message, context.bot.id, context.bot.username):
        return
    question = question_in(message, context.bot.username)
    if question:
        await reply_with_answer(context, message, question)


async def non_text_private(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    example, _ = state_of(context).example_questions()
    hint = NON_TEXT_HINT.format(example=example)
    await send_html(context, update.effective_message, text_messages(hint))


async def more_results(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The next hits for the question the pressed answer replied to."""
    query = update.callback_query
    try:
        skip = int((query.data or "").removeprefix(MORE_PREFIX))
    except ValueError:
        await query.answer()
        return
    pressed = query.message if isinstance(query.message, Message) else None
    original = pressed.reply_to_message if pressed is not None else None
    question = question_in(original, context.bot.username) if original else ""
    if not question:
        await query.answer(LOST_QUESTION, show_alert=True)
        return
    await query.answer()
    if not await within_flood_limit(context, original):
        return
    await query.edit_message_reply_markup(reply_markup=None)
    result = await state_of(context).ask(question, skip=skip)
    if not result.hits:
        await send_html(context, original, text_messages(NO_MORE))
        return
    state = state_of(context)
    markup = more_button(skip + state.top_k) if len(result.hits) == state.top_k else None
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


async def inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    state = state_of(context)
    text = query.query.strip()
    if not text:
        example, _ = state.example_questions()
        help_text = _help_text(state, context.bot.username)
        results = [_article("help", INLINE_HELP_TITLE, example, text_messages(help_text)[0])]
    else:
        result = await state.ask(text, top_k=INLINE_RESULTS)
        if not result.answered:
            results = [
                _article("none", "Không tìm thấy", NO_ANSWER, text_messages(result.reply)[0])
            ]
        else:
            results = [
                _article(str(n), hit.title, hit.excerpt.text, pack([hit_block(hit)])[0])
                for n, hit in enumerate(result.hits)
            ]
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS)


async def access_guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: stops updates from chats not in BOT_ALLOWED_CHATS."""
    state = state_of(context)
    if not state.allowed_chats:
        return
    chat, user = update.effective_chat, update.effective_user
    who = chat.id if chat is not None else (user.id if user is not None else None)
    if who in state.allowed_chats:
        return
    message = update.effective_message
    private = chat is not None and chat.type == ChatType.PRIVATE
    if private and message is not None and chat.id not in state.refused_chats:
        state.refused_chats.add(chat.id)
        await send_html(context, message, pack([Block.plain(REFUSAL)]))
    raise ApplicationHandlerStop


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure in one line (type only: messages may quote URLs) and keep running."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed: %s", update_id, type(context.error).__name__)
