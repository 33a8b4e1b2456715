"""The question, read once: as typed, as understood, its terms, names and numbers, and what
kind of answer it asks for. Every later stage reads this object instead of the text.

Reading a question: normalise it and cut it to MAX_QUESTION_CHARS; drop the words that only
address the bot ("… hả bot?", "bot ơi, …"); restore missing diacritics from the corpus;
then tokenise it, find its names and numbers, and see what it asks (who, when, how many…)
and which of its words only say so (its frame, "giữ chức vụ gì").
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from retrieval.distinctive import Unit, distinctive_units
from retrieval.index import SearchIndex
from retrieval.people import person_name
from retrieval.restore import correct_typos, restore_diacritics
from retrieval.text import normalize
from retrieval.tokens import (
    BIGRAM_PREFIX,
    SYLLABLE_PREFIX,
    Terms,
    analyze,
    is_stopword,
    wording_pairs,
)

MAX_QUESTION_CHARS = 500
# The bot addressed by name at either end of a question: "bot ơi, …", "… hả bot?". Only a
# lower-case or capitalised "bot" next to a particle: "BOT" alone is a road-toll contract.
_PARTICLE = r"(?:hả|ha|ạ|à|nhỉ|nhi|nhé|nhe|nha|ơi|oi|vậy|vay|thế|the)"
_ADDRESS = re.compile(
    rf"^\s*[Bb]ot\s+(?:ơi|oi)\b[\s,:!]*"
    rf"|[\s,]+(?:{_PARTICLE}\s+[Bb]ot(?:\s+(?:ơi|oi))?|[Bb]ot\s+(?:ơi|oi))(?=\s*[?!.]*\s*$)"
)


class Asks(enum.Enum):
    WHO = "who"
    WHEN = "when"
    HOW_MANY = "how many"
    POSITION = "which position"
    WHICH = "which"


@dataclass(frozen=True, slots=True)
class Asking:
    kind: Asks
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
_ASKS = (
    (
        Asks.WHEN,
        r"khi nào|bao giờ|lúc nào|hôm nào|ngày nào|ngày bao nhiêu|tháng nào|năm nào"
        r"|thời gian nào|thời điểm nào",
    ),
    (Asks.HOW_MANY, r"bao nhiêu|mấy|số lượng"),
    (Asks.POSITION, r"(?:giữ |đảm nhận |đảm nhiệm )?(?:chức vụ|chức danh|cương vị)|giữ chức"),
    (Asks.WHO, r"ai(?! đó| cũng)|người nào|đồng chí nào|vị nào|những ai"),
)
# "X nào" asks which X; "như thế nào" asks how, which no sentence kind answers.
_WHICH = re.compile(r"([^\W\d_]+)(?<!thế)\s+nào(?![^\W\d_])")
_COUNTED = re.compile(r"\s+([^\W\d_]+)(?:\s+([^\W\d_]+))?")
_COPULA_BEFORE = re.compile(r"(?<![^\W\d_])là\s+$")
_COPULA_AFTER = re.compile(r"\s+là(?![^\W\d_])")
_COPULA = re.compile(r"(?<![^\W\d_])là(?![^\W\d_])", re.IGNORECASE)


def asks(question: str) -> Asking | None:
    """What the question asks for, if it is one of the kinds an answer sentence can show."""
    lowered = question.lower()  # same length as the question: spans carry over
    for kind, pattern in _ASKS:
        found = re.search(rf"(?<![^\W\d_])(?:{pattern})(?![^\W\d_])", lowered)
        if found:
            identity = kind is Asks.WHO and _beside_copula(lowered, *found.span())
            person = identity and person_name(_COPULA.sub(" ", _without(question, *found.span())))
            if person:  # "Phan Văn Mãi là ai?" asks for his title
                return Asking(Asks.POSITION, found.span(), person.lower(), identity=True)
            focus = (
                _day(found.group()) if kind is Asks.WHEN else _counted(lowered, found.end(), kind)
            )
            return Asking(kind, found.span(), focus, identity)
    which = _WHICH.search(lowered)
    if which is None:
        return None
    return Asking(Asks.WHICH, which.span(), which.group(1))


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


def _counted(question: str, end: int, kind: Asks) -> str:
    """For HOW_MANY, the noun being counted right after "bao nhiêu" / "mấy" ("bao nhiêu làn
    xe"), past one function word that only classifies it ("mấy ông vua" counts "vua"); ""
    when none ("là bao nhiêu")."""
    counted = _COUNTED.match(question, end)
    if kind is not Asks.HOW_MANY or counted is None:
        return ""
    first, second = counted.groups()
    if not is_stopword(first):
        return first
    return second if second and not is_stopword(second) else ""


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
    asking: Asking | None  # the kind of answer it asks for, when one a sentence can show
    wording: frozenset[str]  # its pairs of neighbouring syllables (`wording_pairs`)

    @property
    def restored(self) -> bool:
        """Whether the bot read it otherwise than typed: worth showing the user."""
        return self.understood.lower() != self.typed.lower()

    @property
    def folded_terms(self) -> set[str]:
        """The distinct terms coverage is measured on: they do not depend on the marks typed."""
        return {t for t in self.content.all() if t.startswith((SYLLABLE_PREFIX, BIGRAM_PREFIX))}


def understand(question: str, index: SearchIndex) -> Question:
    typed = cut_question(question)
    understood = correct_typos(
        restore_diacritics(without_address(typed), index.vocabulary), index.vocabulary
    )
    terms = analyze(understood)
    asking = asks(understood)
    # The words saying what is asked ("giữ chức vụ gì") are no content an article must hold.
    content = analyze(asking.without_frame(understood)) if asking else terms
    units = tuple(
        Unit(unit.text, index.as_written(unit.terms)) for unit in distinctive_units(understood)
    )
    return Question(typed, understood, terms, content, units, asking, wording_pairs(understood))
