"""BM25 with rank-bm25's Okapi semantics over a sparse term x passage matrix of frequencies.

rank-bm25's BM25Okapi rescans every document's dict for each query term; here a query reads
only the rows of its terms (CSR, term-major: a term's row is one contiguous slice), computes
each entry's contribution

    idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * |d| / avgdl))

vectorised over the row, and adds them up with one `np.bincount`. The weights are not stored:
at a million passages they would be 8 bytes more per entry than the 6 of the frequencies.
The best few passages (`candidates`, all an answer ranks) are found reading less still: the
common terms' rows are only searched where the rare terms' passages are (max-score, exact;
see `Bm25.bounded_candidates`).

`TermCounts` holds the raw term frequencies, small integers; `Bm25` reads them with the
passages' lengths and the terms' idf. The passages a reload adds are a second matrix beside
the first (`TermCounts.with_segment`), which stays as the cache file maps it: each passage is
in one of them, so a term's row is its rows in both, one after the other, and every sum is
made in the same order as over one matrix.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from retrieval.index.terms import TermIds

if TYPE_CHECKING:
    from scipy import sparse

K1 = 1.5
B = 0.75
EPSILON = 0.25
TF_DTYPE = np.uint16  # a term repeated more often in one paragraph is capped there
WEIGHT_CHUNK = 1 << 20
# A cold build's tally is turned term-major this many entries at a time (`taken_by_term`).
SLAB_ENTRIES = 1 << 20
# A passage's score, added up in floating point, exceeds the exact sum of its weights by some
# 1e-16 of it per term: far less than this share, by which a bound must beat a score.
BOUND_SLACK = 1e-9
# Scoring a candidate costs a binary search in each row of the question, and merging a row
# into the candidates a sort of two sorted runs: roughly as much as weighing this many
# entries of a row in turn and adding them up (timed at a million entries).
SEARCH_COST = 3
MERGE_COST = 2
# A term held by at least this share of a segment's passages is looked up in a table of its
# frequency in every passage there, made at its first lookup and kept with the segment (and
# by the reloads that keep its matrix): one read per position instead of a binary search of
# a long row, for one byte a passage, no more than 4/3 of the row's own bytes.
TABLE_SHARE = 1 / 8
# A reload's passages are added beside the base matrix (`TermCounts.with_segment`) until
# they are more than this share of all passages, then folded in: a row read in two parts
# costs a query a copy of it; folding, a copy of the whole matrix.
FOLD_SHARE = 0.02


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


def csr_of(
    data: np.ndarray, indices: np.ndarray, indptr: np.ndarray, shape: tuple[int, int]
) -> sparse.csr_matrix:
    """A CSR matrix of those arrays, its index arrays int32 where they fit. scipy is imported
    here, at the first matrix made, not with this module: a coordinator, whose snapshots hold
    no term counts (`ShardedLiveIndex`), never makes one, and scipy would be a sixth of its
    memory."""
    from scipy import sparse

    index_type = np.int32 if indptr[-1] <= np.iinfo(np.int32).max else np.int64
    return sparse.csr_matrix(
        (data, indices.astype(index_type, copy=False), indptr.astype(index_type, copy=False)),
        shape=shape,
    )


def passage_lengths(counts: sparse.csr_matrix) -> np.ndarray:
    """Each passage's (column's) terms, repeats counted, as float64: summed in chunks, so that
    no temporary array is as large as the matrix. Integers: exact in any order of addition."""
    lengths = np.zeros(counts.shape[1])
    for start in range(0, counts.nnz, WEIGHT_CHUNK):
        chunk = slice(start, start + WEIGHT_CHUNK)
        weights = counts.data[chunk]
        lengths += np.bincount(counts.indices[chunk], weights=weights, minlength=lengths.size)
    return lengths


_RELEASED = np.zeros(0, np.int32)  # what a tally's arrays are replaced by once used


class _Numbering(dict[str, int]):
    """Each key numbered in the order it is first looked up."""

    def __missing__(self, key: str) -> int:
        number = self[key] = len(self)
        return number


class TermTally:
    """The term frequencies of passages, as they are tokenised, in compact arrays: each distinct
    term named once, then per passage its terms' numbers and counts. Tallies of batches of
    passages (made where they are tokenised) are `add`ed up in the order of their passages."""

    def __init__(self) -> None:
        self.names = _Numbering()  # term -> number, in order of first occurrence
        self._terms: list[np.ndarray] = []  # int32 numbers, passage after passage
        self._counts: list[np.ndarray] = []  # TF_DTYPE, capped
        self._lengths: list[np.ndarray] = []  # int64, distinct terms of each passage

    @classmethod
    def of(cls, documents: Iterable[Sequence[str]]) -> TermTally:
        """The tally of these passages' term lists. Their terms are numbered in the order
        they occur, then counted per passage by one sort of (passage, term) keys: a
        passage's terms come out by number, not in the order they occur, which no matrix
        made of the tally can tell (`taken_by_term` sorts each row by passage)."""
        tally = cls()
        numbers: list[int] = []
        sizes: list[int] = []
        for document in documents:
            numbers += map(tally.names.__getitem__, document)
            sizes.append(len(document))
        width = max(len(tally.names), 1)
        passages = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
        keys = passages * width + np.array(numbers, dtype=np.int64)
        distinct, counts = np.unique(keys, return_counts=True)
        cap = np.iinfo(TF_DTYPE).max
        tally._append(
            (distinct % width).astype(np.int32),
            np.minimum(counts, cap).astype(TF_DTYPE),
            np.bincount(distinct // width, minlength=len(sizes)).astype(np.int64),
        )
        return tally

    @property
    def passages(self) -> int:
        return sum(len(lengths) for lengths in self._lengths)

    def add(self, other: TermTally) -> None:
        """`other`'s passages after these ones."""
        numbers = np.fromiter(
            map(self.names.__getitem__, other.names), dtype=np.int32, count=len(other.names)
        )
        for terms, counts, lengths in zip(other._terms, other._counts, other._lengths, strict=True):
            self._append(numbers[terms], counts, lengths)

    def _append(self, terms: np.ndarray, counts: np.ndarray, lengths: np.ndarray) -> None:
        self._terms.append(terms)
        self._counts.append(counts)
        self._lengths.append(lengths)

    def taken_by_term(self, ids: TermIds, slab_entries: int = SLAB_ENTRIES) -> sparse.csr_matrix:
        """The tally as a term x passage matrix (rows: `ids`, which its new terms are added
        to, in order), sorted indices; the tally is emptied as its arrays are used.

        The matrix is filled a slab of passages at a time (about `slab_entries` entries):
        each slab turned term-major by scipy's counting sort, its rows copied to where they
        go. Only the matrix and one slab are ever held beside the tally's own arrays, which
        are let go of slab by slab (turning the whole tally at once held it three times)."""
        numbers = np.fromiter(
            (ids.setdefault(name, len(ids)) for name in self.names),
            dtype=np.int32,
            count=len(self.names),
        )
        rows, columns = len(ids), self.passages
        slabs = self._slabs(slab_entries)
        row_sizes = np.zeros(rows, np.int64)
        for first, end in slabs:
            row_sizes += np.bincount(self._slab_terms(numbers, first, end), minlength=rows)
        indptr = np.concatenate([np.zeros(1, np.int64), np.cumsum(row_sizes)])
        indices = np.empty(int(indptr[-1]), np.int32)
        data = np.empty(int(indptr[-1]), TF_DTYPE)
        filled, passage = indptr[:-1].copy(), 0
        for first, end in slabs:
            slab = self._slab_by_term(numbers, first, end, rows)
            sizes = np.diff(slab.indptr)
            at = np.arange(slab.nnz)
            at += np.repeat(filled - slab.indptr[:-1], sizes)
            indices[at] = slab.indices + passage
            data[at] = slab.data
            filled += sizes
            passage += slab.shape[0]
        self.names = _Numbering()
        self._terms, self._counts, self._lengths = [], [], []
        return csr_of(data, indices, indptr, (rows, columns))

    def _slabs(self, entries: int) -> list[tuple[int, int]]:
        """The tally's arrays in runs of about `entries` entries (at least one array each)."""
        slabs, first, size = [], 0, 0
        for end, terms in enumerate(self._terms, start=1):
            size += terms.size
            if size >= entries or end == len(self._terms):
                slabs.append((first, end))
                first, size = end, 0
        return slabs

    def _slab_terms(self, numbers: np.ndarray, first: int, end: int) -> np.ndarray:
        return numbers[np.concatenate(self._terms[first:end])]

    def _slab_by_term(
        self, numbers: np.ndarray, first: int, end: int, rows: int
    ) -> sparse.csc_matrix:
        """The slab's passages x `rows` terms, column-major (a term's passages ascending);
        the tally's arrays of the slab let go of."""
        lengths = np.concatenate([np.zeros(1, np.int64), *self._lengths[first:end]])
        by_passage = csr_of(
            np.concatenate(self._counts[first:end]),
            self._slab_terms(numbers, first, end),
            np.cumsum(lengths),
            (lengths.size - 1, rows),
        )
        for at in range(first, end):
            self._terms[at] = self._counts[at] = self._lengths[at] = _RELEASED
        return by_passage.tocsc()


