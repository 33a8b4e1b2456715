"""Term ids: which row of the term matrix holds a term.

A million-passage index knows close to a million terms. Made into a dict at each start they
would cost a third of a second and some 100 MB; the cache keeps them instead as arrays that
are mapped, not read: the terms one a line in the order of their ids, and a hash table, each
term's 64-bit hash sorted with the id it belongs to. A lookup hashes the term, finds the hash
by binary search and compares the bytes, so a hash shared by two terms costs one more
comparison, never a wrong id. Each term found is remembered, for a question asks about the
same few terms many times (a term the index lacks is not: it could be any text at all).
The terms a reload adds are kept in a small dict beside the arrays until a save writes them
all into arrays.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

import numpy as np

LINE_BREAK = ord("\n")


def term_hash(encoded: bytes) -> int:
    """A term's 64-bit hash, the same in every process (Python's own `hash` is not)."""
    return int.from_bytes(hashlib.blake2b(encoded, digest_size=8).digest(), "little")


def lines(strings: Iterable[str]) -> np.ndarray:
    """Strings that never hold a line break nor are empty (terms, syllables), one a line."""
    return np.frombuffer("\n".join(strings).encode(), dtype=np.uint8)


def lines_of(array: np.ndarray) -> list[str]:
    return array.tobytes().decode().split("\n") if array.size else []


class TermIds:
    """Term -> id, for the terms in `lines` (ids 0, 1, … in their order), found through
    `hashes` (ascending) and `owners` (the id whose term has each hash), then those added
    (`setdefault`), ids after theirs. Read like a dict; `copy` shares the arrays."""

    def __init__(
        self,
        terms: np.ndarray | None = None,
        hashes: np.ndarray | None = None,
        owners: np.ndarray | None = None,
    ) -> None:
        self._terms = np.zeros(0, np.uint8) if terms is None else terms
        self._hashes = np.zeros(0, np.uint64) if hashes is None else hashes
        self._owners = np.zeros(0, np.int64) if owners is None else owners
        self._ends = np.append(np.flatnonzero(self._terms == LINE_BREAK), self._terms.size)
        self._stored = self._ends.size if self._terms.size else 0
        if not self._hashes.size == self._owners.size == self._stored:
            raise ValueError("term hashes do not match the terms")
        if self._stored and not 0 <= self._owners.min() <= self._owners.max() < self._stored:
            raise ValueError("a term hash names no term")
        self._added: dict[str, int] = {}
        self._found: dict[str, int] = {}  # the id of each stored term looked up

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The terms one a line, the hashes ascending and their ids: every term stored, the
        added ones too (hashed here, the stored ones' hashes reused)."""
        if not self._added:
            return self._terms, self._hashes, self._owners
        by_id = np.empty(self._stored, np.uint64)
        by_id[self._owners] = self._hashes
        added = (term_hash(term.encode()) for term in self._added)
        hashes = np.concatenate([by_id, np.fromiter(added, np.uint64, len(self._added))])
        owners = np.argsort(hashes, kind="stable")
        return lines(self), hashes[owners], owners

    def get(self, term: str) -> int | None:
        found = self._found.get(term)
        if found is not None:
            return found
        added = self._added.get(term)
        if added is not None:
            return added
        stored = self._search(term.encode())
        if stored is not None:  # terms the index lacks are not kept: they are any text at all
            self._found[term] = stored
        return stored

    def __getitem__(self, term: str) -> int:
        found = self.get(term)
        if found is None:
            raise KeyError(term)
        return found

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def setdefault(self, term: str, new_id: int) -> int:
        """The term's id; a term without one gets `new_id`, which must be `len(self)`."""
        found = self.get(term)
        if found is not None:
            return found
        if new_id != len(self):
            raise ValueError(f"term id {new_id} would leave a gap after {len(self)}")
        self._added[term] = new_id
        return new_id

    def copy(self) -> TermIds:
        """The same ids: the arrays and what was looked up in them shared, the added terms
        copied (adding to one does not add to the other)."""
        twin = TermIds.__new__(TermIds)
        twin.__dict__.update(self.__dict__)
        twin._added = dict(self._added)
        return twin

    def __len__(self) -> int:
        return self._stored + len(self._added)

    def __iter__(self) -> Iterator[str]:
        """The terms in the order of their ids."""
        yield from lines_of(self._terms)
        yield from self._added

    def __eq__(self, other: object) -> bool:
        """The same terms with the same ids, however they are kept."""
        return isinstance(other, TermIds) and list(self) == list(other)

    def items(self) -> Iterator[tuple[str, int]]:
        return zip(self, range(len(self)), strict=True)

    def _search(self, encoded: bytes) -> int | None:
        if not self._stored:  # a cold build's ids: every term is added, none stored
            return None
        wanted = np.uint64(term_hash(encoded))
        at = int(np.searchsorted(self._hashes, wanted))
        while at < self._stored and self._hashes[at] == wanted:
            owner = int(self._owners[at])
            if self._term(owner) == encoded:
                return owner
            at += 1
        return None

    def _term(self, term_id: int) -> bytes:
        start = int(self._ends[term_id - 1]) + 1 if term_id else 0
        return self._terms[start : int(self._ends[term_id])].tobytes()
