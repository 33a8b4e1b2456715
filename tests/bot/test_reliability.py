"""Floods, load and faults against the fake Bot API on 127.0.0.1: nothing lost, nothing leaked."""

from __future__ import annotations

import asyncio
import io
import statistics
import time

import pytest

from bot.logs import configure_logging
from bot.telegram.bootstrap import build_application
from bot.telegram.flood import FloodGuard, Verdict
from tests.bot.conftest import bot_settings, start_polling, stop_polling
from tests.fake_bot_api import TOKEN, FakeBotApi

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API

QUESTIONS = ["tu soi tu sua", "Luật Biên phòng Việt Nam", "Trưởng Ban Nội chính Thành ủy là ai?"]


def test_flood_guard_answers_up_to_the_limit_warns_once_then_waits_out_the_window() -> None:
    guard = FloodGuard(limit=3, window=10.0)
    verdicts = [guard.check(1, now) for now in (0, 1, 2, 3, 4)]
    assert verdicts == [Verdict.ANSWER] * 3 + [Verdict.WARN, Verdict.DROP]
    assert guard.check(2, 4) is Verdict.ANSWER  # another user is not affected
    assert guard.wait_seconds(1, 4) == 6
    assert guard.check(1, 10.5) is Verdict.ANSWER  # the first question left the window


async def test_flooding_user_gets_answers_one_notice_then_silence(fake_api, seed_live) -> None:
    settings = bot_settings(fake_api, flood_limit=3, flood_window_seconds=60)
    application = build_application(settings, seed_live)
    await start_polling(application)
    try:
        flood = [fake_api.send_text(801, QUESTIONS[n % 3]) for n in range(7)]
        calm = fake_api.send_text(802, "tu soi tu sua")
        await fake_api.wait_for(lambda: fake_api.replies_to(calm))
        await fake_api.wait_for(lambda: len(fake_api.sent(chat_id=801)) >= 4)
        await asyncio.sleep(0.3)
        texts = [c.params["visible"] for c in fake_api.sent(chat_id=801)]
        assert len(texts) == 4
        assert sum("Bạn hỏi nhanh quá" in t for t in texts) == 1
        assert sum(bool(fake_api.replies_to(m)) for m in flood) == 4
    finally:
        await stop_polling(application)


async def deliver_load(api: FakeBotApi, chats: int = 50, per_chat: int = 2) -> list[float]:
    """Send `chats` x `per_chat` questions at once; check every one is answered exactly once,
    in its own chat, as a reply to itself. Returns each question's latency in seconds."""
    started = time.monotonic()
    messages = [
        api.send_text(900 + chat, QUESTIONS[(chat + n) % 3])
        for n in range(per_chat)
        for chat in range(chats)
    ]
    total = chats * per_chat
    await api.wait_for(lambda: len(api.sent()) >= total, timeout=60)
    await asyncio.sleep(0.3)
    assert len(api.sent()) == total, "no reply lost, none duplicated"
    latencies = []
    for message in messages:
        (reply,) = api.replies_to(message)
        assert reply.params["chat_id"] == message["chat"]["id"]
        assert "Nguồn: " in reply.params["visible"]
        latencies.append(reply.at - started)
    return latencies


def report(name: str, latencies: list[float]) -> None:
    cuts = statistics.quantiles(latencies, n=20)
    print(f"\n{name}: p50 {statistics.median(latencies):.2f} s, p95 {cuts[18]:.2f} s")


async def test_load_100_questions_from_50_chats(fake_api, live_bot) -> None:
    latencies = await deliver_load(fake_api)
    report("load", latencies)
    assert max(latencies) < 60


async def test_load_through_a_429_storm(fake_api, live_bot) -> None:
    fake_api.flood_remaining = 30
    latencies = await deliver_load(fake_api)
    report("load with 429 storm", latencies)
    assert sum(c.status == 429 for c in fake_api.attempts()) == 30


