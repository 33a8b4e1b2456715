"""Fitting `ranking/confidence.py`'s constants on corpus shapes, and judging the fit on a
shape left out.

A shape is one corpus with its question files (one-paragraph health news, encyclopedia-like
articles of many paragraphs, political news, a regulation…). Each question is asked as typed
and bare; the signals of its best candidate are labelled answerable or not. One logistic
regression is fitted on every shape at once, each shape weighing the same whatever its number
of questions, and the threshold is the mean over shapes of the probability below which
REFUSED_ANSWERABLE_SHARE of that shape's answerable questions fall. `leave_one_shape_out`
fits without each shape in turn and judges on it: how the model fares on a shape it never saw.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from retrieval.evaluation.scoring import Case
from retrieval.index.search_index import SearchIndex
from retrieval.language.text import fold
from retrieval.question.reading import understand
from retrieval.ranking.confidence import Signals
from retrieval.ranking.search import RERANK_CANDIDATES, rank, signals

# Below the threshold a reply is `related` (its passages still shown), so the threshold may
# ask for real confidence: on each shape about this share of answerable questions fall below.
REFUSED_ANSWERABLE_SHARE = 0.045
REGULARISATION = 10.0  # sklearn's C: mild, the signals are few and bounded


@dataclass(frozen=True, slots=True)
class Row:
    """One question as asked: the signals its best candidate gives the model (None when the
    model never sees it: no candidate, a name no article mentions, or a gate of
    `Signals.passes_gates` closed), and whether the corpus answers it."""

    signals: Signals | None
    answerable: bool


@dataclass(frozen=True, slots=True)
class Shape:
    name: str
    rows: list[Row]

    def modelled(self) -> list[Row]:
        return [row for row in self.rows if row.signals is not None]


@dataclass(frozen=True, slots=True)
class Fit:
    weights: tuple[float, ...]
    bias: float
    threshold: float

    def as_code(self) -> str:
        weights = ", ".join(f"{w:.3f}" for w in self.weights)
        return f"WEIGHTS = ({weights})\nBIAS = {self.bias:.3f}\nTHRESHOLD = {self.threshold:.3f}"

    def probabilities(self, rows: list[Row]) -> np.ndarray:
        features = _features(rows)
        return 1 / (1 + np.exp(-(features @ np.array(self.weights) + self.bias)))

    def confident(self, row: Row) -> bool:
        return row.signals is not None and bool(self.probabilities([row])[0] >= self.threshold)


@dataclass(frozen=True, slots=True)
class Judged:
    """How many questions of a shape a fit answers (tier `answer`), answerable and not."""

    answered: int
    answerable: int
    false_answers: int
    unanswerable: int

    def __str__(self) -> str:
        return (
            f"answer {self.answered}/{self.answerable} answerable, "
            f"{self.false_answers}/{self.unanswerable} no-answer"
        )


def labelled_rows(cases: Iterable[Case], index: SearchIndex) -> list[Row]:
    """A row for each case asked as typed and bare."""
    rows = []
    for case in cases:
        for asked in (case.question, fold(case.question)):
            query = understand(asked, index)
            ranking = rank(query, index, RERANK_CANDIDATES)
            found = None
            if ranking.judged is not None and not ranking.unmentioned:
                found = signals(query, index, ranking.judged)
            reaches_model = found is not None and found.passes_gates()
            rows.append(Row(found if reaches_model else None, case.answerable))
    return rows


def _features(rows: list[Row]) -> np.ndarray:
    return np.array([row.signals.as_row() for row in rows if row.signals is not None])


def _shape_weights(shapes: list[Shape]) -> np.ndarray:
    """Sample weights under which every shape weighs the same, averaging 1."""
    sizes = [len(shape.modelled()) for shape in shapes]
    weights = np.concatenate([np.full(size, 1 / size) for size in sizes if size])
    return weights * len(weights) / weights.sum()


def fit(shapes: list[Shape]) -> Fit:
    from sklearn.linear_model import LogisticRegression  # only this command needs it

    rows = [row for shape in shapes for row in shape.modelled()]
    labels = np.array([row.answerable for row in rows])
    if labels.all() or not labels.any():
        raise ValueError("calibration needs answerable and no-answer questions")
    model = LogisticRegression(C=REGULARISATION, max_iter=1000)
    model.fit(_features(rows), labels, sample_weight=_shape_weights(shapes))
    unthresholded = Fit(tuple(float(w) for w in model.coef_[0]), float(model.intercept_[0]), 0.0)
    return Fit(unthresholded.weights, unthresholded.bias, _threshold(unthresholded, shapes))


def _threshold(fitted: Fit, shapes: list[Shape]) -> float:
    """The mean over shapes of the probability below which REFUSED_ANSWERABLE_SHARE of the
    shape's answerable questions fall."""
    cuts = [
        float(np.quantile(fitted.probabilities(answerable), REFUSED_ANSWERABLE_SHARE))
        for shape in shapes
        if (answerable := [row for row in shape.modelled() if row.answerable])
    ]
    return float(np.mean(cuts))


def judge(fitted: Fit, shape: Shape) -> Judged:
    answerable = [row for row in shape.rows if row.answerable]
    unanswerable = [row for row in shape.rows if not row.answerable]
    return Judged(
        sum(fitted.confident(row) for row in answerable),
        len(answerable),
        sum(fitted.confident(row) for row in unanswerable),
        len(unanswerable),
    )


def leave_one_shape_out(shapes: list[Shape]) -> list[tuple[str, Judged | None]]:
    """For each shape, the fit on all the others judged on it (None when the others lack
    answerable or no-answer questions that reach the model)."""
    left_out: list[tuple[str, Judged | None]] = []
    for shape in shapes:
        try:
            fitted = fit([other for other in shapes if other is not shape])
        except ValueError:
            left_out.append((shape.name, None))
            continue
        left_out.append((shape.name, judge(fitted, shape)))
    return left_out
