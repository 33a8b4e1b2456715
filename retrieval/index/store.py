"""The index on disk: plain data only, checked before it is trusted, written atomically.

A warm start loads the last snapshot (passages, term counts, vocabulary) without tokenising
anything; `retrieval/index/indexer.py` then re-tokenises only the articles whose content hash
changed. The file is plain arrays laid end to end after a JSON header naming each one's dtype,
shape and place: the term counts as three integer arrays, the passages' texts as one UTF-8
array with where each ends, and the rest (articles, vocabulary) as one JSON document stored
as bytes. Only numbers and text are read from it, so nothing in it can run code, and a
SHA-256 over its content, computed on another core while the snapshot is built from it, must
match before the snapshot is returned: a flipped bit, a truncated or foreign file is reported
and the index rebuilt, never trusted. Each array is read straight into place (no archive to
unpack).

One file per version of the tokenising code and per corpus folder, so two corpora sharing a
cache folder do not evict each other; older versions of the same corpus's file, and temporary
files left by a crash, are removed when a new one is saved. A file that cannot be written is
skipped with a warning, and the bot serves from memory.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from scipy import sparse

from retrieval.index.bm25 import Bm25, TermCounts
from retrieval.index.corpus import Article, Provenance
from retrieval.index.search_index import SearchIndex, term_code_version
from retrieval.language.restore import Vocabulary

log = logging.getLogger(__name__)

FORMAT = 7
SUFFIX = ".index"
TEMPORARY_SUFFIX = ".index-tmp"
FORMER_SUFFIXES = (".npz", ".pickle")  # earlier formats' files, removed on save
STALE_TEMPORARY_SECONDS = 3600  # a temporary file this old was left by a crash
MAGIC = b"tin-bot index\n"
_LENGTH = 8  # bytes of the header's length, little-endian, after MAGIC
_ALIGN = 64  # each array starts at a multiple of this


def corpus_key(corpus: Path) -> str:
    """A short name for a corpus folder, the same for every path that reaches it."""
    return hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:12]


def checksum(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over every array's dtype, shape and bytes, in a fixed order."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.data)  # no copy; hashlib lets go of the GIL meanwhile
    return digest.hexdigest()


def _metadata(index: SearchIndex) -> dict[str, Any]:
    vocabulary = index.vocabulary
    return {
        "format": FORMAT,
        "version": term_code_version(),
        "shape": list(index.counts.counts.shape),
        "articles": [
            [
                a.source,
                a.title,
                list(a.paragraph_numbers),
                a.digest,
                a.provenance.url,
                a.provenance.published,
            ]
            for a in index.articles
        ],
        "forms": vocabulary.forms,
        "pairs": [[first, second, n] for (first, second), n in vocabulary.pairs.items()],
        "stamps": {source: list(stamp) for source, stamp in index.stamps.items()},
    }


def _snapshot_arrays(index: SearchIndex) -> dict[str, np.ndarray]:
    counts = index.counts.counts
    texts, ends = bytearray(), []
    for article in index.articles:
        for text in article.texts:
            texts += text.encode()
            ends.append(len(texts))
    return {
        "data": counts.data,
        "indices": counts.indices,
        "indptr": counts.indptr,
        "lengths": index.counts.lengths,
        "terms": np.frombuffer("\n".join(index.counts.ids).encode(), dtype=np.uint8),
        "article_starts": np.asarray(index.article_starts),
        "texts": np.frombuffer(texts, dtype=np.uint8),
        "text_ends": np.array(ends, dtype=np.int64),
        "metadata": np.frombuffer(json.dumps(_metadata(index)).encode(), dtype=np.uint8),
    }


def _ids(terms: np.ndarray) -> dict[str, int]:
    """The term ids, from the terms in the order of their ids, one a line (a term is one word
    or syllable, or two: never a line break)."""
    names = terms.tobytes().decode().split("\n") if terms.size else []
    return dict(zip(names, range(len(names)), strict=True))


def _texts(arrays: dict[str, np.ndarray]) -> Iterator[str]:
    """Each passage's text, in order."""
    view = arrays["texts"].data
    start = 0
    for end in arrays["text_ends"].tolist():
        yield str(view[start:end], "utf-8")
        start = end


