"""Corpus loading: UTF-8 article files -> cleaned paragraphs -> passages.

An article file is plain text: a title line, then paragraphs separated by line breaks, often with
the news site's chrome around them (section labels, image file names, photo captions, "related
news" lists). Cleaning keeps the prose; each remaining paragraph becomes one `Passage`.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from retrieval.text import comparable, normalize

log = logging.getLogger(__name__)

ARTICLE_SUFFIX = ".txt"
TITLE_MAX_CHARS = 120

# A line that starts the site's footer: everything from it on is navigation, not the article.
_FOOTER_STARTS = (
    "tin cùng chuyên mục",
    "các tin bài khác",
    "tin liên quan",
    "tin khác",
    "bài viết liên quan",
    "xem thêm",
    "scroll to top",
    "về đầu trang",
)
# Whole lines that are buttons or labels of the page, not prose.
_CHROME_LINES = frozenset(
    {
        "chia sẻ",
        "in bài",
        "bản in",
        "in",
        "gửi bài",
        "lưu",
        "facebook",
        "zalo",
        "twitter",
        "email",
        "bình luận",
        "quay lại",
        "trang chủ",
        "video",
        "ngày",
        "xem tin theo ngày",
    }
)
_IMAGE_FILE = re.compile(r"^\S+\.(?:jpe?g|png|gif|webp|bmp|svg)$", re.IGNORECASE)
_PHOTO_CREDIT = re.compile(r"\b(?:Ảnh|Nguồn ảnh|Photo)\s*:\s*[^.]{1,60}$", re.IGNORECASE)
_BYLINE = re.compile(r"^(?:[A-ZĐ]\.\s?)?[^\W\d_][^\s.]*(?:\s[^\W\d_][^\s.]*){0,3}$")


@dataclass(frozen=True, slots=True)
class Passage:
    source: str  # the article's file name, never a server path
    paragraph: int  # 1-based paragraph number in the cleaned article
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Article:
    source: str
    title: str
    paragraphs: tuple[str, ...]
    digest: str  # content hash of the raw file, the key of the index cache

    def passages(self) -> list[Passage]:
        return [
            Passage(self.source, number, self.title, text)
            for number, text in enumerate(self.paragraphs, start=1)
        ]


class CorpusError(Exception):
    """The corpus folder cannot be served at all (missing, or no readable article)."""


def _is_doubled_label(line: str) -> bool:
    """Section labels rendered twice by the site: "Tin nổi bật Tin nổi bật", "Video Video"."""
    words = line.split()
    half = len(words) // 2
    return len(words) % 2 == 0 and half > 0 and words[:half] == words[half:]


def _is_byline(line: str, is_last: bool) -> bool:
    """An author signature closing the article: "THANH TUYỀN", "S. Hải"."""
    if not _BYLINE.match(line):
        return False
    return line.isupper() or is_last


def _is_chrome(line: str) -> bool:
    key = line.lower().rstrip(":")
    return (
        key in _CHROME_LINES
        or _IMAGE_FILE.match(line) is not None
        or _PHOTO_CREDIT.search(line) is not None
        or _is_doubled_label(line)
        or not any(char.isalnum() for char in line)
    )


def _article_lines(text: str) -> list[str]:
    """Non-empty lines up to the site footer, with captions under image files dropped."""
    lines: list[str] = []
    after_image = False
    for raw in text.splitlines():
        line = normalize(raw).strip()
        if not line:
            continue
        if line.lower().rstrip(":").startswith(_FOOTER_STARTS):
            break
        if after_image and len(line) < 200:
            after_image = False
            continue
        after_image = _IMAGE_FILE.match(line) is not None
        lines.append(line)
    return lines


def clean_paragraphs(text: str) -> list[str]:
    """The article's prose paragraphs: chrome, captions, bylines and repeats removed."""
    lines = _article_lines(text)
    seen: set[str] = set()
    paragraphs: list[str] = []
    for position, line in enumerate(lines):
        key = comparable(line)
        if key in seen or _is_chrome(line) or _is_byline(line, position == len(lines) - 1):
            continue
        seen.add(key)
        paragraphs.append(line)
    return paragraphs


def make_title(paragraphs: list[str]) -> str:
    """The headline, or the lead's opening words when the file starts with the lead."""
    first = paragraphs[0]
    if len(first) <= TITLE_MAX_CHARS:
        return first
    return first[: TITLE_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes; None (with a warning naming it) when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as error:
        log.warning("skipped %s: cannot read (%s)", path.name, error.strerror or error)
        return None


def content_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse_article(name: str, raw: bytes) -> Article | None:
    """An article from a file's bytes; None (with a warning naming it) when it has no text."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("skipped %s: not UTF-8 text", name)
        return None
    paragraphs = clean_paragraphs(text)
    if not paragraphs:
        log.warning("skipped %s: no text", name)
        return None
    return Article(name, make_title(paragraphs), tuple(paragraphs), content_digest(raw))


def read_article(path: Path) -> Article | None:
    """Load one article; None (with a warning naming the file) when it cannot be served."""
    raw = read_bytes(path)
    return None if raw is None else parse_article(path.name, raw)


def article_paths(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    return sorted(path for path in folder.iterdir() if path.suffix == ARTICLE_SUFFIX)


def load_articles(folder: Path) -> list[Article]:
    """Every servable article in `folder`, sorted by file name."""
    articles = [a for a in map(read_article, article_paths(folder)) if a is not None]
    if not articles:
        raise CorpusError(f"no readable {ARTICLE_SUFFIX} article in corpus folder: {folder}")
    return articles
