"""Question -> ranked passages, and the signals that tell whether the best one answers it.

BM25's best candidates are re-ordered by coverage — the share of the question's information
(the idf of its folded syllables and syllable pairs) a passage holds — so that a passage holding
all of the question's rare terms beats a short one repeating a few of them, which raw BM25's
length normalisation tends to prefer. Each of the question's names and numbers that a
candidate's article does not mention costs it a factor. A headline gives way to its article's
body, which holds the answer. Whether the best candidate answers at
all is decided in `confidence.py`, from the signals gathered here.

Given the day it is asked (`Today`), ranking also reads what the question says about when
(`question/when.py`): when it names days ("hôm qua"), only articles published on them are
candidates, unless none of them matches — then the best matches of other days are, marked
`outside`; when it asks for the newest ("mới nhất"), the matching articles come newest first;
and an article published on a date the question names holds that date.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from retrieval.index.backend import SearchBackend
from retrieval.index.bm25 import top_k
from retrieval.index.search_index import SearchIndex
from retrieval.language.text import sentences
from retrieval.question.distinctive import Unit
from retrieval.question.reading import Question
from retrieval.question.sentence_kinds import gives_expected
from retrieval.question.when import Days, Today
from retrieval.ranking.confidence import Signals, sentence_share, shares_found, term_information

RERANK_CANDIDATES = 20
MISSING_UNIT_FACTOR = 0.5
# Below this share of the question's information, an article's headline only names its subject.
HEADLINE_SUBJECT_SHARE = 0.5
# The articles published on the days a question names match it when their best passage scores
# this share of the best passage of any day's score. Below it, they share a word or two of the
# question ("giá" of "giá điện"), not its subject; not more, for a rare word of the question
# ("thay đổi") can lift a passage on another subject far above the article that answers.
DAYS_MATCH_SHARE = 0.1
# When the newest come first, the candidates scoring this share of the best one's score
# match the question as well as it: they are ordered by date, the others follow.
NEWEST_MATCH_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Ranked:
    position: int  # index into SearchIndex.passages
    score: float  # BM25 x coverage x MISSING_UNIT_FACTOR**missing
    coverage: float  # share of the question's idf mass in the passage
    missing_units: int  # the question's names and numbers its article does not mention
    # the same share of the question's terms its article's headline does not hold
    coverage_beyond_headline: float


def coverages(query: Question, index: SearchIndex, positions: list[int]) -> np.ndarray:
    """Share of the question's idf mass found in each passage of `positions`."""
    return shares_found(query.folded_terms, index.bm25, positions)


@dataclass(frozen=True, slots=True)
class Ranking:
    ranked: list[Ranked]  # best first, in the order shown
    unmentioned: list[str]  # names or numbers of the question no article mentions
    # The candidate whose signals say whether the question is answered: the best one, even when
    # it is a headline that gives way to its article's body in `ranked`.
    judged: Ranked | None = None
    # Nothing published on the days the question names matches it: these are the best matches
    # published on other days (or on none).
    outside: bool = False


def _scored(
    query: Question,
    index: SearchIndex,
    scores: np.ndarray,
    positions: list[int],
    today: Today | None,
) -> list[Ranked]:
    """The passages at `positions`, whose BM25 scores are `scores`, with their ranking scores:
    BM25 x coverage x MISSING_UNIT_FACTOR for each of the question's names
    their article does not mention; and their coverage beyond their article's headline."""
    shares = coverages(query, index, positions)
    missing = [sum(not holds(index, p, u, today) for u in query.units) for p in positions]
    adjusted = scores * shares * MISSING_UNIT_FACTOR ** np.array(missing)
    starts = [index.article_span(p)[0] for p in positions]
    own_terms = _beyond_headlines(query.folded_terms, index, set(starts))
    beyond = np.zeros(len(positions))
    for own in {frozenset(terms) for terms in own_terms.values()}:
        at = [i for i, start in enumerate(starts) if own_terms[start] == own]
        beyond[at] = shares_found(own, index.bm25, [positions[i] for i in at])
    rows = zip(positions, adjusted, shares, missing, beyond, strict=True)
    return [
        Ranked(position, float(score), float(share), count, float(own))
        for position, score, share, count, own in rows
    ]


def holds(index: SearchIndex, position: int, unit: Unit, today: Today | None) -> bool:
    """Whether the article of passage `position` mentions the question's name or number
    `unit`, or, for a date, was published on it."""
    return index.article_mentions(position, unit.terms) or published_on_date(
        index, position, unit, today
    )


def published_on_date(index: SearchIndex, position: int, unit: Unit, today: Today | None) -> bool:
    """Whether the article of passage `position` was published on the date `unit` names."""
    days = _days_of(unit, today)
    return (
        days is not None and today is not None and index.published_on(position, today.zone) in days
    )


def _days_of(unit: Unit, today: Today | None) -> Days | None:
    """The days of the date `unit` names, on the day asked; None when it names none."""
    return unit.dated.days(today.day) if unit.dated and today else None


