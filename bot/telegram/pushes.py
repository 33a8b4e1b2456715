"""New articles pushed to the chats that follow their topics.

Every PUSH_CHECK_SECONDS the current snapshot's article names are compared with the last ones
seen; the names the subscription store has never seen (an upload, a file dropped into the
folder, or one added while the bot was down, at the next start) are new articles. Each is
judged against each topic on its own (`retrieval.topics`), and every chat with a matching topic
made before the article appeared gets one message naming all its matching topics — recorded
before it is sent, so never twice. A chat that blocked the bot (403) has its topics dropped.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError

from bot.telegram.context import BotState
from bot.telegram.render import NO_PREVIEW, topic_messages
from bot.telegram.subscriptions import Subscriptions, Topic
from retrieval.index.compact import Articles
from retrieval.index.search_index import SearchIndex
from retrieval.language.text import shown_name
from retrieval.question.reading import understand
from retrieval.reply.topics import TopicMatch, article_positions, match_topic

log = logging.getLogger(__name__)

PUSH_CHECK_SECONDS = 1.0


def matches_by_chat(
    index: SearchIndex, fresh: dict[str, float], topics: list[Topic]
) -> dict[tuple[int, str], tuple[list[str], TopicMatch]]:
    """(chat, article) -> (its matching topics, the match of the first): only topics made
    before the article appeared."""
    found: dict[tuple[int, str], tuple[list[str], TopicMatch]] = {}
    positions = article_positions(index)
    questions = {topic.topic: understand(topic.topic, index) for topic in topics}
    for source, first_seen in sorted(fresh.items()):
        for topic in topics:
            if topic.created_at >= first_seen or source not in positions:
                continue
            match = match_topic(questions[topic.topic], index, positions[source])
            if match is None:
                continue
            named, first = found.get((topic.chat_id, source), ([], match))
            found[topic.chat_id, source] = ([*named, topic.topic], first)
    return found


async def push_once(bot: Bot, state: BotState, subscriptions: Subscriptions) -> int:
    """Judge and push the articles not seen before; returns how many messages were sent."""
    index = state.index
    fresh = await asyncio.to_thread(subscriptions.newly_seen, list(index.articles.sources))
    if not fresh:
        return 0
    topics = await asyncio.to_thread(subscriptions.all_topics)
    found = await asyncio.to_thread(matches_by_chat, index, fresh, topics)
    sent = 0
    dropped: set[int] = set()
    for (chat_id, source), (named, match) in found.items():
        if chat_id in dropped or not await asyncio.to_thread(
            subscriptions.mark_pushed, chat_id, source
        ):
            continue
        try:
            for text in topic_messages(named, match, state.zone):
                await bot.send_message(
                    chat_id, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
                )
            sent += 1
        except Forbidden:
            log.info("chat %s blocked the bot; its topics are dropped", chat_id)
            await asyncio.to_thread(subscriptions.drop_chat, chat_id)
            dropped.add(chat_id)
        except TelegramError as error:
            log.warning(
                "push of %s to %s failed: %s", shown_name(source), chat_id, type(error).__name__
            )
    return sent


async def push_new_articles(bot: Bot, state: BotState, subscriptions: Subscriptions) -> None:
    """For as long as the bot runs: push each new article to the chats following it."""
    seen: Articles | None = None  # a snapshot's articles: a reload that changes any makes new
    while True:
        articles = state.index.articles
        if articles is not seen:
            try:
                await push_once(bot, state, subscriptions)
                seen = articles
            except Exception as error:  # the pusher must outlive one bad round
                log.error("pushing new articles failed: %s", type(error).__name__)
        await asyncio.sleep(PUSH_CHECK_SECONDS)
