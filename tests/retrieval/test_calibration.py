"""Fitting the confidence model on shapes: each shape weighs the same, and a shape left out is
judged by a fit that never saw it."""

import numpy as np
import pytest

from retrieval.evaluation.calibration import (
    REFUSED_ANSWERABLE_SHARE,
    Row,
    Shape,
    _shape_weights,
    fit,
    judge,
    leave_one_shape_out,
)
from retrieval.ranking.confidence import Signals


def rows(answerable: bool, level: float, count: int) -> list[Row]:
    """`count` rows whose signals spread around `level`."""
    spread = np.linspace(-0.15, 0.15, count)
    return [Row(Signals(level + d, level + d, level + d, 0.0, 1.0, 0), answerable) for d in spread]


def shape(name: str, size: int) -> Shape:
    return Shape(name, rows(True, 0.8, size) + rows(False, 0.3, size) + [Row(None, True)])


def test_each_shape_weighs_the_same_whatever_its_size() -> None:
    weights = _shape_weights([shape("big", 30), shape("small", 3)])
    assert weights[:60].sum() == pytest.approx(weights[60:].sum())
    assert weights.mean() == pytest.approx(1.0)


def test_the_threshold_refuses_the_share_of_answerable_questions_asked() -> None:
    shapes = [shape("a", 200), shape("b", 200)]
    fitted = fit(shapes)
    judged = judge(fitted, shapes[0])
    refused = 1 - judged.answered / (judged.answerable - 1)  # the unmodelled row is never sure
    assert refused > 0 and refused == pytest.approx(REFUSED_ANSWERABLE_SHARE, abs=0.01)
    assert judged.false_answers == 0 and judged.unanswerable == 200


def test_each_shape_left_out_is_judged_by_the_others_fit() -> None:
    left_out = dict(leave_one_shape_out([shape("a", 20), shape("b", 20), Shape("c", [])]))
    assert set(left_out) == {"a", "b", "c"}
    assert left_out["a"] is not None and left_out["a"].answered > 0
    only_answerable = Shape("d", rows(True, 0.8, 5))
    alone = dict(leave_one_shape_out([shape("a", 5), only_answerable]))
    assert alone["a"] is None and alone["d"] is not None  # "d" alone has no no-answer row
