"""BM25 with rank-bm25's Okapi semantics, precomputed as a sparse term x passage matrix.

rank-bm25's BM25Okapi rescans every document's dict for each query term; here the per-term,
per-passage contribution

    idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * |d| / avgdl))

is computed once at index time, so a query only sums the rows of its terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

K1 = 1.5
B = 0.75
EPSILON = 0.25


def okapi_idf(document_frequency: np.ndarray, corpus_size: int, epsilon: float) -> np.ndarray:
    """log((N - n + 0.5) / (n + 0.5)), negatives floored at epsilon x the mean idf."""
    idf = np.log(corpus_size - document_frequency + 0.5) - np.log(document_frequency + 0.5)
    floor = epsilon * idf.mean() if idf.size else 0.0
    return np.where(idf < 0, floor, idf)


def okapi_term_weight(
    tf: np.ndarray, doc_length: np.ndarray, avgdl: float, k1: float, b: float
) -> np.ndarray:
    """The saturated, length-normalised term frequency of the Okapi formula."""
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_length / avgdl))


@dataclass(frozen=True)
class Bm25:
    vocabulary: dict[str, int]
    idf: np.ndarray  # per term id
    weights: sparse.csr_matrix  # terms x passages: idf x saturated tf

    @property
    def corpus_size(self) -> int:
        return int(self.weights.shape[1])

    @classmethod
    def build(
        cls,
        documents: Sequence[Sequence[str]],
        k1: float = K1,
        b: float = B,
        epsilon: float = EPSILON,
    ) -> Bm25:
        vocabulary: dict[str, int] = {}
        term_ids = [[vocabulary.setdefault(t, len(vocabulary)) for t in doc] for doc in documents]
        doc_length = np.array([len(doc) for doc in documents], dtype=np.float64)
        rows = np.fromiter((t for doc in term_ids for t in doc), dtype=np.int64)
        cols = np.repeat(np.arange(len(documents)), doc_length.astype(np.int64))
        shape = (len(vocabulary), len(documents))
        tf = sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=shape)
        tf.sum_duplicates()
        idf = okapi_idf(np.diff(tf.indptr).astype(np.float64), len(documents), epsilon)
        avgdl = doc_length.mean() if len(documents) else 1.0
        coo = tf.tocoo()
        weight = idf[coo.row] * okapi_term_weight(coo.data, doc_length[coo.col], avgdl, k1, b)
        weights = sparse.csr_matrix((weight, (coo.row, coo.col)), shape=shape)
        return cls(vocabulary, idf, weights)

    def term_ids(self, query: Sequence[str]) -> np.ndarray:
        """Ids of the query's known terms, repeats kept (rank-bm25 counts a repeated term twice)."""
        known = [self.vocabulary[t] for t in query if t in self.vocabulary]
        return np.array(known, dtype=np.int64)

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage, as rank-bm25's BM25Okapi.get_scores."""
        ids = self.term_ids(query)
        if ids.size == 0:
            return np.zeros(self.corpus_size)
        return np.asarray(self.weights[ids].sum(axis=0)).ravel()

    def idf_of(self, term: str) -> float:
        term_id = self.vocabulary.get(term)
        return 0.0 if term_id is None else float(self.idf[term_id])

    def contains(self, term: str, passage: int) -> bool:
        term_id = self.vocabulary.get(term)
        return term_id is not None and self.weights[term_id, passage] != 0


def top_k(scores: np.ndarray, k: int) -> list[int]:
    """Indices of the k best positive scores, best first, ties by position (partial sort)."""
    positive = np.flatnonzero(scores > 0)
    if positive.size > k:
        positive = positive[np.argpartition(-scores[positive], k - 1)[:k]]
    return sorted(positive.tolist(), key=lambda i: (-scores[i], i))
