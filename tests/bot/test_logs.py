"""Logs never show a secret, in any letter case, nor a question's text, even at DEBUG."""

from __future__ import annotations

import io
import logging

import pytest

from bot.logs import REDACTED, configure_logging
from bot.settings import Settings

TOKEN = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "hook-Secret_42"


@pytest.fixture
def captured():  # type: ignore[no-untyped-def]
    stream = io.StringIO()
    settings = Settings(token=TOKEN, webhook_url="https://x.example/hook", webhook_secret=SECRET)
    configure_logging("DEBUG", settings.secrets(), stream)
    yield stream
    configure_logging("WARNING", [], io.StringIO())


def test_secrets_are_redacted_in_any_letter_case(captured) -> None:
    log = logging.getLogger("bot.test")
    log.error("BadRequest at https://api.telegram.org/bot%s/getMe", TOKEN.lower())
    log.error("secret half %s, webhook %s", TOKEN.split(":")[1].upper(), SECRET.upper())
    try:
        raise ValueError(f"url /bot{TOKEN}/x")
    except ValueError:
        log.exception("failed")
    text = captured.getvalue()
    assert text.count(REDACTED) == 4
    for secret in (TOKEN, TOKEN.split(":")[1], SECRET):
        assert secret.lower() not in text.lower()


def test_the_libraries_debug_lines_with_updates_and_parameters_stay_out(captured) -> None:
    logging.getLogger("telegram.ext.Application").debug("Processing update {'text': 'câu hỏi'}")
    logging.getLogger("telegram.Bot").debug("setWebhook parameters: secret_token=...")
    logging.getLogger("bot.telegram.handlers.questions").debug("our own debug line")
    text = captured.getvalue()
    assert "câu hỏi" not in text and "setWebhook" not in text
    assert "our own debug line" in text
