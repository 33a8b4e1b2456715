"""Question -> ranked passages, and whether the corpus answers the question at all.

BM25 always finds *some* passage sharing a word with the question. Whether that passage answers
it is judged by coverage: the share of the question's information (the idf of its folded
syllables and syllable pairs, an unknown term counting as the rarest possible) that the best
passage contains. It is a ratio in [0, 1], so the threshold does not move with corpus size.

The same coverage re-orders BM25's best candidates (score x coverage**3): a passage holding all
of the question's rare terms beats a short one that repeats a few of them, which raw BM25's
length normalisation tends to prefer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from retrieval.bm25 import top_k
from retrieval.distinctive import distinctive_units
from retrieval.index import SearchIndex
from retrieval.lead import asks
from retrieval.restore import restore_diacritics
from retrieval.text import normalize
from retrieval.tokens import BIGRAM_PREFIX, SYLLABLE_PREFIX, Terms, analyze

MAX_QUESTION_CHARS = 500
MIN_COVERAGE = 0.3
RERANK_CANDIDATES = 20
COVERAGE_POWER = 3.0


@dataclass(frozen=True, slots=True)
class Query:
    typed: str  # normalised and cut to MAX_QUESTION_CHARS
    understood: str  # diacritics restored where they were missing
    terms: Terms  # what BM25 ranks on
    content: Terms  # what coverage is measured on: the question without its frame

    @property
    def folded_terms(self) -> set[str]:
        """The distinct terms coverage is measured on: they do not depend on the marks typed."""
        return {t for t in self.content.all() if t.startswith((SYLLABLE_PREFIX, BIGRAM_PREFIX))}


@dataclass(frozen=True, slots=True)
class Ranked:
    position: int  # index into SearchIndex.passages
    score: float  # BM25 x coverage**COVERAGE_POWER: the ranking score
    coverage: float  # share of the question's idf mass in the passage


def cut_question(question: str) -> str:
    """The first MAX_QUESTION_CHARS of the question, cut at a word boundary."""
    text = normalize(question).strip()
    if len(text) <= MAX_QUESTION_CHARS:
        return text
    return text[:MAX_QUESTION_CHARS].rsplit(" ", 1)[0]


def understand(question: str, index: SearchIndex) -> Query:
    typed = cut_question(question)
    understood, corrected = restore_diacritics(typed, index.vocabulary)
    # A word reached through a typo matches by its folded syllables only: below an exact match.
    terms = analyze(understood).without_words_of(corrected)
    # The words saying what is asked ("giữ chức vụ gì") are no content an article must hold.
    asking = asks(understood)
    content = analyze(asking.without_frame(understood)) if asking else terms
    return Query(typed, understood, terms, content)


def unknown_term_idf(corpus_size: int) -> float:
    """The idf a term would have if one passage contained it: the most informative possible."""
    return math.log((corpus_size - 0.5) / 1.5) if corpus_size > 1 else 1.0


def coverages(query: Query, index: SearchIndex, positions: list[int]) -> np.ndarray:
    """Share of the question's idf mass found in each passage of `positions`."""
    bm25 = index.bm25
    terms = sorted(query.folded_terms)
    if not terms or not positions:
        return np.zeros(len(positions))
    ceiling = unknown_term_idf(bm25.corpus_size)
    known = [t for t in terms if bm25.knows(t)]
    total = sum(bm25.idf_of(t) for t in known) + ceiling * (len(terms) - len(known))
    places = np.asarray(positions)
    found = sum((bm25.idf_of(t) * bm25.present(t, places) for t in known), np.zeros(len(places)))
    return found / total if total else np.zeros(len(positions))


@dataclass(frozen=True, slots=True)
class Ranking:
    ranked: list[Ranked]  # best first
    unmentioned: list[str]  # names or numbers of the question the best article never mentions


def rank(query: Query, index: SearchIndex, k: int) -> Ranking:
    """BM25's best candidates from articles that mention the question's names and numbers,
    re-ordered by BM25 score x coverage**COVERAGE_POWER."""
    scores = index.bm25.scores(query.terms.all())
    found = top_k(scores, max(k, RERANK_CANDIDATES))
    units = distinctive_units(query.understood)
    candidates = [p for p in found if all(index.article_mentions(p, u.terms) for u in units)]
    if found and not candidates:
        unmentioned = [u.text for u in units if not index.article_mentions(found[0], u.terms)]
        return Ranking([], unmentioned)
    shares = coverages(query, index, candidates)
    adjusted = scores[candidates] * shares**COVERAGE_POWER
    order = sorted(range(len(candidates)), key=lambda i: (-adjusted[i], candidates[i]))
    ranked = [Ranked(candidates[i], float(adjusted[i]), float(shares[i])) for i in order[:k]]
    return Ranking(ranked, [])


def score_one(query: Query, index: SearchIndex, position: int) -> Ranked:
    """One passage scored as `rank` scores its candidates."""
    score = float(index.bm25.scores(query.terms.all())[position])
    share = float(coverages(query, index, [position])[0])
    return Ranked(position, score * share**COVERAGE_POWER, share)
