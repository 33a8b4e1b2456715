"""What the bot asks Telegram for, and how a batch of updates is read.

`ALLOWED_UPDATES` lists the update types the handlers serve: Telegram sends nothing else.
`TolerantUpdatesRequest` reads getUpdates answers so that one update PTB cannot parse (say, a
newer Bot API's type, or an old self-hosted server's poll) costs only itself: it is logged once
and replaced by a bare update with its id, so the batch is handled and the offset moves past
it. Without this, PTB drops the whole batch and fetches it again, forever.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.constants import UpdateType
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [
    UpdateType.MESSAGE,
    UpdateType.EDITED_MESSAGE,
    UpdateType.CALLBACK_QUERY,
    UpdateType.INLINE_QUERY,
]


def readable(raw: Any) -> Any:
    """`raw` when PTB can parse it as an update, else a bare update with its id."""
    try:
        Update.de_json(raw, None)
        return raw
    except Exception as error:  # whatever PTB raises on a shape it does not know
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        log.warning("update %s cannot be read (%s); skipped", update_id, type(error).__name__)
        return {"update_id": update_id} if isinstance(update_id, int) else None


class TolerantUpdatesRequest(HTTPXRequest):
    """The HTTP client for getUpdates, whose list results are read update by update."""

    @staticmethod
    def parse_json_payload(payload: bytes) -> dict[str, Any]:
        parsed: dict[str, Any] = HTTPXRequest.parse_json_payload(payload)
        result = parsed.get("result")
        if isinstance(result, list):
            kept = (readable(raw) for raw in result)
            parsed["result"] = [raw for raw in kept if raw is not None]
        return parsed
