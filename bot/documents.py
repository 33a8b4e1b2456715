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

from retrieval.index.corpus import ARTICLE_SUFFIX
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

    def article_text(self) -> str:
        return "\n".join([self.title, *self.paragraphs]) + "\n"

    def file_name(self) -> str:
        """The title's words without diacritics: "cau-bach-dang-2-khanh-thanh.txt"."""
        slug = _NOT_NAME.sub("-", fold(self.title).lower()).strip("-")
        return (slug[:MAX_NAME_CHARS].rstrip("-") or "bai-viet") + ARTICLE_SUFFIX


def _lines(text: str) -> list[str]:
    return [line for line in (normalize(raw).strip() for raw in text.splitlines()) if line]


def _plain_text(data: bytes) -> list[str]:
    return _lines(data.decode("utf-8-sig"))


def _web_page(data: bytes) -> list[str]:
    import trafilatura  # loaded only when a page is uploaded

    html = data.decode("utf-8-sig", errors="replace")
    body = trafilatura.extract(html, include_comments=False, include_tables=False) or ""
    metadata = trafilatura.extract_metadata(html)
    title = metadata.title if metadata is not None and metadata.title else ""
    paragraphs = _lines(body)
    if paragraphs and title and paragraphs[0] == normalize(title).strip():
        paragraphs = paragraphs[1:]  # the page's own heading, repeated in its body
    return [normalize(title).strip(), *paragraphs] if title and paragraphs else paragraphs


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


def save_article(folder: Path, document: Document, replace: bool) -> Path:
    """Write the article into the corpus folder atomically (a `.upload` file renamed into
    place); FileExistsError when the name is taken and `replace` is not set."""
    target = folder / document.file_name()
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
