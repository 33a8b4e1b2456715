"""Corpus loading: UTF-8 article files -> cleaned paragraphs -> passages.

An article file is plain text: a title line, then paragraphs separated by line breaks, often with
the news site's chrome around them (section labels, image file names, photo captions, "related
news" lists). Cleaning keeps the prose; each remaining paragraph becomes one `Passage`.

Before the title, a file may state where the article was published and when, one line each,
in either order (a fetched feed article always does; a copied folder keeps them):

    URL: https://example.vn/bai-viet.html
    Published: 2025-08-12T07:30:00+07:00      (or a date alone: 2025-08-12)

A line that does not parse as such (a URL not http(s), a date not ISO 8601) is article text.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from retrieval.language.text import normalize, sentences, shown_name

log = logging.getLogger(__name__)

ARTICLE_SUFFIX = ".txt"
TITLE_MAX_CHARS = 120
LABEL_MAX_WORDS = 6
# Passages longer than this are cut at sentences: a scraped article is often one long line, and
# both BM25's length normalisation and pyvi's cost want passages of a paragraph's size.
MAX_PASSAGE_CHARS = 2500
# A larger file is skipped with a warning: an archive dump, not an article (a 20 MB article
# on one line indexes in about 80 s and 1.1 GB).
MAX_ARTICLE_BYTES = 20 * 2**20

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
URL_KEY, PUBLISHED_KEY = "URL", "Published"
_URL_LINE = re.compile(r"^URL:\s*(https?://\S+)\s*$", re.IGNORECASE)
_PUBLISHED_LINE = re.compile(r"^Published:\s*(\d{4}-\d{2}-\d{2}\S*)\s*$", re.IGNORECASE)


def published_moment(published: str, zone: tzinfo) -> datetime:
    """When an article was published, as a time with its offset: a date alone is the start
    of that day in `zone`, a time without an offset is taken as `zone`'s."""
    moment = datetime.fromisoformat(published)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def published_date(published: str, zone: tzinfo) -> date:
    """The day an article was published, in `zone`: an ISO date as written; a time with an
    offset converted to `zone`; a time without one taken as `zone`'s already."""
    return published_moment(published, zone).astimezone(zone).date()


