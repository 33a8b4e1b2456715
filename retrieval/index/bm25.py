"""BM25 with rank-bm25's Okapi semantics, precomputed as a sparse term x passage matrix.

rank-bm25's BM25Okapi rescans every document's dict for each query term; here the per-term,
per-passage contribution

    idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * |d| / avgdl))

is computed once at index time (vectorised over every stored entry), so a query only adds up
the stored rows of its terms, with one `np.bincount`.

`TermCounts` holds the raw term frequencies and `Bm25` the weights derived from them, both
term-major (CSR: a term's row is one contiguous slice) and sharing the same index arrays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

K1 = 1.5
B = 0.75
EPSILON = 0.25
TF_DTYPE = np.uint16  # a term repeated more often in one paragraph is capped there
WEIGHT_CHUNK = 1 << 20


def okapi_idf(document_frequency: np.ndarray, corpus_size: int, epsilon: float) -> np.ndarray:
    """log((N - n + 0.5) / (n + 0.5)) over the terms the corpus holds (n > 0); negatives
    floored at epsilon x their mean, as rank-bm25 does. Terms with n = 0 get 0."""
    floor = epsilon * mean_raw_idf(document_frequency, corpus_size)
    return floored_idf(document_frequency, corpus_size, floor)


def mean_raw_idf(document_frequency: np.ndarray, corpus_size: int) -> float:
    """The mean `raw_idf` of the terms the corpus holds (n > 0), summed exactly: the same to
    the last bit in whatever order the terms come (Xapian's shards list them otherwise)."""
    held = document_frequency[document_frequency > 0]
    return math.fsum(raw_idf(held, corpus_size).tolist()) / held.size if held.size else 0.0


def raw_idf(document_frequency: np.ndarray, corpus_size: int) -> np.ndarray:
    """log((N - n + 0.5) / (n + 0.5)), negative for a term in more than half the passages."""
    return np.log(corpus_size - document_frequency + 0.5) - np.log(document_frequency + 0.5)


def floored_idf(document_frequency: np.ndarray, corpus_size: int, floor: float) -> np.ndarray:
    """`raw_idf` of the terms the corpus holds, a negative one replaced by `floor`; 0 for a
    term no passage holds. Both backends weigh terms with it."""
    present = document_frequency > 0
    idf = np.zeros(document_frequency.shape, dtype=np.float64)
    idf[present] = raw_idf(document_frequency[present], corpus_size)
    idf[present & (idf < 0)] = floor
    return idf


def okapi_term_weight(
    tf: np.ndarray, doc_length: np.ndarray, avgdl: float, k1: float, b: float
) -> np.ndarray:
    """The saturated, length-normalised term frequency of the Okapi formula."""
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_length / avgdl))


def _rows_of_entries(indptr: np.ndarray, start: int, end: int) -> np.ndarray:
    """The row of each stored entry in [start, end) of a CSR matrix."""
    first = int(np.searchsorted(indptr, start, side="right")) - 1
    last = int(np.searchsorted(indptr, end - 1, side="right")) - 1
    bounds = np.clip(indptr[first : last + 2], start, end)
    return np.repeat(np.arange(first, last + 1), np.diff(bounds))


@dataclass(frozen=True)
class TermCounts:
    """Term frequencies: rows are term ids (`ids`), columns passages. Stored term-major with
    small integers, so `Bm25` can share its index arrays instead of copying them."""

    ids: dict[str, int]
    counts: sparse.csr_matrix  # uint16 term frequencies, sorted indices

    @classmethod
    def empty(cls) -> TermCounts:
        return cls({}, sparse.csr_matrix((0, 0), dtype=TF_DTYPE))

    @property
    def passages(self) -> int:
        return int(self.counts.shape[1])

    def appended(self, documents: Sequence[Sequence[str]]) -> TermCounts:
        """A copy with `documents` added as new passages at the end (new terms get new ids).

        The new passages' columns come after every existing one, so each new entry goes at
        the end of its term's row: one `np.insert` per array, no format change."""
        ids = dict(self.ids)
        tokens = np.fromiter(
            (ids.setdefault(term, len(ids)) for document in documents for term in document),
            dtype=np.int64,
        )
        passages = np.repeat(
            np.arange(self.passages, self.passages + len(documents), dtype=np.int64),
            [len(document) for document in documents],
        )
        # one entry per (term, passage), sorted by term then passage, with its count
        pairs, counts = np.unique(tokens * (self.passages + len(documents)) + passages,
                                  return_counts=True)  # fmt: skip
        new_rows, columns = np.divmod(pairs, self.passages + len(documents))
        data = np.minimum(counts, np.iinfo(TF_DTYPE).max)
        old = self.counts
        old_indptr = np.concatenate(
            [old.indptr, np.full(len(ids) - old.shape[0], old.indptr[-1], dtype=old.indptr.dtype)]
        )
        at = old_indptr[new_rows + 1]  # the end of each new entry's row
        indices = np.insert(old.indices, at, columns.astype(old.indices.dtype))
        values = np.insert(old.data, at, data.astype(TF_DTYPE))
        added = np.bincount(new_rows, minlength=len(ids))
        indptr = old_indptr + np.concatenate([[0], np.cumsum(added)])
        shape = (len(ids), self.passages + len(documents))
        index_type = np.int32 if indptr[-1] <= np.iinfo(np.int32).max else np.int64
        merged = sparse.csr_matrix(
            (values, indices.astype(index_type), indptr.astype(index_type)), shape=shape
        )
        return TermCounts(ids, merged)

    def keeping(self, passages: np.ndarray) -> TermCounts:
        """A copy with only the given passage columns, in that order. Term ids stay; a term
        no passage holds any more just counts 0."""
        if passages.size == self.passages:
            return self
        kept = self.counts[:, passages]
        kept.sort_indices()
        return TermCounts(self.ids, kept)


