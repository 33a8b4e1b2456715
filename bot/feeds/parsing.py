"""Feeds and sitemaps read into the article links they list: RSS 2.0 and Atom by feedparser,
XML sitemaps (and sitemap indexes) by lxml. XML that declares entities is refused outright, and
lxml never resolves entities nor reaches the network: no billion laughs, no external files."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lxml import etree

_DECLARES_ENTITIES = re.compile(rb"<!ENTITY", re.IGNORECASE)
_SAFE_XML = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


class FeedError(Exception):
    """Not a feed or sitemap this reads; the message is the reason, for one log line."""


@dataclass(frozen=True, slots=True)
class Entry:
    """An article a feed or sitemap lists."""

    url: str
    title: str | None = None
    published: str | None = None  # ISO 8601 with its offset, from the feed
    lastmod: str | None = None  # a sitemap's, as written: a change means fetch again


@dataclass(frozen=True, slots=True)
class Listing:
    entries: tuple[Entry, ...]
    sitemaps: tuple[str, ...] = ()  # a sitemap index's sitemaps
    without_link: int = 0  # feed items that gave no link
    duplicates: int = field(default=0)  # entries listed twice (same link or GUID)


def _local_name(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _children_text(element: Any, name: str) -> str | None:
    for child in element:
        if _local_name(child.tag) == name and child.text and child.text.strip():
            return str(child.text.strip())
    return None


def _sitemap(root: Any) -> Listing:
    kind = _local_name(root.tag)
    located = [
        (url, _children_text(item, "lastmod"))
        for item in root
        if (url := _children_text(item, "loc")) is not None
    ]
    if kind == "sitemapindex":
        return Listing((), tuple(url for url, _ in located))
    return _unique([Entry(url, lastmod=lastmod) for url, lastmod in located], 0)


def _iso(parsed: Any) -> str | None:
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()


def _feed(body: bytes) -> Listing:
    import feedparser  # loaded only when a feed is followed

    parsed = feedparser.parse(body)
    if not parsed.get("version") and not parsed.entries:
        raise FeedError("not an RSS or Atom feed, nor a sitemap")
    entries = []
    for item in parsed.entries:
        link = item.get("link")
        if link:
            published = item.get("published_parsed") or item.get("updated_parsed")
            entries.append(Entry(link.strip(), item.get("title") or None, _iso(published)))
    return _unique(entries, len(parsed.entries) - len(entries))


def _unique(entries: list[Entry], without_link: int) -> Listing:
    seen: dict[str, Entry] = {}
    for entry in entries:
        seen.setdefault(entry.url, entry)
    return Listing(tuple(seen.values()), (), without_link, len(entries) - len(seen))


def read_listing(body: bytes) -> Listing:
    """The articles (or sitemaps) a feed or sitemap lists; FeedError saying why not."""
    if _DECLARES_ENTITIES.search(body[:65536]):
        raise FeedError("declares XML entities (refused)")
    try:
        root = etree.fromstring(body, parser=_SAFE_XML)
    except etree.XMLSyntaxError:
        root = None  # feedparser's lenient reading may still get something
    if root is not None and _local_name(root.tag) in ("urlset", "sitemapindex"):
        return _sitemap(root)
    return _feed(body)
