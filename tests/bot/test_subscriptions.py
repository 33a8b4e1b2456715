"""Topic subscriptions through the fake Bot API: /theodoi, /huytheodoi; a new article on a
followed topic is pushed once to each following chat, within seconds of landing; none for an
unrelated article, an older one, or the same one again after a restart."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import pytest_asyncio
from telegram.ext import Application

from bot.telegram.bootstrap import build_application
from bot.telegram.database import SqliteDatabase
from bot.telegram.pushes import push_new_articles
from bot.telegram.stores import Stores
from bot.telegram.subscriptions import MAX_TOPICS, Subscriptions
from retrieval.index.live import LiveIndex
from retrieval.index.store import IndexStore
from tests.bot.conftest import bot_settings, start_polling, stop_polling
from tests.conftest import SEEDS_DIR
from tests.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API

GROUP = -5005
BRIDGE = (
    "URL: https://tin.example/cau-rong-xanh\nPublished: 2025-08-12\n"
    "Cầu Rồng Xanh thông xe\n"
    "Sáng nay cầu Rồng Xanh bắc qua sông Hàn chính thức thông xe sau hai năm thi công.\n"
)
MARKET = "Chợ Bến Thành mở cửa lại\nChợ Bến Thành mở cửa lại sau ba tháng sửa chữa mái che.\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS_DIR, folder)
    return folder


async def running(api: FakeBotApi, corpus: Path, data: Path) -> Application:
    live = LiveIndex(corpus, IndexStore(data / "cache", corpus))
    settings = bot_settings(api, reload_seconds=0.2, flood_limit=1000)
    subscriptions = Subscriptions(SqliteDatabase(data / "subscriptions.sqlite3"))
    application = build_application(settings, live, Stores(subscriptions=subscriptions))
    await start_polling(application)
    return application


@pytest_asyncio.fixture
async def bot(fake_api, corpus, tmp_path) -> AsyncIterator[Application]:  # type: ignore[no-untyped-def]
    application = await running(fake_api, corpus, tmp_path)
    yield application
    await stop_polling(application)


async def said(api: FakeBotApi, chat_id: int, text: str) -> str:
    message = api.send_text(chat_id, text, kind="private" if chat_id > 0 else "group")
    await api.wait_for(lambda: api.replies_to(message), timeout=15)
    return api.replies_to(message)[0].params["visible"]


def pushes(api: FakeBotApi, chat_id: int) -> list[str]:
    return [
        c.params["visible"]
        for c in api.sent(chat_id=chat_id)
        if c.params["visible"].startswith("Bài mới về")
    ]


async def test_following_listing_and_unfollowing_a_topic(fake_api, bot) -> None:
    assert "Chưa theo dõi" in await said(fake_api, 7001, "/theodoi")
    assert "Đã theo dõi «cầu rồng xanh»" in await said(fake_api, 7001, "/theodoi Cầu Rồng Xanh")
    assert "rồi" in await said(fake_api, 7001, "/theodoi cầu rồng xanh")
    assert "• cầu rồng xanh" in await said(fake_api, 7001, "/theodoi")
    assert "Đã huỷ" in await said(fake_api, 7001, "/huytheodoi cầu rồng xanh")
    assert "Không theo dõi" in await said(fake_api, 7001, "/huytheodoi cầu rồng xanh")
    for number in range(MAX_TOPICS - 1):
        await said(fake_api, 7001, f"/theodoi chủ đề {number}")
    assert "Đã theo dõi" in await said(fake_api, 7001, "/theodoi chủ đề cuối")
    assert f"tối đa {MAX_TOPICS}" in await said(fake_api, 7001, "/theodoi một chủ đề nữa")


async def test_a_new_article_is_pushed_once_to_each_follower_and_never_again(
    fake_api, bot, corpus, tmp_path
) -> None:
    await said(fake_api, 7002, "/theodoi cau Rong Xanh")
    await said(fake_api, GROUP, "/theodoi cầu rồng xanh")
    await said(fake_api, 7003, "/theodoi chợ Bến Thành")
    (corpus / "cau-rong-xanh.txt").write_text(BRIDGE, encoding="utf-8")
    landed = asyncio.get_running_loop().time()
    await fake_api.wait_for(lambda: pushes(fake_api, 7002) and pushes(fake_api, GROUP), 5)
    assert asyncio.get_running_loop().time() - landed < 5
    (push,) = pushes(fake_api, 7002)
    assert "«cau rong xanh»" in push and "Cầu Rồng Xanh thông xe" in push
    assert "cau-rong-xanh.txt · 12/08/2025" in push and "sông Hàn" in push
    (sent,) = [c for c in fake_api.sent(chat_id=7002) if c.params["visible"] == push]
    link = '<a href="https://tin.example/cau-rong-xanh">Cầu Rồng Xanh thông xe</a>'
    assert link in sent.params["text"]
    assert sent.params["link_preview_options"] == {"is_disabled": True}
    await asyncio.sleep(1.5)
    assert not pushes(fake_api, 7003)  # an unrelated article
    (corpus / "cau-rong-xanh.txt").write_text(BRIDGE + "Cầu dài 800 mét.\n", encoding="utf-8")
    await asyncio.sleep(1.5)
    assert len(pushes(fake_api, 7002)) == 1  # an edited file is the same article

    await stop_polling(bot)  # a restart: nothing pushed again, and a topic made now gets
    restarted = await running(fake_api, corpus, tmp_path)  # nothing for older articles
    try:
        await said(fake_api, 7004, "/theodoi cầu rồng xanh")
        (corpus / "cho-ben-thanh.txt").write_text(MARKET, encoding="utf-8")
        await fake_api.wait_for(lambda: pushes(fake_api, 7003), 5)
        await asyncio.sleep(1.0)
        assert len(pushes(fake_api, 7002)) == 1 and not pushes(fake_api, 7004)
    finally:
        await stop_polling(restarted)
    await start_polling(bot)  # the fixture stops it again


async def test_an_article_added_while_the_bot_was_down_is_pushed_at_the_next_start(
    fake_api, bot, corpus, tmp_path
) -> None:
    await said(fake_api, 7005, "/theodoi chợ Bến Thành")
    await stop_polling(bot)
    (corpus / "cho-ben-thanh.txt").write_text(MARKET, encoding="utf-8")
    restarted = await running(fake_api, corpus, tmp_path)
    try:
        await fake_api.wait_for(lambda: pushes(fake_api, 7005), 5)
    finally:
        await stop_polling(restarted)
    await start_polling(bot)


async def test_a_chat_that_blocked_the_bot_follows_nothing_any_more(fake_api, bot, corpus) -> None:
    await said(fake_api, 7006, "/theodoi cầu rồng xanh")
    fake_api.blocked.add(7006)
    (corpus / "cau-rong-xanh.txt").write_text(BRIDGE, encoding="utf-8")
    subscriptions = bot.bot_data["state"].subscriptions
    await fake_api.wait_for(lambda: not subscriptions.topics_of(7006), 5)
    assert fake_api.attempts(chat_id=7006)[-1].status == 403


class _LookedAt:
    """A bot state whose snapshot never changes, counting how often the pusher looks at it;
    a subscription store with nothing new."""

    def __init__(self) -> None:
        self.looks = 0
        self.seen: list[list[str]] = []
        self.articles = SimpleNamespace(sources=["a.txt"])

    @property
    def index(self) -> _LookedAt:
        self.looks += 1
        return self

    def newly_seen(self, sources: list[str]) -> dict[str, float]:
        self.seen.append(sources)
        return {}


async def test_the_pusher_rests_between_looks_at_the_snapshot() -> None:
    """It looks once, then every PUSH_CHECK_SECONDS: never in a loop that holds the event loop."""
    state = _LookedAt()
    pusher = asyncio.create_task(push_new_articles(None, state, state))  # type: ignore[arg-type]
    await asyncio.sleep(0.2)
    pusher.cancel()
    with pytest.raises(asyncio.CancelledError):
        await pusher
    assert 1 <= state.looks <= 2 and state.seen == [["a.txt"]]
