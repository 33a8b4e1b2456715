"""One round of following the feeds: every feed and sitemap asked with a conditional GET, then
at most BOT_FEED_MAX_NEW waiting article pages fetched (robots.txt permitting), each saved into
the corpus folder. Nothing a site sends stops the round: each failure is one log line naming
the URL and the reason, and a failed page is tried again in later rounds."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import tzinfo
from pathlib import Path
from urllib.parse import urlsplit
from urllib.robotparser import RobotFileParser

from bot.documents import save_article
from bot.feeds.http import (
    FEED_BYTES,
    PAGE_BYTES,
    FetchError,
    PoliteClient,
    check_address,
    host_of,
)
from bot.feeds.pages import feed_article, file_name
from bot.feeds.parsing import Entry, FeedError, read_listing
from bot.feeds.state import MAX_TRIES, FeedState, Page
from retrieval.index.indexer import Progress, ProgressCallback

log = logging.getLogger(__name__)

ROBOTS_BYTES = 512 * 2**10
MAX_SITEMAPS = 100  # a sitemap index's sitemaps read in one round
CHANGED, UNCHANGED, FAILED = "changed", "unchanged", "failed"  # how reading a feed went


@dataclass(frozen=True)
class FeedPlan:
    """What to follow, from the settings."""

    feeds: tuple[str, ...]
    extra_hosts: frozenset[str]
    max_new: int
    zone: tzinfo
    corpus: Path

    def hosts_for(self, feed: str) -> frozenset[str]:
        return self.extra_hosts | {host_of(feed)}

    def sites(self) -> frozenset[str]:
        """The hosts of the feeds: a site is fetched by one process at a time."""
        return frozenset(host_of(feed) for feed in self.feeds)

    def on_sites(self, sites: frozenset[str]) -> FeedPlan:
        """This plan, for the feeds of `sites` only."""
        feeds = tuple(feed for feed in self.feeds if host_of(feed) in sites)
        return replace(self, feeds=feeds)


@dataclass
class RoundReport:
    feeds_changed: int = 0
    feeds_unchanged: int = 0
    feeds_failed: int = 0
    saved: list[str] = field(default_factory=list)  # article files written
    pages_failed: int = 0
    waiting: int = 0  # left for later rounds
    results: dict[str, str] = field(default_factory=dict)  # feed -> CHANGED, UNCHANGED, FAILED


@dataclass
class FeedCrawler:
    plan: FeedPlan
    client: PoliteClient
    state: FeedState
    clock: Callable[[], float] = time.time
    progress: ProgressCallback | None = None
    _robots: dict[str, RobotFileParser | FetchError] = field(default_factory=dict)

    def run_round(self) -> RoundReport:
        report = RoundReport()
        queue = list(self.plan.feeds)
        roots = {feed: feed for feed in queue}  # a sitemap's hosts are its root feed's
        while queue and len(roots) <= len(self.plan.feeds) + MAX_SITEMAPS:
            feed = queue.pop(0)
            for child in self._read_feed(feed, roots[feed], report):
                if child not in roots:
                    roots[child] = roots[feed]
                    queue.append(child)
        self._fetch_pages(report)
        report.waiting = self.state.waiting_count()
        log.info(
            "feed round: %d feeds changed, %d unchanged, %d failed; %d pages saved, "
            "%d failed, %d waiting",
            report.feeds_changed,
            report.feeds_unchanged,
            report.feeds_failed,
            len(report.saved),
            report.pages_failed,
            report.waiting,
        )
        return report

    def _read_feed(self, feed: str, root: str, report: RoundReport) -> tuple[str, ...]:
        """Ask for the feed if changed and remember the links it lists; its sitemaps."""
        hosts = None if feed == root else self.plan.hosts_for(root)
        try:
            fetched = self.client.get(feed, FEED_BYTES, hosts, self.state.validators(feed))
            if fetched.not_modified:
                report.feeds_unchanged += 1
                report.results[feed] = UNCHANGED
                return self.state.sitemaps_of(feed)
            listing = read_listing(fetched.body)
        except (FetchError, FeedError) as error:
            log.warning("feed %s skipped: %s", feed, error)
            report.feeds_failed += 1
            report.results[feed] = FAILED
            return ()
        report.feeds_changed += 1
        report.results[feed] = CHANGED
        if listing.without_link or listing.duplicates:
            log.info(
                "feed %s: %d items without a link, %d listed twice, ignored",
                feed,
                listing.without_link,
                listing.duplicates,
            )
        self.state.list_entries(root, self._followed(listing.entries, root))
        self.state.remember_feed(feed, fetched.validators, listing.sitemaps)
        return listing.sitemaps

    def _followed(self, entries: tuple[Entry, ...], root: str) -> tuple[Entry, ...]:
        """The entries on an allowed host, over http(s); one log line for each other one."""
        followed = []
        for entry in entries:
            try:
                check_address(entry.url, self.plan.hosts_for(root))
            except FetchError as error:
                log.warning("link %s not followed: %s", entry.url, error)
                continue
            followed.append(entry)
        return tuple(followed)

    def _fetch_pages(self, report: RoundReport) -> None:
        due = self.state.due(self.clock(), self.plan.max_new, self.plan.feeds)
        started, fetched_bytes = time.monotonic(), 0
        for done, page in enumerate(due, 1):
            try:
                fetched_bytes += self._fetch_page(page, report)
            except FetchError as error:
                report.pages_failed += 1
                given_up = self.state.failed(page, self.clock())
                after = "given up" if given_up else f"try {page.tries + 1} of {MAX_TRIES}"
                log.warning("page %s failed: %s (%s)", page.entry.url, error, after)
            if self.progress is not None:
                estimate = fetched_bytes * len(due) // done
                elapsed = time.monotonic() - started
                self.progress(Progress(done, len(due), fetched_bytes, estimate, elapsed))

    def _fetch_page(self, page: Page, report: RoundReport) -> int:
        """Fetch, extract and save one article page; the bytes fetched."""
        hosts = self.plan.hosts_for(page.feed)
        url = page.entry.url
        if not self._allowed_by_robots(url, hosts):
            raise FetchError("disallowed by robots.txt")
        fetched = self.client.get(url, PAGE_BYTES, hosts)
        document = feed_article(fetched.body, fetched.url, page.entry, self.plan.zone)
        canonical = document.provenance.url or fetched.url
        name = file_name(document)
        earlier = self.state.file_of(canonical)
        if earlier is not None and earlier != name:
            (self.plan.corpus / earlier).unlink(missing_ok=True)  # a changed article's old title
        save_article(self.plan.corpus, document, replace=True, name=name)
        self.state.saved(url, canonical, name)
        report.saved.append(name)
        log.info("page %s saved as %s", url, name)
        return len(fetched.body)

    def _allowed_by_robots(self, url: str, hosts: frozenset[str]) -> bool:
        """Whether the site's robots.txt lets tin-bot fetch `url`: no robots.txt (a 4xx)
        allows everything; one that cannot be read (5xx, a timeout) raises FetchError for
        every page of the site this round, and they wait for a later one."""
        host = host_of(url)
        if host not in self._robots:
            self._robots[host] = self._read_robots(url, hosts)
        robots = self._robots[host]
        if isinstance(robots, FetchError):
            raise robots
        return robots.can_fetch(self.client.user_agent, url)

    def _read_robots(self, url: str, hosts: frozenset[str]) -> RobotFileParser | FetchError:
        parts = urlsplit(url)
        robots = RobotFileParser()
        try:
            fetched = self.client.get(
                f"{parts.scheme}://{parts.netloc}/robots.txt", ROBOTS_BYTES, hosts
            )
        except FetchError as error:
            if error.status is not None and 400 <= error.status < 500:
                robots.parse([])
                return robots
            return FetchError(f"robots.txt unreadable ({error})")
        robots.parse(fetched.body.decode("utf-8", errors="replace").splitlines())
        return robots
