"""kill -9 with replies in flight, then a restart: every question answered, almost none twice.

The real bot runs as a process against the fake Bot API on 127.0.0.1, while sendMessage
answers 429 (so replies pile up unsent), and is killed with SIGKILL once Telegram considers
the updates delivered (acknowledged by getUpdates, or answered 200 on the webhook).
"""

from __future__ import annotations

import asyncio
import json
import signal
from collections import Counter

import httpx
import pytest

from tests.bot.conftest import spawn_bot, stop
from tests.conftest import free_port
from tests.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API

QUESTIONS = 60
SECRET = "crash-test-secret"


def questions(api: FakeBotApi) -> list[dict]:
    return [
        api.new_message(api.chat(7000 + n), api.user(7000 + n), "tu soi tu sua")
        for n in range(QUESTIONS)
    ]


async def assert_all_answered_once(api: FakeBotApi, messages: list[dict]) -> None:
    await api.wait_for(lambda: all(api.replies_to(m) for m in messages), timeout=60)
    await asyncio.sleep(0.5)
    replies = Counter(len(api.replies_to(m)) for m in messages)
    assert set(replies) <= {1, 2} and replies[2] <= 3, replies


async def restarted_answering_all(
    api: FakeBotApi, environment: dict[str, str], messages: list[dict]
) -> tuple[str, int | None]:
    """A new bot, Telegram no longer refusing: every question answered once, almost none
    twice; its log and exit code once stopped."""
    api.flood_remaining = 0
    bot = await spawn_bot(environment)
    try:
        await assert_all_answered_once(api, messages)
    finally:
        log = await stop(bot, signal.SIGTERM)
    return log, bot.returncode


async def test_polling_bot_killed_after_the_batch_was_acknowledged(fake_api, environment):
    fake_api.flood_remaining = 10**6
    bot = await spawn_bot(environment)
    await fake_api.wait_for(lambda: fake_api.attempts("setMyCommands"), timeout=30)
    messages = questions(fake_api)
    for message in messages:
        fake_api.push("message", message)
    last = fake_api.updates[-1]["update_id"]
    await fake_api.wait_for(lambda: fake_api.acknowledged >= last, timeout=30)
    await fake_api.wait_for(lambda: len(fake_api.attempts(chat_id=7000)) >= 1, timeout=30)
    await stop(bot, signal.SIGKILL)
    assert not fake_api.sent(), "nothing got through the 429s before the kill"
    log, _ = await restarted_answering_all(fake_api, environment, messages)
    assert "left pending by the last run" in log


async def test_webhook_bot_killed_after_answering_200(fake_api, environment):
    port = free_port()
    environment |= {
        "BOT_WEBHOOK_URL": "https://bot.example.invalid/hook",
        "BOT_WEBHOOK_SECRET": SECRET,
        "BOT_WEBHOOK_PORT": str(port),
        "BOT_WEBHOOK_PATH": "hook",
    }
    fake_api.flood_remaining = 10**6
    bot = await spawn_bot(environment)
    await fake_api.wait_for(lambda: fake_api.attempts("setWebhook"), timeout=30)
    messages = questions(fake_api)
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient() as client:
        health = await client.get(f"http://127.0.0.1:{port}/healthz")
        assert (health.status_code, health.text) == (200, "ok\n")
        for update_id, message in enumerate(messages, start=1):
            update = json.dumps({"update_id": update_id, "message": message})
            answered = await client.post(
                f"http://127.0.0.1:{port}/hook", content=update, headers=headers
            )
            assert answered.status_code == 200
    await stop(bot, signal.SIGKILL)
    log, returncode = await restarted_answering_all(fake_api, environment, messages)
    assert returncode == 0 and "stopped" in log, log
