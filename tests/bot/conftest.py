"""Telegram fixtures: a fake Bot API on 127.0.0.1 and the real Application polling it."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio
from telegram.ext import Application

from bot.settings import Settings
from bot.telegram import polling
from bot.telegram.bootstrap import build_application
from tests.conftest import PROJECT_DIR
from tests.fake_bot_api import TOKEN, FakeBotApi
from tests.postgres import PostgresServer


@pytest_asyncio.fixture
async def fake_api() -> AsyncIterator[FakeBotApi]:
    api = FakeBotApi()
    api.base_url = await api.start_server()
    yield api
    await api.stop_server()


async def start_polling(application: Application) -> None:
    """What `lifecycle.serve` does with `polling.Polling`, without taking over the event loop;
    getUpdates waits 1 s at most, so stopping is quick."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    await polling.start_polling(application, timeout=1)


async def stop_polling(application: Application) -> None:
    await application.updater.stop()
    await application.stop()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)
    await application.shutdown()


async def spawn_bot(environment: dict[str, str]) -> asyncio.subprocess.Process:
    """The real bot, `python -m bot`, as a process of its own; its stderr is captured."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=PROJECT_DIR, env=environment,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


def bot_settings(api: FakeBotApi, **overrides: object) -> Settings:
    return Settings(token=TOKEN, api_url=api.base_url, **overrides)  # type: ignore[arg-type]


@pytest_asyncio.fixture
async def live_bot(fake_api: FakeBotApi, seed_live) -> AsyncIterator[Application]:
    application = build_application(bot_settings(fake_api), seed_live)
    await start_polling(application)
    yield application
    await stop_polling(application)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server on loopback for the whole run. Skipped where the package is
    missing, except in CI (CI=true), where `.ci/run` installs it: there it must run."""
    server = PostgresServer.create()
    if server is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: .ci/run should have installed it")
        pytest.skip("PostgreSQL (the postgresql package) is not installed")
    try:
        yield server
    finally:
        server.remove()


async def stop(bot: asyncio.subprocess.Process, how: int) -> str:
    bot.send_signal(how)
    _, stderr = await asyncio.wait_for(bot.communicate(), 15)
    return stderr.decode()


@pytest.fixture
def environment(fake_api: FakeBotApi, tmp_path_factory) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """What a real bot process (`spawn_bot`) is started with: the fake Bot API, its own folders."""
    return {
        **os.environ,
        "BOT_TOKEN": TOKEN,
        "BOT_API_URL": fake_api.base_url,
        "BOT_INDEX_DIR": str(tmp_path_factory.mktemp("index")),
        "BOT_DATA_DIR": str(tmp_path_factory.mktemp("data")),
        "BOT_FLOOD_LIMIT": "1000",
        "BOT_RELOAD_SECONDS": "0",
    }
