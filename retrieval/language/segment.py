"""pyvi's word segmentation, exactly, at a tenth of its cost.

`segment(text)` returns what `pyvi.ViTokenizer.tokenize(text)` returns. pyvi splits a text into
syllables with a regular expression, describes each syllable by fifteen features (itself, its
neighbours, whether it and they make a two- or three-syllable word of its list), has crfsuite
label each syllable "begins a word" or "inside a word" with its CRF model and Viterbi, and
joins a syllable inside a word to the one before with "_". The same happens here, on pyvi's
model (`retrieval/language/pyvi_model.py`), with:

- each distinct run of non-space characters split into syllables once, and each distinct
  syllable's features weighed once;
- the state scores summed with numpy, one feature at a time in pyvi's order, so each is the
  very double crfsuite computes, for all the texts of one call at once;
- crfsuite's Viterbi (`crf1dc_viterbi`): the same additions, the first of equal scores kept.

Where pyvi raises (a SystemError over a UnicodeEncodeError: a lone surrogate, which crfsuite's
binding cannot write as UTF-8), `segment` weighs that syllable's text as crfsuite weighs any
text its model never saw: not at all.
"""

from __future__ import annotations

import functools
import itertools
import re
import string
import threading
import unicodedata
from collections.abc import Sequence

import numpy as np

from retrieval.language.pyvi_model import CrfModel, Lexicon, ModelError, installed

# pyvi's syllables, in pyvi's order of preference (`ViTokenizer.sylabelize`).
_SYLLABLE = re.compile(
    "|".join(
        [
            *(r"[A-ZĐ]+\.", r"Tp\.", r"Mr\.", r"Mrs\.", r"Ms\.", r"Dr\.", r"ThS\."),
            *("==>", "->", r"\.\.\.", ">>", "\n"),
            r"\w+://[^\s]+",
            r"[a-zA-Z0-9_.+-]+@(?:[a-zA-Z0-9-]+\.)+[a-zA-Z0-9-]+",
            r"\d+(?:[\.,_]\d+)+",
            r"[^\w\s]",
            r"\w+",
        ]
    )
)
BEGINS, INSIDE = "B_W", "I_W"  # pyvi's labels
# pyvi's features of a syllable, by kind, each kind in pyvi's order.
_OWN = ("word.isupper()", "word.istitle()", "word.isdigit()")
_BEFORE = ("-1:word.lower():", "-1:word.istitle()", "-1:word.isupper()")
_AFTER = ("+1:word.lower():", "+1:word.istitle()", "+1:word.isupper()")
_PAIR_BEFORE, _TRIPLE_BEFORE = "-1:word.bi_gram()", "-2:word.tri_gram()"
_PAIR_AFTER, _TRIPLE_AFTER = "+1:word.bi_gram()", "+2:word.tri_gram()"
# What a syllable's features weigh, in the order they are added: its own five (summed), then
# what it adds to the syllable after it, then to the one before it.
_OWN_SUM, _BEFORE_LOWER, _BEFORE_TITLE, _BEFORE_UPPER = 0, 1, 2, 3
_AFTER_LOWER, _AFTER_TITLE, _AFTER_UPPER = 4, 5, 6
_WEIGHTS = 7
# About the bytes the caches of syllables and runs may hold before they start again, and what
# one entry costs besides its characters (dictionaries, strings, rows of the arrays).
CACHE_BYTES = 1 << 26
_ENTRY_BYTES = 256
_BOUNDARY = 0  # the row between two texts: no syllable, weighing nothing
_SEPARATORS = (" ", "_")


