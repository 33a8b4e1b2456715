"""The fast forms of term extraction give what their plain forms give, for any text.

Each reference below is the plain way the fast code replaced: folding the whole text at once,
folding character by character, one regex of every form tried at every position, number
patterns that test their condition at every position, words cleaned token by token, each
passage's terms made anew.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.language import aliases, tokens
from retrieval.language.aliases import (
    alias_table,
    contract_aliases,
    contract_with_sources,
    fold_aligned,
)
from retrieval.language.text import Memo, fold
from retrieval.language.tokens import all_terms_of, analyze, canonical_numbers, words_of

_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
_PLAIN_NUMBER_FORMS = (
    (re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+(?![.,]?\d)"), lambda m: m[0].replace(".", "")),
    (re.compile(r"(?<=\d),(?=\d)"), "."),
    (re.compile(r"\b(\d{1,2})\s+tháng\s+(\d{1,2})\b", re.IGNORECASE), r"\1/\2"),
    (re.compile(r"\b(\d{1,2}/\d{1,2})\s+năm\s+(\d{4})\b", re.IGNORECASE), r"\1/\2"),
    (re.compile(r"(?<=\d)(?=[a-zµ]{1,3}\b)"), " "),
    (re.compile(r"(?<=[^\W\d_]{3})(?=\d)"), " "),
    (re.compile(r"\bsố\s+(?=\d)", re.IGNORECASE), ""),
    (re.compile(r"(?<![\d.,])0+(?=\d)"), ""),
)

# Texts with what each piece of code looks for: Vietnamese, marks apart, capitals, numbers in
# every form, Roman numerals, known abbreviations and their long forms, punctuation, any text.
_PIECES = st.one_of(
    st.sampled_from(["Thành", "phố", "Hồ", "Chí", "Minh", "tp", "HCM", "Ủy", "ban", "nhân"]),
    st.sampled_from(["dân", "UBND", "tháng", "THÁNG", "năm", "số", "Số", "khóa", "Đại hội"]),
    st.sampled_from(["SỐ", "sỐ", "ſố", "ſ", "ố", "Ố", "ső", "so", "xsố", "_số", "1số"]),
    st.sampled_from(["XIII", "VII", "IX", "X", "covid", "kg", "g", "m", "1.200", "5,0", "007"]),
    st.sampled_from(
        ["TP", "tp.", "HCMC", "UB", "MTTQ", "VN", "Việt Nam", "cnh", "HĐH", "TT", "Huế"]
    ),
    st.sampled_from(["e\u0301", "\u0301", "Σ", "ß", "İ", "ǅ", "ſ", "한", "ﬁ", "µ", "_", "__"]),
    st.sampled_from([" ", "  ", "\n", ".", ",", "-", "–", "/", "(", ")", "'", "\t"]),
    st.integers(0, 3000).map(str),
    st.characters(),
)
TEXTS = st.lists(_PIECES, max_size=25).map("".join)


def plain_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def plain_contract(text: str) -> str:
    longest_first = sorted(alias_table(), key=len, reverse=True)
    alternatives = "|".join(f"({pattern})" for pattern in longest_first)
    regex = re.compile(rf"(?<![0-9a-z])(?:{alternatives})(?![0-9a-z])")
    folded = "".join(plain_fold(char).lower()[:1] or char for char in text)
    out, position = [], 0
    for match in regex.finditer(folded):
        out += [text[position : match.start()], alias_table()[longest_first[match.lastindex - 1]]]
        position = match.end()
    return "".join([*out, text[position:]])


def plain_numbers(text: str) -> str:
    text = tokens._ROMAN.sub(tokens._arabic, text)
    for pattern, replacement in _PLAIN_NUMBER_FORMS:
        text = pattern.sub(replacement, text)  # type: ignore[call-overload]
    return text


def plain_words(segmented: str) -> list[str]:
    words = []
    for token in segmented.split():
        syllables = [_EDGE.sub("", part) for part in token.lower().split("_")]
        if word := "_".join(part for part in syllables if part):
            words.append(word)
    return words


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_folding_a_character_at_a_time_folds_the_text(text: str) -> None:
    assert fold(text) == plain_fold(text)
    assert fold_aligned(text) == "".join(plain_fold(c).lower()[:1] or c for c in text)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_the_alias_trie_contracts_as_one_regex_of_every_form(text: str) -> None:
    assert contract_aliases(text) == contract_with_sources(text).text == plain_contract(text)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_numbers_take_the_form_the_plain_patterns_give(text: str) -> None:
    assert canonical_numbers(text) == plain_numbers(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.just("_")), max_size=25).map("".join))
def test_words_are_those_cleaned_token_by_token(segmented: str) -> None:
    assert words_of(segmented) == plain_words(segmented)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXTS, max_size=4))
def test_the_terms_made_once_per_syllable_and_pair_are_those_of_each_text(
    texts: list[str],
) -> None:
    assert all_terms_of(texts) == [analyze(text).all() for text in texts]


def test_a_memo_computes_once_and_empties_when_full() -> None:
    calls: list[str] = []
    memo = Memo[str, str](lambda key: calls.append(key) or key.upper(), limit=3)
    assert [memo[k] for k in "abab"] == ["A", "B", "A", "B"] and calls == ["a", "b"]
    assert [memo[k] for k in "cde"] == ["C", "D", "E"] and len(memo) <= 3


def test_the_long_alias_forms_still_contract() -> None:
    assert aliases.contract_aliases("Ủy ban nhân dân Thành phố Hồ Chí Minh") == "UBND TPHCM"
