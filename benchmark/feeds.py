"""The feed follower's benchmark: `python -m bot fetch` against a news site on loopback with N
article pages, twice. The first round's pages a second and peak memory; the second round must
send only conditional requests and fetch no page again."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmark.feed_site import FeedSite, article_page, rss, serving

PROJECT_DIR = Path(__file__).resolve().parent.parent
PUBLISHED = "Tue, 12 Aug 2025 01:30:00 +0000"


def publish(site: FeedSite, count: int) -> None:
    """`count` article pages and one RSS feed listing them all."""
    items = []
    for n in range(count):
        slug, title = f"bai-{n}", f"Dự án cầu số {n} qua sông Hàn được khởi công"
        site.put(f"/thoi-su/{slug}.html", article_page(site.base, slug, title, "2025-08-12"))
        items.append((title, f"{site.base}/thoi-su/{slug}.html", PUBLISHED))
    site.put("/rss", rss(items))


def fetch_round(environment: dict[str, str]) -> float:
    """Seconds for one `python -m bot fetch`, process start to exit."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot", "fetch"],
        check=True,
        capture_output=True,
        env=environment,
        cwd=PROJECT_DIR,
    )
    return time.perf_counter() - started


def run_feeds(count: int) -> dict[str, Any]:
    with serving() as site, tempfile.TemporaryDirectory(prefix="tin-bot-feeds-") as folder:
        publish(site, count)
        corpus = Path(folder) / "corpus"
        corpus.mkdir()
        environment = {
            **os.environ,
            "BOT_FEEDS": f"{site.base}/rss",
            "BOT_CORPUS_DIR": str(corpus),
            "BOT_DATA_DIR": str(Path(folder) / "data"),
            "BOT_FEED_DELAY_SECONDS": "0",  # the site's politeness delay is not what is timed
            "BOT_FEED_MAX_NEW": str(count),
            "BOT_LOG_LEVEL": "WARNING",
        }
        first_s = fetch_round(environment)
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        saved = len(list(corpus.glob("*.txt")))
        asked = len(site.requests)
        second_s = fetch_round(environment)
        again = site.requests[asked:]
    return {
        "articles": count,
        "saved": saved,
        "first_round_s": first_s,
        "pages_per_s": saved / first_s,
        "peak_rss_mb": peak_kb / 1024,
        "second_round_s": second_s,
        "second_round_requests": len(again),
        "second_round_conditional": sum("If-None-Match" in headers for _, headers in again),
        "second_round_pages": sum(path != "/rss" for path, _ in again),
    }


def render_feeds(result: dict[str, Any]) -> str:
    return "\n".join(
        [
            f"python -m bot fetch, {result['articles']} article pages on loopback "
            "(BOT_FEED_DELAY_SECONDS=0):",
            f"  first round   {result['first_round_s']:.1f} s, {result['saved']} saved, "
            f"{result['pages_per_s']:.1f} pages/s (process start included), "
            f"peak memory {result['peak_rss_mb']:.0f} MB",
            f"  second round  {result['second_round_s']:.1f} s, "
            f"{result['second_round_requests']} requests, "
            f"{result['second_round_conditional']} conditional, "
            f"{result['second_round_pages']} pages fetched again",
        ]
    )
