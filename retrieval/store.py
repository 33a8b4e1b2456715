"""The index on disk: one file per version of the tokenising code, written atomically.

A warm start loads the last snapshot (passages, term counts, vocabulary) without tokenising
anything; `retrieval/indexer.py` then re-tokenises only the articles whose content hash
changed. A file that cannot be read (truncated, corrupt, from another format) is reported and
ignored, so the index is rebuilt rather than trusted; one that cannot be written is skipped
with a warning, and the bot serves from memory.
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from retrieval.bm25 import Bm25, TermCounts
from retrieval.index import SearchIndex, term_code_version

log = logging.getLogger(__name__)

FORMAT = 4
MAGIC = b"TINBOTIX"


_COUNT = struct.Struct("<Q")


def write_snapshot(saved: dict, stream: BinaryIO) -> None:
    """Stream a pickle whose numpy arrays are written out of band after it, then a trailer
    with their sizes: saving never holds a second copy of the index in memory, and loading
    reads each array straight into its final buffer."""
    stream.write(MAGIC)
    buffers: list[pickle.PickleBuffer] = []
    pickle.dump(saved, stream, protocol=5, buffer_callback=buffers.append)
    sizes = []
    for buffer in buffers:
        raw = buffer.raw()
        stream.write(raw)
        sizes.append(raw.nbytes)
    trailer = b"".join(_COUNT.pack(size) for size in sizes) + _COUNT.pack(len(sizes))
    stream.write(trailer + _COUNT.pack(len(trailer)))


def read_snapshot(stream: BinaryIO) -> dict:
    if stream.read(len(MAGIC)) != MAGIC:
        raise ValueError("not a tin-bot index")
    body_start = stream.tell()
    file_size = stream.seek(0, os.SEEK_END)
    stream.seek(-_COUNT.size, os.SEEK_END)
    (trailer_size,) = _COUNT.unpack(stream.read(_COUNT.size))
    if not _COUNT.size <= trailer_size <= file_size - body_start - _COUNT.size:
        raise ValueError("index file damaged: bad trailer")
    stream.seek(-_COUNT.size - trailer_size, os.SEEK_END)
    trailer = stream.read(trailer_size)
    count = _COUNT.unpack(trailer[-_COUNT.size :])[0]
    if trailer_size != _COUNT.size * (count + 1):
        raise ValueError("index file damaged: bad trailer")
    sizes = [_COUNT.unpack_from(trailer, i * _COUNT.size)[0] for i in range(count)]
    if sum(sizes) > file_size - body_start - _COUNT.size - trailer_size:
        raise ValueError("index file damaged: arrays cut short")
    stream.seek(-_COUNT.size - trailer_size - sum(sizes), os.SEEK_END)
    buffers = []
    for size in sizes:
        buffer = bytearray(size)
        if stream.readinto(buffer) != size:
            raise EOFError("index file truncated")
        buffers.append(buffer)
    stream.seek(body_start)
    saved = pickle.load(stream, buffers=buffers)
    if not isinstance(saved, dict):
        raise TypeError("not an index snapshot")
    return saved


@dataclass(frozen=True)
class IndexStore:
    folder: Path | None  # None: keep nothing on disk

    @property
    def path(self) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / f"index-{term_code_version()}.pickle"

    def load(self) -> SearchIndex | None:
        if self.path is None or not self.path.exists():
            return None
        try:
            with self.path.open("rb") as stream:
                saved = read_snapshot(stream)
            if saved.get("format") != FORMAT or saved.get("version") != term_code_version():
                raise ValueError("written by another version")
            counts = TermCounts(saved["ids"], saved["counts"])
            return SearchIndex(
                saved["articles"],
                tuple(p for article in saved["articles"] for p in article.passages()),
                counts,
                Bm25.from_counts(counts),
                saved["vocabulary"],
                saved["article_starts"],
                saved["stamps"],
            )
        except Exception as error:  # any damage means: rebuild, never trust
            log.warning(
                "index cache %s unreadable (%s); rebuilding", self.path, type(error).__name__
            )
            return None

    def save(self, index: SearchIndex) -> None:
        if self.folder is None or self.path is None:
            return
        saved = {
            "format": FORMAT,
            "version": term_code_version(),
            "articles": index.articles,
            "ids": index.counts.ids,
            "counts": index.counts.counts,
            "vocabulary": index.vocabulary,
            "article_starts": index.article_starts,
            "stamps": index.stamps,
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            try:
                with os.fdopen(handle, "wb") as stream:
                    write_snapshot(saved, stream)
                os.replace(temporary, self.path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        except OSError as error:
            log.warning("index cache %s not written (%s); serving anyway", self.folder, error)