def _index_of(arrays: dict[str, np.ndarray]) -> SearchIndex:
    saved = json.loads(arrays["metadata"].tobytes())
    if saved.get("format") != FORMAT or saved.get("version") != term_code_version():
        raise ValueError("written by another version")
    matrix = sparse.csr_matrix(
        (arrays["data"], arrays["indices"], arrays["indptr"]), shape=tuple(saved["shape"])
    )
    counts = TermCounts(_ids(arrays["terms"]), matrix, arrays["lengths"])
    texts = _texts(arrays)
    articles = tuple(
        Article(
            source,
            title,
            tuple(itertools.islice(texts, len(numbers))),
            tuple(numbers),
            digest,
            Provenance(url, published),
        )
        for source, title, numbers, digest, url, published in saved["articles"]
    )
    pairs = {(first, second): n for first, second, n in saved["pairs"]}
    return SearchIndex(
        articles,
        tuple(p for article in articles for p in article.passages()),
        counts,
        Bm25.from_counts(counts),
        Vocabulary(saved["forms"], pairs),
        arrays["article_starts"],
        {source: tuple(stamp) for source, stamp in saved["stamps"].items()},
    )


def write_arrays(stream: BinaryIO, arrays: dict[str, np.ndarray]) -> None:
    """MAGIC, the header's length and the header (each array's dtype, shape and offset after
    the header, and their `checksum`), then each array, aligned."""
    places: dict[str, list[Any]] = {}
    offset = 0
    for name, array in arrays.items():
        offset += -offset % _ALIGN
        places[name] = [array.dtype.str, list(array.shape), offset]
        offset += array.nbytes
    header = json.dumps({"arrays": places, "checksum": checksum(arrays)}).encode()
    stream.write(MAGIC + len(header).to_bytes(_LENGTH, "little") + header)
    written = 0
    for name, array in arrays.items():
        stream.write(bytes(places[name][2] - written))
        stream.write(np.ascontiguousarray(array).data)
        written = places[name][2] + array.nbytes


def read_arrays(path: Path) -> tuple[str, dict[str, np.ndarray]]:
    """(the checksum the file states, its arrays), as `write_arrays` wrote them; ValueError
    for a file that is not one, or is cut short."""
    with path.open("rb") as stream:
        if stream.read(len(MAGIC)) != MAGIC:
            raise ValueError("not an index file")
        length = int.from_bytes(stream.read(_LENGTH), "little")
        header = json.loads(stream.read(length))
        start = len(MAGIC) + _LENGTH + length
        arrays = {}
        for name, (dtype, shape, offset) in header["arrays"].items():
            array = np.empty(shape, dtype=np.dtype(dtype))
            if array.dtype.hasobject:
                raise ValueError("not plain data")
            stream.seek(start + offset)
            if stream.readinto(array.data.cast("B")) != array.nbytes:
                raise ValueError("cut short")
            arrays[name] = array
    return str(header["checksum"]), arrays


@dataclass(frozen=True)
class IndexStore:
    folder: Path | None  # None: keep nothing on disk
    corpus: Path  # the corpus folder the index is of

    @property
    def path(self) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / f"index-{term_code_version()}-{corpus_key(self.corpus)}{SUFFIX}"

    def load(self) -> SearchIndex | None:
        if self.path is None or not self.path.exists():
            return None
        try:
            stored, arrays = read_arrays(self.path)
            with ThreadPoolExecutor(max_workers=1) as hashing:
                computed = hashing.submit(checksum, arrays)  # on another core, as it is built
                with np.errstate(all="ignore"):  # damaged numbers are refused just below
                    index = _index_of(arrays)
            if stored != computed.result():
                raise ValueError("checksum mismatch")
            return index
        except Exception as error:  # any damage means: rebuild, never trust
            log.warning(
                "index cache %s unreadable (%s: %s); rebuilding",
                self.path.name,
                type(error).__name__,
                str(error)[:80],
            )
            return None

    def save(self, index: SearchIndex) -> None:
        if self.folder is None or self.path is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=TEMPORARY_SUFFIX)
            try:
                with os.fdopen(handle, "wb") as stream:
                    write_arrays(stream, _snapshot_arrays(index))
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
            self._remove_leftovers()
        except OSError as error:
            log.warning("index cache %s not written (%s); serving anyway", self.folder, error)

    def _remove_leftovers(self) -> None:
        """Older versions of this corpus's file, and temporary files a crash left behind."""
        assert self.folder is not None and self.path is not None
        key = corpus_key(self.corpus)
        now = time.time()
        for path in self.folder.iterdir():
            old_version = path.name.endswith(f"-{key}{SUFFIX}") and path != self.path
            abandoned = path.name.endswith(TEMPORARY_SUFFIX) and (
                now - path.stat().st_mtime > STALE_TEMPORARY_SECONDS
            )
            former = path.name.endswith(FORMER_SUFFIXES)
            if old_version or abandoned or former:
                path.unlink(missing_ok=True)
