"""Topic subscriptions: /theodoi <topic> follows a topic, /theodoi alone lists the chat's,
/huytheodoi <topic> ends one. New articles reach the chats following them through `pushes.py`.
Without the subscriptions store (an unwritable data folder) both commands say nothing."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.telegram.context import BotContext, message_of
from bot.telegram.handlers.guards import flood_limited
from bot.telegram.render import text_messages
from bot.telegram.sending import send_html
from bot.telegram.subscriptions import MAX_TOPIC_CHARS, MAX_TOPICS, TooManyTopics
from bot.texts import (
    ALREADY_FOLLOWING,
    FOLLOWED_TOPICS,
    FOLLOWING,
    NO_TOPICS,
    NOT_FOLLOWING,
    TOO_MANY_TOPICS,
    UNFOLLOW_USAGE,
    UNFOLLOWED,
)


def topic_in(context: BotContext) -> str:
    """A command's topic, as typed, spaces collapsed and lower-case: one spelling per topic."""
    return " ".join(context.args or []).strip().lower()[:MAX_TOPIC_CHARS]


@flood_limited
async def follow(update: Update, context: BotContext) -> None:
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
