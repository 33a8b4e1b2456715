"""Handlers with real PTB objects (Update.de_json) and a fake request object: no network."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import Message, Update
from telegram.ext import Application

import bot.telegram.context as context
import bot.telegram.sending as sending
from bot.telegram.bootstrap import build_application
from bot.telegram.handlers.questions import addresses_bot, question_in
from tests.bot.conftest import bot_settings
from tests.fake_bot_api import BOT_ID, BOT_USERNAME, FakeBotApi, FakeRequest


@pytest_asyncio.fixture
async def offline_bot(seed_live) -> AsyncIterator[tuple[Application, FakeBotApi]]:
    api = FakeBotApi()
    api.base_url = "http://unused.invalid/bot"
    application = build_application(bot_settings(api), seed_live, request=FakeRequest(api))
    async with application:
        yield application, api


def update_with(api: FakeBotApi, application: Application, message: dict) -> Update:
    return Update.de_json({"update_id": 1, "message": message}, application.bot)


async def test_private_text_is_answered_through_the_request_object(offline_bot) -> None:
    application, api = offline_bot
    message = api.new_message(api.chat(42), api.user(42), "Luật Biên phòng Việt Nam")
    await application.process_update(update_with(api, application, message))
    (reply,) = api.replies_to(message)
    assert "002_e658c1250bbbf219.txt" in reply.params["visible"]


async def test_a_failing_handler_is_logged_by_type_and_the_bot_keeps_going(
    offline_bot, monkeypatch, caplog
) -> None:
    application, api = offline_bot

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("index exploded")

    monkeypatch.setattr(context, "answer", broken)
    first = api.new_message(api.chat(43), api.user(43), "tu soi tu sua")
    with caplog.at_level(logging.ERROR):
        await application.process_update(update_with(api, application, first))
    assert "failed: RuntimeError" in caplog.text
    monkeypatch.undo()
    second = api.new_message(api.chat(43), api.user(43), "tu soi tu sua")
    await application.process_update(update_with(api, application, second))
    assert api.replies_to(second)


def message(text: str, chat_type: str = "supergroup", reply_from_bot: bool = False) -> Message:
    data = {
        "message_id": 5,
        "date": int(time.time()),
        "chat": {"id": -1, "type": chat_type, "title": "g"},
        "from": {"id": 9, "is_bot": False, "first_name": "U"},
        "text": text,
    }
    if reply_from_bot:
        data["reply_to_message"] = {
            "message_id": 4,
            "date": 0,
            "chat": data["chat"],
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Tin"},
            "text": "an answer",
        }
    return Message.de_json(data, None)


@pytest.mark.parametrize(
    ("text", "question"),
    [
        (f"/ask@{BOT_USERNAME} Ai là Bí thư?", "Ai là Bí thư?"),
        ("/ask   Ai là Bí thư?  ", "Ai là Bí thư?"),
        ("/ask", ""),
        (f"@{BOT_USERNAME} tu soi tu sua", "tu soi tu sua"),
        (f"hỏi @{BOT_USERNAME.upper()} về Thông tri 18", "hỏi   về Thông tri 18"),
    ],
)
def test_question_in_strips_commands_and_mentions(text: str, question: str) -> None:
    assert question_in(message(text), BOT_USERNAME) == question


def test_only_mentions_and_replies_to_the_bot_address_it() -> None:
    assert addresses_bot(message(f"hi @{BOT_USERNAME}"), BOT_ID, BOT_USERNAME)
    assert addresses_bot(message("câu hỏi", reply_from_bot=True), BOT_ID, BOT_USERNAME)
    assert not addresses_bot(message("chào cả nhóm"), BOT_ID, BOT_USERNAME)
    assert not addresses_bot(message(f"hi @{BOT_USERNAME}x"), BOT_ID, BOT_USERNAME)


async def test_sending_is_retried_through_timeouts_and_5xx(monkeypatch) -> None:
    from telegram.error import NetworkError, TimedOut

    monkeypatch.setattr(sending, "SEND_RETRY_DELAYS", (0.01, 0.01, 0.01))
    failures = [TimedOut(), NetworkError("Bad Gateway")]

    async def flaky() -> str:
        if failures:
            raise failures.pop(0)
        return "sent"

    assert await sending.with_retries(flaky) == "sent"


async def test_a_refused_request_is_not_retried() -> None:
    from telegram.error import BadRequest

    calls = []

    async def refused() -> None:
        calls.append(1)
        raise BadRequest("message is too long")

    with pytest.raises(BadRequest):
        await sending.with_retries(refused)
    assert calls == [1]


def test_a_question_that_waited_gets_a_late_notice() -> None:
    fresh = message("tu soi tu sua", chat_type="private")
    assert sending.late_notice(fresh) == []
    old = Message.de_json({**fresh.to_dict(), "date": int(time.time()) - 600}, None)
    (notice,) = sending.late_notice(old)
    assert "muộn" in notice and "10 phút" in notice


def test_example_questions_are_headline_topics_and_get_answers(seed_live) -> None:
    from bot.telegram.context import BotState, title_topic
    from bot.telegram.flood import FloodGuard
    from retrieval.reply.answer import answer

    assert (
        title_topic("Bí thư Thành ủy TPHCM: Xây dựng thế trận lòng dân") == "Bí thư Thành ủy TPHCM"
    )
    assert title_topic("Hội nghị sơ kết") == "Hội nghị sơ kết"
    accented, bare = BotState(seed_live, 3, FloodGuard(8, 30)).example_questions()
    assert bare == bare.lower() and all(ord(c) < 128 for c in bare if c.isalpha())
    for question in (accented, bare):
        assert answer(question, seed_live.current).answered
