"""The names and numbers a question depends on, and whether an article mentions them.

"Ai là Chủ tịch UBND thành phố Hải Phòng?" shares most words with an article about Ho Chi Minh
City; BM25 and coverage alone would answer it from there. But the question is *about* Hải
Phòng, a name the corpus never mentions. Proper names (capitalised words), numbers and the
abbreviations of `aliases.tsv` are the question's distinctive units: a single word as itself,
a longer unit as each pair of neighbouring syllables ("Nghị quyết 57" needs "NQ 57", not just
"NQ" and "57"). A unit no article mentions makes the question unanswerable; one that only some
articles mention favours them in the ranking (see `ranking/search.py`). Numbers are compared in the
index's one form (5,0 = 5.0; 24 tháng 12 = 24/12). Nothing here lists places, names or numbers.

A person's name counts even typed without capitals, when a family name, "Văn" or "Thị" and
a given name follow each other ("nguyen van hieu", `people.full_name_spans`). A unit is never
cut inside a word pyvi reads ("Luật Biên phòng" names "Biên phòng").

What is not a unit: the capital that starts the question ("Ngoài TP HCM…" is about TP HCM, not
"Ngoài TP HCM"), a lone one-digit number (articles often write it as a word), and the word
after a number ("lớp 7 Trung học": a number ends its unit, since Vietnamese writes the number
after what it numbers: "Quận 7", "Nghị quyết 57").
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from retrieval.language.aliases import GENERIC_ENDS, abbreviations, contract_with_sources
from retrieval.language.text import case_tells, fold, has_diacritics
from retrieval.language.tokens import (
    BIGRAM_PREFIX,
    NUMBERING_NOUNS,
    SYLLABLE,
    SYLLABLE_PREFIX,
    analyze,
    canonical_numbers,
    folded_lexicon_pairs,
    is_stopword,
    segment,
)
from retrieval.question.people import full_name_spans
from retrieval.question.when import Dated

_JOINER = re.compile(r"^[\s\-./]*$")  # what may stand between two tokens of one unit
_NUMBER_AFTER = re.compile(r" \d+(?![^\W_])")
# A document's code after its number ("Thông tri 18-TT/TU", "Quyết định 123/QĐ-UBND") says its
# kind and issuer again: articles often name the document by its number alone.
_CODE_AFTER = re.compile(r"\d[-/]$")


@dataclass(frozen=True, slots=True)
class Unit:
    text: str  # as the question writes it, for "Các bài viết không nhắc đến «…»"
    terms: tuple[str, ...]  # index terms that must all occur in the article
    # the date the unit's number is part of ("12/8" of "ngày 12/8"): an article published
    # on it holds the unit too
    dated: Dated | None = None


def _is_name_like(token: str, case_tells: bool) -> bool:
    """Digits, a capital (where capitals mean something) or an abbreviation of aliases.tsv."""
    return (
        any(c.isdigit() for c in token)
        or (case_tells and token[:1].isupper())
        or token in abbreviations()
    )


def _is_acronym(token: str, case_tells: bool) -> bool:
    """Two capitals or more in a question not typed in capitals ("FIFA", "UNESCO"): a name
    even as the question's first word."""
    return case_tells and len(token) >= 2 and token.isupper()


def _is_number(token: str) -> bool:
    return token.isdigit()


def _runs(text: str, case_tells: bool) -> list[tuple[int, int]]:
    """(start, end) spans of consecutive name-like tokens; a number ends its run unless a
    number follows ("24/12/2020"); the question's first word does not start one, unless it is
    an acronym ("FIFA ra đời năm nào?") or a numbering noun (`tokens.NUMBERING_NOUNS`) before
    its number ("Điều 30 quy định gì?")."""
    spans: list[tuple[int, int]] = []
    previous = ""
    for match in SYLLABLE.finditer(text):
        if not _in_a_run(text, match, case_tells):
            previous = ""
            continue
        token = match.group()
        joined = spans and previous and _JOINER.match(text[spans[-1][1] : match.start()])
        if joined and (not _is_number(previous) or _is_number(token)):
            spans[-1] = (spans[-1][0], match.end())
        else:
            spans.append((match.start(), match.end()))
        previous = token
    return spans


def _in_a_run(text: str, match: re.Match[str], case_tells: bool) -> bool:
    """Whether the token at `match` belongs in a run: a numbering noun before its number, or a
    name-like token other than the question's first word (unless that is an acronym)."""
    token = match.group()
    if _numbers(text, match):
        return True
    starts_question = match.start() == 0 and not (
        _is_name_like(token, case_tells=False) or _is_acronym(token, case_tells)
    )
    return not starts_question and _is_name_like(token, case_tells)


def _numbers(text: str, match: re.Match[str]) -> bool:
    """Whether the token is a numbering noun followed by its number ("điều 5", "Chương 2")."""
    return match.group().lower() in NUMBERING_NOUNS and bool(_NUMBER_AFTER.match(text, match.end()))


