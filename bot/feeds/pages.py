"""An article page as an article file: trafilatura's main text, title and date, the feed's
title and date where the page gives none, and the page's canonical URL."""

from __future__ import annotations

import hashlib
from datetime import datetime, tzinfo
from urllib.parse import urljoin

from bot.documents import Document, read_web_page
from bot.feeds.http import SCHEMES, FetchError
from bot.feeds.parsing import Entry
from retrieval.index.corpus import Provenance, clean_paragraphs
from retrieval.language.text import normalize

URL_TAG_CHARS = 8


def _in_zone(published: str | None, zone: tzinfo) -> str | None:
    """The feed's time, written in the operator's zone (its date is then the local one)."""
    return datetime.fromisoformat(published).astimezone(zone).isoformat() if published else None


def canonical_url(stated: str | None, fetched_url: str) -> str:
    """The page's canonical URL (relative ones resolved), or the URL it was fetched from."""
    if not stated:
        return fetched_url
    resolved = urljoin(fetched_url, stated.strip())
    return resolved if resolved.split(":", 1)[0] in SCHEMES else fetched_url


def feed_article(html: bytes, fetched_url: str, entry: Entry, zone: tzinfo) -> Document:
    """The article on the page; FetchError when it has no article text."""
    page = read_web_page(html)
    text = clean_paragraphs("\n".join(page.paragraphs))  # the corpus's own chrome rules
    if not text:
        raise FetchError("no article text on the page")
    title = page.title or normalize(entry.title or "").strip()
    paragraphs = text if title else text[1:]
    title = title or text[0]
    published = page.date or _in_zone(entry.published, zone)
    url = canonical_url(page.canonical, fetched_url)
    return Document(title, tuple(paragraphs), Provenance(url, published))


def file_name(document: Document) -> str:
    """The title's words and a short hash of the canonical URL: two articles with one title
    do not overwrite each other, and a changed article keeps its file."""
    url = document.provenance.url or ""
    return document.file_name(hashlib.sha256(url.encode()).hexdigest()[:URL_TAG_CHARS])
