"""Term ids kept as the cache's arrays: found by hash, the same ids as the dict they replace."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.index import terms as terms_module
from retrieval.index.terms import TermIds

term = st.text(st.characters(codec="utf-8", exclude_characters="\n"), min_size=1)
distinct_terms = st.lists(term, unique=True, max_size=40)


def numbered(names: list[str], ids: TermIds | None = None) -> TermIds:
    ids = TermIds() if ids is None else ids
    for name in names:
        ids.setdefault(name, len(ids))
    return ids


def reloaded(ids: TermIds) -> TermIds:
    """As a save then a load make it: every term in the arrays."""
    return TermIds(*ids.arrays())


def assert_numbers(ids: TermIds, names: list[str], absent: list[str]) -> None:
    assert len(ids) == len(names)
    assert list(ids) == names
    assert dict(ids.items()) == {name: number for number, name in enumerate(names)}
    assert [ids.get(name) for name in names] == list(range(len(names)))
    assert [name in ids for name in absent] == [False] * len(absent)
    assert all(ids.get(name) is None for name in absent)


@settings(max_examples=80, deadline=None)
@given(names=distinct_terms, later=distinct_terms, absent=distinct_terms)
def test_stored_and_added_terms_keep_their_ids(
    names: list[str], later: list[str], absent: list[str]
) -> None:
    later = [name for name in later if name not in names]
    absent = [name for name in absent if name not in names + later]
    stored = reloaded(numbered(names))
    assert_numbers(stored, names, absent + later)
    grown = numbered(later, stored.copy())
    assert_numbers(grown, names + later, absent)
    assert_numbers(stored, names, absent + later)  # the copy added nothing to it
    assert_numbers(reloaded(grown), names + later, absent)
    assert reloaded(grown) == grown


def test_terms_sharing_a_hash_are_told_apart_by_their_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(terms_module, "term_hash", lambda encoded: 7)
    names = ["hà_nội", "ha", "noi", "hà"]
    assert_numbers(reloaded(numbered(names)), names, ["hanoi", "ha_noi"])


def test_a_term_looked_up_before_it_was_added_is_found_after() -> None:
    ids = reloaded(numbered(["a", "b"]))
    assert ids.get("c") is None
    assert ids.setdefault("c", 2) == 2
    assert ids.get("c") == 2 and ids["c"] == 2
    assert ids.setdefault("a", 3) == 0  # already numbered: its own id


def test_only_terms_found_are_remembered() -> None:
    """What users type that the index lacks must not make the process grow."""
    ids = reloaded(numbered(["a", "b"]))
    assert [ids.get(f"absent {n}") for n in range(100)] == [None] * 100
    assert ids.get("b") == 1
    assert ids._found == {"b": 1}


def test_a_new_id_must_follow_the_last() -> None:
    with pytest.raises(ValueError, match="gap"):
        numbered(["a"]).setdefault("b", 5)
    with pytest.raises(KeyError):
        numbered(["a"])["b"]


def test_arrays_that_do_not_match_are_refused() -> None:
    terms, hashes, owners = reloaded(numbered(["a", "b", "c"])).arrays()
    with pytest.raises(ValueError, match="do not match"):
        TermIds(terms, hashes[:2], owners[:2])
    with pytest.raises(ValueError, match="names no term"):
        TermIds(terms, hashes, owners + 1)
