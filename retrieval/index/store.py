"""The index on disk: plain data only, checked before it is trusted, written atomically.

A warm start loads the last snapshot (passages, term counts, vocabulary) without tokenising
anything; `retrieval/index/indexer.py` then re-tokenises only the articles whose content hash
changed. The file is plain arrays laid end to end after a JSON header naming each one's dtype,
shape and place: the term counts as three integer arrays (none in a coordinator's snapshot,
which has no term counts), the passages' texts as one UTF-8 array with where each ends, each
article's file name, title, hash, URL and date the same way (`retrieval/index/compact.py`), the
vocabulary as its spellings, one a line, and numbers, and the rest (the files' stamps) as one
JSON document stored as bytes. Only numbers and text are read from it, so nothing in it can run
code, and a CRC-32 over everything after the header (and the header's list of arrays) must
match before the snapshot is returned: a flipped bit, a truncated or foreign file is reported
and the index rebuilt, never trusted.

The file is mapped read-only and the snapshot's arrays are views of the mapping: a warm start
copies nothing, and only the pages a question reads (its terms' rows, the texts shown) take
memory of this process; the rest stays in the page cache, or not. The checksum is computed on
another core while the snapshot is built, through a mapping of its own a chunk at a time,
each chunk's pages let go of once hashed; a start opens the file and sets the checksum
going before it lists the corpus folder (`IndexStore.check_ahead`), so that little of it is
left to wait for. A snapshot saved later (after a reload, whose arrays are new ones) is
written to a new file that replaces this one's name: the mapped file lives on, unchanged,
until the last snapshot reading it is gone.

One file per version of the tokenising code and per corpus folder, so two corpora sharing a
cache folder do not evict each other; older versions of the same corpus's file, and temporary
files left by a crash, are removed when a new one is saved. A file that cannot be written is
skipped with a warning, and the bot serves from memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import mmap
import os
import tempfile
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from retrieval.index.backend import NoTerms
from retrieval.index.bm25 import Bm25, TermCounts, csr_of
from retrieval.index.compact import TEXT_COLUMNS, Articles, Texts
from retrieval.index.search_index import SearchIndex, term_code_version
from retrieval.index.terms import TermIds, lines, lines_of
from retrieval.language.restore import Vocabulary

log = logging.getLogger(__name__)

FORMAT = 12
SUFFIX = ".index"
TEMPORARY_SUFFIX = ".index-tmp"
FORMER_SUFFIXES = (".npz", ".pickle")  # earlier formats' files, removed on save
STALE_TEMPORARY_SECONDS = 3600  # a temporary file this old was left by a crash
MAGIC = b"tin-bot index\n"
_LENGTH = 8  # bytes of the header's length, little-endian, after MAGIC
_ALIGN = 64  # the header is padded, and each array starts, at a multiple of this
# Bytes checked at a time, and then let go of. After each the checksum's thread waits for the
# GIL, up to the switch interval (5 ms) while the snapshot is built: with 1 MiB chunks the
# wait, not the hashing, set its pace.
READ_CHUNK = 2**26
# An array as written: one array, or uint8 pieces laid end to end (`Texts.saved`).
Stored = np.ndarray | list[np.ndarray]


def corpus_key(corpus: Path) -> str:
    """A short name for a corpus folder, the same for every path that reaches it."""
    return hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:12]


def _pieces(stored: Stored) -> list[np.ndarray]:
    return stored if isinstance(stored, list) else [np.ascontiguousarray(stored)]


def _described(stored: Stored) -> tuple[str, list[int], int]:
    """(dtype, shape, bytes) of an array as written."""
    if isinstance(stored, list):
        size = sum(piece.nbytes for piece in stored)
        return np.dtype(np.uint8).str, [size], size
    return stored.dtype.str, list(stored.shape), stored.nbytes


def _metadata(index: SearchIndex) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": term_code_version(),
        "shape": None if index.counts is None else list(index.counts.counts.shape),
        "stamps": {source: list(stamp) for source, stamp in index.stamps.items()},
    }


def _snapshot_arrays(index: SearchIndex) -> dict[str, Stored]:
    articles = index.articles
    arrays: dict[str, Stored] = {
        **_count_arrays(index.counts),
        "article_starts": articles.starts,
        "paragraphs": articles.paragraphs,
        **_vocabulary_arrays(index.vocabulary),
    }
    for column in TEXT_COLUMNS:  # each as its strings laid end to end, and where each ends
        arrays[column], arrays[f"{column}_ends"] = getattr(articles, column).saved()
    arrays["metadata"] = np.frombuffer(json.dumps(_metadata(index)).encode(), dtype=np.uint8)
    return arrays


def _count_arrays(counts: TermCounts | None) -> dict[str, Stored]:
    """The term counts' arrays; none for a snapshot without term counts."""
    if counts is None:
        return {}
    matrix = counts.counts
    return {
        "data": matrix.data,
        "indices": matrix.indices,
        "indptr": matrix.indptr,
        "lengths": counts.lengths,
        **_term_arrays(counts.ids),
    }


