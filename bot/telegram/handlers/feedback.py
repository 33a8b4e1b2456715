"""👍 and 👎 under a reply: counted once per user and reply (a second press changes the vote),
and acknowledged with a short text."""

from __future__ import annotations

from telegram import Update

from bot.operator.votes import UP
from bot.telegram.context import BotContext
from bot.telegram.handlers.guards import flood_limited
from bot.telegram.keyboard import ballot_of
from bot.texts import DOWN_BUTTON, UP_BUTTON, VOTE_NOT_KEPT, VOTED, VOTED_ALREADY


@flood_limited
async def vote(update: Update, context: BotContext) -> None:
    query = update.callback_query
    if query is None:
        return
    ballot = ballot_of(query.data or "")
    if ballot is None or query.message is None:
        await query.answer()
        return
    reply = (query.message.chat.id, query.message.message_id)
    changed = await context.state.feedback.vote(reply, query.from_user.id, ballot)
    shown = UP_BUTTON if ballot.vote == UP else DOWN_BUTTON
    if changed is None:
        await query.answer(VOTE_NOT_KEPT)
    else:
        await query.answer((VOTED if changed else VOTED_ALREADY).format(vote=shown))