class _Syllables:
    """Every distinct syllable met so far, one row each, and every run between spaces. A new
    syllable's row waits in `new` until `write` puts the new rows into the arrays at once."""

    def __init__(self, labels: int, unlisted: int, capacity: int = 1024) -> None:
        self.rows: dict[str, int] = {}
        self.names: list[str] = [""]  # by row, the boundary's first
        self.runs: dict[str, tuple[int, ...]] = {}  # a run between spaces: its syllables' rows
        self.size = 0  # about the bytes held, after CACHE_BYTES
        self.labels = labels
        self.weights = np.zeros((_WEIGHTS * labels, capacity))  # _OWN_SUM… each by label, by row
        self.lexicon = np.full(capacity, unlisted, np.int64)  # its id in the Lexicon
        self.free = np.zeros(capacity, bool)  # may join a word: no punctuation, no digit first
        self.capital = np.zeros(capacity, bool)  # its first character is a capital
        self.new: list[tuple[list[float], int, bool, bool]] = []  # rows not written yet

    @property
    def full(self) -> bool:
        return self.size > CACHE_BYTES

    def add(self, syllable: str, row: tuple[list[float], int, bool, bool]) -> int:
        self.rows[syllable] = len(self.names)
        self.names.append(syllable)
        self.new.append(row)
        self.size += _ENTRY_BYTES + len(syllable)
        return len(self.names) - 1

    def remember(self, run: str, rows: tuple[int, ...]) -> None:
        self.runs[run] = rows
        self.size += _ENTRY_BYTES + len(run)

    def write(self) -> None:
        """The new rows into the arrays (twice the room when they need it)."""
        if not self.new:
            return
        while len(self.names) > len(self.free):
            self.weights = np.concatenate([self.weights, np.zeros_like(self.weights)], axis=1)
            self.lexicon = np.concatenate([self.lexicon, np.zeros_like(self.lexicon)])
            self.free = np.concatenate([self.free, np.zeros_like(self.free)])
            self.capital = np.concatenate([self.capital, np.zeros_like(self.capital)])
        weights, lexicon, free, capital = zip(*self.new, strict=True)
        written = slice(len(self.names) - len(self.new), len(self.names))
        self.weights[:, written] = np.array(weights).T
        self.lexicon[written], self.free[written], self.capital[written] = lexicon, free, capital
        self.new.clear()