def _joined(left: sparse.csr_matrix, right: sparse.csr_matrix, rows: int) -> sparse.csr_matrix:
    """The columns of `right` after those of `left`, both given `rows` rows (the rows either
    lacks hold nothing). Each entry of `right` goes at the end of its term's row: one
    `np.insert` per array, no format change."""
    left_indptr = _padded(left.indptr, rows)
    right_indptr = _padded(right.indptr, rows)
    new_rows = np.repeat(np.arange(rows), np.diff(right_indptr))
    at = left_indptr[new_rows + 1]  # the end of each new entry's row
    columns = right.indices.astype(np.int64) + left.shape[1]
    indices = np.insert(left.indices, at, columns.astype(left.indices.dtype))
    values = np.insert(left.data, at, right.data)
    indptr = left_indptr.astype(np.int64) + right_indptr
    return csr_of(values, indices, indptr, (rows, left.shape[1] + right.shape[1]))


def _padded(indptr: np.ndarray, rows: int) -> np.ndarray:
    """A row pointer with empty rows added up to `rows`."""
    return np.concatenate([indptr, np.full(rows + 1 - indptr.size, indptr[-1], indptr.dtype)])


@dataclass(frozen=True)
class TermCounts:
    """Term frequencies: rows are term ids (`ids`), columns passages. Stored term-major with
    small integers, so `Bm25` can share its index arrays instead of copying them.

    The passages added by reloads since the last fold are a second, small matrix (`added`,
    the columns after the base's): adding an article then rewrites that one, not the base,
    which stays what the cache file maps (see `with_segment`)."""

    ids: TermIds
    base: sparse.csr_matrix  # uint16 term frequencies, sorted indices
    lengths: np.ndarray  # float64, per passage: its terms, repeats counted
    added: sparse.csr_matrix | None = None  # the passages after the base's; None: folded

    @classmethod
    def empty(cls) -> TermCounts:
        nothing = csr_of(
            np.zeros(0, TF_DTYPE), np.zeros(0, np.int32), np.zeros(1, np.int32), (0, 0)
        )
        return cls(TermIds(), nothing, np.zeros(0))

    @property
    def passages(self) -> int:
        return int(self.lengths.size)

    @property
    def segments(self) -> list[sparse.csr_matrix]:
        """The matrices whose columns, one after the other, are the passages."""
        return [self.base] if self.added is None else [self.base, self.added]

    @property
    def counts(self) -> sparse.csr_matrix:
        """The whole term x passage matrix (where there are added passages, a copy folding
        them in, made at each call: not kept, for it is as large as the base)."""
        return self.folded().base

    def folded(self) -> TermCounts:
        """The same counts as one matrix."""
        if self.added is None:
            return self
        return TermCounts(self.ids, _joined(self.base, self.added, len(self.ids)), self.lengths)

    def appended(self, tally: TermTally) -> TermCounts:
        """A folded copy with the passages of `tally` added at the end (new terms get new ids,
        in the order the passages first hold them); `tally` is emptied."""
        if tally.passages == 0:
            return self.folded()
        ids = self.ids.copy()
        block = tally.taken_by_term(ids)
        lengths = np.concatenate([self.lengths, passage_lengths(block)])
        if self.passages == 0:
            return TermCounts(ids, block, lengths)
        return TermCounts(ids, _joined(self.counts, block, len(ids)), lengths)

    def with_segment(self, tally: TermTally) -> TermCounts:
        """`appended`, the new passages put in the added matrix, the base left as it is
        (shared, not copied): the same counts, the same ids. `tally` is emptied."""
        ids = self.ids.copy()
        block = tally.taken_by_term(ids)
        lengths = np.concatenate([self.lengths, passage_lengths(block)])
        added = block if self.added is None else _joined(self.added, block, len(ids))
        return TermCounts(ids, self.base, lengths, added)

    def updated(self, kept: np.ndarray, tally: TermTally) -> TermCounts:
        """Only the `kept` passage columns, in that order, then the passages of `tally` (which
        is emptied): beside the base (`with_segment`) while the base is kept whole and the
        added passages are few; otherwise as one matrix (`appended`), the base being copied
        anyway."""
        counts = self.keeping(kept)
        if counts.base is not self.base or counts.passages == 0:
            return counts.appended(tally)
        if tally.passages == 0:
            return counts
        added = counts.with_segment(tally)
        assert added.added is not None
        return added.folded() if added.added.shape[1] > FOLD_SHARE * added.passages else added

    def keeping(self, passages: np.ndarray) -> TermCounts:
        """A copy with only the given passage columns, in that order. Term ids stay; a term
        no passage holds any more just counts 0. Where the base's passages are all kept, in
        order, ahead of the others, only the added matrix is sliced."""
        if passages.size == self.passages:
            return self
        base = self.base.shape[1]
        if self.added is not None and np.array_equal(passages[:base], np.arange(base)):
            added = self.added[:, passages[base:] - base]
            added.sort_indices()
            return TermCounts(self.ids, self.base, self.lengths[passages], added)
        kept = self.counts[:, passages]
        kept.sort_indices()
        return TermCounts(self.ids, kept, self.lengths[passages])


