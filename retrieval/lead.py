"""Lead with the answering sentence.

Who -> a person's name; when -> a date; how many -> a number; which position -> a name in
apposition with a title ("Phan Văn Mãi, Phó Bí thư…"); which X -> X followed by a name ("những
Ban nào" -> "Ban Tuyên giáo"). When the question asks one of these and a hit holds a sentence
that both matches the question and contains that kind of answer, the sentence is shown first
and its hit ranks first. The hits are searched in rank order, so the lead comes from the best
passage that has one.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from retrieval.bm25 import Bm25
from retrieval.excerpt import Excerpt, fit_excerpt, information, matched_terms, wanted_terms
from retrieval.text import sentences
from retrieval.tokens import Terms

# Below the best passage, an answering sentence must hold this share of the question
# information that the best passage's excerpt holds.
LEAD_MIN_SHARE = 0.6


class Asks(enum.Enum):
    WHO = "who"
    WHEN = "when"
    HOW_MANY = "how many"
    POSITION = "which position"
    WHICH = "which"


@dataclass(frozen=True, slots=True)
class Asking:
    kind: Asks
    phrase: str  # the words of the question that say what is asked, as written
    focus: str = ""  # for WHICH: the noun asked about, lower-case ("ban" in "những Ban nào")


# Question phrases, checked in this order ("ngày bao nhiêu" asks when, not how many).
_ASKS = (
    (
        Asks.WHEN,
        r"khi nào|bao giờ|lúc nào|hôm nào|ngày nào|ngày bao nhiêu|tháng nào|năm nào"
        r"|thời gian nào|thời điểm nào",
    ),
    (Asks.HOW_MANY, r"bao nhiêu|mấy|số lượng"),
    (Asks.POSITION, r"(?:giữ |đảm nhận |đảm nhiệm )?(?:chức vụ|chức danh|cương vị)|giữ chức"),
    (Asks.WHO, r"ai|người nào|đồng chí nào|vị nào|những ai"),
)
_WHICH = re.compile(r"([^\W\d_]+)\s+nào(?![^\W\d_])")
# The common Vietnamese family names: a closed class of the language, not a list of people.
SURNAMES = frozenset(
    {
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
        "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đoàn", "Đinh", "Lương", "Trương", "Mai",
        "Cao", "Lâm", "Tô", "Hà", "Tạ", "Châu", "Thái", "Quách", "Trịnh", "Lưu", "Kiều",
        "Tăng", "Triệu", "Mạc", "Âu", "La", "Thân", "Tôn", "Vương", "Diệp", "Khương",
    }
)  # fmt: skip
_WORD = re.compile(r"[^\W\d_]+")
_DATE = re.compile(
    r"\b\d{1,2}[/-]\d{1,2}(?:[/-]\d{2,4})?\b"
    r"|\b(?:ngày|tháng|năm|sáng|chiều|tối|trưa)\s+\d{1,4}(?:[/-]\d{1,2}(?:[/-]\d{2,4})?)?\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")


def asks(question: str) -> Asking | None:
    """What the question asks for, if it is one of the kinds an answer sentence can show."""
    lowered = question.lower()  # same length as the question: spans carry over
    for kind, pattern in _ASKS:
        found = re.search(rf"(?<![^\W\d_])(?:{pattern})(?![^\W\d_])", lowered)
        if found:
            return Asking(kind, question[found.start() : found.end()])
    which = _WHICH.search(lowered)
    if which is None:
        return None
    return Asking(Asks.WHICH, question[which.start() : which.end()], which.group(1))


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


def names_a_person(sentence: str) -> bool:
    """A family name followed by a capitalised word, as in "Nguyễn Văn Nên"."""
    return _followed_by_a_name(sentence, lambda word: word.group() in SURNAMES, " ")


def gives_a_position(sentence: str) -> bool:
    """A name in apposition with a title: "Phan Văn Mãi, Ủy viên Trung ương Đảng"."""
    return names_a_person(sentence) and _followed_by_a_name(
        sentence, lambda word: word.group()[0].isupper(), ", "
    )


def answers(sentence: str, asking: Asking) -> bool:
    kind = asking.kind
    if kind is Asks.WHO:
        return names_a_person(sentence)
    if kind is Asks.WHEN:
        return _DATE.search(sentence) is not None
    if kind is Asks.POSITION:
        return gives_a_position(sentence)
    if kind is Asks.WHICH:
        return _followed_by_a_name(sentence, lambda word: word.group().lower() == asking.focus, " ")
    return _NUMBER.search(_DATE.sub(" ", sentence)) is not None


def answering_sentence(
    passages: list[str], top_excerpt: str, question: str, terms: Terms, bm25: Bm25
) -> tuple[int, Excerpt] | None:
    """(which passage, its answering sentence) for the first passage that has one. Below the
    best passage, the sentence must also match the question nearly as well as `top_excerpt`
    does: a name in a weaker passage is not an answer."""
    asking = asks(question)
    if asking is None:
        return None
    wanted = wanted_terms(terms)
    floor = LEAD_MIN_SHARE * information(matched_terms(top_excerpt, wanted), bm25)
    for number, passage in enumerate(passages):
        scored = [
            (information(matched_terms(sentence, wanted), bm25), sentence)
            for sentence in sentences(passage)
            if answers(sentence, asking)
        ]
        weight, sentence = max(scored, default=(0.0, ""))
        if weight > (0 if number == 0 else floor):
            return number, fit_excerpt(sentence, terms)
    return None
