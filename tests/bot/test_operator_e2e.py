"""The operator's side of a running bot, against the fake Bot API: 👍/👎 pressed across a
restart, /stats and /chuatraloi, GET /metrics parsed as Prometheus does, /healthz in polling
mode, the token off loopback, and no question text on disk unless BOT_KEEP_QUESTIONS says so."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from telegram.ext import Application

from bot.settings import Settings
from bot.telegram import sqlite_inbox
from bot.telegram.bootstrap import build_application, state_of_application
from bot.telegram.stores import inbox_path, open_stores
from bot.texts import KEEPING_OFF
from retrieval.index.live import LiveIndex
from tests.bot.conftest import bot_settings, start_polling, stop_polling
from tests.conftest import free_port
from tests.fake_bot_api import Call, FakeBotApi

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API

ADMIN = 601
ANSWERED = "Trưởng Ban Nội chính Thành ủy là ai?"
PRIVATE_WORD = "zebraquokka"  # in a question, and then nowhere on disk


@asynccontextmanager
async def running_bot(settings: Settings, live: LiveIndex) -> AsyncIterator[Application]:
    """The bot with the stores its settings open, polling the fake until the block ends."""
    with ExitStack() as resources:
        application = build_application(settings, live, open_stores(settings, resources))
        await start_polling(application)
        try:
            yield application
        finally:
            await stop_polling(application)


async def reply_to(api: FakeBotApi, chat_id: int, text: str) -> Call:
    message = api.send_text(chat_id, text)
    await api.wait_for(lambda: api.replies_to(message))
    return api.replies_to(message)[-1]


def button(reply: Call, label: str) -> str:
    (row,) = reply.params["reply_markup"]["inline_keyboard"]
    return next(b["callback_data"] for b in row if b["text"] == label)


async def press(api: FakeBotApi, reply: Call, label: str, user_id: int) -> str:
    """Press a button of a reply; the text its press was acknowledged with."""
    before = len(api.sent("answerCallbackQuery"))
    api.press(api.bot_message(reply), button(reply, label), user_id=user_id)
    await api.wait_for(lambda: len(api.sent("answerCallbackQuery")) > before)
    return str(api.sent("answerCallbackQuery")[-1].params.get("text", ""))


async def done(application: Application) -> None:
    """Wait until the inbox has nothing pending (every update marked done)."""
    inbox = state_of_application(application).inbox
    assert inbox is not None
    for _ in range(200):
        if (await inbox.call(inbox.backlog))[0] == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("updates still pending")


async def test_votes_are_acknowledged_once_per_user_and_reply_across_a_restart(
    fake_api, seed_live, tmp_path
) -> None:
    settings = bot_settings(fake_api, data_dir=tmp_path, admin_ids=str(ADMIN))
    async with running_bot(settings, seed_live):
        reply = await reply_to(fake_api, ADMIN, ANSWERED)
        assert [b["text"] for b in reply.params["reply_markup"]["inline_keyboard"][0]][-2:] == [
            "👍",
            "👎",
        ]
        assert await press(fake_api, reply, "👍", ADMIN) == "Cảm ơn bạn đã đánh giá 👍"
    async with running_bot(settings, seed_live):
        assert await press(fake_api, reply, "👎", ADMIN) == "Cảm ơn bạn đã đánh giá 👎"
        assert await press(fake_api, reply, "👎", ADMIN) == "Bạn đã đánh giá 👎 rồi"
        assert await press(fake_api, reply, "👍", 602) == "Cảm ơn bạn đã đánh giá 👍"
        report = await reply_to(fake_api, ADMIN, "/stats")
    visible = report.params["visible"]
    assert "votes today: answer 👍 1 👎 1, related 👍 0 👎 0" in visible
    assert "votes since first start: answer 👍 1 👎 1" in visible


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_move_and_healthz_tells_an_unwritable_inbox_in_polling_mode(
    fake_api, seed_live, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(sqlite_inbox, "BUSY_TIMEOUT_SECONDS", 0.1)  # a locked inbox: quick 503
    settings = bot_settings(fake_api, data_dir=tmp_path, http_port=free_port())
    base = f"http://127.0.0.1:{settings.http_port}"
    replies = ("tin_bot_replies_total", (("adapter", "chat"), ("tier", "answer")))
    votes = ("tin_bot_votes_total", (("tier", "answer"), ("vote", "up")))
    async with running_bot(settings, seed_live), httpx.AsyncClient() as client:
        before = samples((await client.get(f"{base}/metrics")).text)
        reply = await reply_to(fake_api, 700, ANSWERED)
        await press(fake_api, reply, "👍", 700)
        response = await client.get(f"{base}/metrics")
        after = samples(response.text)
        assert (await client.get(f"{base}/healthz")).text == "ok\n"
        locker = sqlite3.connect(inbox_path(settings), timeout=0)
        locker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            locked = await client.get(f"{base}/healthz", timeout=10)
        finally:
            locker.rollback()
            locker.close()
        page = await client.get(f"{base}/")
        missing = await client.get(f"{base}/nothing-here")
    assert response.headers["Content-Type"].startswith("text/plain")
    assert after[replies] == before.get(replies, 0) + 1 and after[votes] == 1
    assert after["tin_bot_answer_seconds_count", ()] >= 1
    assert after["tin_bot_corpus_articles", ()] == 5 and ("tin_bot_reloads_total", ()) in after
    assert ("tin_bot_inbox_pending", ()) in after
    assert (locked.status_code, locked.text) == (503, "inbox not writable\n")
    assert page.status_code == 200 and "<svg" in page.text and missing.status_code == 404
    assert "Trưởng Ban" not in response.text + page.text


async def test_off_loopback_every_path_but_healthz_wants_the_token(fake_api, seed_live) -> None:
    token = "operator-token_123"
    settings = bot_settings(
        fake_api, http_port=free_port(), http_listen="0.0.0.0", http_token=token
    )
    base = f"http://127.0.0.1:{settings.http_port}"
    async with running_bot(settings, seed_live), httpx.AsyncClient() as client:
        bare = await client.get(f"{base}/metrics")
        wrong = await client.get(f"{base}/metrics", headers={"Authorization": "Bearer nope"})
        bearer = await client.get(f"{base}/metrics", headers={"Authorization": f"Bearer {token}"})
        query = await client.get(f"{base}/", params={"token": token})
        page = await client.get(f"{base}/")
        health = await client.get(f"{base}/healthz")
    assert (bare.status_code, wrong.status_code, page.status_code) == (401, 401, 401)
    assert (bearer.status_code, query.status_code, health.status_code) == (200, 200, 200)
    assert token not in bearer.text + query.text


def files_holding(folder: Path, word: str) -> list[Path]:
    return [
        path for path in folder.rglob("*") if path.is_file() and word.encode() in path.read_bytes()
    ]


async def test_without_keep_questions_no_question_text_reaches_disk(
    fake_api, seed_live, tmp_path
) -> None:
    settings = bot_settings(fake_api, data_dir=tmp_path, http_port=free_port())
    async with running_bot(settings, seed_live) as application, httpx.AsyncClient() as client:
        reply = await reply_to(fake_api, 800, f"{PRIVATE_WORD} {ANSWERED}")
        await press(fake_api, reply, "👎", 800)
        await reply_to(fake_api, 801, f"{PRIVATE_WORD} giá vàng hôm nay")
        assert (await client.get(f"http://127.0.0.1:{settings.http_port}/")).status_code == 200
        await done(application)
    assert sorted(path.name for path in tmp_path.iterdir() if path.suffix == ".sqlite3")
    assert files_holding(tmp_path, PRIVATE_WORD) == []


async def test_without_keep_questions_no_question_text_in_postgresql(
    fake_api, seed_live, tmp_path, postgres
) -> None:
    import psycopg

    url = postgres.new_database()
    settings = bot_settings(fake_api, data_dir=tmp_path, inbox_url=url)
    async with running_bot(settings, seed_live) as application:
        reply = await reply_to(fake_api, 810, f"{PRIVATE_WORD} {ANSWERED}")
        await press(fake_api, reply, "👍", 810)
        await done(application)
    with psycopg.connect(url) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        ]
        rows = {table: connection.execute(f"SELECT * FROM {table}").fetchall() for table in tables}
    assert {"tin_bot_updates", "tin_bot_votes", "tin_bot_daily"} <= set(tables)
    assert rows["tin_bot_votes"] and rows["tin_bot_daily"]
    assert PRIVATE_WORD not in repr(rows)
    assert files_holding(tmp_path, PRIVATE_WORD) == []


async def test_kept_questions_feed_chuatraloi_until_keeping_stops(
    fake_api, seed_live, tmp_path
) -> None:
    keeping = bot_settings(fake_api, data_dir=tmp_path, admin_ids=str(ADMIN), keep_questions=True)
    async with running_bot(keeping, seed_live):
        for chat in (820, 821):
            await reply_to(fake_api, chat, f"{PRIVATE_WORD} giá vàng hôm nay")
        disliked = await reply_to(fake_api, 822, ANSWERED)
        await press(fake_api, disliked, "👎", 822)
        listed = (await reply_to(fake_api, ADMIN, "/chuatraloi")).params["visible"]
    assert files_holding(tmp_path, PRIVATE_WORD)  # kept, as asked
    lines = listed.splitlines()
    assert lines[1].startswith("2× ") and PRIVATE_WORD in lines[1] and "(none 2)" in lines[1]
    assert "answer 1, 👎 1" in lines[2]
    stopped = bot_settings(fake_api, data_dir=tmp_path, admin_ids=str(ADMIN))
    async with running_bot(stopped, seed_live):
        answer = (await reply_to(fake_api, ADMIN, "/chuatraloi")).params["visible"]
    assert answer == KEEPING_OFF
    assert files_holding(tmp_path, PRIVATE_WORD) == []  # deleted at the start without it
