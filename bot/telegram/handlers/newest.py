"""/moi: the newest articles, or the newest on a topic (`/moi chủ đề`), titles linking to them."""

from __future__ import annotations

import asyncio
from datetime import tzinfo

from telegram import Update

from bot.listing import NEWEST_LISTED
from bot.telegram.context import BotContext, message_of
from bot.telegram.handlers.guards import flood_limited
from bot.telegram.render import article_list_messages, text_messages
from bot.telegram.sending import send_html
from bot.texts import NEWEST_HEADING, NEWEST_ON_TOPIC_HEADING, NO_DATED_ARTICLES, NO_NEWS_ON_TOPIC
from retrieval.index.search_index import SearchIndex
from retrieval.reply.topics import newest_articles


@flood_limited
async def newest(update: Update, context: BotContext) -> None:
    topic = " ".join(context.args or ())
    state = context.state
    messages = await asyncio.to_thread(newest_messages, state.index, state.zone, topic)
    await send_html(context, message_of(update), messages)


def newest_messages(index: SearchIndex, zone: tzinfo, topic: str) -> list[str]:
    """The NEWEST_LISTED newest articles, or the newest that match `topic`."""
    articles = newest_articles(index, zone, topic, NEWEST_LISTED)
    if not articles:
        return text_messages(NO_NEWS_ON_TOPIC.format(topic=topic) if topic else NO_DATED_ARTICLES)
    heading = NEWEST_ON_TOPIC_HEADING.format(topic=topic) if topic else NEWEST_HEADING
    return article_list_messages(heading, articles, zone)
