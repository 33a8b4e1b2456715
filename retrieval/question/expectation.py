"""What a question asks for: the kind of answer (a person, a date, a number, a title, a named
thing) a sentence can show, read from its question words ("ai", "khi nào", "bao nhiêu",
"giữ chức vụ gì", "X nào"), and which of its words only say so (its frame).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from retrieval.language.tokens import is_stopword
from retrieval.question.people import person_name


class AnswerKind(enum.Enum):
    """The kinds of answer a sentence can show."""

    WHO = "who"
    WHEN = "when"
    HOW_MANY = "how many"
    POSITION = "which position"
    WHICH = "which"


@dataclass(frozen=True, slots=True)
class Expectation:
    """The kind of answer a question asks for, and what it says about it."""

    kind: AnswerKind
    span: tuple[int, int]  # where the question says what is asked ("giữ chức vụ")
    # The noun asked about, lower-case: for WHICH the one before "nào" ("ban" in "những Ban
    # nào"), for HOW_MANY the one counted ("làn" in "bao nhiêu làn xe"), for WHEN "ngày" when
    # a day is asked ("ngày nào", "hôm nào"), for POSITION with `identity` the person ("phan
    # văn mãi"); "" when none.
    focus: str = ""
    # "X là ai?", "ai là X?": who holds the title X (WHO), or which title the person X holds
    # (POSITION). Only a sentence naming X's holder, or X's title, answers it; a person with
    # another title ("Chủ tịch UBND" for "chủ tịch nước") does not.
    identity: bool = False

    def without_frame(self, question: str) -> str:
        """The question without the words that only say what is asked."""
        return _without(question, *self.span)


# Question phrases, checked in this order ("ngày bao nhiêu" asks when, not how many).
_QUESTION_PHRASES = (
    (
        AnswerKind.WHEN,
        r"khi nào|bao giờ|lúc nào|hôm nào|ngày nào|ngày bao nhiêu|tháng nào|năm nào"
        r"|thời gian nào|thời điểm nào",
    ),
    (AnswerKind.HOW_MANY, r"bao nhiêu|mấy|số lượng"),
    (AnswerKind.POSITION, r"(?:giữ |đảm nhận |đảm nhiệm )?(?:chức vụ|chức danh|cương vị)|giữ chức"),
    (AnswerKind.WHO, r"ai(?! đó| cũng)|người nào|đồng chí nào|vị nào|những ai"),
)
# "X nào" asks which X; "như thế nào" asks how, which no sentence kind answers.
_WHICH = re.compile(r"([^\W\d_]+)(?<!thế)\s+nào(?![^\W\d_])")
_COUNTED = re.compile(r"\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?")
_COPULA_BEFORE = re.compile(r"(?<![^\W\d_])là\s+$")
_COPULA_AFTER = re.compile(r"\s+là(?![^\W\d_])")
_COPULA = re.compile(r"(?<![^\W\d_])là(?![^\W\d_])", re.IGNORECASE)


def expectation_of(question: str) -> Expectation | None:
    """What the question asks for, if it is one of the kinds an answer sentence can show."""
    lowered = question.lower()  # same length as the question: spans carry over
    for kind, pattern in _QUESTION_PHRASES:
        found = re.search(rf"(?<![^\W\d_])(?:{pattern})(?![^\W\d_])", lowered)
        if found:
            identity = kind is AnswerKind.WHO and _beside_copula(lowered, *found.span())
            person = identity and person_name(_COPULA.sub(" ", _without(question, *found.span())))
            if person:  # "Phan Văn Mãi là ai?" asks for his title
                return Expectation(AnswerKind.POSITION, found.span(), person.lower(), identity=True)
            when = kind is AnswerKind.WHEN
            focus = _day(found.group()) if when else _counted(lowered, found.end(), kind)
            return Expectation(kind, found.span(), focus, identity)
    which = _WHICH.search(lowered)
    if which is None:
        return None
    return Expectation(AnswerKind.WHICH, which.span(), which.group(1))


def _without(text: str, start: int, end: int) -> str:
    return f"{text[:start]} {text[end:]}"


def _beside_copula(question: str, start: int, end: int) -> bool:
    """Whether "là" stands right before or after the question word at [start, end)."""
    return bool(_COPULA_BEFORE.search(question, 0, start) or _COPULA_AFTER.match(question, end))


def _day(phrase: str) -> str:
    """The focus of a when-phrase: "ngày" when it asks for a day ("ngày nào", "hôm nào"), ""
    when for a month, a year ("tháng nào", "năm nào") or any time ("khi nào").
    """
    return "ngày" if phrase.split()[0] in ("ngày", "hôm") else ""


def _counted(question: str, end: int, kind: AnswerKind) -> str:
    """For HOW_MANY, the noun being counted right after "bao nhiêu" / "mấy" ("bao nhiêu làn
    xe"), past one function word that only classifies it ("mấy ông vua" counts "vua"); ""
    when none ("là bao nhiêu")."""
    counted = _COUNTED.match(question, end)
    if kind is not AnswerKind.HOW_MANY or counted is None:
        return ""
    first, second = counted.groups()
    if not is_stopword(first):
        return first
    return second if second and not is_stopword(second) else ""