def _with_span(spans: list[tuple[int, int]], added: tuple[int, int]) -> list[tuple[int, int]]:
    """`spans` (ascending, disjoint) with `added` merged into those it overlaps."""
    overlapping = [span for span in spans if span[0] < added[1] and added[0] < span[1]]
    merged = (
        min([added[0], *(s for s, _ in overlapping)]),
        max([added[1], *(e for _, e in overlapping)]),
    )
    return sorted([span for span in spans if span not in overlapping] + [merged])


def _whole_words(
    text: str, spans: list[tuple[int, int]], read_from_bare: bool
) -> list[tuple[int, int]]:
    """`spans` widened by one neighbouring syllable on either side where pyvi reads it as one
    word with the span's edge syllable, both marked: "Luật Biên phòng" names "Biên phòng", not
    "Biên" (an unmarked edge, "Marble", may be a foreign word pyvi glues on).

    In a question typed without marks (`read_from_bare`), the marks are the corpus's guess, and
    a misread syllable breaks pyvi's word ("Bien phong" read "Biến phòng"): then the syllable
    after a name also joins it when the pair is a word of pyvi's list in any marks. Only after:
    a name starts with its capital, and the syllable before it in any marks is too often some
    word of the list ("thi dua Don vi": "đưa đón")."""
    words = set(segment(text.lower()))
    after = folded_lexicon_pairs() if read_from_bare else frozenset()
    syllables = list(SYLLABLE.finditer(text))
    widened = []
    for start, end in spans:
        inside = [i for i, s in enumerate(syllables) if start <= s.start() and s.end() <= end]
        if inside:
            first, last = inside[0], inside[-1]
            if first > 0 and _one_word(text, syllables[first - 1], syllables[first], words):
                start = syllables[first - 1].start()
            if last + 1 < len(syllables) and _one_word(
                text, syllables[last], syllables[last + 1], words, after
            ):
                end = syllables[last + 1].end()
        widened.append((start, end))
    return widened


def _one_word(
    text: str,
    left: re.Match[str],
    right: re.Match[str],
    words: set[str],
    folded_words: AbstractSet[str] = frozenset(),
) -> bool:
    """Two neighbouring syllables, both marked and neither a function word, that are one of
    `words`, or of `folded_words` without their marks (not "Cầu là" of "Chùa Cầu là gì", which
    pyvi glues)."""
    joined = text[left.end() : right.start()] == " "
    marked = has_diacritics(left.group()) and has_diacritics(right.group())
    function_word = is_stopword(left.group().lower()) or is_stopword(right.group().lower())
    pair = f"{left.group()}_{right.group()}".lower()
    one_word = pair in words or fold(pair) in folded_words
    return joined and marked and not function_word and one_word


def _without_generic_ends(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """`spans` without a last token of `aliases.GENERIC_ENDS`; a span of nothing else is dropped."""
    trimmed = []
    for start, end in spans:
        tokens = list(SYLLABLE.finditer(text, start, end))
        if tokens and tokens[-1].group() in GENERIC_ENDS:
            end = tokens[-2].end() if len(tokens) > 1 else start
        if end > start:
            trimmed.append((start, end))
    return trimmed


def _is_small_number(text: str) -> bool:
    """A lone one-digit number: articles write these as words as often as in digits ("năm 1
    tuổi" is "tròn một tuổi"), so it cannot be required to stand in the article."""
    return len(text) == 1 and text.isdigit()


def _unit_terms(text: str) -> tuple[str, ...]:
    terms = analyze(text)
    if len(terms.syllables) == 1:
        return (SYLLABLE_PREFIX + terms.syllables[0],)
    return tuple(BIGRAM_PREFIX + bigram for bigram in terms.bigrams)


def distinctive_units(question: str, read_from_bare: bool = False) -> list[Unit]:
    """The question's names and numbers. Numbers are put in their one form and abbreviations
    contracted first, so "Thành phố Hồ Chí Minh" is one unit, TPHCM. `read_from_bare`: the
    question was typed without marks, and its marks are the corpus's reading."""
    question = canonical_numbers(question)
    contracted = contract_with_sources(question)
    runs = _runs(contracted.text, case_tells(question))
    for name in full_name_spans(contracted.text):
        runs = _with_span(runs, name)
    widened = _whole_words(contracted.text, runs, read_from_bare)
    runs = _without_generic_ends(contracted.text, widened)
    units = []
    for start, end in runs:
        if _is_small_number(contracted.text[start:end]) or _CODE_AFTER.search(
            contracted.text, 0, start
        ):
            continue
        terms = _unit_terms(contracted.text[start:end])
        if terms:
            original_start, original_end = contracted.original_span(start, end)
            units.append(Unit(question[original_start:original_end], terms))
    return units
