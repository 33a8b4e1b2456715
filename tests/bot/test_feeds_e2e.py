"""The real bot (`python -m bot`, a process of its own) following a news site on loopback and
talking to the fake Bot API: a topic followed, an article published on the site, pushed with its
link, then answered with its link and date."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest

from benchmark.feed_site import article_page, rss, serving
from tests.bot.conftest import spawn_bot, stop
from tests.conftest import SEEDS_DIR
from tests.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.slow

READER = 9301
TITLE = "Cầu Rồng Xanh số 7 được thông xe"
DATE = "Tue, 12 Aug 2025 01:30:00 +0000"


async def said(api: FakeBotApi, text: str) -> str:
    message = api.send_text(READER, text)
    await api.wait_for(lambda: api.replies_to(message), timeout=30)
    return str(api.replies_to(message)[0].params["text"])


async def test_a_followed_site_article_is_pushed_and_answered_with_its_link(
    fake_api: FakeBotApi, environment: dict[str, str], tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS_DIR, corpus)
    with serving() as site:
        site.put("/rss", rss([]))
        bot = await spawn_bot(
            environment
            | {
                "BOT_CORPUS_DIR": str(corpus),
                "BOT_RELOAD_SECONDS": "0.2",
                "BOT_FEEDS": f"{site.base}/rss",
                "BOT_FEED_SECONDS": "0.5",
                "BOT_FEED_DELAY_SECONDS": "0",
            }
        )
        try:
            assert "Đã theo dõi" in await said(fake_api, "/theodoi cầu Rồng Xanh")
            url = f"{site.base}/thoi-su/cau-7.html"
            site.put("/thoi-su/cau-7.html", article_page(site.base, "cau-7", TITLE, "2025-08-12"))
            site.put("/rss", rss([(TITLE, url, DATE)]))
            link = f'<a href="{url}">'
            await fake_api.wait_for(
                lambda: any(link in c.params["text"] for c in fake_api.sent(chat_id=READER)), 30
            )
            (push,) = [c for c in fake_api.sent(chat_id=READER) if link in c.params["text"]]
            assert push.params["visible"].startswith("Bài mới về «cầu rồng xanh»:")
            assert "12/08/2025" in push.params["visible"]
            reply = await said(fake_api, "cau Rong Xanh so 7 duoc thong xe chua")
            assert link in reply and "12/08/2025" in reply
        finally:
            log = await stop(bot, signal.SIGTERM)
    assert "following 1 feed(s)" in log and "saved as" in log, log
    assert bot.returncode == 0, log
