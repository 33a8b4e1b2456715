"""The Telegram handlers, one module per concern, and `add_handlers`: which update goes where.

- `guards`: who may use the bot (first, for every update) and how often; admins' commands.
- `questions`: questions in private chats and groups, /ask, the "more results" button.
- `feedback`: the 👍 and 👎 buttons under replies.
- `inline`: inline queries.
- `guide`: /start, /help, /sources, non-text messages, unknown commands.
- `newest`: /moi, the newest articles (on a topic).
- `admin`: /stats, /chuatraloi, and the articles admins add, replace (/thaythe) and delete (/xoa).
- `topics`: /theodoi and /huytheodoi.
- `errors`: the error handler.

Each handler is one short async function; all answers come from `retrieval.answer`.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.telegram.handlers import admin, feedback, guide, inline, newest, questions, topics
from bot.telegram.handlers.errors import on_error
from bot.telegram.handlers.guards import access_guard
from bot.telegram.keyboard import MORE_PREFIX, VOTE_PREFIX


def add_handlers(application: Application) -> None:
    new_or_edited = filters.UpdateType.MESSAGES
    private = filters.ChatType.PRIVATE & new_or_edited
    groups = filters.ChatType.GROUPS & new_or_edited
    application.add_handler(TypeHandler(Update, access_guard), group=-1)
    application.add_handlers(
        [
            CommandHandler("start", guide.start),
            CommandHandler("help", guide.help_command),
            CommandHandler("sources", guide.sources),
            CommandHandler("moi", newest.newest),
            CommandHandler("ask", questions.ask_command),
            CommandHandler("stats", admin.stats),
            CommandHandler("chuatraloi", admin.unanswered),
            CommandHandler("theodoi", topics.follow),
            CommandHandler("huytheodoi", topics.unfollow),
            CommandHandler("thaythe", admin.replace_article),
            CommandHandler("xoa", admin.delete_article),
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, questions.private_question),
            MessageHandler(groups & filters.TEXT & ~filters.COMMAND, questions.group_message),
            MessageHandler(
                private & filters.UpdateType.MESSAGE & filters.Document.ALL, admin.upload
            ),
            MessageHandler(
                private & filters.UpdateType.MESSAGE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                guide.non_text_private,
            ),
            MessageHandler(new_or_edited & filters.COMMAND, guide.unknown_command),
            CallbackQueryHandler(questions.more_results, pattern=f"^{MORE_PREFIX}"),
            CallbackQueryHandler(feedback.vote, pattern=f"^{VOTE_PREFIX}"),
            InlineQueryHandler(inline.inline_query),
        ]
    )
    application.add_error_handler(on_error)
