"""Questions about when: what a question says about the days its articles were published.

Three things are read, each for what it asks of the articles:
- a relative expression names the days the articles must be published on: "hôm nay", "hôm
  qua", "hôm kia", "tuần này", "tuần trước", "tháng này", "tháng trước", "năm nay", "năm
  ngoái", "N ngày qua" (`Period`, `PastDays`), and the ways readers type them ("hqua", "bữa
  nay", "tuần rồi", "năm trước", "3 ngày gần đây"…, `_PERIODS`);
- "mới nhất", "mới đây", "gần đây" ask for the matching articles newest first;
- an absolute date ("ngày 12/8", "tháng 8/2025", "năm 2024") keeps its place among the
  question's names and numbers, and an article published on it holds it too (`Dated`).

The relative expressions and "newest first" are no content of the question: they are taken out
before it is tokenised, and the reply names them in their written form ("hôm qua").

They are matched syllable by syllable: a syllable typed with marks must be the expression's own,
one typed bare may be it without its marks ("hom qua", "tuan truoc", "moi nhat"), so "Tuấn này"
is never "tuần này" (but a bare "thang truoc" is read as "tháng trước", not "thắng trước").
An expression after a count is a duration, not a day ("một tuần trước khi…", "mấy năm nay",
"2 năm trước"; but "RON 95 hôm qua": a number after a capitalised word ends a name), and one
before "khi" or "đó" is relative to something else ("tuần trước đó"): neither is read.

Days are the operator's (`Today`: the day, and the time zone publication times are read in).
Weeks start on Monday. "N ngày qua" is the days the last N × 24 hours touch: today and the N
days before it.
"""

from __future__ import annotations

import calendar
import enum
import itertools
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from retrieval.language.text import fold, has_diacritics
from retrieval.language.tokens import SYLLABLE, is_stopword

_COUNT = "#"  # where a variant of `PastDays` holds its number of days
_NUMBER_WORDS = {
    "một": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
}
# A count before an expression makes it a duration ("hai năm trước", "mấy hôm nay").
_COUNT_WORDS = frozenset({*_NUMBER_WORDS, "mươi", "vài", "mấy", "bao", "những", "các", "nhiều"})
# After one of these, the expression is relative to another time ("tuần trước khi…").
_RELATIVE_TO_OTHER = frozenset({"khi", "đó"})
_YEAR = r"(?:19|20)\d\d"
_MONTH = r"1[0-2]|[1-9]"
_DAY = r"3[01]|[12]\d|[1-9]"
_NOT_MORE = r"(?![/\d])"
# Absolute dates, in the form `tokens.canonical_numbers` gives them ("12 tháng 8" is "12/8").
_DATES = re.compile(
    rf"\b(?:ngày|ngay|hôm|hom)\s+(?P<day>{_DAY})/(?P<month>{_MONTH})(?:/(?P<year>{_YEAR}))?"
    rf"{_NOT_MORE}"
    rf"|\b(?P<full_day>{_DAY})/(?P<full_month>{_MONTH})/(?P<full_year>{_YEAR}){_NOT_MORE}"
    rf"|\b(?:tháng|thang)\s+(?P<month_alone>{_MONTH})"
    rf"(?:(?:/|\s+(?:năm|nam)\s+)(?P<month_year>{_YEAR}))?{_NOT_MORE}"
    rf"|\b(?:năm|nam)\s+(?P<year_alone>{_YEAR}){_NOT_MORE}",
    re.IGNORECASE,
)
_PUNCTUATION = "?!.,;:…\"'«»()“”"
# In the operator's zone when no clock is given (an adapter passes BOT_TIMEZONE's).
DEFAULT_ZONE_NAME = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True, slots=True)
class Today:
    """The day a question is asked, and the time zone articles' publication days are read in."""

    day: date
    zone: tzinfo

    @classmethod
    def at(cls, now: datetime) -> Today:
        """The day of `now`, which must carry its time zone: the operator's."""
        if now.tzinfo is None:
            raise ValueError("the time a question is asked needs its time zone")
        return cls(now.date(), now.tzinfo)


@dataclass(frozen=True, slots=True)
class Days:
    """Consecutive days, both ends included."""

    first: date
    last: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last

    def hull(self, other: Days) -> Days:
        """The days from the earlier start to the later end."""
        return Days(min(self.first, other.first), max(self.last, other.last))


