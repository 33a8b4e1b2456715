"""The keyboard under an `answer` or `related` reply, one row: "Thêm kết quả" (under a full
page of passages: the next page may hold more), then 👍 and 👎.

Callback data, within Telegram's 64 bytes: "more:<skip>", and "vote:<up|down>:<tier>" with
":<id>" when the question was kept (BOT_KEEP_QUESTIONS), so its vote is kept with it. A
"more" press finds its question again from the message the reply answers; a vote names its
reply by the message pressed: neither needs state on the server, and both work after a
restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.operator.votes import DOWN, UP
from bot.texts import DOWN_BUTTON, MORE_BUTTON, UP_BUTTON
from retrieval.reply.answer import Answer, Tier

MORE_PREFIX = "more:"
VOTE_PREFIX = "vote:"
_VOTES = {"up": UP, "down": DOWN}


@dataclass(frozen=True)
class Ballot:
    """A pressed 👍 or 👎: the vote, the reply's tier, the kept question's id if any."""

    vote: int
    tier: Tier
    kept: str | None


def reply_markup(
    result: Answer, skip: int, top_k: int, kept: str | None = None
) -> InlineKeyboardMarkup | None:
    """The keyboard of a reply that shows passages; none for the others."""
    if not result.shows_hits:
        return None
    row = []
    if len(result.hits) == top_k:
        row.append(InlineKeyboardButton(MORE_BUTTON, callback_data=f"{MORE_PREFIX}{skip + top_k}"))
    for label, vote in ((UP_BUTTON, "up"), (DOWN_BUTTON, "down")):
        data = f"{VOTE_PREFIX}{vote}:{result.tier.value}" + (f":{kept}" if kept else "")
        row.append(InlineKeyboardButton(label, callback_data=data))
    return InlineKeyboardMarkup([row])


def without_more(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    """The keyboard once "Thêm kết quả" was pressed: the votes stay."""
    buttons = markup.inline_keyboard[0] if markup is not None and markup.inline_keyboard else ()
    kept = [b for b in buttons if not str(b.callback_data or "").startswith(MORE_PREFIX)]
    return InlineKeyboardMarkup([kept]) if kept else None


def ballot_of(data: str) -> Ballot | None:
    """The ballot a vote button's callback data holds; None when it holds none."""
    vote, _, rest = data.removeprefix(VOTE_PREFIX).partition(":")
    tier, _, kept = rest.partition(":")
    if vote not in _VOTES or tier not in (Tier.ANSWER, Tier.RELATED):
        return None
    return Ballot(_VOTES[vote], Tier(tier), kept or None)
