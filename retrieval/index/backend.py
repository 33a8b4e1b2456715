"""The search backend boundary: what ranking, and the layers above it, ask of an index.

A backend answers for the passages of one `SearchIndex` snapshot, by their positions: the best
candidates of a query, their BM25 scores, and corpus statistics (which terms the corpus holds,
their idf, which passages hold a term). `retrieval/index/bm25.py`'s `Bm25` is the in-process
backend; `retrieval/index/shard_search.py`'s `XapianBackend` asks Xapian shards for the same,
with the same scores. Everything after candidate generation is shared code. `NoTerms` is the
backend of a snapshot that holds no term counts, until its owner gives it the one that
searches them elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class SearchBackend(Protocol):
    @property
    def corpus_size(self) -> int:
        """How many passages the statistics count."""
        ...

    @property
    def complete(self) -> bool:
        """Whether every part of the archive answered (False while a shard has no server)."""
        ...

    def knows(self, term: str) -> bool:
        """Whether some passage holds `term`."""
        ...

    def idf_of(self, term: str) -> float:
        """The term's idf, as rank-bm25 computes it; 0 for a term no passage holds."""
        ...

    def candidates(self, query: Sequence[str], k: int) -> tuple[list[int], np.ndarray]:
        """The positions of the k best positive BM25 scores of `query`, best first (ties by
        position), and their scores."""
        ...

    def scores_at(self, query: Sequence[str], positions: np.ndarray) -> np.ndarray:
        """The BM25 scores of `query` at those passage positions."""
        ...

    def present(self, term: str, positions: np.ndarray) -> np.ndarray:
        """For each passage position, whether it holds `term`."""
        ...

    def occurs_between(self, term: str, start: int, end: int) -> bool:
        """Whether some passage in [start, end) holds `term`."""
        ...

    def together(self, terms: Sequence[str]) -> bool:
        """Whether some passage holds every one of `terms`."""
        ...


class NoTerms:
    """The backend of a snapshot without term counts (`ShardedLiveIndex` gives its snapshots
    the one searching the shards): it knows no term and finds nothing."""

    corpus_size = 0
    complete = True

    def knows(self, term: str) -> bool:
        return False

    def idf_of(self, term: str) -> float:
        return 0.0

    def candidates(self, query: Sequence[str], k: int) -> tuple[list[int], np.ndarray]:
        return [], np.zeros(0)

    def scores_at(self, query: Sequence[str], positions: np.ndarray) -> np.ndarray:
        return np.zeros(positions.size)

    def present(self, term: str, positions: np.ndarray) -> np.ndarray:
        return np.zeros(positions.size, dtype=bool)

    def occurs_between(self, term: str, start: int, end: int) -> bool:
        return False

    def together(self, terms: Sequence[str]) -> bool:
        return False
