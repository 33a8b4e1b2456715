"""Links and dates on Telegram: citations link their title to the article (previews off),
/sources lists the newest first with dates, /moi the five newest (on a topic)."""

from __future__ import annotations

import functools
import io
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from telegram.ext import Application

from bot.console import run_console
from bot.listing import NEWEST_LISTED
from bot.settings import DEFAULT_ZONE
from bot.telegram.bootstrap import build_application
from bot.telegram.handlers.guide import sources_messages
from bot.telegram.handlers.newest import newest_messages
from bot.telegram.render import answer_messages, topic_messages
from retrieval.index.corpus import Provenance
from retrieval.index.live import LiveIndex
from retrieval.index.search_index import SearchIndex
from retrieval.index.store import IndexStore
from retrieval.reply.answer import Answer, Hit, Tier, answer
from retrieval.reply.excerpt import Excerpt
from retrieval.reply.topics import TopicMatch, newest_articles, newest_first
from tests.bot.conftest import bot_settings, start_polling, stop_polling
from tests.fake_bot_api import FakeBotApi, check_text, parse_telegram_html


def dated(url: str, published: str, title: str, body: str) -> str:
    return f"URL: {url}\nPublished: {published}\n{title}\n{body}\n"


BRIDGE = "Cầu Rồng Xanh được khởi công với tổng vốn đầu tư 900 tỷ đồng bắc qua sông Hàn."
ARTICLES = {
    "cau-khoi-cong.txt": dated(
        "https://tin.example/cau-khoi-cong",
        "2025-03-02",
        "Khởi công cầu Rồng Xanh qua sông Hàn",
        BRIDGE,
    ),
    "cau-thong-xe.txt": dated(
        "https://tin.example/cau-thong-xe",
        "2025-08-11T23:30:00+00:00",  # 12/08 in Hà Nội's time zone, still 11/08 in UTC
        "Cầu Rồng Xanh thông xe sau hai năm thi công",
        "Sáng nay cầu Rồng Xanh bắc qua sông Hàn chính thức thông xe sau hai năm thi công.",
    ),
    "gia-dien.txt": dated(
        "https://tin.example/gia-dien",
        "2025-06-20",
        "Giá điện tăng từ tháng bảy",
        "Bộ Công Thương quyết định tăng giá bán lẻ điện bình quân thêm 4,8% từ tháng bảy.",
    ),
    "cho-ben-thanh.txt": (
        "Chợ Bến Thành mở cửa lại\nChợ Bến Thành mở cửa lại sau ba tháng sửa chữa mái che.\n"
    ),
    "bad-link.txt": dated(
        'https://tin.example/a"onclick="x',
        "2025-01-05",
        "Lễ hội pháo hoa quốc tế",
        "Lễ hội pháo hoa quốc tế thu hút hàng nghìn du khách bên bờ sông Hàn.",
    ),
}
UTC = ZoneInfo("UTC")


def test_a_citation_links_its_title_to_the_article_and_shows_its_date(index: SearchIndex) -> None:
    question = "cầu Rồng Xanh thông xe khi nào"
    (message, *_) = answer_messages(answer(question, index, now=datetime.now(DEFAULT_ZONE)))
    assert '<a href="https://tin.example/cau-thong-xe">Cầu Rồng Xanh thông xe' in message
    assert "· 12/08/2025" in parse_telegram_html(message)
    (in_utc, *_) = answer_messages(answer(question, index, now=datetime.now(UTC)))
    assert "· 11/08/2025" in parse_telegram_html(in_utc)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", 'https://x.example/"><b>', "https://x.example/a b", None]
)
def test_a_url_telegram_would_refuse_leaves_the_title_plain(url: str | None) -> None:
    excerpt = Excerpt("Đoạn trích.", ())
    hit = Hit("a.txt", 1, "Tiêu đề <b>", 1.0, "Đoạn trích.", excerpt, Provenance(url, None))
    (message,) = answer_messages(Answer("q", "", False, Tier.ANSWER, (hit,), ""))
    assert "<a " not in message
    assert "Tiêu đề <b>" in check_text(message, "HTML")


def test_a_pushed_article_links_its_title_and_shows_its_date() -> None:
    provenance = Provenance("https://tin.example/moi?a=1&b=2", "2025-08-12")
    match = TopicMatch("moi.txt", "Bài <mới>", Excerpt("Nội dung.", ()), provenance)
    text = "\n".join(topic_messages(["cầu"], match, DEFAULT_ZONE))
    assert '<b><a href="https://tin.example/moi?a=1&amp;b=2">Bài &lt;mới&gt;</a></b>' in text
    assert "Nguồn: moi.txt · 12/08/2025" in parse_telegram_html(text)


