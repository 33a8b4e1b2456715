"""The index on disk: plain data only, checked before it is trusted, written atomically.

A warm start loads the last snapshot (passages, term counts, vocabulary) without tokenising
anything; `retrieval/index/indexer.py` then re-tokenises only the articles whose content hash
changed. The file is a numpy `.npz` archive: the term counts as three integer arrays, and
everything else as one JSON document stored as bytes. It is read with `allow_pickle=False`,
so nothing in it can run code, and a SHA-256 over its content is checked first: a flipped
bit, a truncated or foreign file is reported and the index rebuilt, never trusted.

One file per version of the tokenising code and per corpus folder, so two corpora sharing a
cache folder do not evict each other; older versions of the same corpus's file, and temporary
files left by a crash, are removed when a new one is saved. A file that cannot be written is
skipped with a warning, and the bot serves from memory.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from retrieval.index.bm25 import Bm25, TermCounts
from retrieval.index.corpus import Article, Provenance
from retrieval.index.search_index import SearchIndex, term_code_version
from retrieval.language.restore import Vocabulary

log = logging.getLogger(__name__)

FORMAT = 6
SUFFIX = ".npz"
TEMPORARY_SUFFIX = ".npz-tmp"
STALE_TEMPORARY_SECONDS = 3600  # a temporary file this old was left by a crash
_ARRAYS = ("data", "indices", "indptr", "article_starts")


def corpus_key(corpus: Path) -> str:
    """A short name for a corpus folder, the same for every path that reaches it."""
    return hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:12]


def checksum(arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 over every array's dtype, shape and bytes, in a fixed order."""
    digest = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}:{array.dtype.str}:{array.shape};".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _metadata(index: SearchIndex) -> dict[str, Any]:
    vocabulary = index.vocabulary
    return {
        "format": FORMAT,
        "version": term_code_version(),
        "shape": list(index.counts.counts.shape),
        "ids": index.counts.ids,
        "articles": [
            [
                a.source,
                a.title,
                list(a.texts),
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
    arrays = {
        "data": counts.data,
        "indices": counts.indices,
        "indptr": counts.indptr,
        "article_starts": np.asarray(index.article_starts),
        "metadata": np.frombuffer(json.dumps(_metadata(index)).encode(), dtype=np.uint8),
    }
    return {**arrays, "checksum": np.frombuffer(checksum(arrays).encode(), dtype=np.uint8)}


def _index_of(arrays: dict[str, np.ndarray]) -> SearchIndex:
    saved = json.loads(arrays["metadata"].tobytes())
    if saved.get("format") != FORMAT or saved.get("version") != term_code_version():
        raise ValueError("written by another version")
    matrix = sparse.csr_matrix(
        (arrays["data"], arrays["indices"], arrays["indptr"]), shape=tuple(saved["shape"])
    )
    counts = TermCounts(saved["ids"], matrix)
    articles = tuple(
        Article(source, title, tuple(texts), tuple(numbers), digest, Provenance(url, published))
        for source, title, texts, numbers, digest, url, published in saved["articles"]
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
            with np.load(self.path, allow_pickle=False) as archive:
                arrays = {name: archive[name] for name in (*_ARRAYS, "metadata", "checksum")}
            stored = arrays.pop("checksum").tobytes().decode()
            if stored != checksum(arrays):
                raise ValueError("checksum mismatch")
            return _index_of(arrays)
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
                    np.savez(stream, allow_pickle=False, **_snapshot_arrays(index))
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
            if old_version or abandoned or path.name.endswith(".pickle"):
                path.unlink(missing_ok=True)
