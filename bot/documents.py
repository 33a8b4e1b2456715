"""An uploaded document becomes an article file: the title on the first line, each paragraph
whole on one line, saved into the corpus folder under a name made from the title.

Each format is read by a library made for it: trafilatura for web pages (the article's main
text, not the site's menus), python-docx for Word, pdfminer.six for PDF (its layout analysis
gives a paragraph as one text box, not one line per printed line).
"""

from __future__ import annotations

import enum
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from retrieval.index.corpus import ARTICLE_SUFFIX, NO_PROVENANCE, Provenance
from retrieval.language.text import fold, normalize

MAX_UPLOAD_BYTES = 20 * 2**20  # what the Bot API lets a bot download
MAX_NAME_CHARS = 60
PARTIAL_SUFFIX = ".upload"  # never `.txt`: the corpus scan must not see a half-written file
_NOT_NAME = re.compile(r"[^a-z0-9]+")


class Problem(enum.Enum):
    EMPTY = "empty"
    UNREADABLE = "unreadable"
    TOO_LARGE = "too large"
    UNSUPPORTED = "unsupported"


class DocumentError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Document:
    title: str
    paragraphs: tuple[str, ...]
    provenance: Provenance = NO_PROVENANCE

    def article_text(self) -> str:
        return self.provenance.header() + "\n".join([self.title, *self.paragraphs]) + "\n"

    def file_name(self, tag: str = "") -> str:
        """The title's words without diacritics: "cau-bach-dang-2-khanh-thanh.txt", with
        `tag` after them when given ("cau-bach-dang-2-khanh-thanh-1a2b3c4d.txt")."""
        slug = _NOT_NAME.sub("-", fold(self.title).lower()).strip("-")
        stem = slug[:MAX_NAME_CHARS].rstrip("-") or "bai-viet"
        return f"{stem}-{tag}{ARTICLE_SUFFIX}" if tag else stem + ARTICLE_SUFFIX


def _lines(text: str) -> list[str]:
    return [line for line in (normalize(raw).strip() for raw in text.splitlines()) if line]


def _plain_text(data: bytes) -> list[str]:
    return _lines(data.decode("utf-8-sig"))


@dataclass(frozen=True, slots=True)
class WebPage:
    """A page's main text, as trafilatura finds it, and what its metadata says."""

    title: str
    paragraphs: list[str]  # the page's own heading, repeated in its body, left out
    canonical: str | None  # <link rel=canonical> or og:url
    date: str | None  # YYYY-MM-DD


def read_web_page(html: str | bytes) -> WebPage:
    """`html` as text, or as bytes in whatever charset the page declares."""
    import trafilatura  # loaded only when a page is read

    body = trafilatura.extract(html, include_comments=False, include_tables=False) or ""
    metadata = trafilatura.extract_metadata(html)
    title = normalize(metadata.title).strip() if metadata is not None and metadata.title else ""
    paragraphs = _lines(body)
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    canonical = metadata.url if metadata is not None else None
    date = metadata.date if metadata is not None else None
    return WebPage(title, paragraphs, canonical or None, date or None)


def _web_page(data: bytes) -> list[str]:
    page = read_web_page(data.decode("utf-8-sig", errors="replace"))
    return [page.title, *page.paragraphs] if page.title and page.paragraphs else page.paragraphs


def _word(data: bytes) -> list[str]:
    import docx  # python-docx

    document = docx.Document(io.BytesIO(data))
    paragraphs = _lines("\n".join(paragraph.text for paragraph in document.paragraphs))
    title = document.core_properties.title
    return [normalize(title).strip(), *paragraphs] if title and title.strip() else paragraphs


def _pdf(data: bytes) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    paragraphs = []
    for page in extract_pages(io.BytesIO(data)):
        for element in page:
            if isinstance(element, LTTextContainer):
                joined = " ".join(line.strip() for line in element.get_text().splitlines())
                paragraphs.extend(_lines(joined))
    return paragraphs


READERS: dict[str, Callable[[bytes], list[str]]] = {
    ".txt": _plain_text,
    ".html": _web_page,
    ".htm": _web_page,
    ".docx": _word,
    ".pdf": _pdf,
}


def read_document(name: str, data: bytes) -> Document:
    """The article in an uploaded file; DocumentError names what is wrong with it."""
    reader = READERS.get(Path(name).suffix.lower())
    if reader is None:
        raise DocumentError(Problem.UNSUPPORTED)
    if len(data) > MAX_UPLOAD_BYTES:
        raise DocumentError(Problem.TOO_LARGE)
    if not data.strip():
        raise DocumentError(Problem.EMPTY)
    try:
        lines = reader(data)
    except Exception:  # whatever a damaged file makes its library raise
        raise DocumentError(Problem.UNREADABLE) from None
    if not lines:
        raise DocumentError(Problem.EMPTY)
    return Document(lines[0], tuple(lines[1:]))


def save_article(folder: Path, document: Document, replace: bool, name: str = "") -> Path:
    """Write the article into the corpus folder atomically (a `.upload` file renamed into
    place), as `name` or else its title's file name; FileExistsError when the name is taken
    and `replace` is not set."""
    target = folder / (name or document.file_name())
    if target.exists() and not replace:
        raise FileExistsError(target.name)
    partial = folder / f".{target.stem}{PARTIAL_SUFFIX}"
    partial.write_text(document.article_text(), encoding="utf-8")
    os.replace(partial, target)
    return target


def corpus_file(folder: Path, name: str) -> Path | None:
    """The article file `name` names, if it is one directly inside the corpus folder: never a
    path elsewhere ("../x.txt", "/etc/passwd", a link out)."""
    if not name.endswith(ARTICLE_SUFFIX) or Path(name).name != name or name.startswith("."):
        return None
    path = folder / name
    inside = path.resolve().parent == folder.resolve()
    return path if inside and path.is_file() else None