async def test_recovers_from_failing_polling_and_sending(fake_api, seed_live) -> None:
    log = io.StringIO()
    configure_logging("DEBUG", [TOKEN], log)
    application = build_application(bot_settings(fake_api), seed_live)
    await start_polling(application)
    try:
        fake_api.faults = {"getUpdates": ["500", "drop"], "sendMessage": ["500", "drop", "500"]}
        queued = [fake_api.send_text(950 + n, QUESTIONS[n]) for n in range(3)]
        for message in queued:
            await fake_api.wait_for(lambda m=message: fake_api.replies_to(m), timeout=30)
        statuses = [c.status for c in fake_api.attempts()]
        assert statuses.count(500) == 2 and statuses.count(0) == 1
        assert len(fake_api.sent()) == 3
    finally:
        await stop_polling(application)
        configure_logging("WARNING", [], io.StringIO())
    text = log.getvalue()
    assert "retrying" in text and "getUpdates" in text
    assert TOKEN not in text and TOKEN.split(":")[1] not in text


async def test_an_update_that_cannot_be_read_is_skipped_not_a_spin(fake_api, live_bot, caplog):
    fake_api.push("message", {"text": "no chat, no date"})  # PTB cannot parse this
    question = fake_api.send_text(970, "tu soi tu sua")
    await fake_api.wait_for(lambda: fake_api.replies_to(question), timeout=15)
    await asyncio.sleep(0.5)
    polls = len(fake_api.attempts("getUpdates"))
    await asyncio.sleep(1.0)
    assert len(fake_api.attempts("getUpdates")) - polls <= 4  # long polls, not a busy loop
    assert sum("cannot be read" in r.message for r in caplog.records) == 1
    assert "CRITICAL" not in caplog.text


def test_users_idle_for_a_window_are_forgotten() -> None:
    guard = FloodGuard(limit=3, window=10.0)
    for user in range(10_000):
        guard.check(user, now=0.0)
    assert guard.tracked_users == 10_000
    guard.check(1, now=10.5)
    assert guard.tracked_users == 1


async def test_everything_a_user_sends_counts_against_the_flood_limit(fake_api, seed_live) -> None:
    settings = bot_settings(fake_api, flood_limit=3, flood_window_seconds=60)
    application = build_application(settings, seed_live)
    await start_polling(application)
    try:
        for _ in range(10):
            fake_api.send_text(811, "/start")
            sticker = {"file_id": "s", "file_unique_id": "s", "type": "regular"}
            sticker |= {"width": 1, "height": 1, "is_animated": False, "is_video": False}
            fake_api.push(
                "message",
                fake_api.new_message(fake_api.chat(812), fake_api.user(812), None, sticker=sticker),
            )
            fake_api.inline("tu soi tu sua", user_id=813)
        calm = fake_api.send_text(814, "tu soi tu sua")
        await fake_api.wait_for(lambda: fake_api.replies_to(calm), timeout=15)
        await asyncio.sleep(0.5)
        for chat in (811, 812):
            texts = [c.params["visible"] for c in fake_api.sent(chat_id=chat)]
            assert len(texts) == 4 and sum("Bạn hỏi nhanh quá" in t for t in texts) == 1, chat
        assert len(fake_api.sent("answerInlineQuery")) == 3
        question = fake_api.send_text(815, "tu soi tu sua")
        await fake_api.wait_for(lambda: fake_api.replies_to(question), timeout=15)
        answer = fake_api.replies_to(question)[0]
        bot_message = fake_api.messages[815, answer.params["result_id"]]
        for _ in range(6):  # another user presses "more" on 815's answer: counted against them
            fake_api.press(bot_message, "more:3", user_id=816)
        await fake_api.wait_for(lambda: len(fake_api.attempts("answerCallbackQuery")) >= 4)
        await asyncio.sleep(0.5)
        alerts = [c for c in fake_api.attempts("answerCallbackQuery") if c.params.get("text")]
        assert len(alerts) == 1 and "Bạn hỏi nhanh quá" in alerts[0].params["text"]
        assert len(fake_api.attempts("answerCallbackQuery")) == 4
        again = fake_api.send_text(815, "cau hoi khac tu soi tu sua")  # the asker is not held up
        await fake_api.wait_for(lambda: fake_api.replies_to(again), timeout=15)
    finally:
        await stop_polling(application)