class Segmenter:
    """pyvi's tokenizer on pyvi's model: `segment` returns what `ViTokenizer.tokenize` does."""

    def __init__(self, model: CrfModel, lexicon: Lexicon) -> None:
        if sorted(model.labels) != [BEGINS, INSIDE]:
            raise ModelError(f"pyvi's model labels are {model.labels}, not {BEGINS}, {INSIDE}")
        self.model = model
        self.lexicon = lexicon
        self._inside = model.labels.index(INSIDE)
        self._transitions: list[list[float]] = model.transitions.tolist()
        self._weights: list[list[float]] = model.weights.tolist()
        nothing = [0.0] * len(model.labels)  # what a feature that is False adds
        self._when = {name: (nothing, self._weight(name)) for name in (*_BEFORE[1:], *_AFTER[1:])}
        self._columns = {  # a word of pyvi's list: what it weighs, by label, as a column
            name: model.weights[model.row(name)][:, None]
            for name in (_PAIR_BEFORE, _TRIPLE_BEFORE, _PAIR_AFTER, _TRIPLE_AFTER)
        }
        self._lock = threading.Lock()
        self._syllables = self._empty()

    def _empty(self) -> _Syllables:
        """Caches with the boundary row alone: no syllable, weighing nothing, in no word."""
        return _Syllables(len(self.model.labels), self.lexicon.unlisted)

    def segment(self, text: str) -> str:
        """`text` NFC-normalised, its words' syllables joined by "_" and its words by " ";
        `text` itself when it has no syllable."""
        return self.segment_all([text])[0]

    def segment_all(self, texts: Sequence[str]) -> list[str]:
        """`segment` of each text, numpy's work shared by all of them."""
        if not texts:
            return []
        normal = [unicodedata.normalize("NFC", text) for text in texts]
        with self._lock:  # the caches are shared, and answers run in worker threads
            if self._syllables.full:
                self._syllables = self._empty()
            rows, spans = self._rows(normal)
            self._syllables.write()
            table = np.array(rows, np.intp)
            steps = _forward(self._scores(table), spans, self._transitions)
            joins = self._joins(table, _backtracked(steps))
            syllables = list(map(self._syllables.names.__getitem__, rows))
        return [
            _written(syllables[start:end], joins[start:end]) if end > start else text
            for text, (start, end) in zip(texts, spans, strict=True)
        ]

    def _rows(self, texts: list[str]) -> tuple[list[int], list[tuple[int, int]]]:
        """The rows of the texts' syllables, each text between boundary rows; where each
        text's rows are."""
        rows: list[int] = [_BOUNDARY]
        spans: list[tuple[int, int]] = []
        for text in texts:
            start = len(rows)
            self._add_rows(text, rows)
            spans.append((start, len(rows)))
            rows.append(_BOUNDARY)
        return rows, spans

    def _add_rows(self, text: str, rows: list[int]) -> None:
        """Add the rows of pyvi's syllables of `text`. No syllable spans a space and a newline
        is one, so each run between spaces is split into syllables once, and remembered."""
        runs = self._syllables.runs
        for number, line in enumerate(text.split("\n")):
            if number:
                rows.append(self._row("\n"))
            words = line.split()
            known = list(map(runs.get, words))
            if None in known:
                for word, found in zip(words, known, strict=True):
                    if found is None:
                        rows_of_word = tuple(map(self._row, _SYLLABLE.findall(word)))
                        self._syllables.remember(word, rows_of_word)
                known = list(map(runs.__getitem__, words))
            rows.extend(itertools.chain.from_iterable(known))  # type: ignore[arg-type]

    def _row(self, syllable: str) -> int:
        row = self._syllables.rows.get(syllable)
        return self._syllables.add(syllable, self._described(syllable)) if row is None else row

    def _weight(self, attribute: str) -> list[float]:
        return self._weights[self.model.row(attribute)]

    def _described(self, syllable: str) -> tuple[list[float], int, bool, bool]:
        """A new syllable's row: what its features weigh, its id in the Lexicon, whether it is
        free and starts with a capital (see `_Syllables`)."""
        lower, when = syllable.lower(), self._when
        upper, title, digit = syllable.isupper(), syllable.istitle(), syllable.isdigit()
        own = self._weight("bias")  # crfsuite's scores start at zero, and 0.0 + bias is bias
        present = ("word.lower():" + lower, *itertools.compress(_OWN, (upper, title, digit)))
        for name in present:  # an absent one adds 0.0 * weight, which changes no sum
            own = [score + weight for score, weight in zip(own, self._weight(name), strict=True)]
        weights = [
            *own,
            *self._weight(_BEFORE[0] + lower),
            *when[_BEFORE[1]][title],
            *when[_BEFORE[2]][upper],
            *self._weight(_AFTER[0] + lower),
            *when[_AFTER[1]][title],
            *when[_AFTER[2]][upper],
        ]
        free = syllable not in string.punctuation and not syllable[0].isdigit()
        identity = self.lexicon.ids.get(lower, self.lexicon.unlisted)
        return weights, identity, free, syllable[0].istitle()

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        """(labels, syllables) state scores, each feature added to every syllable at once in
        the order pyvi lists them, so that every sum is crfsuite's."""
        table = self._syllables
        weights = np.take(table.weights, rows, axis=1).reshape(_WEIGHTS, table.labels, len(rows))
        pairs, triples = self.lexicon.words(table.lexicon[rows])
        scores = weights[_OWN_SUM]
        for feature in (_BEFORE_LOWER, _BEFORE_TITLE, _BEFORE_UPPER):
            scores[:, 1:] += weights[feature, :, :-1]
        columns = self._columns
        scores[:, 1:] += pairs * columns[_PAIR_BEFORE]
        scores[:, 2:] += triples * columns[_TRIPLE_BEFORE]
        for feature in (_AFTER_LOWER, _AFTER_TITLE, _AFTER_UPPER):
            scores[:, :-1] += weights[feature, :, 1:]
        scores[:, :-1] += pairs * columns[_PAIR_AFTER]
        scores[:, :-2] += triples * columns[_TRIPLE_AFTER]
        return scores

    def _joins(self, rows: np.ndarray, labels: np.ndarray) -> list[bool]:
        """Whether each syllable joins the one before: pyvi's rule (never the first of a text,
        as the boundary before it is not free)."""
        free, capital = self._syllables.free[rows], self._syllables.capital[rows]
        inside = labels == self._inside
        joins = inside[1:] & free[1:] & free[:-1] & ~(capital[1:] & ~capital[:-1])
        return [False, *joins.tolist()]