def _term_arrays(ids: TermIds) -> dict[str, np.ndarray]:
    terms, hashes, owners = ids.arrays()
    return {"terms": terms, "term_hashes": hashes, "term_owners": owners}


def _vocabulary_arrays(vocabulary: Vocabulary) -> dict[str, np.ndarray]:
    """The vocabulary as arrays: each spelling once (a pair names its two by number, the pairs
    in the order of those numbers, which `PairCounts` searches), the forms in their order,
    which restoring reads in."""
    forms, pairs = vocabulary.forms, dict(vocabulary.pairs.items())
    spellings = [spelled for spelled_forms in forms.values() for spelled in spelled_forms]
    words = list(dict.fromkeys([*spellings, *(word for pair in pairs for word in pair)]))
    number = {word: at for at, word in enumerate(words)}
    pair_words = np.array([number[w] for pair in pairs for w in pair], dtype=np.int32)
    pair_words = pair_words.reshape(-1, 2)
    ascending = np.lexsort((pair_words[:, 1], pair_words[:, 0]))
    return {
        "folded": lines(forms),
        "form_sizes": np.array([len(spelled) for spelled in forms.values()], dtype=np.int64),
        "words": lines(words),  # the spellings of `forms` first, in order
        "form_counts": np.array([n for f in forms.values() for n in f.values()], dtype=np.int64),
        "pair_words": pair_words[ascending],
        "pair_counts": np.array(list(pairs.values()), dtype=np.int64)[ascending],
    }


def _vocabulary_of(arrays: dict[str, np.ndarray]) -> Vocabulary:
    words, counts = lines_of(arrays["words"]), arrays["form_counts"].tolist()
    sizes = arrays["form_sizes"].tolist()  # how many spellings each folded form has
    if sum(sizes) != len(counts) or len(counts) > len(words):
        raise ValueError("form sizes do not match the spellings")
    spelled = zip(words, counts, strict=False)  # the spellings of the forms come first
    forms = {
        folded: dict(itertools.islice(spelled, size))
        for folded, size in zip(lines_of(arrays["folded"]), sizes, strict=True)
    }
    pairs = arrays["pair_words"].reshape(-1, 2)
    return Vocabulary.counted(forms, words, pairs, arrays["pair_counts"])


def _counts_of(arrays: dict[str, np.ndarray], shape: list[int]) -> TermCounts:
    rows, columns = shape
    matrix = csr_of(arrays["data"], arrays["indices"], arrays["indptr"], (rows, columns))
    ids = TermIds(arrays["terms"], arrays["term_hashes"], arrays["term_owners"])
    return TermCounts(ids, matrix, arrays["lengths"])


def _index_of(arrays: dict[str, np.ndarray]) -> SearchIndex:
    saved = json.loads(arrays["metadata"].tobytes())
    if saved.get("format") != FORMAT or saved.get("version") != term_code_version():
        raise ValueError("written by another version")
    counts = None if saved["shape"] is None else _counts_of(arrays, saved["shape"])
    columns = {
        column: Texts.laid_end_to_end(arrays[column], arrays[f"{column}_ends"])
        for column in TEXT_COLUMNS
    }
    articles = Articles(starts=arrays["article_starts"], paragraphs=arrays["paragraphs"], **columns)
    return SearchIndex(
        articles,
        counts,
        NoTerms() if counts is None else Bm25.from_counts(counts),
        _vocabulary_of(arrays),
        {source: tuple(stamp) for source, stamp in saved["stamps"].items()},
    )