@dataclass(frozen=True)
class Bm25:
    ids: dict[str, int]
    idf: np.ndarray  # per term id
    weights: sparse.csr_matrix  # terms x passages: idf x saturated tf, sorted indices

    @property
    def corpus_size(self) -> int:
        return int(self.weights.shape[1])

    @classmethod
    def from_counts(
        cls, counts: TermCounts, k1: float = K1, b: float = B, epsilon: float = EPSILON
    ) -> Bm25:
        """Every stored entry's Okapi weight, computed in chunks so that no temporary array
        is as large as the matrix; the weights share the counts' index arrays."""
        tf = counts.counts
        size = counts.passages
        doc_length = np.zeros(size)
        for start in range(0, tf.nnz, WEIGHT_CHUNK):  # one float64 copy of tf would be big
            chunk = slice(start, start + WEIGHT_CHUNK)
            doc_length += np.bincount(tf.indices[chunk], weights=tf.data[chunk], minlength=size)
        avgdl = doc_length.mean() if size else 1.0
        idf = okapi_idf(np.diff(tf.indptr), size, epsilon)
        data = np.empty(tf.nnz, dtype=np.float64)
        for start in range(0, tf.nnz, WEIGHT_CHUNK):
            end = min(start + WEIGHT_CHUNK, tf.nnz)
            rows = _rows_of_entries(tf.indptr, start, end)
            saturated = okapi_term_weight(
                tf.data[start:end].astype(np.float64),
                doc_length[tf.indices[start:end]],
                avgdl,
                k1,
                b,
            )
            data[start:end] = idf[rows] * saturated
        weights = sparse.csr_matrix((data, tf.indices, tf.indptr), shape=tf.shape, copy=False)
        return cls(counts.ids, idf, weights)

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]]) -> Bm25:
        return cls.from_counts(TermCounts.empty().appended(documents))

    def term_id(self, term: str) -> int | None:
        """The id of a term some passage holds; None for a term no passage holds."""
        term_id = self.ids.get(term)
        if term_id is None or self.weights.indptr[term_id] == self.weights.indptr[term_id + 1]:
            return None
        return term_id

    @property
    def complete(self) -> bool:
        """Always: the whole corpus is in this process."""
        return True

    def knows(self, term: str) -> bool:
        return self.term_id(term) is not None

    def idf_of(self, term: str) -> float:
        term_id = self.term_id(term)
        return 0.0 if term_id is None else float(self.idf[term_id])

    def _row(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        start, end = self.weights.indptr[term_id], self.weights.indptr[term_id + 1]
        return self.weights.indices[start:end], self.weights.data[start:end]

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage, as rank-bm25's BM25Okapi.get_scores (a repeated query
        term counts again; an unknown one adds nothing)."""
        rows = [self._row(i) for t in query if (i := self.term_id(t)) is not None]
        if not rows:
            return np.zeros(self.corpus_size)
        passages = np.concatenate([r[0] for r in rows])
        weights = np.concatenate([r[1] for r in rows])
        return np.bincount(passages, weights=weights, minlength=self.corpus_size)

    def candidates(self, query: Sequence[str], k: int) -> tuple[list[int], np.ndarray]:
        """The positions of the k best positive scores, best first, and their scores."""
        scores = self.scores(query)
        positions = top_k(scores, k)
        return positions, scores[positions]

    def scores_at(self, query: Sequence[str], positions: np.ndarray) -> np.ndarray:
        """`scores(query)[positions]`, reading only those passages' entries."""
        total = np.zeros(len(positions))
        for term in query:
            term_id = self.term_id(term)
            if term_id is None:
                continue
            row, weights = self._row(term_id)
            found = np.minimum(np.searchsorted(row, positions), row.size - 1)
            total += np.where(row[found] == positions, weights[found], 0.0)
        return total

    def present(self, term: str, positions: np.ndarray) -> np.ndarray:
        """For each passage position, whether it holds `term`."""
        term_id = self.term_id(term)
        if term_id is None:
            return np.zeros(len(positions), dtype=bool)
        row, _ = self._row(term_id)
        found = np.searchsorted(row, positions)
        inside = found < row.size
        return inside & (row[np.minimum(found, row.size - 1)] == positions)

    def occurs_between(self, term: str, start: int, end: int) -> bool:
        """Whether some passage in [start, end) holds `term`."""
        term_id = self.term_id(term)
        if term_id is None:
            return False
        row, _ = self._row(term_id)
        first = int(np.searchsorted(row, start))
        return first < row.size and row[first] < end

    def together(self, terms: Sequence[str]) -> bool:
        """Whether some passage holds every term (the rarest first, to narrow down fast)."""
        positions = np.arange(self.corpus_size)
        for term in sorted(terms, key=self.idf_of, reverse=True):
            positions = positions[self.present(term, positions)]
        return positions.size > 0


def top_k(scores: np.ndarray, k: int) -> list[int]:
    """Indices of the k best positive scores, best first, ties by position (partial sort),
    also at the cut: of passages tied with the k-th, the first ones are kept."""
    positive = np.flatnonzero(scores > 0)
    if positive.size > k:
        kth = -np.partition(-scores[positive], k - 1)[k - 1]
        positive = positive[scores[positive] >= kth]
    return sorted(positive.tolist(), key=lambda i: (-scores[i], i))[:k]