def _forward(
    scores: np.ndarray, spans: list[tuple[int, int]], transitions: list[list[float]]
) -> np.ndarray:
    """crfsuite's Viterbi for two labels, forward, for every text at once (a text's syllables
    are the columns of `scores` in its span): for each syllable, how the best paths to the
    labels of the next one reach them (bit 0 for label 0, bit 1 for label 1: from label 0 or
    1), the lower label kept where two paths score the same; for the last, 0 or 3 as its best
    label is 0 or 1 (see `_backtracked`); 0 at the boundaries, which nothing reads. A step per
    syllable for all the texts that long, the same float64 additions and comparisons as
    crfsuite's; the texts taken longest first, so that those still going on are the first."""
    (t00, t01), (t10, t11) = transitions
    state0, state1 = scores
    steps = np.zeros(scores.shape[1], np.intp)
    texts = np.array([span for span in spans if span[1] > span[0]], np.intp).reshape(-1, 2)
    lengths = texts[:, 1] - texts[:, 0]
    order = np.argsort(-lengths, kind="stable")
    starts, lengths = texts[order, 0], lengths[order]
    going_on = np.searchsorted(-lengths, -np.arange(lengths.max(initial=0)))  # longer than i
    best0, best1 = state0[starts], state1[starts]
    for at, texts_on in enumerate(going_on[1:].tolist(), start=1):
        rows = starts[:texts_on] + at
        stay, cross = best0[:texts_on] + t00, best1[:texts_on] + t10
        enter, go_on = best0[:texts_on] + t01, best1[:texts_on] + t11
        from1_to0, from1_to1 = stay < cross, enter < go_on
        best0[:texts_on] = np.where(from1_to0, cross, stay) + state0[rows]
        best1[:texts_on] = np.where(from1_to1, go_on, enter) + state1[rows]
        steps[rows - 1] = from1_to0 + 2 * from1_to1
    steps[starts + lengths - 1] = np.where(best0 < best1, 3, 0)
    return steps


def _backtracked(steps: np.ndarray) -> np.ndarray:
    """Viterbi's way back, for all texts at once: the label of each syllable, 0 or 1. A step of
    0 or 3 gives the label (0 or 1) whatever follows, 2 the label of the next syllable, 1 the
    other label; so each label is that of the nearest step of 0 or 3 from it on, switched once
    for each step of 1 on the way."""
    positions = np.arange(len(steps))
    settled = np.where((steps == 0) | (steps == 3), positions, len(steps))
    nearest = np.minimum.accumulate(settled[::-1])[::-1]
    switches = np.concatenate([[0], np.cumsum(steps == 1)])
    return np.asarray((steps[nearest] == 3) ^ ((switches[nearest] - switches[positions]) & 1))


def _written(syllables: list[str], joins: list[bool]) -> str:
    """The syllables, each after the first preceded by "_" where it joins the one before, by
    " " where not."""
    pieces = syllables + syllables[1:]
    pieces[::2] = syllables
    pieces[1::2] = map(_SEPARATORS.__getitem__, joins[1:])
    return "".join(pieces)


@functools.cache
def segmenter() -> Segmenter:
    """The segmenter on pyvi's installed model, loaded on first use."""
    return Segmenter(*installed())


def segment(text: str) -> str:
    """What `pyvi.ViTokenizer.tokenize(text)` returns (see the module's docstring)."""
    return segmenter().segment(text)


def segment_all(texts: Sequence[str]) -> list[str]:
    """`segment` of each text, faster than one at a time."""
    return segmenter().segment_all(texts)