def published_within(index: SearchIndex, days: Days, today: Today) -> np.ndarray:
    """Which passages' articles were published on `days` (in the operator's time zone); an
    article that states no date is outside every range."""
    published = index.published_days(today.zone)
    return (published >= days.first.toordinal()) & (published <= days.last.toordinal())


def rank(query: Question, index: SearchIndex, k: int, today: Today | None = None) -> Ranking:
    """BM25's best candidates re-ordered by their ranking scores (`_scored`), and the names and
    numbers that occur nowhere in the corpus, not even written a little otherwise (a misspelt
    name is the user's typo, not news the articles lack): they are still ranked, and shown.
    Given `today`, what the question says about when is read too (see the docstring)."""
    unmentioned = [u.text for u in query.units if not _mentioned_anywhere(index, u, today)]
    terms = query.terms.all()
    wanted = max(k, RERANK_CANDIDATES)
    ranked, judged = _ranked(query, index, *index.bm25.candidates(terms, wanted), today)
    days = query.when.days(today.day) if today else None
    outside = False
    if days is not None and today is not None:
        inside = _candidates_within(index, terms, published_within(index, days, today), wanted)
        ranked_inside, judged_inside = _ranked(query, index, *inside, today)
        outside = not _days_match(query, index, ranked_inside, ranked)
        if not outside:
            ranked, judged = ranked_inside, judged_inside
    if query.when.newest_first and today is not None and ranked:
        ranked = newest_first(index, ranked, today)
        judged = ranked[0]
    return Ranking(ranked[:k], unmentioned, judged, outside)


def _candidates_within(
    index: SearchIndex, terms: list[str], within: np.ndarray, k: int
) -> tuple[list[int], np.ndarray]:
    """The k best candidates among the passages `within` marks (ties by position), and
    their BM25 scores: scored where they are, so any backend gives them alike."""
    positions = np.flatnonzero(within)
    scores = index.bm25.scores_at(terms, positions)
    best = top_k(scores, k)
    return positions[best].tolist(), scores[best]


def _mentioned_anywhere(index: SearchIndex, unit: Unit, today: Today | None) -> bool:
    """Whether some article mentions the name or number `unit`, or, for a date, was published
    on it."""
    if index.mentions_anywhere(unit.text, unit.terms):
        return True
    days = _days_of(unit, today)
    return (
        days is not None and today is not None and bool(published_within(index, days, today).any())
    )


def _ranked(
    query: Question,
    index: SearchIndex,
    positions: list[int],
    scores: np.ndarray,
    today: Today | None,
) -> tuple[list[Ranked], Ranked | None]:
    """The candidates at `positions`, whose BM25 scores are `scores`, in the order shown, and
    the one judged."""
    scored = sorted(_scored(query, index, scores, positions, today), key=best_first)
    led = fullest_of_article_first(index, scored)
    return bodies_before_headlines(index, led), led[0] if led else None


def _days_match(
    query: Question, index: SearchIndex, inside: list[Ranked], anywhere: list[Ranked]
) -> bool:
    """Whether the candidates published on the question's days (`inside`) match it: they
    share its content words, and the best scores DAYS_MATCH_SHARE of the best candidate of
    any day (`anywhere`)."""
    if not anywhere:
        return True
    if not inside or not shares_content_words(query, index, inside):
        return False
    return max(r.score for r in inside) >= DAYS_MATCH_SHARE * max(r.score for r in anywhere)


def newest_first(index: SearchIndex, ranked: list[Ranked], today: Today) -> list[Ranked]:
    """The candidates, the articles of those that match (NEWEST_MATCH_SHARE of the best
    score) newest first (those that state no date after those that do), each article's
    candidates together in their order; the others after them, in theirs."""
    least = NEWEST_MATCH_SHARE * max(r.score for r in ranked)
    published = index.published_days(today.zone)
    matching = {index.article_span(r.position) for r in ranked if r.score >= least}
    first_seen: dict[tuple[int, int], int] = {}
    for order, candidate in enumerate(ranked):
        first_seen.setdefault(index.article_span(candidate.position), order)

    def key(item: tuple[int, Ranked]) -> tuple[int, int, int, int]:
        order, candidate = item
        span = index.article_span(candidate.position)
        if span not in matching:
            return 1, 0, 0, order
        return 0, -int(published[candidate.position]), first_seen[span], order

    return [candidate for _, candidate in sorted(enumerate(ranked), key=key)]


def best_first(ranked: Ranked) -> tuple[float, int]:
    """The sort key of a ranking: highest score first, ties by position."""
    return -ranked.score, ranked.position


def fullest_of_article_first(index: SearchIndex, ranked: list[Ranked]) -> list[Ranked]:
    """The best candidate's article leads, and within it the candidate holding the most of
    the question's information beyond the article's headline: between paragraphs of one
    article, which share its subject, BM25's term saturation and length normalisation tell less
    than coverage does (a short paragraph repeating the subject's name beats the one that
    answers), and the paragraph introducing the subject holds the question's words about the
    subject, not the answer. Ties keep the score order; the other candidates follow in it."""
    if not ranked:
        return ranked
    return _led_by_fullest(index, ranked, ranked[0])