@dataclass(frozen=True)
class _Segment:
    """One matrix of term frequencies (`TermCounts.segments`), its columns the passages from
    `start` on; its rows may be fewer than the terms (the later ones hold nothing here)."""

    matrix: sparse.csr_matrix
    start: int
    # per term id held by TABLE_SHARE of the passages or more: its frequency in each passage
    tables: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    @property
    def end(self) -> int:
        return self.start + int(self.matrix.shape[1])

    def entries(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The passages holding the term, ascending (positions within the segment), and how
        often each holds it."""
        matrix = self.matrix
        if term_id >= matrix.shape[0]:
            return matrix.indices[:0], matrix.data[:0]
        start, end = matrix.indptr[term_id], matrix.indptr[term_id + 1]
        return matrix.indices[start:end], matrix.data[start:end]

    def frequencies_at(self, term_id: int, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of the positions (within the segment) hold the term, and how often each of
        those does: read from the term's table where it has one (`TABLE_SHARE`), else a
        binary search of its row per position (the positions cast to the row's type first,
        for numpy would otherwise copy the whole row to compare)."""
        row, frequencies = self.entries(term_id)
        if row.size == 0:
            return np.zeros(positions.size, dtype=bool), frequencies
        if row.size >= TABLE_SHARE * self.matrix.shape[1]:
            tf = self._table(term_id, row, frequencies)[positions]
            held = tf > 0
            return held, tf[held]
        found = np.searchsorted(row, positions.astype(row.dtype, copy=False))
        np.minimum(found, row.size - 1, out=found)  # past the end: held by no passage there
        held = row[found] == positions
        return held, frequencies[found[held]]

    def _table(self, term_id: int, row: np.ndarray, frequencies: np.ndarray) -> np.ndarray:
        """The term's frequency in each passage of the segment, 0 where it is absent: one
        byte a passage unless some passage holds it more than 255 times."""
        table = self.tables.get(term_id)
        if table is None:
            small = frequencies.max() <= np.iinfo(np.uint8).max
            table = np.zeros(self.matrix.shape[1], np.uint8 if small else frequencies.dtype)
            table[row] = frequencies
            self.tables[term_id] = table
        return table


def _segment_of(matrix: sparse.csr_matrix, start: int, earlier: Sequence[_Segment]) -> _Segment:
    kept = (s for s in earlier if s.matrix is matrix and s.start == start)
    return next(kept, None) or _Segment(matrix, start)


@dataclass(frozen=True)
class Bm25:
    ids: TermIds
    idf: np.ndarray  # per term id
    # terms x passages, TF_DTYPE, sorted indices: the counts' matrices (`TermCounts.segments`),
    # each passage in one of them; a term's row is its rows in each, one after the other
    segments: tuple[_Segment, ...]
    frequency: np.ndarray  # per term id: how many passages hold it (in all segments)
    doc_length: np.ndarray  # per passage: its terms, repeats counted
    avgdl: float
    k1: float = K1
    b: float = B
    # per passage: k1 * (1 - b + b * |d| / avgdl), the part of the Okapi formula a term's
    # frequency is added to, made once with the very operations the formula makes per entry
    norm: np.ndarray = field(init=False, repr=False, compare=False)
    # per term id: its `weight_bound`, NaN until a question asks: 8 bytes a term
    bounds: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        with np.errstate(divide="ignore", invalid="ignore"):  # avgdl 0: no entry to weigh
            norm = self.k1 * (1 - self.b + self.b * self.doc_length / self.avgdl)
        object.__setattr__(self, "norm", norm)
        object.__setattr__(self, "bounds", np.full(self.idf.size, np.nan))

    @property
    def corpus_size(self) -> int:
        return int(self.doc_length.size)

    @classmethod
    def from_counts(
        cls,
        counts: TermCounts,
        k1: float = K1,
        b: float = B,
        epsilon: float = EPSILON,
        earlier: Sequence[_Segment] = (),
    ) -> Bm25:
        """BM25 over `counts`, whose matrices and passage lengths it shares, with the terms'
        idf. Each passage is in one segment, so a term's frequency is the sum of its rows'.
        A segment of `earlier` (a previous snapshot's) over the very same matrix is kept,
        with the tables made for it."""
        size = counts.passages
        avgdl = float(counts.lengths.mean()) if size else 1.0
        frequency = np.zeros(len(counts.ids), dtype=np.int64)
        segments, start = [], 0
        for matrix in counts.segments:
            rows = np.diff(matrix.indptr)
            frequency[: rows.size] += rows
            segments.append(_segment_of(matrix, start, earlier))
            start += matrix.shape[1]
        idf = okapi_idf(frequency, size, epsilon)
        return cls(counts.ids, idf, tuple(segments), frequency, counts.lengths, avgdl, k1, b)

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]]) -> Bm25:
        return cls.from_counts(TermCounts.empty().appended(TermTally.of(documents)))

    def term_id(self, term: str) -> int | None:
        """The id of a term some passage holds; None for a term no passage holds."""
        term_id = self.ids.get(term)
        if term_id is None or self.frequency[term_id] == 0:
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

    def _entries(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The passages holding the term, ascending, and how often each holds it: views of
        the base matrix unless the added passages hold it too (most terms they do not)."""
        base, *others = self.segments
        passages, frequencies = base.entries(term_id)
        for segment in others:
            row, row_frequencies = segment.entries(term_id)
            if row.size:
                passages = np.concatenate([passages, row + segment.start])
                frequencies = np.concatenate([frequencies, row_frequencies])
        return passages, frequencies

    def _passages(self, term_id: int) -> np.ndarray:
        """The passages holding the term, ascending."""
        return self._entries(term_id)[0]

    def _weights(self, term_id: int, tf: np.ndarray, passages: np.ndarray) -> np.ndarray:
        """The term's BM25 weight in those passages, which hold it `tf` times each: the very
        operations of `okapi_term_weight`, so a weight is the same wherever it is made."""
        tf = tf.astype(np.float64)
        return self.idf[term_id] * (tf * (self.k1 + 1) / (tf + self.norm[passages]))

    def _row(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """The passages holding the term, ascending, and its BM25 weight in each."""
        passages, tf = self._entries(term_id)
        return passages, self._weights(term_id, tf, passages)

    def _frequencies_at(self, term_id: int, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of the passage positions hold the term, and how often each of those does:
        each segment searched for the positions among its passages."""
        base = self.segments[0]
        if len(self.segments) == 1 or not positions.size or positions.max() < base.end:
            return base.frequencies_at(term_id, positions)
        held = np.zeros(positions.size, dtype=bool)
        frequencies = np.zeros(positions.size, dtype=TF_DTYPE)
        for segment in self.segments:
            inside = (positions >= segment.start) & (positions < segment.end)
            at = np.flatnonzero(inside)
            found, tf = segment.frequencies_at(term_id, positions[at] - segment.start)
            held[at[found]] = True
            frequencies[at[found]] = tf
        return held, frequencies[held]

    def _term_ids(self, query: Sequence[str]) -> list[int]:
        """The ids of the query's terms some passage holds, in its order, repeats kept."""
        return [term_id for term in query if (term_id := self.term_id(term)) is not None]

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage, as rank-bm25's BM25Okapi.get_scores (a repeated query
        term counts again; an unknown one adds nothing)."""
        return self._scores(self._term_ids(query))

    def _scores(self, term_ids: list[int]) -> np.ndarray:
        rows = [self._row(term_id) for term_id in term_ids]
        if not rows:
            return np.zeros(self.corpus_size)
        passages = np.concatenate([r[0] for r in rows])
        weights = np.concatenate([r[1] for r in rows])
        return np.bincount(passages, weights=weights, minlength=self.corpus_size)

    def candidates(self, query: Sequence[str], k: int) -> tuple[list[int], np.ndarray]:
        """The positions of the k best positive scores, best first, and their scores: found
        by `bounded_candidates` where it proves them cheaper, else by scoring every passage."""
        found = self.bounded_candidates(query, k)
        if found is not None:
            return found
        scores = self.scores(query)
        positions = top_k(scores, k)
        return positions, scores[positions]

    def bounded_candidates(
        self, query: Sequence[str], k: int
    ) -> tuple[list[int], np.ndarray] | None:
        """`candidates` by max-score. The passages holding the query's rarest terms are the
        candidates, their weights of those terms added up as the rows are read (rarest
        first); the terms not read add at most their `weight_bound`s. Once the k-th best full
        score of the leading candidates (k more scored after each row) beats that, no other
        passage can be among the k best; the other terms are then looked up in the
        candidates only, the weightiest first (it leaves least to add), dropping each
        candidate that can no longer reach it, and the few left are scored in full: the
        terms looked up, from the weights found then, the rows read, searched again. Ties go
        in the query's order, so that the work does not depend on how terms are numbered.
        None when that would cost more than scoring every passage, or when a term's idf is
        negative (tiny corpora): its weights lower a score, and bounds tell nothing."""
        term_ids = self._term_ids(query)
        asked = {t: term_ids.index(t) for t in term_ids}  # ties go in the query's order
        distinct = sorted(asked, key=lambda t: (self.document_frequency(t), asked[t]))
        if any(self.idf[t] < 0 for t in distinct):
            return None
        bound_of = {t: term_ids.count(t) * self.weight_bound(t) for t in distinct}
        bounds = [bound_of[t] for t in distinct]
        budget = self.corpus_size + sum(map(self.document_frequency, term_ids))
        spent = 0
        positions = np.zeros(0, dtype=self.segments[0].matrix.indices.dtype)
        partial = np.zeros(0)
        leaders, leader_scores = positions, partial  # every leader scored so far, and its score
        threshold = 0.0
        read = 0
        while read < len(distinct):
            term_id = distinct[read]
            spent += (positions.size + self.document_frequency(term_id)) * MERGE_COST
            if spent > budget:
                return None
            positions, partial = self._with_row(positions, partial, term_id, term_ids)
            read += 1
            new = positions[unscored_leaders(partial, np.searchsorted(positions, leaders), k)]
            leaders = np.concatenate([leaders, new])
            leader_scores = np.concatenate([leader_scores, self._scores_at(term_ids, new)])
            threshold = kth_best(leader_scores, k)
            if not may_reach(np.zeros(1), math.fsum(bounds[read:]), threshold)[0]:
                break
        probes = sorted(distinct[read:], key=lambda t: (-bound_of[t], asked[t]))
        alive = np.arange(positions.size)  # the candidates left, as places in `positions`
        probed: dict[int, np.ndarray] = {}  # a probed term's weight in each candidate
        for step, term_id in enumerate(probes):
            rest = math.fsum(bound_of[t] for t in probes[step:])
            reachable = may_reach(partial, rest, threshold)
            alive, partial = alive[reachable], partial[reachable]
            spent += alive.size * SEARCH_COST
            weights = probed[term_id] = np.zeros(positions.size)
            weights[alive] = self._weights_at(term_id, positions[alive])
            partial = partial + weights[alive] * term_ids.count(term_id)
        alive = alive[may_reach(partial, 0.0, threshold)]
        if spent + alive.size * read * SEARCH_COST > budget:
            return None
        return best_of(positions[alive], self._sums_at(term_ids, positions, alive, probed), k)

    def _sums_at(
        self,
        term_ids: list[int],
        positions: np.ndarray,
        alive: np.ndarray,
        probed: dict[int, np.ndarray],
    ) -> np.ndarray:
        """`_scores_at(term_ids, positions[alive])`, a probed term's weights taken from
        `probed` (by place in `positions`) instead of searched again: the very same sums."""
        at = positions[alive]
        weights = {
            term_id: probed[term_id][alive] if term_id in probed else self._weights_at(term_id, at)
            for term_id in set(term_ids)
        }
        total = np.zeros(alive.size)
        for term_id in term_ids:
            total += weights[term_id]
        return total

    def _with_row(
        self, positions: np.ndarray, partial: np.ndarray, term_id: int, term_ids: list[int]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The candidates at `positions` (ascending) with the passages holding the term added,
        and their partial sums with its weight added, as often as the query repeats it."""
        row, weights = self._row(term_id)
        return merged_sums(positions, partial, row, weights * term_ids.count(term_id))

    def scores_at(self, query: Sequence[str], positions: np.ndarray) -> np.ndarray:
        """`scores(query)[positions]`, reading only those passages' entries."""
        return self._scores_at(self._term_ids(query), positions)

    def _scores_at(self, term_ids: list[int], positions: np.ndarray) -> np.ndarray:
        """The scores at those positions, each term's weight added in the query's order, as
        `_scores` adds them (adding 0 where a term is absent changes nothing): the very same
        sums."""
        total = np.zeros(len(positions))
        for term_id in term_ids:
            total += self._weights_at(term_id, positions)
        return total

    def _weights_at(self, term_id: int, positions: np.ndarray) -> np.ndarray:
        """The term's weight in each of those passages, 0 where it is absent."""
        held, tf = self._frequencies_at(term_id, positions)
        weights = np.zeros(len(positions))
        weights[held] = self._weights(term_id, tf, positions[held])
        return weights

    def document_frequency(self, term_id: int) -> int:
        return int(self.frequency[term_id])

    def weight_bound(self, term_id: int) -> float:
        """The term's largest weight in any passage, worked out at its first question and kept
        with the snapshot (one float per term: `bounds`)."""
        bound = self.bounds[term_id]
        if np.isnan(bound):
            bound = self.bounds[term_id] = self._row(term_id)[1].max()
        return float(bound)

    def present(self, term: str, positions: np.ndarray) -> np.ndarray:
        """For each passage position, whether it holds `term`."""
        term_id = self.term_id(term)
        if term_id is None:
            return np.zeros(len(positions), dtype=bool)
        return self._frequencies_at(term_id, np.asarray(positions))[0]

    def occurs_between(self, term: str, start: int, end: int) -> bool:
        """Whether some passage in [start, end) holds `term`."""
        term_id = self.term_id(term)
        if term_id is None:
            return False
        row = self._passages(term_id)
        first = int(np.searchsorted(row, start))
        return first < row.size and row[first] < end

    def together(self, terms: Sequence[str]) -> bool:
        """Whether some passage holds every term (the rarest first, to narrow down fast)."""
        if not terms:
            return self.corpus_size > 0
        if not all(map(self.knows, terms)):
            return False
        rarest, *others = sorted(terms, key=self.idf_of, reverse=True)
        positions = self._passages(self.ids[rarest])
        for term in others:
            positions = positions[self.present(term, positions)]
        return positions.size > 0


