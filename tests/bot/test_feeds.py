"""Following feeds and sitemaps into the corpus folder, against a news site on loopback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from benchmark.feed_site import FeedSite, article_page, gzip_bomb, rss, serving
from bot.cli import main
from bot.documents import Document
from bot.feeds.crawler import FeedCrawler, FeedPlan
from bot.feeds.http import PoliteClient
from bot.feeds.pages import file_name
from bot.feeds.poller import run_round, user_agent
from bot.feeds.sites import SharedSites
from bot.feeds.state import FeedState
from bot.settings import Settings, load_settings
from retrieval.index.corpus import Provenance, published_date, read_article

DATE = "Tue, 12 Aug 2025 01:30:00 +0000"
SAIGON = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def site() -> Iterator[FeedSite]:
    with serving() as served:
        yield served


def add_articles(site: FeedSite, count: int) -> list[tuple[str, str, str]]:
    items = []
    for n in range(count):
        slug, title = f"bai-{n}", f"Cầu Rồng Xanh số {n} được thông xe"
        site.put(f"/thoi-su/{slug}.html", article_page(site.base, slug, title, "2025-08-12"))
        items.append((title, f"{site.base}/thoi-su/{slug}.html", DATE))
    return items


def settings_for(tmp_path: Path, feeds: list[str], **more: object) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    return load_settings(
        feeds=",".join(feeds),
        corpus_dir=corpus,
        data_dir=tmp_path / "data",
        feed_delay_seconds=0,
        **more,
    )


def saved_files(settings: Settings) -> list[Path]:
    return sorted(settings.corpus_dir.glob("*.txt"))


def test_a_round_saves_each_article_with_its_url_and_date(site, tmp_path) -> None:
    site.put("/rss", rss(add_articles(site, 2)))
    settings = settings_for(tmp_path, [f"{site.base}/rss"])
    report = run_round(settings)
    files = saved_files(settings)
    assert len(report.saved) == 2 and len(files) == 2
    article = read_article(files[0])
    assert article is not None and article.title == "Cầu Rồng Xanh số 0 được thông xe"
    assert article.provenance.url == f"{site.base}/thoi-su/bai-0.html"
    assert article.provenance.published is not None
    assert str(published_date(article.provenance.published, SAIGON)) == "2025-08-12"
    assert "Trang chủ" not in files[0].read_text() and "Tin cùng" not in files[0].read_text()
    assert all(h["User-Agent"] == user_agent() for _, h in site.requests)


def test_a_second_round_asks_conditionally_and_fetches_no_page_again(site, tmp_path) -> None:
    site.put("/rss", rss(add_articles(site, 3)))
    settings = settings_for(tmp_path, [f"{site.base}/rss"])
    run_round(settings)
    asked_before = len(site.requests)
    report = run_round(settings)
    assert report.saved == [] and report.feeds_unchanged == 1
    assert [path for path, _ in site.requests[asked_before:]] == ["/rss"]
    assert site.asked("/rss")[-1]["If-None-Match"] == site.pages["/rss"][1]["ETag"]


def test_at_most_max_new_pages_a_round_and_the_rest_later(site, tmp_path) -> None:
    site.put("/rss", rss(add_articles(site, 5)))
    settings = settings_for(tmp_path, [f"{site.base}/rss"], feed_max_new=2)
    first, second, third = (run_round(settings) for _ in range(3))
    assert (len(first.saved), first.waiting) == (2, 3)
    assert (len(second.saved), len(third.saved), third.waiting) == (2, 1, 0)


def test_a_sitemap_index_its_sitemaps_and_a_changed_lastmod(site, tmp_path) -> None:
    add_articles(site, 2)
    urlset = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{site.base}/thoi-su/bai-0.html</loc><lastmod>{{}}</lastmod></url>"
        f"<url><loc>{site.base}/thoi-su/bai-1.html</loc></url></urlset>"
    )
    site.put("/sitemap-1.xml", urlset.format("2025-08-12").encode())
    site.put(
        "/sitemap.xml",
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap>'
        f"<loc>{site.base}/sitemap-1.xml</loc></sitemap></sitemapindex>".encode(),
    )
    settings = settings_for(tmp_path, [f"{site.base}/sitemap.xml"])
    assert len(run_round(settings).saved) == 2
    site.put("/sitemap-1.xml", urlset.format("2025-08-13").encode())
    again = run_round(settings)
    assert again.saved == [saved_files(settings)[0].name] and len(saved_files(settings)) == 2


def test_links_to_other_hosts_are_not_followed_unless_listed(site, tmp_path, caplog) -> None:
    items = add_articles(site, 1)
    elsewhere = items[0][1].replace("127.0.0.1", "localhost")
    site.put("/rss", rss([("Nơi khác", elsewhere, DATE), ("Nội bộ", "file:///etc/passwd", DATE)]))
    settings = settings_for(tmp_path, [f"{site.base}/rss"])
    with caplog.at_level(logging.WARNING):
        assert run_round(settings).saved == []
    assert "host localhost is not the feed's own nor in BOT_FEED_HOSTS" in caplog.text
    assert "not http or https (file)" in caplog.text
    listed = settings_for(tmp_path / "listed", [f"{site.base}/rss"], feed_hosts="localhost")
    assert len(run_round(listed).saved) == 1


def test_robots_txt_is_honoured_for_article_pages(site, tmp_path, caplog) -> None:
    site.put("/rss", rss(add_articles(site, 1)))
    site.put("/robots.txt", b"User-agent: tin-bot\nDisallow: /thoi-su/\n")
    with caplog.at_level(logging.WARNING):
        assert run_round(settings_for(tmp_path, [f"{site.base}/rss"])).saved == []
    assert "disallowed by robots.txt" in caplog.text
    assert not site.asked("/thoi-su/bai-0.html")


def test_bad_input_never_stops_the_round(site, tmp_path, caplog) -> None:
    good = add_articles(site, 1)
    site.put("/loop", b"", 302, Location="/loop")
    site.put("/bomb.html", gzip_bomb(6), **{"Content-Encoding": "gzip"})
    site.put("/empty.html", "<html><body><nav>Trang chủ</nav></body></html>".encode())
    site.put("/not-a-feed", b"<html><body>xin chao</body></html>")
    site.put("/malformed", b"<rss><channel><item><link>")
    site.put("/entities", b'<!DOCTYPE r [<!ENTITY a "aaaa">]><rss version="2.0">&a;</rss>')
    broken = [
        (name, f"{site.base}{path}", DATE)
        for name, path in [
            ("Vòng", "/loop"),
            ("Bom", "/bomb.html"),
            ("Rỗng", "/empty.html"),
            ("Lỗi", "/500"),
        ]
    ]
    site.put("/500", b"", 500)
    site.put("/rss", rss([*broken, *good]))
    feeds = ["/not-a-feed", "/malformed", "/entities", "/missing", "/rss"]
    settings = settings_for(tmp_path, [site.base + feed for feed in feeds])
    with caplog.at_level(logging.WARNING):
        report = run_round(settings)
    assert len(report.saved) == 1 and report.pages_failed == 4 and report.feeds_failed == 3
    for reason in [
        "more than 5 redirects",
        "over 5 MB",
        "no article text",
        "HTTP 500",
        "HTTP 404",
        "declares XML entities",
        "not an RSS or Atom feed",
    ]:
        assert reason in caplog.text
    assert "Traceback" not in caplog.text


def test_a_failing_page_is_retried_with_backoff_then_given_up(site, tmp_path) -> None:
    site.put("/rss", rss([("Lỗi", f"{site.base}/500", DATE)]))
    site.put("/500", b"", 500)
    now = [1_000_000.0]
    plan = FeedPlan((f"{site.base}/rss",), frozenset(), 10, SAIGON, tmp_path)
    state = FeedState(tmp_path / "data")
    crawler = FeedCrawler(plan, PoliteClient("tin-bot/test", 0), state, clock=lambda: now[0])
    tries = []
    for _ in range(8):
        crawler.run_round()
        crawler.run_round()  # no time passed: the backoff holds
        tries.append(len(site.asked("/500")))
        now[0] += 10**6  # past any backoff
    assert tries == [1, 2, 3, 4, 5, 5, 5, 5]  # MAX_TRIES, then given up
    assert state.waiting_count() == 0


def test_requests_to_one_host_keep_the_delay() -> None:
    now, slept = [0.0], []
    client = PoliteClient("tin-bot/test", 1.0, clock=lambda: now[0], sleep=slept.append)
    client._wait_for("a.vn")
    client._wait_for("b.vn")
    now[0] = 0.25
    client._wait_for("a.vn")
    assert slept == [0.75]


def test_fetch_without_feeds_or_with_a_bad_one_exits_2(monkeypatch, capsys) -> None:
    monkeypatch.delenv("BOT_FEEDS", raising=False)
    assert main(["fetch"]) == 2
    monkeypatch.setenv("BOT_FEEDS", "ftp://tin.example.vn/rss")
    assert main(["fetch"]) == 2
    assert "BOT_FEEDS" in capsys.readouterr().err


def test_fetch_runs_one_round_and_exits_0(site, tmp_path, monkeypatch, capsys) -> None:
    site.put("/rss", rss(add_articles(site, 1)))
    settings = settings_for(tmp_path, [f"{site.base}/rss"])
    for name, value in {
        "BOT_FEEDS": f"{site.base}/rss",
        "BOT_CORPUS_DIR": str(settings.corpus_dir),
        "BOT_DATA_DIR": str(settings.data_dir),
        "BOT_FEED_DELAY_SECONDS": "0",
    }.items():
        monkeypatch.setenv(name, value)
    assert main(["fetch"]) == 0
    assert "1 articles saved" in capsys.readouterr().out and saved_files(settings)


@pytest.mark.slow
def test_replicas_share_out_the_sites_one_fetcher_a_site(site, tmp_path, postgres, caplog) -> None:
    site.put("/rss", rss(add_articles(site, 2)))
    url = postgres.new_database()
    settings = settings_for(tmp_path, [f"{site.base}/rss"], inbox_url=url)
    other_replica = SharedSites(url)
    assert other_replica.take({"127.0.0.1", "tin.example"}) == {"127.0.0.1", "tin.example"}
    assert SharedSites(url).take({"127.0.0.1"}) == frozenset()  # taken: not twice
    with caplog.at_level(logging.INFO):
        assert run_round(settings).saved == []
    assert site.requests == []  # the site is the other replica's this round
    assert "feeds of 127.0.0.1 skipped this round: another replica" in caplog.text
    other_replica.release()  # it stopped: the site is free
    this_replica = SharedSites(url)
    assert len(run_round(settings, sites=this_replica).saved) == 2
    assert SharedSites(url).take({"127.0.0.1"}) == frozenset()  # held across rounds
    assert this_replica.take({"127.0.0.1"}) == {"127.0.0.1"}
    this_replica.release()
    assert len(run_round(settings).saved) == 0  # a one-off round takes the site, then frees it
    assert SharedSites(url).take({"127.0.0.1"}) == {"127.0.0.1"}


def test_two_articles_with_one_title_get_files_of_their_own() -> None:
    """A site's "Tin nhanh" every hour: the file name carries a short hash of the article's URL,
    so one never overwrites another, and the same article always gets the same file."""
    first, second = (
        Document("Tin nhanh", ("Nội dung.",), Provenance(url=f"https://bao.vn/tin-{n}.html"))
        for n in (1, 2)
    )
    assert file_name(first) != file_name(second)
    assert file_name(first) == file_name(Document("Tin nhanh", ("Đã sửa.",), first.provenance))
    assert file_name(first).startswith("tin-nhanh-")
