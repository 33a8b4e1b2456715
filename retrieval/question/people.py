"""People: a person's name, and the title written beside it.

A name is recognised in two ways, for two kinds of text:
- in a question, typed however capitalised: a family name, "Văn" or "Thị" and a given name
  ("nguyen van hieu", "PHAN VĂN MÃI") — `full_name_spans`;
- in an article, capitalised: a family name and the capitalised words after it ("Lê Thanh
  Liêm", "Nguyễn Văn Nên") — `capitalised_name_spans`.

A title stands before the name ("Bí thư Thành ủy TPHCM Nguyễn Văn Nên") or after it, in
apposition ("Phan Văn Mãi, Ủy viên Trung ương Đảng, Phó Bí thư…"): `names_title_holder` and
`position_given` read a sentence for one or the other.
"""

from __future__ import annotations

import itertools
import re

from retrieval.language.aliases import GENERIC_ENDS, contract_aliases
from retrieval.language.text import fold, has_diacritics
from retrieval.language.tokens import SYLLABLE

# The common Vietnamese family names: a closed class of the language, not a list of people.
SURNAMES = frozenset(
    {
        "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
        "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đào", "Đoàn", "Đinh", "Lương", "Trương", "Mai",
        "Cao", "Lâm", "Tô", "Hà", "Tạ", "Châu", "Thái", "Quách", "Trịnh", "Lưu", "Kiều",
        "Tăng", "Triệu", "Mạc", "Âu", "La", "Thân", "Tôn", "Vương", "Diệp", "Khương",
    }
)  # fmt: skip
# The two most common middle names: after a family name they mark a person's full name where
# capitals do not ("nguyen van hieu", "PHAN VĂN MÃI GIỮ CHỨC VỤ GÌ").
MIDDLE_NAMES = frozenset({"văn", "thị"})
_LOWER_SURNAMES = frozenset(name.lower() for name in SURNAMES)
# The words of address before a name ("ông Nguyễn Văn Nên", "đồng chí Phan Văn Mãi"), as a
# regular-expression alternation.
ADDRESS_WORDS = "ông|bà|anh|chị|cô|chú|đồng chí"
_ADDRESS = re.compile(rf"^(?:{ADDRESS_WORDS})\s+", re.IGNORECASE)
_ADDRESS_BEFORE = re.compile(rf"(?:{ADDRESS_WORDS})\s+$", re.IGNORECASE)
# Words that make a title somebody else's: "Phó Bí thư" is not "Bí thư".
TITLE_MODIFIERS = frozenset({"phó", "nguyên", "quyền", "cựu"})

_GENERIC_ENDS = frozenset(fold(word).lower() for word in GENERIC_ENDS)
_WORD = re.compile(r"[^\W\d_]+")
_APPOSITION = re.compile(r",\s+([^\W\d_])")  # ", " and a word: "Phan Văn Mãi, Ủy viên…"


def _is_one_of(word: str, spellings: frozenset[str]) -> bool:
    """`word` is one of `spellings` in any case, or one of them typed without marks."""
    lowered = word.lower()
    if has_diacritics(lowered):
        return lowered in spellings
    return lowered in {fold(spelling) for spelling in spellings}


def full_name_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of family name + middle name + given name, however capitalised."""
    words = list(SYLLABLE.finditer(text))
    return [
        (family.start(), given.end())
        for family, middle, given in zip(words, words[1:], words[2:], strict=False)
        if text[family.end() : middle.start()] == " " == text[middle.end() : given.start()]
        and _is_one_of(family.group(), _LOWER_SURNAMES)
        and _is_one_of(middle.group(), MIDDLE_NAMES)
        and given.group().isalpha()
    ]


def capitalised_name_spans(text: str) -> list[tuple[int, int]]:
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


def names_a_person(sentence: str) -> bool:
    """A family name followed by a capitalised word, as in "Nguyễn Văn Nên"."""
    return bool(capitalised_name_spans(sentence))


def person_name(text: str) -> str | None:
    """The person's name `text` is, after a word of address if any: "Phan Văn Mãi", "bà Nguyễn
    Thị Lệ" -> "Nguyễn Thị Lệ", "nguyen van hieu" (`full_name_spans`), "Lê Thanh Liêm" (a
    family name and capitalised words); None for anything else, a title too ("Trưởng Ban Nội
    chính Thành ủy")."""
    name = " ".join(_ADDRESS.sub("", text.strip(" ?!.,")).split())
    words = name.split(" ")
    if len(words) < 2:
        return None
    if full_name_spans(name) == [(0, len(name))]:
        return name
    capitalised = all(word[:1].isupper() for word in words[1:])
    return name if words[0] in SURNAMES and capitalised else None


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
    people = capitalised_name_spans(text)
    for start in range(len(words) - len(title) + 1):
        if not title or not _is_title(folded[start : start + len(title)], title):
            continue
        if start > 0 and words[start - 1].group().lower() in TITLE_MODIFIERS:
            continue
        phrase = (words[start].start(), words[start + len(title) - 1].end())
        if any(_holds(text, phrase, name, people) for name in people):
            return True
    return False


def _holds(
    text: str, phrase: tuple[int, int], name: tuple[int, int], people: list[tuple[int, int]]
) -> bool:
    """Whether the person `name` holds the title at `phrase`: right after it, or before it
    with only the name's own apposition between (a ",", no ";", no other of `people`)."""
    phrase_start, phrase_end = phrase
    name_start, name_end = name
    if name_start == phrase_end + 1:  # "Bí thư Thành ủy TPHCM Nguyễn Văn Nên"
        return True
    between = text[name_end:phrase_start]
    others = any(name_end < s < phrase_start for s, _ in people)
    return between.startswith(",") and ";" not in between and not others


def _is_title(words: list[str], title: list[str]) -> bool:
    """Whether folded `words` spell `title`, whose last word, when a generic one ("tp"), may
    go on with the place it stands for ("tphcm"), as names do (see `aliases.GENERIC_ENDS`)."""
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