def top_k(scores: np.ndarray, k: int) -> list[int]:
    """Indices of the k best positive scores, best first, ties by position (partial sort),
    also at the cut: of passages tied with the k-th, the first ones are kept."""
    kth = np.partition(scores, scores.size - k)[scores.size - k] if scores.size > k > 0 else 0.0
    # where the k-th best is not positive, fewer than k are: those are all there is to show
    chosen = np.flatnonzero(scores >= kth if kth > 0 else scores > 0)
    best_first = np.lexsort((chosen, -scores[chosen]))  # by score, then by position
    return chosen[best_first[:k]].tolist()


def kth_best(scores: np.ndarray, k: int) -> float:
    """The k-th best positive score; 0 when fewer than k are positive."""
    positive = scores[scores > 0]
    if k < 1 or positive.size < k:
        return 0.0
    return float(np.partition(positive, positive.size - k)[positive.size - k])


def may_reach(partial: np.ndarray, rest: float, threshold: float) -> np.ndarray:
    """Which partial sums may still reach `threshold` (while fewer than k scores are
    positive, 0: any positive score may) when the terms not yet read add at most `rest`:
    not when even that falls short by BOUND_SLACK."""
    reach = (partial + rest) * (1 + BOUND_SLACK)
    return reach >= threshold if threshold > 0 else reach > 0


