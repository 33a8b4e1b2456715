"""The question, read once: as typed, as understood, its terms, names and numbers, and what
kind of answer it asks for. Every later stage reads this object instead of the text.

Reading a question: normalise it and cut it to MAX_QUESTION_CHARS; drop the words that only
address the bot ("… hả bot?", "bot ơi, …"); restore missing diacritics from the corpus, and
weigh how sure that reading is; then tokenise it, find its names and numbers, and see what it
asks (who, when, how many…) and which of its words only say so (its frame, "giữ chức vụ gì":
`expectation.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.index.search_index import SearchIndex
from retrieval.language.restore import correct_typos, reading_certainty, restore_diacritics
from retrieval.language.text import has_diacritics, normalize
from retrieval.language.tokens import (
    BIGRAM_PREFIX,
    SYLLABLE_PREFIX,
    Terms,
    analyze,
    canonical_numbers,
    wording_pairs,
)
from retrieval.question.distinctive import Unit, distinctive_units
from retrieval.question.expectation import Expectation, expectation_of
from retrieval.question.when import (
    ANY_TIME,
    NO_EXPRESSIONS,
    Dated,
    When,
    absolute_dates,
    read_expressions,
    topic_of,
)

MAX_QUESTION_CHARS = 500
# The bot addressed by name at either end of a question: "bot ơi, …", "… hả bot?". Only a
# lower-case or capitalised "bot" next to a particle: "BOT" alone is a road-toll contract.
_PARTICLE = r"(?:hả|ha|ạ|à|nhỉ|nhi|nhé|nhe|nha|ơi|oi|vậy|vay|thế|the)"
_ADDRESS = re.compile(
    rf"^\s*[Bb]ot\s+(?:ơi|oi)\b[\s,:!]*"
    rf"|[\s,]+(?:{_PARTICLE}\s+[Bb]ot(?:\s+(?:ơi|oi))?|[Bb]ot\s+(?:ơi|oi))(?=\s*[?!.]*\s*$)"
)


def cut_question(question: str) -> str:
    """The first MAX_QUESTION_CHARS of the question, cut at a word boundary."""
    text = normalize(question).strip()
    if len(text) <= MAX_QUESTION_CHARS:
        return text
    return text[:MAX_QUESTION_CHARS].rsplit(" ", 1)[0]


def without_address(question: str) -> str:
    """The question without the words that call the bot ("ai là bí thư hả bot" -> "ai là bí
    thư"); unchanged when nothing else would be left."""
    bare = _ADDRESS.sub("", question).strip()
    return bare if any(ch.isalnum() for ch in bare) else question


@dataclass(frozen=True, slots=True)
class Question:
    typed: str  # normalised and cut to MAX_QUESTION_CHARS
    understood: str  # without the address, diacritics restored where they were missing
    terms: Terms  # what BM25 ranks on
    content: Terms  # what coverage is measured on: the question without its frame
    units: tuple[Unit, ...]  # its names and numbers, as the corpus writes them
    expected: Expectation | None  # the kind of answer it asks for, when one a sentence shows
    wording: frozenset[str]  # its pairs of neighbouring syllables (`wording_pairs`)
    when: When = ANY_TIME  # the days its articles must be published on; newest first?
    topic: str = ""  # what it is about, without its time and its frame: for the reply to name
    # how sure its reading is, when typed bare (`restore.reading_certainty`); 1.0 when typed
    # with marks
    certainty: float = 1.0

    @property
    def restored(self) -> bool:
        """Whether the bot read it otherwise than typed: worth showing the user."""
        return self.understood.lower() != self.typed.lower()

    @property
    def folded_terms(self) -> set[str]:
        """The distinct terms coverage is measured on: they do not depend on the marks typed."""
        return {t for t in self.content.all() if t.startswith((SYLLABLE_PREFIX, BIGRAM_PREFIX))}


def understand(question: str, index: SearchIndex) -> Question:
    """The question read: its expressions of time (`when.py`) are found as typed, spelt in
    their written form in what was understood, and are no terms of it — when some article
    states its date; in an archive where none does, they are words like any other, since
    there is no date to read them by."""
    typed = cut_question(question)
    asked = without_address(typed)
    expressions = read_expressions(asked) if index.states_dates else NO_EXPRESSIONS
    understood = expressions.spelt_in(
        correct_typos(restore_diacritics(asked, index.vocabulary), index.vocabulary)
    )
    about = expressions.removed_from(understood)
    terms = analyze(about)
    expected = expectation_of(about)
    # The words saying what is asked ("giữ chức vụ gì") are no content an article must hold.
    unframed = expected.without_frame(about) if expected else about
    content = analyze(unframed) if expected else terms
    dates = absolute_dates(canonical_numbers(about))
    units = tuple(
        Unit(unit.text, index.as_written(unit.terms), _date_of(unit.text, dates))
        for unit in distinctive_units(about, read_from_bare=not has_diacritics(asked))
    )
    return Question(
        typed,
        understood,
        terms,
        content,
        units,
        expected,
        wording_pairs(about),
        expressions.when,
        topic_of(unframed),
        reading_certainty(asked, index.vocabulary),
    )


def _date_of(unit: str, dates: list[tuple[str, Dated]]) -> Dated | None:
    """The date whose wording holds the unit ("12/8" in "ngày 12/8"), if one does."""
    return next((dated for wording, dated in dates if unit in wording), None)