def _places(arrays: dict[str, Stored]) -> dict[str, list[Any]]:
    """Each array's dtype, shape and offset after the header, aligned."""
    places: dict[str, list[Any]] = {}
    offset = 0
    for name, stored in arrays.items():
        offset += -offset % _ALIGN
        dtype, shape, size = _described(stored)
        places[name] = [dtype, shape, offset]
        offset += size
    return places


def _laid_out(arrays: dict[str, Stored], places: dict[str, list[Any]]) -> Iterator[Any]:
    """Every byte after the header, in order, as buffers: each array after its padding."""
    written = 0
    for name, stored in arrays.items():
        yield bytes(places[name][2] - written)
        for piece in _pieces(stored):
            yield piece.data
            written += piece.nbytes
        written = places[name][2] + _described(stored)[2]


class _Checksum:
    """A CRC-32 of what the file holds after its header, the header's list of arrays first (a
    damaged header cannot go unnoticed either). A check against damage, a flipped bit, a cut
    or foreign file, at some 4 GB a second: the SHA-256 it replaced took three times as long,
    on the way of every start, and keeps out no one who can write the file (nothing read from
    it can run code anyway). zlib lets go of the GIL while it reads."""

    def __init__(self, places: dict[str, list[Any]]) -> None:
        self._value = zlib.crc32(json.dumps(places).encode())

    def update(self, buffer: Any) -> None:
        self._value = zlib.crc32(buffer, self._value)

    def hexdigest(self) -> str:
        return f"{self._value:08x}"


def write_arrays(stream: BinaryIO, arrays: dict[str, Stored]) -> None:
    """MAGIC, the header's length and the header (each array's dtype, shape and offset after
    the header, and the checksum of everything after it), padded, then each array, aligned."""
    places = _places(arrays)
    digest = _Checksum(places)
    for buffer in _laid_out(arrays, places):
        digest.update(buffer)
    header = json.dumps({"arrays": places, "checksum": digest.hexdigest()}).encode()
    header += b" " * (-(len(MAGIC) + _LENGTH + len(header)) % _ALIGN)
    stream.write(MAGIC + len(header).to_bytes(_LENGTH, "little") + header)
    for buffer in _laid_out(arrays, places):
        stream.write(buffer)


def _let_go_of_mapped_pages(arrays: dict[str, Stored]) -> None:
    """Drop from this process the pages of a mapped cache file that writing `arrays` read
    (those of the snapshot loaded at start): the ones a question reads fault back in."""
    mapped: dict[int, mmap.mmap] = {}
    for piece in (piece for stored in arrays.values() for piece in _pieces(stored)):
        base = piece.base
        while isinstance(base, np.ndarray):
            base = base.base
        if isinstance(base, memoryview) and isinstance(base.obj, mmap.mmap):
            mapped[id(base.obj)] = base.obj
    for whole in mapped.values():
        whole.madvise(mmap.MADV_DONTNEED)


