"""Starting the real bot with a token Telegram refuses, or no Bot API at all: exit 2 within
START_LIMIT seconds, at most MAX_LINES lines on stderr, the last naming the cause (no retry
loop's tracebacks)."""

from __future__ import annotations

import asyncio
import os
import time

import pytest

from tests.bot.conftest import spawn_bot
from tests.conftest import free_port

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API

WRONG_TOKEN = "999:this-token-is-refused"
START_LIMIT = 15.0
MAX_LINES = 3
WEBHOOK = {
    "BOT_WEBHOOK_URL": "https://bot.example.invalid/hook",
    "BOT_WEBHOOK_SECRET": "webhook-secret",
}


async def start_and_wait(api_url: str, tmp_path, **mode: str) -> tuple[int, list[str]]:
    """Start the bot with WRONG_TOKEN; (its exit status, its stderr's lines)."""
    environment = {
        **os.environ,
        "BOT_TOKEN": WRONG_TOKEN,
        "BOT_API_URL": api_url,
        "BOT_INDEX_DIR": str(tmp_path / "index"),
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_RELOAD_SECONDS": "0",
        "BOT_LOG_LEVEL": "INFO",
        **mode,
    }
    started = time.monotonic()
    bot = await spawn_bot(environment)
    _, stderr = await asyncio.wait_for(bot.communicate(), 2 * START_LIMIT)
    assert time.monotonic() - started < START_LIMIT
    log = stderr.decode()
    assert WRONG_TOKEN.split(":")[1] not in log and "Traceback" not in log, log
    return bot.returncode, log.strip().splitlines()


@pytest.mark.parametrize("mode", [{}, WEBHOOK], ids=["polling", "webhook"])
async def test_a_refused_token_stops_with_one_line_naming_the_setting(fake_api, tmp_path, mode):
    code, lines = await start_and_wait(fake_api.base_url, tmp_path, **mode)
    assert code == 2 and len(lines) <= MAX_LINES, lines
    assert lines[-1].startswith("tin-bot: BOT_TOKEN: Telegram refused")


@pytest.mark.parametrize("mode", [{}, WEBHOOK], ids=["polling", "webhook"])
async def test_a_closed_bot_api_port_stops_with_one_line(tmp_path, mode):
    closed = free_port()
    code, lines = await start_and_wait(f"http://127.0.0.1:{closed}/bot", tmp_path, **mode)
    assert code == 2 and len(lines) <= MAX_LINES, lines
    assert lines[-1].startswith(f"tin-bot: cannot reach the Bot API at http://127.0.0.1:{closed}")


async def test_a_second_instance_on_the_same_data_folder_exits_at_once(fake_api, tmp_path):
    from tests.bot.test_shutdown import bot_environment
    from tests.fake_bot_api import TOKEN

    environment = bot_environment(fake_api, tmp_path)
    first = await spawn_bot(environment)
    try:
        await fake_api.wait_for(lambda: fake_api.attempts("setMyCommands"), timeout=30)
        second = await spawn_bot(environment)
        _, stderr = await asyncio.wait_for(second.communicate(), 15)
        log = stderr.decode()
        assert second.returncode == 2, log
        assert (
            log.strip()
            .splitlines()[-1]
            .startswith(
                f"tin-bot: another tin-bot (pid {first.pid}) is running with the data folder"
            )
        )
        assert "Traceback" not in log and TOKEN not in log
        assert len(fake_api.attempts("setMyCommands")) == 1  # the second never reached Telegram
    finally:
        first.terminate()
        await asyncio.wait_for(first.communicate(), 15)


async def test_another_poller_with_the_same_token_is_named_in_the_log(fake_api, seed_live):
    import io

    from bot.logs import configure_logging
    from bot.telegram.bootstrap import build_application
    from tests.bot.conftest import bot_settings, start_polling, stop_polling

    log = io.StringIO()
    configure_logging("INFO", [], log)
    application = build_application(bot_settings(fake_api), seed_live)
    await start_polling(application)
    try:
        fake_api.faults = {"getUpdates": ["409"]}
        question = fake_api.send_text(960, "tu soi tu sua")
        await fake_api.wait_for(lambda: fake_api.replies_to(question), timeout=15)
    finally:
        await stop_polling(application)
        configure_logging("WARNING", [], io.StringIO())
    lines = [
        line for line in log.getvalue().splitlines() if "409" in line and "tornado" not in line
    ]
    assert lines and "another process is polling with this token" in lines[0]
    assert "update None" not in log.getvalue()