class Length(enum.Enum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar day, week (Monday to Sunday), month or year: the current one (`back` 0), the
    one before (1), or the one before that (2)."""

    length: Length
    back: int

    def days(self, today: date) -> Days:
        if self.length is Length.DAY:
            day = today - timedelta(days=self.back)
            return Days(day, day)
        if self.length is Length.WEEK:
            monday = today - timedelta(days=today.weekday() + 7 * self.back)
            return Days(monday, monday + timedelta(days=6))
        if self.length is Length.MONTH:
            months = today.year * 12 + today.month - 1 - self.back
            return _month(months // 12, months % 12 + 1)
        return Days(date(today.year - self.back, 1, 1), date(today.year - self.back, 12, 31))


@dataclass(frozen=True, slots=True)
class PastDays:
    """The last `count` days: today and the `count` days before it."""

    count: int

    def days(self, today: date) -> Days:
        return Days(today - timedelta(days=self.count), today)

    @property
    def phrase(self) -> str:
        return f"trong {self.count} ngày qua"


Relative = Period | PastDays


class Newest(enum.Enum):
    """ "mới nhất", "gần đây": the matching articles newest first."""

    FIRST = "newest first"


Meaning = Relative | Newest
# What a variant of `_PAST_DAYS` means until its count is read.
_COUNTED = PastDays(0)

# Each relative expression in its written form (how the reply names it), then the other ways
# readers type it; each is matched with its marks or bare. "qua" alone, "trước" alone and
# "hôm trước" say no day; "tối qua", "sáng qua" and "đêm qua" typed bare are "tôi qua", "sang
# qua" and "đem qua" as often, so only their forms with "hôm" are read.
_PERIODS: dict[Period, tuple[str, ...]] = {
    Period(Length.DAY, 0): (
        "hôm nay",
        "ngày hôm nay",
        "hnay",
        "hum nay",
        "bữa nay",
        "sáng nay",
        "trưa nay",
        "chiều nay",
        "tối nay",
    ),
    Period(Length.DAY, 1): (
        "hôm qua",
        "ngày hôm qua",
        "sáng hôm qua",
        "trưa hôm qua",
        "chiều hôm qua",
        "tối hôm qua",
        "đêm hôm qua",
        "hqua",
        "hum qua",
        "bữa qua",
        "trưa qua",
        "chiều qua",
    ),
    Period(Length.DAY, 2): ("hôm kia", "ngày hôm kia", "hum kia"),
    Period(Length.WEEK, 0): ("tuần này", "tuần nay"),
    Period(Length.WEEK, 1): ("tuần trước", "tuần rồi", "tuần vừa rồi"),
    Period(Length.MONTH, 0): ("tháng này", "tháng nay"),
    Period(Length.MONTH, 1): ("tháng trước", "tháng rồi", "tháng vừa rồi", "tháng vừa qua"),
    Period(Length.YEAR, 0): ("năm nay",),
    Period(Length.YEAR, 1): ("năm ngoái", "năm trước", "năm rồi", "năm vừa rồi", "năm vừa qua"),
}
_PAST_DAYS = (
    f"{_COUNT} ngày qua",
    f"{_COUNT} ngày vừa qua",
    f"{_COUNT} ngày gần đây",
    f"{_COUNT} ngày gần nhất",
    f"{_COUNT} ngày trở lại đây",
)
_PAST_WEEK = ("tuần qua", "tuần vừa qua")  # the last seven days
_NEWEST = ("mới nhất", "mới nhứt", "mới đây", "gần đây", "dạo gần đây", "thời gian gần đây")


def _variants() -> list[tuple[tuple[str, ...], Meaning]]:
    """Every variant as its syllables, with what it means; longest first, so that "3 ngày gần
    đây" is read before "gần đây"."""
    variants: list[tuple[tuple[str, ...], Meaning]] = [
        (tuple(v.split()), period) for period, forms in _PERIODS.items() for v in forms
    ]
    variants += [(tuple(v.split()), _COUNTED) for v in _PAST_DAYS]
    variants += [(tuple(v.split()), PastDays(7)) for v in _PAST_WEEK]
    variants += [(tuple(v.split()), Newest.FIRST) for v in _NEWEST]
    return sorted(variants, key=lambda variant: -len(variant[0]))


_VARIANTS = _variants()


def _month(year: int, month: int) -> Days:
    return Days(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class Dated:
    """An absolute date a question names: a day, a month or a year; a day or a month without
    its year is the latest one not after today."""

    day: int | None
    month: int | None
    year: int | None

    def days(self, today: date) -> Days | None:
        """Its days, or None when it names no real day ("31/2")."""
        if self.month is None:
            return Days(date(self.year or today.year, 1, 1), date(self.year or today.year, 12, 31))
        year = self.year or _latest_year(today, self.month, self.day or 1)
        if self.day is None:
            return _month(year, self.month)
        try:
            return Days(date(year, self.month, self.day), date(year, self.month, self.day))
        except ValueError:
            return None


def _latest_year(today: date, month: int, day: int) -> int:
    """The year of the latest `day`/`month` not after today."""
    return today.year if (month, day) <= (today.month, today.day) else today.year - 1


def absolute_dates(text: str) -> list[tuple[str, Dated]]:
    """The absolute dates of a text in `tokens.canonical_numbers` form, each with its wording
    there ("ngày 12/8", "tháng 8/2025", "năm 2024")."""
    return [(found.group(), _dated(found)) for found in _DATES.finditer(text)]


def _dated(found: re.Match[str]) -> Dated:
    def number(*names: str) -> int | None:
        value = next((found.group(name) for name in names if found.group(name)), None)
        return int(value) if value else None

    return Dated(
        number("day", "full_day"),
        number("month", "full_month", "month_alone"),
        number("year", "full_year", "month_year", "year_alone"),
    )


@dataclass(frozen=True, slots=True)
class When:
    """What a question says about when: the relative periods it names (their days together
    are the days its articles must be published on), whether it wants the newest first, and
    how the reply names the periods."""

    periods: tuple[Relative, ...] = ()
    newest_first: bool = False
    phrase: str = ""  # the periods in their written form, "hôm qua"; "" when none

    def days(self, today: date) -> Days | None:
        """The days the question's articles must be published on; None for any day."""
        if not self.periods:
            return None
        spans = [period.days(today) for period in self.periods]
        first = spans[0]
        for span in spans[1:]:
            first = first.hull(span)
        return first


ANY_TIME = When()


@dataclass(frozen=True, slots=True)
class _Found:
    """One expression found: its syllables' positions [start, end) and what it means."""

    start: int
    end: int
    written: tuple[str, ...]  # its syllables in their written form, with marks
    meaning: Meaning


@dataclass(frozen=True, slots=True)
class Expressions:
    """The relative expressions of a text, found by the positions of their syllables: the
    same positions in the text once its diacritics are restored."""

    found: tuple[_Found, ...]

    @property
    def when(self) -> When:
        periods = [f.meaning for f in self.found if not isinstance(f.meaning, Newest)]
        phrases = [_phrase(f) for f in self.found if not isinstance(f.meaning, Newest)]
        newest = any(isinstance(f.meaning, Newest) for f in self.found)
        return When(tuple(periods), newest, " và ".join(dict.fromkeys(phrases)))

    def spelt_in(self, text: str) -> str:
        """`text`, of the same syllables, with the expressions in their written form ("hom
        qua" -> "hôm qua"); unchanged when its syllables are not the ones read."""
        syllables = list(SYLLABLE.finditer(text))
        if not self._fits(syllables):
            return text
        pieces, position = [], 0
        for found in self.found:
            for match, written in zip(
                syllables[found.start : found.end], found.written, strict=True
            ):
                pieces += [text[position : match.start()], _in_case_of(written, match.group())]
                position = match.end()
        return "".join([*pieces, text[position:]])

    def removed_from(self, text: str) -> str:
        """`text`, of the same syllables, without the expressions."""
        syllables = list(SYLLABLE.finditer(text))
        if not self.found or not self._fits(syllables):
            return text
        pieces, position = [], 0
        for found in self.found:
            pieces.append(text[position : syllables[found.start].start()])
            position = syllables[found.end - 1].end()
        return " ".join(" ".join([*pieces, text[position:]]).split())

    def _fits(self, syllables: list[re.Match[str]]) -> bool:
        return all(
            found.end <= len(syllables)
            and all(
                fold(match.group().lower()) == fold(written)
                for match, written in zip(
                    syllables[found.start : found.end], found.written, strict=True
                )
            )
            for found in self.found
        )


NO_EXPRESSIONS = Expressions(())


def _phrase(found: _Found) -> str:
    meaning = found.meaning
    if isinstance(meaning, Period):
        return _PERIODS[meaning][0]
    return meaning.phrase if isinstance(meaning, PastDays) else ""


def _in_case_of(written: str, typed: str) -> str:
    return written[:1].upper() + written[1:] if typed[:1].isupper() else written


def read_expressions(text: str) -> Expressions:
    """The relative expressions and the "newest first" ones of a normalised text."""
    matches = list(SYLLABLE.finditer(text))
    syllables = [m.group() for m in matches]
    gaps = [text[a.end() : b.start()] for a, b in itertools.pairwise(matches)]
    found: list[_Found] = []
    position = 0
    while position < len(syllables):
        match = _match_at(syllables, gaps, position)
        if match is None:
            position += 1
            continue
        found.append(match)
        position = match.end
    return Expressions(tuple(found))


def _match_at(syllables: list[str], gaps: list[str], start: int) -> _Found | None:
    """The longest expression starting at syllable `start`, if one does and stands as one."""
    for variant, meaning in _VARIANTS:
        end = start + len(variant)
        if end > len(syllables) or any(not gaps[i].isspace() for i in range(start, end - 1)):
            continue
        typed = syllables[start:end]
        written = [_written(t, v) for t, v in zip(typed, variant, strict=True)]
        if any(w is None for w in written):
            continue
        if meaning == _COUNTED:
            meaning = PastDays(_count(typed[variant.index(_COUNT)]))
        elif isinstance(meaning, Period) and not _stands_alone(syllables, start, end):
            continue
        return _Found(start, end, tuple(w or "" for w in written), meaning)
    return None


def _written(typed: str, wanted: str) -> str | None:
    """`wanted` in written form when `typed` is it, with its marks or bare; a count for _COUNT."""
    if wanted == _COUNT:
        return typed if _count(typed) else None
    return wanted if _same(typed, wanted) else None


def _same(typed: str, wanted: str) -> bool:
    lowered = typed.lower()
    return lowered == wanted or (not has_diacritics(lowered) and lowered == fold(wanted))


def _count(typed: str) -> int:
    """The number of days a count says ("3", "ba"), 0 when it says none."""
    if typed.isdigit():
        return int(typed) if 0 < int(typed) <= 3660 else 0
    return next((n for word, n in _NUMBER_WORDS.items() if _same(typed, word)), 0)


def _stands_alone(syllables: list[str], start: int, end: int) -> bool:
    """Whether the expression at [start, end) is no duration (after a count) and not relative
    to another time (before "khi", "đó")."""
    after = syllables[end] if end < len(syllables) else ""
    counted = start > 0 and _is_count(syllables, start - 1)
    return not counted and not any(_same(after, word) for word in _RELATIVE_TO_OTHER)


def _is_count(syllables: list[str], at: int) -> bool:
    """Whether the syllable at `at` counts what follows ("hai", "mấy", "10"): a number after a
    name ends that name instead ("RON 95 hôm qua", "giá Quận 7 tuần trước")."""
    syllable = syllables[at]
    if syllable.isdigit():
        return at == 0 or not _is_name(syllables, at - 1)
    return any(_same(syllable, word) for word in _COUNT_WORDS)


def _is_name(syllables: list[str], at: int) -> bool:
    """A word in capitals ("RON"), or a capitalised one that does not open the text ("Trong 2
    năm trước" opens with a capital, "Quận 7" is a name)."""
    syllable = syllables[at]
    return (len(syllable) > 1 and syllable.isupper()) or (at > 0 and syllable[:1].isupper())


def topic_of(text: str) -> str:
    """What a question (without its expressions of time and its frame) is about, to name in
    the reply: the words after its last "về" followed by a content word ("tin về giá xăng" ->
    "giá xăng"), else all of it; without the function words at either end."""
    words = [word.strip(_PUNCTUATION) for word in text.split()]
    words = [word for word in words if word]
    about = [
        i
        for i, word in enumerate(words[:-1])
        if word.lower() == "về" and not is_stopword(words[i + 1].lower())
    ]
    if about:
        words = words[about[-1] + 1 :]
    while words and is_stopword(words[0].lower()):
        words.pop(0)
    while words and is_stopword(words[-1].lower()):
        words.pop()
    return " ".join(words)
