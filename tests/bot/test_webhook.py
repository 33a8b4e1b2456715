"""Webhook mode: the secret-token header is checked, updates posted with it are answered, a
body that is no update is refused without its content in the log, and GET /healthz tells
whether the index is loaded and the inbox takes writes."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest_asyncio
from telegram.ext import Application

from bot.settings import Settings
from bot.telegram import sqlite_inbox
from bot.telegram.bootstrap import build_application, state_of_application
from bot.telegram.health import HEALTH_PATH
from bot.telegram.sqlite_inbox import SqliteInbox
from bot.telegram.stores import Stores
from bot.telegram.webhook import SECRET_HEADER, start_webhook, stop_webhook
from tests.bot.conftest import bot_settings
from tests.conftest import free_port

SECRET = "webhook-secret_123"
JSON = {"Content-Type": "application/json"}


@dataclass
class Served:
    application: Application
    settings: Settings
    inbox: SqliteInbox

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.webhook_port}"

    @property
    def url(self) -> str:
        return f"{self.base}/{self.settings.webhook_path}"


@pytest_asyncio.fixture
async def served(fake_api, seed_live, tmp_path, monkeypatch) -> AsyncIterator[Served]:
    monkeypatch.setattr(sqlite_inbox, "BUSY_TIMEOUT_SECONDS", 0.1)  # a locked inbox: quick 503
    settings = bot_settings(
        fake_api,
        webhook_url="https://bot.example.org/telegram",
        webhook_secret=SECRET,
        webhook_port=free_port(),
    )
    inbox = SqliteInbox(tmp_path / "inbox.sqlite3")
    application = build_application(settings, seed_live, Stores(inbox=inbox))
    await application.initialize()
    await application.start()
    server = await start_webhook(application, settings, state_of_application(application))
    try:
        yield Served(application, settings, inbox)
    finally:
        await stop_webhook(server)
        await application.stop()
        await application.shutdown()
        inbox.close()


async def test_webhook_rejects_wrong_secret_and_answers_right_one(fake_api, served) -> None:
    (registered,) = fake_api.sent("setWebhook")
    assert registered.params["secret_token"] == SECRET
    message = fake_api.new_message(fake_api.chat(77), fake_api.user(77), "tu soi tu sua")
    body = json.dumps({"update_id": 1, "message": message})
    async with httpx.AsyncClient() as client:
        forged = await client.post(served.url, content=body, headers=JSON)
        wrong = await client.post(served.url, content=body, headers={**JSON, SECRET_HEADER: "no"})
        right = await client.post(served.url, content=body, headers={**JSON, SECRET_HEADER: SECRET})
        again = await client.post(served.url, content=body, headers={**JSON, SECRET_HEADER: SECRET})
    assert forged.status_code == wrong.status_code == 403
    assert right.status_code == again.status_code == 200
    await fake_api.wait_for(lambda: fake_api.replies_to(message))
    assert len(fake_api.replies_to(message)) == 1  # the redelivery is not answered twice


async def test_a_body_that_is_no_update_is_refused_and_not_logged(served, caplog) -> None:
    headers = {**JSON, SECRET_HEADER: SECRET}
    async with httpx.AsyncClient() as client:
        broken = await client.post(
            served.url, content='{"message": "câu hỏi riêng"', headers=headers
        )
    assert broken.status_code == 400
    assert "câu hỏi riêng" not in caplog.text and "not an update" in caplog.text


async def test_healthz_is_200_when_ready_and_503_when_the_inbox_takes_no_writes(served) -> None:
    async with httpx.AsyncClient() as client:
        ready = await client.get(served.base + HEALTH_PATH)
        assert (ready.status_code, ready.text.strip()) == (200, "ok")
        locker = sqlite3.connect(served.inbox.path, timeout=0)
        locker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            locked = await client.get(served.base + HEALTH_PATH, timeout=10)
        finally:
            locker.rollback()
            locker.close()
        recovered = await client.get(served.base + HEALTH_PATH)
    assert (locked.status_code, locked.text.strip()) == (503, "inbox not writable")
    assert recovered.status_code == 200
    assert SECRET not in ready.text + locked.text and served.settings.token is not None
    assert served.settings.token.get_secret_value() not in ready.text + locked.text


async def test_the_public_webhook_port_serves_no_metrics_and_no_page(served) -> None:
    async with httpx.AsyncClient() as client:
        metrics = await client.get(served.base + "/metrics")
        page = await client.get(served.base + "/")
    assert (metrics.status_code, page.status_code) == (404, 404)