def test_sources_lists_the_newest_first_then_the_undated(index: SearchIndex) -> None:
    (message,) = sources_messages(index, DEFAULT_ZONE)
    lines = parse_telegram_html(message).splitlines()
    assert lines[0] == "Các bài viết (5, mới nhất trước):"
    assert [line.rsplit(" — ", 1)[1] for line in lines[1:]] == [
        "cau-thong-xe.txt · 12/08/2025",
        "gia-dien.txt · 20/06/2025",
        "cau-khoi-cong.txt · 02/03/2025",
        "bad-link.txt · 05/01/2025",
        "cho-ben-thanh.txt",
    ]
    assert '• <a href="https://tin.example/cau-thong-xe">' in message
    assert message.count("<a ") == 3  # the title whose URL Telegram would refuse is plain


def test_newest_first_leaves_out_undated_articles(index: SearchIndex) -> None:
    names = [a.source for a in newest_first(index.articles, DEFAULT_ZONE)]
    assert names == ["cau-thong-xe.txt", "gia-dien.txt", "cau-khoi-cong.txt", "bad-link.txt"]


def test_newest_on_a_topic_typed_bare_are_the_matching_articles_latest_first(
    index: SearchIndex,
) -> None:
    matching = newest_articles(index, DEFAULT_ZONE, "cau Rong Xanh", 5)
    assert [a.source for a in matching] == ["cau-thong-xe.txt", "cau-khoi-cong.txt"]
    assert [a.source for a in newest_articles(index, DEFAULT_ZONE, "cầu Rồng Xanh", 1)] == [
        "cau-thong-xe.txt"
    ]


def test_moi_lists_the_newest_articles_and_says_when_a_topic_has_none(index: SearchIndex) -> None:
    (newest,) = newest_messages(index, DEFAULT_ZONE, "")
    assert parse_telegram_html(newest).splitlines()[1].startswith("• Cầu Rồng Xanh thông xe")
    assert newest.count("\n• ") == min(NEWEST_LISTED, 4)
    (on_topic,) = newest_messages(index, DEFAULT_ZONE, "giá điện")
    assert "Bài mới nhất về «giá điện»:" in on_topic and "gia-dien.txt" in on_topic
    (nothing,) = newest_messages(index, DEFAULT_ZONE, "chợ Bến Thành")  # undated: not news
    assert parse_telegram_html(nothing) == "Không có bài nào có ngày đăng về «chợ Bến Thành»."


def dated_live(folder: Path) -> LiveIndex:
    corpus = folder / "corpus"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return LiveIndex(corpus, IndexStore(folder / "cache", corpus))


@pytest_asyncio.fixture
async def dated_bot(fake_api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Application]:
    live = dated_live(tmp_path)
    application = build_application(bot_settings(fake_api, timezone="UTC"), live)
    await start_polling(application)
    yield application
    await stop_polling(application)


@pytest.mark.slow
async def test_replies_and_moi_on_telegram_link_articles_with_previews_off(
    fake_api: FakeBotApi, dated_bot: Application
) -> None:
    for text in ("cau Rong Xanh thong xe khi nao", "/moi", "/moi cầu Rồng Xanh"):
        message = fake_api.send_text(9101, text)
        await fake_api.wait_for(lambda m=message: fake_api.replies_to(m), timeout=15)
        (reply,) = fake_api.replies_to(message)
        assert '<a href="https://tin.example/cau-thong-xe">' in reply.params["text"]
        assert "11/08/2025" in reply.params["visible"]  # BOT_TIMEZONE=UTC
        assert reply.params["link_preview_options"] == {"is_disabled": True}


def test_the_console_lists_sources_by_date_and_the_newest_with_urls(tmp_path: Path) -> None:
    live = dated_live(tmp_path)
    commands = io.StringIO("/sources\n/moi\n/moi cau rong xanh\n/moi chợ Bến Thành\n")
    stdout = io.StringIO()
    run_console(live, functools.partial(answer, index=live.current), commands, stdout, UTC)
    sources, newest, on_topic, nothing = stdout.getvalue().strip().split("\n\n")
    assert sources.splitlines()[0] == (
        "• Cầu Rồng Xanh thông xe sau hai năm thi công — cau-thong-xe.txt · 11/08/2025"
        " · https://tin.example/cau-thong-xe"
    )
    assert sources.splitlines()[-1] == "• Chợ Bến Thành mở cửa lại — cho-ben-thanh.txt"
    assert newest.splitlines()[0] == "Bài mới nhất:" and len(newest.splitlines()) == 5
    assert on_topic.count("\n• ") == 2 and "cau-khoi-cong.txt · 02/03/2025" in on_topic
    assert nothing == "Không có bài nào có ngày đăng về «chợ Bến Thành»."
