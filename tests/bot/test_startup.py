"""Starting the real bot with a token Telegram refuses, or no Bot API at all: one clear line."""

from __future__ import annotations

import asyncio
import os
import socket

from tests.bot.conftest import spawn_bot

WRONG_TOKEN = "999:this-token-is-refused"


async def start_and_wait(api_url: str, tmp_path) -> tuple[int, str]:
    environment = {
        **os.environ,
        "BOT_TOKEN": WRONG_TOKEN,
        "BOT_API_URL": api_url,
        "BOT_INDEX_DIR": str(tmp_path / "index"),
        "BOT_DATA_DIR": str(tmp_path / "data"),
        "BOT_RELOAD_SECONDS": "0",
    }
    bot = await spawn_bot(environment)
    _, stderr = await asyncio.wait_for(bot.communicate(), 30)
    return bot.returncode, stderr.decode()


async def test_a_refused_token_stops_with_one_line_naming_the_setting(fake_api, tmp_path):
    code, log = await start_and_wait(fake_api.base_url, tmp_path)
    assert code == 2
    assert log.strip().splitlines()[-1].startswith("tin-bot: BOT_TOKEN: Telegram refused")
    assert WRONG_TOKEN not in log and WRONG_TOKEN.split(":")[1] not in log


async def test_an_unreachable_bot_api_stops_with_one_line(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    code, log = await start_and_wait(f"http://127.0.0.1:{port}/bot", tmp_path)
    assert code == 2 and log.strip().splitlines()[-1].startswith(
        "tin-bot: cannot reach the Bot API"
    )
    assert WRONG_TOKEN.split(":")[1] not in log