def _led_by_fullest(index: SearchIndex, ranked: list[Ranked], of: Ranked) -> list[Ranked]:
    """`ranked` led by the candidate of `of`'s article holding the most information beyond
    its headline."""
    start, end = index.article_span(of.position)
    inside = (r for r in ranked if start <= r.position < end)
    fullest = max(inside, key=lambda r: r.coverage_beyond_headline)
    return [fullest, *(r for r in ranked if r is not fullest)]


def _beyond_headlines(terms: set[str], index: SearchIndex, starts: set[int]) -> dict[int, set[str]]:
    """`_beyond_headline` of the articles starting at `starts`; each term is looked up in all
    their headlines at once."""
    headlines = sorted(start for start in starts if index.is_headline(start))
    at = np.array(headlines, dtype=np.int64)
    held = {t: index.bm25.present(t, at) for t in terms} if headlines else {}
    beyond = {start: terms for start in starts}
    total, _ = term_information(terms, index.bm25)
    for number, start in enumerate(headlines):
        in_headline = {t for t in terms if held[t][number]}
        beyond[start] = _beyond_headline(terms, index.bm25, in_headline, total)
    return beyond


def _beyond_headline(
    terms: set[str], bm25: SearchBackend, held: set[str], total: float
) -> set[str]:
    """`terms` (whose information is `total`) without those an article's headline holds
    (`held`), when the headline holds less than HEADLINE_SUBJECT_SHARE of their information:
    then it names the article's subject ("Vịnh Hạ Long"), which every paragraph shares. A
    headline holding more is what the question restates, and its words are the question's
    (all `terms` then)."""
    subject_only = term_information(held, bm25)[0] < HEADLINE_SUBJECT_SHARE * total
    return terms - held if subject_only and held != terms else terms


def bodies_before_headlines(index: SearchIndex, ranked: list[Ranked]) -> list[Ranked]:
    """Each headline moved after the other candidates when a passage of its article's body is
    one too: a question restates a headline's words, so it scores high, but the answer is in
    the body. When a headline led, the article whose body and headline score most together
    leads, by its fullest candidate: a headline vouches for its article's body, not for a
    weak paragraph over another article's strong one."""

    def is_headline(candidate: Ranked) -> bool:
        return index.is_headline(candidate.position)

    with_body = {index.article_span(r.position) for r in ranked if not is_headline(r)}
    demoted = [r for r in ranked if is_headline(r) and index.article_span(r.position) in with_body]
    kept = [r for r in ranked if r not in demoted]
    if demoted and ranked[0] is demoted[0]:
        kept = _led_by_headed_article(index, kept, demoted)
    return kept + demoted


def _led_by_headed_article(
    index: SearchIndex, kept: list[Ranked], headlines: list[Ranked]
) -> list[Ranked]:
    """`kept` led, by its fullest candidate, by the article whose body and headline (one of
    `headlines`) score most together."""
    headline_scores = {index.article_span(r.position): r.score for r in headlines}

    def with_headline(body: Ranked) -> float:
        return body.score + headline_scores.get(index.article_span(body.position), 0.0)

    return _led_by_fullest(index, kept, max(kept, key=with_headline))


def shares_content_words(query: Question, index: SearchIndex, ranked: list[Ranked]) -> bool:
    """Whether some candidate holds one of the question's content words (its pyvi words
    without function words and its frame): a shared folded syllable alone ("nay" of "hôm
    nay" in "hiện nay") relates nothing."""
    positions = [r.position for r in ranked]
    return bool(positions) and bool(shares_found(query.content.words, index.bm25, positions).any())


def score_one(
    query: Question, index: SearchIndex, position: int, today: Today | None = None
) -> Ranked:
    """One passage scored as `rank` scores its candidates."""
    scores = index.bm25.scores_at(query.terms.all(), np.array([position]))
    return _scored(query, index, scores, [position], today)[0]


def signals(query: Question, index: SearchIndex, best: Ranked) -> Signals:
    """What `confidence` weighs about the best candidate. The margin over the second
    candidate is left out on purpose: it says nothing on the dev set, and a question matching
    a single passage would get a full margin."""
    bm25 = index.bm25
    words = query.content.words
    word_total, word_unknown = term_information(words, bm25)
    # The words of a question typed bare are the corpus's reading of it: they count only as
    # far as that reading is sure, and the rest of them as unknown.
    known_share = 1 - word_unknown / word_total if word_total else 1.0
    return Signals(
        coverage=best.coverage,
        sentence_coverage=sentence_share(
            index.text_at(best.position), frozenset(query.folded_terms), bm25
        ),
        word_coverage=float(shares_found(words, bm25, [best.position])[0]) * query.certainty,
        unknown_words=1 - known_share * query.certainty,
        kind_answered=float(gives_what_is_asked(query, index.text_at(best.position))),
        missing_units=best.missing_units,
    )


def gives_what_is_asked(query: Question, passage: str) -> bool:
    """Whether a sentence of the passage gives the kind of answer the question asks for (a
    person, a date, a number…); True when it asks for no such kind."""
    expected = query.expected
    return expected is None or any(gives_expected(s, expected) for s in sentences(passage))
