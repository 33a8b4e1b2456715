"""Lead with the answering sentence: the strategies that find it.

When the question asks for a kind of answer a sentence can show (a person, a date, a number, a
title, a named thing: `question/sentence_kinds.py`) and a hit holds a sentence that both matches the
question and gives that kind of answer, the sentence is shown first and its hit ranks first.
The strategies are tried in the order `answering_sentence` gives; each searches the hits in
rank order, so the lead comes from the best passage that has one.
"""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.index.backend import SearchBackend
from retrieval.language.text import fold, sentences
from retrieval.language.tokens import Terms, analyze
from retrieval.question.expectation import AnswerKind, Expectation
from retrieval.question.information import information, matched_terms, wanted_terms
from retrieval.question.people import names_title_holder, position_given
from retrieval.question.reading import Question
from retrieval.question.sentence_kinds import gives_expected
from retrieval.reply.excerpt import MAX_EXCERPT_CHARS, Excerpt, fit_excerpt

# An answering sentence must hold this share of the question information that the best
# passage's excerpt holds.
LEAD_MIN_SHARE = 0.9
# The paragraph after the best one may lead when it supplies this share of the question
# information the best one lacks.
FOLLOWING_MIN_SHARE = 0.5


Lead = tuple[int, Excerpt]  # (passage position in the index, its answering sentence)


@dataclass(frozen=True, slots=True)
class Candidates:
    """The passages an answering sentence may come from, each as (position, text)."""

    ranked: list[tuple[int, str]]  # best first
    shown: int  # how many of them the reply shows
    following: tuple[int, str] | None  # the paragraph after the best one, in the same article


@dataclass(frozen=True, slots=True)
class Yardstick:
    """The question, as the strategies weigh sentences against it."""

    question: Question
    expected: Expectation
    wanted: frozenset[str]  # its terms as excerpts match them
    bm25: SearchBackend

    @property
    def terms(self) -> Terms:
        return self.question.terms

    def weight(self, sentence: str) -> float:
        return information(matched_terms(sentence, self.wanted), self.bm25)

    def best_of_kind(self, passage: str) -> tuple[float, str] | None:
        """The passage's sentence of the asked kind holding the most question information,
        read with the sentence before it when both fit one excerpt ("… tổ chức hội nghị sơ
        kết." then "Đồng chí … chủ trì."); the shorter reading wins a tie."""
        parts = sentences(passage)
        readings = []
        for number, sentence in enumerate(parts):
            if not gives_expected(sentence, self.expected):
                continue
            readings.append(sentence)
            if number > 0 and len(both := f"{parts[number - 1]} {sentence}") <= MAX_EXCERPT_CHARS:
                readings.append(both)
        scored = [(self.weight(text), -len(text), text) for text in readings]
        best = max(scored, default=None)
        return None if best is None else (best[0], best[2])


def title_holder(candidates: Candidates, yardstick: Yardstick) -> Lead | None:
    """For "who is <title>?": the first candidate naming the holder of exactly that title."""
    if yardstick.expected.kind is not AnswerKind.WHO:
        return None
    title = list(analyze(yardstick.expected.without_frame(yardstick.question.understood)).syllables)
    for position, passage in candidates.ranked:
        for sentence in sentences(passage):
            if names_title_holder(sentence, title):
                return position, fit_excerpt(sentence, yardstick.terms)
    return None


def person_position(candidates: Candidates, yardstick: Yardstick) -> Lead | None:
    """For "X là ai?" about a person X: the candidate sentence giving X's title best
    (`position_given`), the first in rank order of those giving it alike."""
    if yardstick.expected.kind is not AnswerKind.POSITION or not yardstick.expected.identity:
        return None
    person = fold(yardstick.expected.focus).split()
    given = [
        (position_given(sentence, person), -rank, position, sentence)
        for rank, (position, passage) in enumerate(candidates.ranked)
        for sentence in sentences(passage)
    ]
    best = max(given, default=None)
    if best is None or not best[0]:
        return None
    return best[2], fit_excerpt(best[3], yardstick.terms)


def continuation(candidates: Candidates, yardstick: Yardstick) -> Lead | None:
    """A sentence of the paragraph after the best one that answers the question's kind and
    supplies most of what the best paragraph lacks: news often names the event in one
    paragraph and who chaired it in the next."""
    if candidates.following is None or not candidates.ranked:
        return None
    position, following = candidates.following
    missing = yardstick.wanted - matched_terms(candidates.ranked[0][1], yardstick.wanted)
    needed = FOLLOWING_MIN_SHARE * information(missing, yardstick.bm25)
    for sentence in sentences(following):
        supplied = matched_terms(sentence, yardstick.wanted) & missing
        if (
            supplied
            and gives_expected(sentence, yardstick.expected)
            and information(supplied, yardstick.bm25) >= needed
        ):
            return position, fit_excerpt(sentence, yardstick.terms)
    return None


def lower_passage(candidates: Candidates, yardstick: Yardstick, floor: float) -> Lead | None:
    """The first shown passage below the best with a sentence of the asked kind that holds at
    least `floor` of the question information (a name in a weaker passage is no answer)."""
    for position, passage in candidates.ranked[1 : candidates.shown]:
        best = yardstick.best_of_kind(passage)
        if best is not None and best[0] >= floor > 0:
            return position, fit_excerpt(best[1], yardstick.terms)
    return None


def answering_sentence(
    candidates: Candidates, top_excerpt: str, question: Question, bm25: SearchBackend
) -> Lead | None:
    """The passage and sentence that answer the question's kind, looked for in this order: for
    a who-question naming a title, the first candidate naming its holder (for "X là ai?" only
    that: nothing leads when no candidate names X's holder); the best passage,
    when it has a sentence of the asked kind — it leads if that sentence holds LEAD_MIN_SHARE
    of the question information `top_excerpt` holds, else nothing leads (a weak sentence of
    the right kind is a guess, and promoting another passage over it moves a right hit down);
    the paragraph after the best one, when it completes it; a lower shown passage."""
    expected = question.expected
    if expected is None or not candidates.ranked:
        return None
    yardstick = Yardstick(question, expected, wanted_terms(question.terms), bm25)
    holder = title_holder(candidates, yardstick) or person_position(candidates, yardstick)
    if holder is not None or expected.identity:
        return holder
    floor = LEAD_MIN_SHARE * yardstick.weight(top_excerpt)
    position, passage = candidates.ranked[0]
    best = yardstick.best_of_kind(passage)
    if best is not None:
        weight, sentence = best
        return (position, fit_excerpt(sentence, question.terms)) if weight >= floor > 0 else None
    return continuation(candidates, yardstick) or lower_passage(candidates, yardstick, floor)
