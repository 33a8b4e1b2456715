"""What the feed follower remembers between rounds, in SQLite beside the inbox: each feed's
validators for conditional GETs, and each article link listed (waiting, saved, failing or given
up), so a page is fetched once, again only when its sitemap `lastmod` changes, and a failing
one is retried with backoff."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.feeds.http import Validators
from bot.feeds.parsing import Entry

FILE_NAME = "feeds.sqlite3"
MAX_TRIES = 5
FIRST_BACKOFF_SECONDS = 900.0  # doubled after each further failure
WAITING, SAVED, FAILING, GIVEN_UP = "waiting", "saved", "failing", "given up"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, sitemaps TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS pages (
    url TEXT PRIMARY KEY, feed TEXT NOT NULL, title TEXT, published TEXT, lastmod TEXT,
    status TEXT NOT NULL, tries INTEGER NOT NULL DEFAULT 0, next_try REAL NOT NULL DEFAULT 0,
    canonical TEXT, file TEXT, listed INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pages_canonical ON pages (canonical);
"""


@dataclass(frozen=True, slots=True)
class Page:
    """An article link waiting to be fetched, with what its feed said about it."""

    entry: Entry
    feed: str  # the feed (or sitemap) that listed it: its host is allowed
    tries: int


class FeedState:
    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(folder / FILE_NAME, isolation_level=None)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def validators(self, feed: str) -> Validators:
        row = self._db.execute(
            "SELECT etag, last_modified FROM feeds WHERE url = ?", (feed,)
        ).fetchone()
        return Validators(*row) if row else Validators()

    def remember_feed(self, feed: str, validators: Validators, sitemaps: tuple[str, ...]) -> None:
        """The feed's validators, and the sitemaps it lists when it is a sitemap index."""
        self._db.execute(
            "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?)",
            (feed, validators.etag, validators.last_modified, "\n".join(sitemaps)),
        )

    def sitemaps_of(self, feed: str) -> tuple[str, ...]:
        """The sitemaps a sitemap index listed when last read: asked again though it is not
        modified."""
        row = self._db.execute("SELECT sitemaps FROM feeds WHERE url = ?", (feed,)).fetchone()
        return tuple(row[0].split("\n")) if row and row[0] else ()

    def list_entries(self, feed: str, entries: tuple[Entry, ...]) -> int:
        """Remember the links a feed lists; a saved one whose `lastmod` changed waits again.
        Returns how many now wait that did not."""
        before = self.waiting_count()
        for entry in entries:
            self._db.execute(
                "INSERT INTO pages (url, feed, title, published, lastmod, status, listed) "
                "VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(listed), 0) + 1 FROM pages)) "
                "ON CONFLICT (url) DO UPDATE SET lastmod = excluded.lastmod, tries = 0, "
                "next_try = 0, status = ? "
                "WHERE excluded.lastmod IS NOT NULL AND excluded.lastmod IS NOT pages.lastmod",
                (entry.url, feed, entry.title, entry.published, entry.lastmod, WAITING, WAITING),
            )
        return self.waiting_count() - before

    def waiting_count(self) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM pages WHERE status IN (?, ?)", (WAITING, FAILING)
        ).fetchone()
        return int(row[0])

    def due(self, now: float, limit: int, feeds: tuple[str, ...]) -> list[Page]:
        """The links of `feeds` to fetch now, oldest listed first: new ones, and failing ones
        whose backoff has passed."""
        among = ", ".join("?" * len(feeds))
        rows = self._db.execute(
            "SELECT url, title, published, lastmod, feed, tries FROM pages "
            f"WHERE status IN (?, ?) AND next_try <= ? AND feed IN ({among}) "
            "ORDER BY listed LIMIT ?",
            (WAITING, FAILING, now, *feeds, limit),
        ).fetchall()
        return [Page(Entry(*row[:4]), row[4], row[5]) for row in rows]

    def file_of(self, canonical: str) -> str | None:
        """The article file already saved for this canonical URL, if any."""
        row = self._db.execute(
            "SELECT file FROM pages WHERE canonical = ? AND status = ? AND file IS NOT NULL",
            (canonical, SAVED),
        ).fetchone()
        return row[0] if row else None

    def saved(self, url: str, canonical: str, file: str) -> None:
        self._db.execute(
            "UPDATE pages SET status = ?, canonical = ?, file = ?, tries = 0 WHERE url = ?",
            (SAVED, canonical, file, url),
        )

    def failed(self, page: Page, now: float) -> bool:
        """Count a failed try; True when that was the last one (the link is given up)."""
        tries = page.tries + 1
        given_up = tries >= MAX_TRIES
        self._db.execute(
            "UPDATE pages SET status = ?, tries = ?, next_try = ? WHERE url = ?",
            (
                GIVEN_UP if given_up else FAILING,
                tries,
                now + FIRST_BACKOFF_SECONDS * 2 ** (tries - 1),
                page.entry.url,
            ),
        )
        return given_up
