"""SIGTERM: stop taking updates, finish the answer in flight, exit 0 within 10 s."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from tests.bot.conftest import spawn_bot
from tests.fake_bot_api import TOKEN

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API

SHUTDOWN_LIMIT = 10.0


def bot_environment(fake_api, tmp_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": fake_api.base_url,
        "BOT_INDEX_DIR": str(tmp_path / "cache"),
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_LOG_LEVEL": "INFO",
    }


async def ask_then_terminate(
    fake_api, environment: dict[str, str], chat_id: int
) -> tuple[dict, int | None, str]:  # type: ignore[no-untyped-def]
    """Start the bot, ask a question, send SIGTERM while its reply is pending; the exit must
    come within SHUTDOWN_LIMIT. Returns (the question, exit status, stderr)."""
    bot = await spawn_bot(environment)
    try:
        await fake_api.wait_for(lambda: fake_api.attempts("setMyCommands"), timeout=30)
        question = fake_api.send_text(chat_id, "tu soi tu sua")
        await fake_api.wait_for(lambda: fake_api.attempts(chat_id=chat_id), timeout=15)
        bot.send_signal(signal.SIGTERM)
        started = time.monotonic()
        _, stderr = await asyncio.wait_for(bot.communicate(), SHUTDOWN_LIMIT)
        assert time.monotonic() - started < SHUTDOWN_LIMIT
    finally:
        if bot.returncode is None:
            bot.kill()
    return question, bot.returncode, stderr.decode()


async def test_sigterm_finishes_the_answer_in_flight_and_exits_0(fake_api, tmp_path) -> None:
    fake_api.delays["sendMessage"] = 1.5  # SIGTERM comes while the reply is on its way
    question, code, log = await ask_then_terminate(
        fake_api, bot_environment(fake_api, tmp_path), 4242
    )
    assert code == 0, log
    assert fake_api.replies_to(question), "the answer in flight was delivered"
    assert "stopped" in log and TOKEN not in log
    later = fake_api.send_text(4243, "tu soi tu sua")
    await asyncio.sleep(0.3)
    assert not fake_api.replies_to(later), "no update is taken after the stop"


async def test_sigterm_during_a_long_429_wait_exits_and_the_answer_comes_after_restart(
    fake_api, tmp_path
) -> None:
    fake_api.retry_after, fake_api.flood_remaining = 60, 1  # the limiter waits 60 s
    environment = bot_environment(fake_api, tmp_path)
    question, code, log = await ask_then_terminate(fake_api, environment, 4300)
    assert code == 0, log
    assert not fake_api.replies_to(question)
    assert "kept for the next start" in log
    again = await spawn_bot(environment)
    try:
        await fake_api.wait_for(lambda: fake_api.replies_to(question), timeout=30)
    finally:
        again.send_signal(signal.SIGTERM)
        await asyncio.wait_for(again.communicate(), SHUTDOWN_LIMIT)