@dataclass(frozen=True)
class _CacheFile:
    """An index file open for reading: its header read, the file mapped."""

    descriptor: int
    whole: mmap.mmap
    places: dict[str, list[Any]]  # each array's dtype, shape and offset after the header
    start: int  # where the header ends
    checksum: str  # as the header states it

    @classmethod
    def of(cls, stream: BinaryIO) -> _CacheFile:
        """ValueError for a file that is not an index."""
        if stream.read(len(MAGIC)) != MAGIC:
            raise ValueError("not an index file")
        length = int.from_bytes(stream.read(_LENGTH), "little")
        header = json.loads(stream.read(length))
        whole = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
        start = len(MAGIC) + _LENGTH + length
        return cls(stream.fileno(), whole, header["arrays"], start, str(header["checksum"]))

    def arrays(self) -> dict[str, np.ndarray]:
        """Each array, a read-only view of the mapping; ValueError where the file is cut
        short."""
        arrays = {}
        for name, (dtype, shape, offset) in self.places.items():
            kind = np.dtype(dtype)
            if kind.hasobject:
                raise ValueError("not plain data")
            count, at = int(np.prod(shape)), self.start + offset
            array = np.frombuffer(self.whole, dtype=kind, count=count, offset=at)
            arrays[name] = array.reshape(shape)
        return arrays

    def hashed(self) -> str:
        """The checksum of what the file holds, read a chunk at a time through a mapping of
        its own, each chunk's pages let go of once hashed: nothing is copied (reading into a
        buffer took twice as long), and the texts served from the file still take memory of
        this process only where a question reads them."""
        digest = _Checksum(self.places)
        with mmap.mmap(self.descriptor, 0, access=mmap.ACCESS_READ) as own:
            view = memoryview(own)
            try:
                for at in range(self.start, len(own), READ_CHUNK):
                    digest.update(view[at : at + READ_CHUNK])  # lets go of the GIL meanwhile
                    page = at - at % mmap.PAGESIZE
                    own.madvise(mmap.MADV_DONTNEED, page, min(at + READ_CHUNK, len(own)) - page)
            finally:
                view.release()
        return digest.hexdigest()


@dataclass
class _Opened:
    """A cache file open for reading, its checksum being computed on another core."""

    stream: BinaryIO
    cache: _CacheFile
    computed: Future[str]

    @classmethod
    def of(cls, path: Path) -> _Opened:
        stream = path.open("rb")
        try:
            cache = _CacheFile.of(stream)
        except BaseException:
            stream.close()
            raise
        hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index-checksum")
        computed = hashing.submit(cache.hashed)
        hashing.shutdown(wait=False)  # its thread ends when the checksum is done
        return cls(stream, cache, computed)

    def __enter__(self) -> _Opened:
        return self

    def __exit__(self, *exception: object) -> None:
        """Close the file once the checksum no longer reads it; the mapping stays."""
        wait([self.computed])
        self.stream.close()


@dataclass(frozen=True)
class IndexStore:
    folder: Path | None  # None: keep nothing on disk
    corpus: Path  # the corpus folder the index is of
    # the file `check_ahead` opened, for `load`
    _ahead: list[_Opened] = field(default_factory=list, compare=False, repr=False)

    @property
    def path(self) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / f"index-{term_code_version()}-{corpus_key(self.corpus)}{SUFFIX}"

    def check_ahead(self) -> None:
        """Open the cache file now and start computing its checksum on another core, for
        `load` to find done: the listing of the corpus folder that comes first hides its
        time. Nothing when there is no file, or a second time; any error is `load`'s."""
        if self.path is None or self._ahead or not self.path.exists():
            return
        with contextlib.suppress(Exception):  # `load` opens it again, and says why it cannot
            self._ahead.append(_Opened.of(self.path))

    def load(self) -> SearchIndex | None:
        if self.path is None:
            return None
        try:
            opened = self._ahead.pop() if self._ahead else _Opened.of(self.path)
        except FileNotFoundError:
            return None
        except Exception as error:
            self._unreadable(error)
            return None
        try:
            with opened:
                with np.errstate(all="ignore"):  # damaged numbers are refused just below
                    index = _index_of(opened.cache.arrays())
                if opened.cache.checksum != opened.computed.result():
                    raise ValueError("checksum mismatch")
            return index
        except Exception as error:  # any damage means: rebuild, never trust
            self._unreadable(error)
            return None

    def _unreadable(self, error: Exception) -> None:
        """Say why the cache file is not used: it is rebuilt."""
        assert self.path is not None
        log.warning(
            "index cache %s unreadable (%s: %s); rebuilding",
            self.path.name,
            type(error).__name__,
            str(error)[:80],
        )

    def save(self, index: SearchIndex) -> None:
        if self.folder is None or self.path is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=TEMPORARY_SUFFIX)
            try:
                arrays = _snapshot_arrays(index)
                with os.fdopen(handle, "wb") as stream:
                    write_arrays(stream, arrays)
                _let_go_of_mapped_pages(arrays)
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