def _valid_published(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where and when an article was published, as its file states it (see the docstring)."""

    url: str | None = None
    published: str | None = None  # ISO 8601, a date or a time with its offset

    def header(self) -> str:
        """The lines a file opens with to state this, before its title."""
        lines = [f"{URL_KEY}: {self.url}"] if self.url else []
        lines += [f"{PUBLISHED_KEY}: {self.published}"] if self.published else []
        return "".join(f"{line}\n" for line in lines)


NO_PROVENANCE = Provenance()


def split_provenance(text: str) -> tuple[Provenance, str]:
    """The URL and publication date stated before the title, and the rest of the text."""
    url = published = None
    rest = text
    while True:
        line, _, after = rest.partition("\n")
        stated_url = _URL_LINE.match(line.strip())
        stated_date = _PUBLISHED_LINE.match(line.strip())
        if stated_url and url is None:
            url = stated_url.group(1)
        elif stated_date and published is None and _valid_published(stated_date.group(1)):
            published = stated_date.group(1)
        else:
            return Provenance(url, published), rest
        rest = after


@dataclass(frozen=True, slots=True)
class Passage:
    source: str  # the article's file name, never a server path
    paragraph: int  # 1-based paragraph number in the cleaned article
    title: str
    text: str
    provenance: Provenance = NO_PROVENANCE

    @property
    def is_headline(self) -> bool:
        """Whether this passage is the article's headline line itself."""
        return self.paragraph == 1 and self.text == self.title


@dataclass(frozen=True, slots=True)
class Article:
    source: str
    title: str
    # the passages' texts: paragraphs, long ones cut into pieces (in an index, a `compact.Span`)
    texts: Sequence[str]
    paragraph_numbers: tuple[int, ...]  # the 1-based paragraph each text comes from
    digest: str  # content hash of the raw file, the key of the index cache
    provenance: Provenance = NO_PROVENANCE

    @classmethod
    def of(
        cls,
        source: str,
        paragraphs: list[str],
        digest: str,
        provenance: Provenance = NO_PROVENANCE,
    ) -> Article:
        pieces = [(n, piece) for n, text in enumerate(paragraphs, 1) for piece in pieces_of(text)]
        numbers, texts = zip(*pieces, strict=True)
        return cls(source, make_title(paragraphs), texts, numbers, digest, provenance)

    def passages(self) -> list[Passage]:
        return [
            Passage(self.source, number, self.title, text, self.provenance)
            for number, text in zip(self.paragraph_numbers, self.texts, strict=True)
        ]


class CorpusError(Exception):
    """The corpus folder cannot be served at all (missing, or no readable article)."""


def _is_doubled_label(line: str) -> bool:
    """Section labels rendered twice by the site: "Tin nổi bật Tin nổi bật", "Video Video".
    A label is a few words: a long paragraph that happens to repeat itself is prose."""
    words = line.split()
    half = len(words) // 2
    return 0 < half <= LABEL_MAX_WORDS and len(words) % 2 == 0 and words[:half] == words[half:]


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
        or (":" in line and _PHOTO_CREDIT.search(line) is not None)  # its search is slow
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
        key = " ".join(line.lower().split())  # `comparable(line)`: the line is normalised
        if key in seen or _is_chrome(line) or _is_byline(line, position == len(lines) - 1):
            continue
        seen.add(key)
        paragraphs.append(line)
    return paragraphs


def _cut_at_word(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at the last space before it where there is one."""
    pieces = []
    while len(text) > limit:
        cut = text.rfind(" ", limit // 2, limit + 1)
        cut = cut if cut > 0 else limit
        pieces.append(text[:cut].strip())
        text = text[cut:].strip()
    return [*pieces, text] if text else pieces


def pieces_of(paragraph: str, limit: int = MAX_PASSAGE_CHARS) -> list[str]:
    """A paragraph as passages of at most `limit` characters: whole sentences packed together,
    a sentence longer than that cut between words. A short paragraph is one passage."""
    if len(paragraph) <= limit:
        return [paragraph]
    pieces: list[str] = []
    current = ""
    for sentence in sentences(paragraph):
        for part in _cut_at_word(sentence, limit):
            if current and len(current) + 1 + len(part) > limit:
                pieces.append(current)
                current = part
            else:
                current = f"{current} {part}" if current else part
    return [*pieces, current] if current else pieces


def make_title(paragraphs: list[str]) -> str:
    """The headline, or the lead's opening words when the file starts with the lead."""
    first = paragraphs[0]
    if len(first) <= TITLE_MAX_CHARS:
        return first
    return first[: TITLE_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"


def read_bytes(path: Path) -> bytes | None:
    """The file's bytes; None (with a warning naming it) when it cannot be read: missing, a
    dangling link or a link loop, not a regular file, or over MAX_ARTICLE_BYTES."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            log.warning("skipped %s: not a regular file", shown_name(path.name))
            return None
        if size > MAX_ARTICLE_BYTES:
            log.warning(
                "skipped %s: %.0f MB, over the %d MB article limit",
                shown_name(path.name),
                size / 2**20,
                MAX_ARTICLE_BYTES // 2**20,
            )
            return None
        return path.read_bytes()
    except OSError as error:
        log.warning("skipped %s: cannot read (%s)", shown_name(path.name), error.strerror or error)
        return None


def content_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse_article(name: str, raw: bytes) -> Article | None:
    """An article from a file's bytes; None (with a warning naming it) when it has no text."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("skipped %s: not UTF-8 text", shown_name(name))
        return None
    provenance, text = split_provenance(text)
    paragraphs = clean_paragraphs(text)
    if not paragraphs:
        log.warning("skipped %s: no text", shown_name(name))
        return None
    return Article.of(name, paragraphs, content_digest(raw), provenance)


def read_article(path: Path) -> Article | None:
    """Load one article; None (with a warning naming the file) when it cannot be served."""
    raw = read_bytes(path)
    return None if raw is None else parse_article(path.name, raw)


def article_paths(folder: Path) -> list[Path]:
    if folder.is_file():
        raise CorpusError(f"corpus path is a file, not a folder of .txt articles: {folder}")
    if not folder.is_dir():
        raise CorpusError(
            f"corpus folder not found: {folder.absolute()} (set BOT_CORPUS_DIR or pass --corpus)"
        )
    articles = (path for path in folder.iterdir() if path.suffix == ARTICLE_SUFFIX)
    return sorted(articles, key=lambda path: path.name)  # as paths sort, 100 times faster


def load_articles(folder: Path) -> list[Article]:
    """Every servable article in `folder`, sorted by file name."""
    articles = [a for a in map(read_article, article_paths(folder)) if a is not None]
    if not articles:
        raise CorpusError(f"no readable {ARTICLE_SUFFIX} article in corpus folder: {folder}")
    return articles
