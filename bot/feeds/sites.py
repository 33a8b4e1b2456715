"""Which sites this process fetches. A bot alone fetches all of them; replicas sharing
PostgreSQL (BOT_INBOX_URL) take each site with an advisory lock (FEED_LOCK and the site's
name) and keep it while they run, so one replica asks a site for its feeds and pages: two never
double a site's load or fetch its pages twice. The locks go with their connection: a replica
that dies frees its sites, and the next round of another replica takes them over."""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterable
from typing import Any, Protocol

import psycopg

from bot.postgres import connect

log = logging.getLogger(__name__)

FEED_LOCK = 0x7469_6E01  # "tin\1": with a site's checksum, the advisory lock of its fetcher


class SiteLocks(Protocol):
    def take(self, sites: Iterable[str]) -> frozenset[str]:
        """The sites this process fetches this round (held until `release`)."""
        ...

    def release(self) -> None: ...


class AllSites:
    """A bot alone: every site is its own."""

    def take(self, sites: Iterable[str]) -> frozenset[str]:
        return frozenset(sites)

    def release(self) -> None:
        pass


class SharedSites:
    """Replicas: the sites this replica holds, and those no other replica holds, locked in
    PostgreSQL until `release`."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._connection: psycopg.Connection[Any] | None = None
        self._held: set[str] = set()

    def take(self, sites: Iterable[str]) -> frozenset[str]:
        wanted = set(sites)
        try:
            connection = self._connected()
            self._held |= {s for s in wanted - self._held if _locked(connection, s)}
        except psycopg.Error as error:
            log.warning("feeds skipped this round: PostgreSQL %s", type(error).__name__)
            self.release()
            return frozenset()
        for site in sorted(wanted - self._held):
            log.info("feeds of %s skipped this round: another replica is fetching them", site)
        return frozenset(wanted & self._held)

    def release(self) -> None:
        """Every site held is free again (the locks go with the connection)."""
        if self._connection is not None:
            self._connection.close()
        self._connection = None
        self._held = set()

    def _connected(self) -> psycopg.Connection[Any]:
        """The connection the locks are held on, checked; a new one (no locks) if it died."""
        if self._connection is not None:
            try:
                self._connection.execute("SELECT 1")
                return self._connection
            except psycopg.Error:
                self.release()
        self._connection = connect(self._url)
        return self._connection


def _locked(connection: psycopg.Connection[Any], site: str) -> bool:
    key = zlib.crc32(site.encode()) % 2**31
    row = connection.execute("SELECT pg_try_advisory_lock(%s, %s)", (FEED_LOCK, key)).fetchone()
    return bool(row and row[0])
