"""How sure the bot is that its best passage answers the question: one number, one threshold.

BM25 always finds *some* passage sharing a word with the question. Whether it answers is told by
a few signals of the best candidate, each a ratio so that it does not move with corpus size:

- coverage: the share of the question's information (idf of its folded syllables and syllable
  pairs; a term the corpus lacks counts as the rarest possible) the passage holds;
- sentence coverage: the same share held by the passage's best two consecutive sentences —
  an answerable question is usually written from one sentence;
- word coverage: the share of the question's pyvi words, which tell "vũ trang" from "trang";
- unknown words: the share of the question's word information the corpus has never seen;
  for a question typed bare, whose words are the corpus's reading of it, both as far as that
  reading is sure (`Question.certainty`): the unsure rest of its words counts as unknown;
- kind answered: 1 when the question asks for a person, a date, a number, a title or a named
  thing and a sentence of the passage gives one (or when it asks for none of these), else 0 —
  a question the articles cannot answer often asks for the one fact they lack ("bao nhiêu").

Two gates come first: a passage whose article lacks one of the question's names or numbers,
or holding too little of its words (MIN_WORD_COVERAGE), is never an answer. The signals are
combined by a logistic model fitted on several corpus shapes at once, each weighing
the same (`python -m bot calibrate` prints these constants again, and how each shape fares when
left out of the fit), and compared with one threshold. Below it a reply is `related`, not
withheld: the passages are still shown, so the threshold can ask for real confidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from retrieval.index.backend import SearchBackend
from retrieval.language.text import sentences
from retrieval.question.information import information, matched_terms

SENTENCE_WINDOW = 2
# Below this share of the question's word information, a passage matches through folded
# syllables of other words ("tổng kết" for "Tổng Bí thư"): 2 of 1,200 answerable dev questions
# (as typed and bare) fall there, 44 of 406 no-answer ones.
MIN_WORD_COVERAGE = 0.2

# Fitted by `python -m bot calibrate` (README, "Calibration") on four shapes, typed and bare.
WEIGHTS = (1.111, 5.882, 1.161, -3.362, 1.187)  # in the order of Signals.as_row
BIAS = -2.803
THRESHOLD = 0.694


@dataclass(frozen=True, slots=True)
class Signals:
    coverage: float
    sentence_coverage: float
    word_coverage: float
    unknown_words: float
    kind_answered: float
    missing_units: int  # a gate, not a feature of the model

    def as_row(self) -> tuple[float, ...]:
        """The model's features, in the order of WEIGHTS."""
        return (
            self.coverage,
            self.sentence_coverage,
            self.word_coverage,
            self.unknown_words,
            self.kind_answered,
        )

    def passes_gates(self) -> bool:
        """Whether the model is asked at all: every name and number of the question in the
        passage's article, and enough of its words in the passage."""
        return self.missing_units == 0 and self.word_coverage > MIN_WORD_COVERAGE


def confidence(signals: Signals) -> float:
    """The fitted probability, in [0, 1], that the best passage answers the question."""
    z = BIAS + sum(w * x for w, x in zip(WEIGHTS, signals.as_row(), strict=True))
    return 1 / (1 + math.exp(-z))


def is_confident(signals: Signals) -> bool:
    return signals.passes_gates() and confidence(signals) >= THRESHOLD


def unknown_term_idf(corpus_size: int) -> float:
    """The idf a term would have if one passage contained it: the most informative possible."""
    return math.log((corpus_size - 0.5) / 1.5) if corpus_size > 1 else 1.0


def term_information(terms: Iterable[str], bm25: SearchBackend) -> tuple[float, float]:
    """(total, unknown): the idf mass of distinct `terms`, and the part the corpus lacks."""
    distinct = set(terms)
    ceiling = unknown_term_idf(bm25.corpus_size)
    unknown = ceiling * sum(not bm25.knows(term) for term in distinct)
    return math.fsum(bm25.idf_of(term) for term in distinct) + unknown, unknown


def shares_found(terms: Iterable[str], bm25: SearchBackend, positions: list[int]) -> np.ndarray:
    """For each passage of `positions`, the share of the terms' idf mass it holds."""
    distinct = sorted(set(terms))
    total, _ = term_information(distinct, bm25)
    if not total or not positions:
        return np.zeros(len(positions))
    places = np.asarray(positions)
    found = sum(
        (bm25.idf_of(t) * bm25.present(t, places) for t in distinct if bm25.knows(t)),
        np.zeros(len(places)),
    )
    return found / total


def sentence_share(passage: str, terms: frozenset[str], bm25: SearchBackend) -> float:
    """The share of the question information held by the passage's best SENTENCE_WINDOW
    consecutive sentences (`terms`: folded syllables and pairs, as `Question.folded_terms`)."""
    total, _ = term_information(terms, bm25)
    if not total:
        return 0.0
    found = [matched_terms(part, terms) for part in sentences(passage) or [passage]]
    best = max(
        information(set().union(*found[i : i + SENTENCE_WINDOW]), bm25) for i in range(len(found))
    )
    return best / total
