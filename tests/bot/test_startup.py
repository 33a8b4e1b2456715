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
    from bot.telegram.app import build_application
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
