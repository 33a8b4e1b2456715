"""The feed follower run from the settings: one round (`python -m bot fetch`), or a thread
that runs a round every BOT_FEED_SECONDS while the bot serves (the corpus watcher then picks
the new article files up)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import httpx

from bot.feeds.crawler import FeedCrawler, FeedPlan, RoundReport
from bot.feeds.http import PoliteClient
from bot.feeds.sites import AllSites, SharedSites, SiteLocks
from bot.feeds.state import FeedState
from bot.settings import Settings, installed_version
from retrieval.index.indexer import ProgressCallback

log = logging.getLogger(__name__)


def user_agent() -> str:
    return f"tin-bot/{installed_version()} (news question bot; follows feeds, honours robots.txt)"


def plan_of(settings: Settings) -> FeedPlan:
    return FeedPlan(
        settings.feeds,
        settings.feed_hosts,
        settings.feed_max_new,
        settings.zone,
        settings.corpus_dir,
    )


def site_locks(settings: Settings) -> SiteLocks:
    """Replicas sharing PostgreSQL share out the sites; a bot alone fetches them all."""
    if settings.inbox_url is None:
        return AllSites()
    return SharedSites(settings.inbox_url.get_secret_value())


def run_round(
    settings: Settings,
    progress: ProgressCallback | None = None,
    transport: httpx.BaseTransport | None = None,
    sites: SiteLocks | None = None,
) -> RoundReport:
    """One round over the feeds of this process's sites (`sites`, kept across rounds by a
    poller; else taken for this round only), with its own client and state connection (any
    thread)."""
    plan = plan_of(settings)
    locks = sites or site_locks(settings)
    client = PoliteClient(user_agent(), settings.feed_delay_seconds, transport)
    state = FeedState(settings.data_dir)
    try:
        taken = plan.on_sites(locks.take(plan.sites()))
        return FeedCrawler(taken, client, state, progress=progress).run_round()
    finally:
        state.close()
        client.close()
        if sites is None:
            locks.release()


class FeedPoller:
    """Runs a round now and then every BOT_FEED_SECONDS in a daemon thread until stopped; a
    round that fails is one log line, never the end of the bot. `on_round` hears of each
    round's report (the metrics)."""

    def __init__(
        self, settings: Settings, on_round: Callable[[RoundReport], None] | None = None
    ) -> None:
        self._settings = settings
        self._sites = site_locks(settings)  # held while the bot runs
        self._on_round = on_round
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="feeds", daemon=True)

    def start(self) -> None:
        if self._settings.feeds:
            log.info(
                "following %d feed(s) every %.0f s",
                len(self._settings.feeds),
                self._settings.feed_seconds,
            )
            self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self._sites.release()

    def _loop(self) -> None:
        while not self._stopped.is_set():
            try:
                report = run_round(self._settings, sites=self._sites)
                if self._on_round is not None:
                    self._on_round(report)
            except Exception as error:  # a bug or a full disk: logged, tried next round
                log.error("feed round stopped by %s: %s", type(error).__name__, error)
            self._stopped.wait(self._settings.feed_seconds)
