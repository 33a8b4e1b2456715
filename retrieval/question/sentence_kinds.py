"""The kind of answer a sentence gives: a person, a position, a date, a number, a named thing.

Who -> a person's name; when -> a date; how many -> a number; which position -> a name in
apposition with a title ("Phan Văn Mãi, Phó Bí thư…"); which X -> X followed by a name ("những
Ban nào" -> "Ban Tuyên giáo"). Ranking asks whether the best passage gives the kind asked (a
confidence signal); the answering strategies of `reply/lead.py` look for the sentence that does.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

from retrieval.language.text import fold
from retrieval.question.expectation import AnswerKind, Expectation
from retrieval.question.people import names_a_person

# Words between a number and the noun it counts: "6 làn xe", "39 trường hợp", "12 phòng khám".
COUNT_REACH = 2

_WORD = re.compile(r"[^\W\d_]+")
_DATE = re.compile(
    r"\b\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?\b"
    r"|\b(?:ngày|tháng|năm|sáng|chiều|tối|trưa)\s+\d{1,4}(?:[/-]\d{1,2}(?:[/-]\d{2,4})?)?\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")


def _followed_by_a_name(
    sentence: str, is_head: Callable[[re.Match[str]], bool], joiner: str
) -> bool:
    """Some word accepted by `is_head` is followed, across `joiner`, by a capitalised word."""
    words = list(_WORD.finditer(sentence))
    for here, following in itertools.pairwise(words):
        joined = sentence[here.end() : following.start()] == joiner
        if joined and is_head(here) and following.group()[0].isupper():
            return True
    return False


def gives_a_position(sentence: str) -> bool:
    """A name in apposition with a title: "Phan Văn Mãi, Ủy viên Trung ương Đảng"."""
    return names_a_person(sentence) and _followed_by_a_name(
        sentence, lambda word: word.group()[0].isupper(), ", "
    )


def gives_expected(sentence: str, expected: Expectation) -> bool:
    """Whether the sentence gives the kind of answer `expected`, about its focus if any."""
    kind, focus = expected.kind, expected.focus
    if kind is AnswerKind.WHO:
        return names_a_person(sentence)
    if kind is AnswerKind.WHEN:
        dates = [date.group() for date in _DATE.finditer(sentence)]
        return any(names_a_day(date) for date in dates) if focus else bool(dates)
    if kind is AnswerKind.POSITION:
        return gives_a_position(sentence)
    if kind is AnswerKind.WHICH:
        return _followed_by_a_name(sentence, lambda word: word.group().lower() == focus, " ")
    return counts(sentence, focus)


def names_a_day(date: str) -> bool:
    """Whether a date `_DATE` found names a day ("15/9/2021", "chiều 12/8", "ngày 4"), not only
    a month or a year ("tháng 9", "năm 2022"): those do not answer "ngày nào?"."""
    return date.split()[0].lower() not in ("tháng", "năm")


def counts(sentence: str, counted: str) -> bool:
    """A number outside any date, followed within COUNT_REACH words by `counted` when the
    question names what it counts: "6 làn xe" answers "bao nhiêu làn", "Covid-19" does not."""
    undated = _DATE.sub(" ", sentence)
    if not counted:
        return _NUMBER.search(undated) is not None
    folded = fold(counted)
    for number in _NUMBER.finditer(undated):
        after = _WORD.findall(undated[number.end() :])[:COUNT_REACH]
        if folded in (fold(word.lower()) for word in after):
            return True
    return False
