"""Lead with the answering sentence: who -> a person's name, when -> a date, how many -> a number.

When the question asks one of these and a hit holds a sentence that both matches the question
and contains that kind of answer, the sentence is shown first. The hits are searched in rank
order, so the lead comes from the best passage that has one.
"""

from __future__ import annotations

import enum
import itertools
import re

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


# Question phrases, checked in this order ("ngày bao nhiêu" asks when, not how many).
_ASKS = (
    (
        Asks.WHEN,
        r"khi nào|bao giờ|lúc nào|hôm nào|ngày nào|ngày bao nhiêu|tháng nào|năm nào"
        r"|thời gian nào|thời điểm nào",
    ),
    (Asks.HOW_MANY, r"bao nhiêu|mấy|số lượng"),
    (Asks.WHO, r"ai|người nào|đồng chí nào|vị nào|những ai"),
)
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


def asks(question: str) -> Asks | None:
    lowered = question.lower()
    for kind, pattern in _ASKS:
        if re.search(rf"(?<![^\W\d_])(?:{pattern})(?![^\W\d_])", lowered):
            return kind
    return None


def names_a_person(sentence: str) -> bool:
    """A family name followed by a capitalised word, as in "Nguyễn Văn Nên"."""
    words = list(_WORD.finditer(sentence))
    for here, following in itertools.pairwise(words):
        joined_by_space = sentence[here.end() : following.start()] == " "
        if here.group() in SURNAMES and joined_by_space and following.group()[0].isupper():
            return True
    return False


def answers(sentence: str, kind: Asks) -> bool:
    if kind is Asks.WHO:
        return names_a_person(sentence)
    if kind is Asks.WHEN:
        return _DATE.search(sentence) is not None
    return _NUMBER.search(_DATE.sub(" ", sentence)) is not None


def answering_sentence(
    passages: list[str], top_excerpt: str, question: str, terms: Terms, bm25: Bm25
) -> tuple[int, Excerpt] | None:
    """(which passage, its answering sentence) for the first passage that has one. Below the
    best passage, the sentence must also match the question nearly as well as `top_excerpt`
    does: a name in a weaker passage is not an answer."""
    kind = asks(question)
    if kind is None:
        return None
    wanted = wanted_terms(terms)
    floor = LEAD_MIN_SHARE * information(matched_terms(top_excerpt, wanted), bm25)
    for number, passage in enumerate(passages):
        scored = [
            (information(matched_terms(sentence, wanted), bm25), sentence)
            for sentence in sentences(passage)
            if answers(sentence, kind)
        ]
        weight, sentence = max(scored, default=(0.0, ""))
        if weight > (0 if number == 0 else floor):
            return number, fit_excerpt(sentence, terms)
    return None
