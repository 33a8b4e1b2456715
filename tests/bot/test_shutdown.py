"""SIGTERM: stop taking updates, finish the answer in flight, exit 0 within 10 s."""

from __future__ import annotations

import asyncio
import os
import signal
import time

from tests.bot.conftest import spawn_bot
from tests.fake_bot_api import TOKEN

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


async def test_sigterm_finishes_the_answer_in_flight_and_exits_0(fake_api, tmp_path) -> None:
    fake_api.delays["sendMessage"] = 1.5
    bot = await spawn_bot(bot_environment(fake_api, tmp_path))
    try:
        await fake_api.wait_for(lambda: fake_api.attempts("setMyCommands"), timeout=30)
        question = fake_api.send_text(4242, "tu soi tu sua")
        await fake_api.wait_for(lambda: fake_api.attempts(chat_id=4242), timeout=15)
        bot.send_signal(signal.SIGTERM)  # while the reply is still on its way
        started = time.monotonic()
        _, stderr = await asyncio.wait_for(bot.communicate(), SHUTDOWN_LIMIT)
        assert time.monotonic() - started < SHUTDOWN_LIMIT
    finally:
        if bot.returncode is None:
            bot.kill()
    log = stderr.decode()
    assert bot.returncode == 0, log
    assert fake_api.replies_to(question), "the answer in flight was delivered"
    assert "stopped" in log and TOKEN not in log
    later = fake_api.send_text(4243, "tu soi tu sua")
    await asyncio.sleep(0.3)
    assert not fake_api.replies_to(later), "no update is taken after the stop"


async def test_sigterm_during_a_long_429_wait_exits_and_the_answer_comes_after_restart(
    fake_api, tmp_path
) -> None:
    fake_api.retry_after, fake_api.flood_remaining = 60, 1
    environment = bot_environment(fake_api, tmp_path)
    bot = await spawn_bot(environment)
    try:
        await fake_api.wait_for(lambda: fake_api.attempts("setMyCommands"), timeout=30)
        question = fake_api.send_text(4300, "tu soi tu sua")
        await fake_api.wait_for(lambda: fake_api.attempts(chat_id=4300), timeout=15)
        bot.send_signal(signal.SIGTERM)  # while the rate limiter waits out retry_after=60
        started = time.monotonic()
        _, stderr = await asyncio.wait_for(bot.communicate(), SHUTDOWN_LIMIT)
        assert time.monotonic() - started < SHUTDOWN_LIMIT
    finally:
        if bot.returncode is None:
            bot.kill()
    assert bot.returncode == 0, stderr.decode()
    assert not fake_api.replies_to(question)
    assert "kept for the next start" in stderr.decode()
    again = await spawn_bot(environment)
    try:
        await fake_api.wait_for(lambda: fake_api.replies_to(question), timeout=30)
    finally:
        again.send_signal(signal.SIGTERM)
        await asyncio.wait_for(again.communicate(), SHUTDOWN_LIMIT)
