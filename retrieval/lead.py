"""Lead with the answering sentence.

Who -> a person's name; when -> a date; how many -> a number; which position -> a name in
apposition with a title ("Phan Văn Mãi, Phó Bí thư…"); which X -> X followed by a name ("những
Ban nào" -> "Ban Tuyên giáo"). When the question asks one of these and a hit holds a sentence
that both matches the question and contains that kind of answer, the sentence is shown first
and its hit ranks first. The hits are searched in rank order, so the lead comes from the best
passage that has one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from retrieval.aliases import contract_aliases
from retrieval.bm25 import Bm25
from retrieval.distinctive import ADDRESS_WORDS, GENERIC_ENDS, SURNAMES
from retrieval.excerpt import (
    MAX_EXCERPT_CHARS,
    Excerpt,
    fit_excerpt,
    information,
    matched_terms,
    wanted_terms,
)
from retrieval.question import Asking, Asks, Question
from retrieval.text import fold, sentences
from retrieval.tokens import Terms, analyze

# Words that make a title somebody else's: "Phó Bí thư" is not "Bí thư".
TITLE_MODIFIERS = frozenset({"phó", "nguyên", "quyền", "cựu"})
# An answering sentence must hold this share of the question information that the best
# passage's excerpt holds.
LEAD_MIN_SHARE = 0.9
# The paragraph after the best one may lead when it supplies this share of the question
# information the best one lacks.
FOLLOWING_MIN_SHARE = 0.5
# Words between a number and the noun it counts: "6 làn xe", "39 trường hợp", "12 phòng khám".
COUNT_REACH = 2


_GENERIC_ENDS = frozenset(fold(word).lower() for word in GENERIC_ENDS)
_WORD = re.compile(r"[^\W\d_]+")
_ADDRESS_BEFORE = re.compile(rf"(?:{ADDRESS_WORDS})\s+$", re.IGNORECASE)
_APPOSITION = re.compile(r",\s+([^\W\d_])")  # ", " and a word: "Phan Văn Mãi, Ủy viên…"
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


def _words_of(sentence: str) -> tuple[str, list[re.Match[str]], list[str]]:
    """The sentence with abbreviations contracted, its words, and their folded lower case."""
    text = contract_aliases(sentence)
    words = list(_WORD.finditer(text))
    return text, words, [fold(word.group()).lower() for word in words]


def names_title_holder(sentence: str, title: list[str]) -> bool:
    """The question's title, word for word, beside a person's name: "Bí thư Thành ủy TPHCM
    Nguyễn Văn Nên", or "Nguyễn Văn Nên, Ủy viên Bộ Chính trị, Bí thư Thành ủy TPHCM" (the
    name's own apposition, no other name or ";" between) — and not inside a longer title:
    "Phó Bí thư Thành ủy TPHCM" is somebody else."""
    text, words, folded = _words_of(sentence)
    people = person_spans(text)
    for start in range(len(words) - len(title) + 1):
        if not title or not _is_title(folded[start : start + len(title)], title):
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


def _is_title(words: list[str], title: list[str]) -> bool:
    """Whether folded `words` spell `title`, whose last word, when a generic one ("tp"), may
    go on with the place it stands for ("tphcm"), as names do (see `distinctive.GENERIC_ENDS`)."""
    if words[:-1] != title[:-1]:
        return False
    last, wanted = words[-1], title[-1]
    return last == wanted or (wanted in _GENERIC_ENDS and last.startswith(wanted))


def position_given(sentence: str, person: list[str]) -> int:
    """How a sentence gives the person's (folded lower-case syllables) title: 2 in apposition,
    all of it ("Phan Văn Mãi, Ủy viên Trung ương Đảng, Phó Bí thư…"), 1 before the name ("Bí
    thư Thành ủy TPHCM Nguyễn Văn Nên", not "đồng chí Nguyễn Văn Nên"), 0 not at all."""
    text, words, folded = _words_of(sentence)
    given = 0
    for start in range(len(words) - len(person) + 1):
        if not person or folded[start : start + len(person)] != person:
            continue
        apposed = _APPOSITION.match(text, words[start + len(person) - 1].end())
        if apposed and apposed.group(1).isupper():
            return 2
        given = max(given, int(_title_before(text, words, start)))
    return given


def _title_before(text: str, words: list[re.Match[str]], start: int) -> bool:
    """Whether a title stands right before the name at `words[start]`: one of the two words
    before is capitalised, not as the sentence's first word, and no word of address ("ông",
    "đồng chí") comes between: "Phó Bí thư Phan Văn Mãi", "Thành ủy TPHCM Nguyễn Văn Nên"."""
    if _ADDRESS_BEFORE.search(text, 0, words[start].start()):
        return False
    before = words[max(start - 2, 0) : start]
    spaced = [*before, words[start]]
    joined = all(text[a.end() : b.start()] == " " for a, b in itertools.pairwise(spaced))
    return joined and any(word.group()[0].isupper() and word is not words[0] for word in before)


def answers(sentence: str, asking: Asking) -> bool:
    kind = asking.kind
    if kind is Asks.WHO:
        return names_a_person(sentence)
    if kind is Asks.WHEN:
        dates = [date.group() for date in _DATE.finditer(sentence)]
        return any(names_a_day(date) for date in dates) if asking.focus else bool(dates)
    if kind is Asks.POSITION:
        return gives_a_position(sentence)
    if kind is Asks.WHICH:
        return _followed_by_a_name(sentence, lambda word: word.group().lower() == asking.focus, " ")
    return counts(sentence, asking.focus)


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


Lead = tuple[int, Excerpt]  # (passage position in the index, its answering sentence)


@dataclass(frozen=True, slots=True)
class Candidates:
    """The passages an answering sentence may come from, each as (position, text)."""

    ranked: list[tuple[int, str]]  # best first
    shown: int  # how many of them the reply shows
    following: tuple[int, str] | None  # the paragraph after the best one, in the same article


@dataclass(frozen=True, slots=True)
class Asked:
    """The question, as the strategies weigh sentences against it."""

    question: Question
    asking: Asking
    wanted: frozenset[str]  # its terms as excerpts match them
    bm25: Bm25

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
            if not answers(sentence, self.asking):
                continue
            readings.append(sentence)
            if number > 0 and len(both := f"{parts[number - 1]} {sentence}") <= MAX_EXCERPT_CHARS:
                readings.append(both)
        scored = [(self.weight(text), -len(text), text) for text in readings]
        best = max(scored, default=None)
        return None if best is None else (best[0], best[2])


def title_holder(candidates: Candidates, asked: Asked) -> Lead | None:
    """For "who is <title>?": the first candidate naming the holder of exactly that title."""
    if asked.asking.kind is not Asks.WHO:
        return None
    title = list(analyze(asked.asking.without_frame(asked.question.understood)).syllables)
    for position, passage in candidates.ranked:
        for sentence in sentences(passage):
            if names_title_holder(sentence, title):
                return position, fit_excerpt(sentence, asked.terms)
    return None


def person_position(candidates: Candidates, asked: Asked) -> Lead | None:
    """For "X là ai?" about a person X: the candidate sentence giving X's title best
    (`position_given`), the first in rank order of those giving it alike."""
    if asked.asking.kind is not Asks.POSITION or not asked.asking.identity:
        return None
    person = fold(asked.asking.focus).split()
    given = [
        (position_given(sentence, person), -rank, position, sentence)
        for rank, (position, passage) in enumerate(candidates.ranked)
        for sentence in sentences(passage)
    ]
    best = max(given, default=None)
    if best is None or not best[0]:
        return None
    return best[2], fit_excerpt(best[3], asked.terms)


def continuation(candidates: Candidates, asked: Asked) -> Lead | None:
    """A sentence of the paragraph after the best one that answers the question's kind and
    supplies most of what the best paragraph lacks: news often names the event in one
    paragraph and who chaired it in the next."""
    if candidates.following is None or not candidates.ranked:
        return None
    position, following = candidates.following
    missing = asked.wanted - matched_terms(candidates.ranked[0][1], asked.wanted)
    needed = FOLLOWING_MIN_SHARE * information(missing, asked.bm25)
    for sentence in sentences(following):
        supplied = matched_terms(sentence, asked.wanted) & missing
        if (
            supplied
            and answers(sentence, asked.asking)
            and information(supplied, asked.bm25) >= needed
        ):
            return position, fit_excerpt(sentence, asked.terms)
    return None


def lower_passage(candidates: Candidates, asked: Asked, floor: float) -> Lead | None:
    """The first shown passage below the best with a sentence of the asked kind that holds at
    least `floor` of the question information (a name in a weaker passage is no answer)."""
    for position, passage in candidates.ranked[1 : candidates.shown]:
        best = asked.best_of_kind(passage)
        if best is not None and best[0] >= floor > 0:
            return position, fit_excerpt(best[1], asked.terms)
    return None


def answering_sentence(
    candidates: Candidates, top_excerpt: str, question: Question, bm25: Bm25
) -> Lead | None:
    """The passage and sentence that answer the question's kind, looked for in this order: for
    a who-question naming a title, the first candidate naming its holder (for "X là ai?" only
    that: nothing leads when no candidate names X's holder); the best passage,
    when it has a sentence of the asked kind — it leads if that sentence holds LEAD_MIN_SHARE
    of the question information `top_excerpt` holds, else nothing leads (a weak sentence of
    the right kind is a guess, and promoting another passage over it moves a right hit down);
    the paragraph after the best one, when it completes it; a lower shown passage."""
    asking = question.asking
    if asking is None or not candidates.ranked:
        return None
    asked = Asked(question, asking, wanted_terms(question.terms), bm25)
    holder = title_holder(candidates, asked) or person_position(candidates, asked)
    if holder is not None or asking.identity:
        return holder
    floor = LEAD_MIN_SHARE * asked.weight(top_excerpt)
    position, passage = candidates.ranked[0]
    best = asked.best_of_kind(passage)
    if best is not None:
        weight, sentence = best
        return (position, fit_excerpt(sentence, question.terms)) if weight >= floor > 0 else None
    return continuation(candidates, asked) or lower_passage(candidates, asked, floor)
