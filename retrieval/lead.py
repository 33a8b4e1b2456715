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

from retrieval.aliases import contract_aliases
from retrieval.bm25 import Bm25
from retrieval.excerpt import Excerpt, fit_excerpt, information, matched_terms, wanted_terms
from retrieval.text import fold, sentences
from retrieval.tokens import Terms, analyze

# Words that make a title somebody else's: "Phó Bí thư" is not "Bí thư".
TITLE_MODIFIERS = frozenset({"phó", "nguyên", "quyền", "cựu"})
# Below the best passage, an answering sentence must hold this share of the question
# information that the best passage's excerpt holds.
LEAD_MIN_SHARE = 0.6
# The paragraph after the best one may lead when it supplies this share of the question
# information the best one lacks.
FOLLOWING_MIN_SHARE = 0.5


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
    focus: str = ""  # for WHICH: the noun asked about, lower-case ("ban" in "những Ban nào")

    def without_frame(self, question: str) -> str:
        """The question without the words that only say what is asked."""
        start, end = self.span
        return f"{question[:start]} {question[end:]}"


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
            return Asking(kind, found.span())
    which = _WHICH.search(lowered)
    if which is None:
        return None
    return Asking(Asks.WHICH, which.span(), which.group(1))


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


def person_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each person's name: a family name and the capitalised words after it."""
    words = list(_WORD.finditer(text))
    spans: list[tuple[int, int]] = []
    here = 0
    while here < len(words):
        last = here
        if words[here].group() in SURNAMES:
            while (
                last + 1 < len(words)
                and text[words[last].end() : words[last + 1].start()] == " "
                and words[last + 1].group()[0].isupper()
            ):
                last += 1
        if last > here:
            spans.append((words[here].start(), words[last].end()))
        here = last + 1
    return spans


def names_title_holder(sentence: str, title: list[str]) -> bool:
    """The question's title, word for word, beside a person's name: "Bí thư Thành ủy TPHCM
    Nguyễn Văn Nên", or "Nguyễn Văn Nên, Ủy viên Bộ Chính trị, Bí thư Thành ủy TPHCM" (the
    name's own apposition, no other name or ";" between) — and not inside a longer title:
    "Phó Bí thư Thành ủy TPHCM" is somebody else."""
    text = contract_aliases(sentence)
    words = list(_WORD.finditer(text))
    folded = [fold(word.group()).lower() for word in words]
    people = person_spans(text)
    for start in range(len(words) - len(title) + 1):
        if not title or folded[start : start + len(title)] != title:
            continue
        if start > 0 and words[start - 1].group().lower() in TITLE_MODIFIERS:
            continue
        phrase_start, phrase_end = words[start].start(), words[start + len(title) - 1].end()
        for name_start, name_end in people:
            if name_start == phrase_end + 1:  # "Bí thư Thành ủy TPHCM Nguyễn Văn Nên"
                return True
            between = text[name_end:phrase_start]
            others = any(name_end < s < phrase_start for s, _ in people)
            if between.startswith(",") and ";" not in between and not others:
                return True
    return False


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


def title_holder(
    passages: list[str], asking: Asking, question: str, terms: Terms
) -> tuple[int, Excerpt] | None:
    """For "who is <title>?": the first candidate naming the holder of exactly that title."""
    title = list(analyze(asking.without_frame(question)).syllables)
    for number, passage in enumerate(passages):
        for sentence in sentences(passage):
            if names_title_holder(sentence, title):
                return number, fit_excerpt(sentence, terms)
    return None


@dataclass(frozen=True, slots=True)
class Candidates:
    """The passages an answering sentence may come from."""

    texts: list[str]  # ranked, best first
    shown: int  # how many of them the reply shows
    following: str | None  # the paragraph after the best one, in the same article


FOLLOWING = -1  # the answering sentence came from Candidates.following


def continuation(
    candidates: Candidates, asking: Asking, terms: Terms, bm25: Bm25
) -> Excerpt | None:
    """A sentence of the paragraph after the best one that answers the question's kind and
    supplies most of what the best paragraph lacks: news often names the event in one
    paragraph and who chaired it in the next."""
    if candidates.following is None or not candidates.texts:
        return None
    wanted = wanted_terms(terms)
    missing = wanted - matched_terms(candidates.texts[0], wanted)
    needed = FOLLOWING_MIN_SHARE * information(missing, bm25)
    for sentence in sentences(candidates.following):
        supplied = matched_terms(sentence, wanted) & missing
        if supplied and answers(sentence, asking) and information(supplied, bm25) >= needed:
            return fit_excerpt(sentence, terms)
    return None


def answering_sentence(
    candidates: Candidates, top_excerpt: str, question: str, terms: Terms, bm25: Bm25
) -> tuple[int, Excerpt] | None:
    """(which candidate, or FOLLOWING; its answering sentence), looked for in this order:
    for a who-question naming a title, the first candidate naming its holder; a sentence of the
    asked kind in the best passage; in the paragraph after it, when that completes it; in a
    lower shown passage, when it matches the question nearly as well as `top_excerpt` does (a
    name in a weaker passage is not an answer)."""
    asking = asks(question)
    if asking is None:
        return None
    if asking.kind is Asks.WHO:
        holder = title_holder(candidates.texts, asking, question, terms)
        if holder is not None:
            return holder
    wanted = wanted_terms(terms)
    floor = LEAD_MIN_SHARE * information(matched_terms(top_excerpt, wanted), bm25)
    for number, passage in enumerate(candidates.texts[: candidates.shown]):
        scored = [
            (information(matched_terms(sentence, wanted), bm25), sentence)
            for sentence in sentences(passage)
            if answers(sentence, asking)
        ]
        weight, sentence = max(scored, default=(0.0, ""))
        if number == 0 and weight > 0:
            return number, fit_excerpt(sentence, terms)
        if number == 0 and (following := continuation(candidates, asking, terms, bm25)):
            return FOLLOWING, following
        if number > 0 and weight > floor:
            return number, fit_excerpt(sentence, terms)
    return None
