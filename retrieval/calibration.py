"""Fitting `confidence.py`'s constants on question files: signals of the best candidate for
each question (as typed and bare), labels answerable or not, one logistic regression, and the
threshold that refuses REFUSED_ANSWERABLE_SHARE of the answerable questions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from retrieval.confidence import MIN_WORD_COVERAGE, Signals
from retrieval.evaluation import Case
from retrieval.index import SearchIndex
from retrieval.question import understand
from retrieval.search import RERANK_CANDIDATES, rank, signals
from retrieval.text import fold

REFUSED_ANSWERABLE_SHARE = 0.015
REGULARISATION = 10.0  # sklearn's C: mild, the signals are few and bounded


@dataclass(frozen=True, slots=True)
class Fit:
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def as_code(self) -> str:
        weights = ", ".join(f"{w:.3f}" for w in self.weights)
        return f"WEIGHTS = ({weights})\nBIAS = {self.bias:.3f}\nTHRESHOLD = {self.threshold:.3f}"


def labelled_signals(cases: Iterable[Case], index: SearchIndex) -> list[tuple[Signals, bool]]:
    """(signals, answerable) for each case asked as typed and bare that reaches the model: a
    question naming what the corpus lacks, or whose best passage holds too little of its
    words (MIN_WORD_COVERAGE), is refused before."""
    rows = []
    for case in cases:
        for asked in (case.question, fold(case.question)):
            query = understand(asked, index)
            ranking = rank(query, index, RERANK_CANDIDATES)
            found = signals(query, index, ranking.judged) if ranking.judged else None
            if found is not None and found.word_coverage > MIN_WORD_COVERAGE:
                rows.append((found, case.answerable))
    return rows


def fit(rows: list[tuple[Signals, bool]]) -> Fit:
    from sklearn.linear_model import LogisticRegression  # only this command needs it

    features = np.array([s.as_row() for s, _ in rows])
    labels = np.array([answerable for _, answerable in rows])
    if labels.all() or not labels.any():
        raise ValueError("calibration needs answerable and no-answer questions")
    model = LogisticRegression(C=REGULARISATION, max_iter=1000).fit(features, labels)
    probabilities = model.predict_proba(features)[:, 1]
    threshold = float(np.quantile(probabilities[labels], REFUSED_ANSWERABLE_SHARE))
    weights = tuple(float(w) for w in model.coef_[0])
    return Fit(weights, float(model.intercept_[0]), threshold)
