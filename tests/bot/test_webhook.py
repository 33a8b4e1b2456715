"""Webhook mode: the secret-token header is checked, updates posted with it are answered."""

from __future__ import annotations

import json
import socket

import httpx

from bot.telegram.app import build_application, webhook_options
from tests.bot.conftest import bot_settings

SECRET = "webhook-secret_123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_webhook_rejects_wrong_secret_and_answers_right_one(fake_api, seed_live) -> None:
    settings = bot_settings(
        fake_api,
        webhook_url="https://bot.example.org/telegram",
        webhook_secret=SECRET,
        webhook_port=free_port(),
    )
    application = build_application(settings, seed_live)
    options = webhook_options(settings)
    await application.initialize()
    await application.start()
    await application.updater.start_webhook(**options)
    try:
        (registered,) = fake_api.sent("setWebhook")
        assert registered.params["secret_token"] == SECRET
        message = fake_api.new_message(fake_api.chat(77), fake_api.user(77), "tu soi tu sua")
        body = json.dumps({"update_id": 1, "message": message})
        url = f"http://127.0.0.1:{options['port']}/{options['url_path']}"
        headers = {"Content-Type": "application/json"}
        async with httpx.AsyncClient() as client:
            forged = await client.post(url, content=body, headers=headers)
            wrong = await client.post(
                url, content=body, headers={**headers, "X-Telegram-Bot-Api-Secret-Token": "nope"}
            )
            right = await client.post(
                url, content=body, headers={**headers, "X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
        assert forged.status_code == wrong.status_code == 403 and right.status_code == 200
        await fake_api.wait_for(lambda: fake_api.replies_to(message))
        assert len(fake_api.replies_to(message)) == 1
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