def merged_sums(
    first: np.ndarray, first_sums: np.ndarray, second: np.ndarray, second_sums: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Two ascending arrays of distinct positions, each with a value per position, as one:
    every position once, ascending, with the values of a position in both added (in either
    order: floating-point addition of two numbers is commutative)."""
    if first.size > second.size:
        first, first_sums, second, second_sums = second, second_sums, first, first_sums
    if first.size * math.log2(max(second.size, 2)) < second.size:
        return _inserted(first, first_sums, second, second_sums)
    merged = np.concatenate([first, second])
    order = np.argsort(merged, kind="stable")  # two sorted runs: merged in linear time
    merged = merged[order]
    sums = np.concatenate([first_sums, second_sums])[order]
    firsts = np.flatnonzero(np.diff(merged, prepend=-1))
    return merged[firsts], np.add.reduceat(sums, firsts)


def _inserted(
    short: np.ndarray, short_sums: np.ndarray, long: np.ndarray, long_sums: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`merged_sums` where a binary search of each short position in the long array costs
    less than a pass over both (a rare term's few passages and a common term's row): the
    short ones found are added, the others inserted."""
    at = np.searchsorted(long, short)
    found = at < long.size
    found[found] = long[at[found]] == short[found]
    sums = long_sums.copy()
    sums[at[found]] += short_sums[found]
    new = ~found
    return np.insert(long, at[new], short[new]), np.insert(sums, at[new], short_sums[new])


def leading(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest values (all of them when there are fewer), in no order.
    Where k or more values tie at the largest (copies of a passage), the first k of those:
    two passes over the values instead of a partition, which costs ten times more."""
    if values.size <= k:
        return np.arange(values.size)
    if k < 1:
        return np.zeros(0, dtype=np.intp)
    at_largest = np.flatnonzero(values == values.max())
    if at_largest.size >= k:
        return at_largest[:k]
    return np.argpartition(values, values.size - k)[values.size - k :]


def unscored_leaders(partial: np.ndarray, scored: np.ndarray, k: int) -> np.ndarray:
    """Places of the k largest partial sums but those at `scored` (places whose full scores
    are known): each row read scores k more leaders, so that a leader whose partial sum
    promised more than its full score holds (a rare term, no common one) does not keep the
    threshold down while others would raise it."""
    fresh = partial.copy()
    fresh[scored] = -np.inf
    chosen = leading(fresh, k)
    return chosen[fresh[chosen] > -np.inf]


def best_of(positions: np.ndarray, scores: np.ndarray, k: int) -> tuple[list[int], np.ndarray]:
    """Of passages at `positions` (any order) scoring `scores`, the k best positive ones as
    `top_k` picks them (ties by position), best first, and their scores."""
    by_position = np.argsort(positions)
    best = by_position[top_k(scores[by_position], k)]
    return positions[best].tolist(), scores[best]
