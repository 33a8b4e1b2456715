"""The archive's articles and passages held compactly: texts as UTF-8, the rest in arrays.

At a million passages, each text as a Python string would take 1.65 times its UTF-8 size
(Vietnamese needs 2 bytes a character) and a warm start would have to make every one of them,
with a `Passage` and an `Article` object around it. Here a snapshot's passages are one UTF-8
buffer with where each text starts and ends (`Texts`, read or mapped straight from the index
cache), each article's file name, title, hash, URL and date are `Texts` too, and its passages'
paragraph numbers one integer array. An `Article` or a `Passage` is made when it is asked
for: in practice, for the hits shown.
"""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np

from retrieval.index.corpus import Article, Passage, Provenance

_POSITIONS = np.int64


def _starts_of(ends: np.ndarray) -> np.ndarray:
    """Where each of the strings laid end to end starts, from where each ends."""
    return np.concatenate([np.zeros(1, dtype=_POSITIONS), ends])[:-1]


class Texts(Sequence[str]):
    """Strings as UTF-8 bytes, decoded one at a time when read.

    The bytes lie in one or more buffers (`pieces`), taken as laid end to end: each string's
    start and end are positions in that run. A selection (`taking`) and `Texts` laid one after
    the other (`joined`) share the buffers instead of copying them, so the bytes of strings no
    longer selected stay until the snapshot is saved (`saved`: only the selected strings'
    bytes) and read back.
    """

    __slots__ = ("_bytes", "_ends", "_offsets", "_pieces", "_starts")

    def __init__(self, pieces: Iterable[np.ndarray], starts: np.ndarray, ends: np.ndarray):
        self._pieces = tuple(piece for piece in pieces if piece.size)
        self._bytes = [piece.data for piece in self._pieces]  # sliced without numpy
        # piece k holds positions offsets[k] to offsets[k + 1]
        self._offsets = list(itertools.accumulate((p.size for p in self._pieces), initial=0))
        self._starts = starts
        self._ends = ends

    @classmethod
    def of(cls, strings: Iterable[str]) -> Texts:
        encoded = [string.encode() for string in strings]
        ends = np.cumsum([len(text) for text in encoded], dtype=_POSITIONS)
        return cls.laid_end_to_end(np.frombuffer(b"".join(encoded), dtype=np.uint8), ends)

    @classmethod
    def laid_end_to_end(cls, buffer: np.ndarray, ends: np.ndarray) -> Texts:
        """The strings of `buffer`, one after the other, each ending at its `ends` (as saved)."""
        ends = ends.astype(_POSITIONS, copy=False)
        return cls((buffer,), _starts_of(ends), ends)

    def __len__(self) -> int:
        return int(self._starts.size)

    @overload
    def __getitem__(self, at: int) -> str: ...

    @overload
    def __getitem__(self, at: slice) -> list[str]: ...

    def __getitem__(self, at: int | slice) -> str | list[str]:
        if isinstance(at, slice):
            return [self._decoded(i) for i in range(len(self))[at]]
        return self._decoded(range(len(self))[at])

    def __iter__(self) -> Iterator[str]:
        if len(self._bytes) != 1:
            yield from map(self._decoded, range(len(self)))
            return
        whole = self._bytes[0]  # one buffer: the common case, a snapshot as loaded
        for start, end in zip(self._starts.tolist(), self._ends.tolist(), strict=True):
            yield str(whole[start:end], "utf-8")

    def _decoded(self, at: int) -> str:
        start, end = self._starts.item(at), self._ends.item(at)
        if start == end:
            return ""
        number = bisect.bisect_right(self._offsets, start) - 1 if len(self._bytes) > 1 else 0
        offset = self._offsets[number]
        return str(self._bytes[number][start - offset : end - offset], "utf-8")

    @property
    def utf8_bytes(self) -> int:
        """The strings' size in UTF-8."""
        return int(self.lengths().sum())

    def lengths(self) -> np.ndarray:
        """Each string's size in UTF-8."""
        return self._ends - self._starts

    def taking(self, positions: np.ndarray) -> Texts:
        """The strings at `positions`, in that order."""
        return Texts(self._pieces, self._starts[positions], self._ends[positions])

    def __reduce__(self) -> tuple[type[Texts], tuple[Any, ...]]:
        return Texts, (self._pieces, self._starts, self._ends)  # a worker's batch, pickled

    @classmethod
    def joined(cls, parts: Sequence[Texts]) -> Texts:
        """The strings of `parts`, one after the other, their buffers shared."""
        shifts = [0, *itertools.accumulate(part._offsets[-1] for part in parts)]
        pieces = [piece for part in parts for piece in part._pieces]
        starts = [part._starts + shift for part, shift in zip(parts, shifts, strict=False)]
        ends = [part._ends + shift for part, shift in zip(parts, shifts, strict=False)]
        empty = np.zeros(0, dtype=_POSITIONS)
        return cls(pieces, np.concatenate([empty, *starts]), np.concatenate([empty, *ends]))

    def saved(self) -> tuple[list[np.ndarray], np.ndarray]:
        """The strings' bytes in order, as views of the buffers (runs of neighbouring strings
        in one view), and where each string ends in them laid end to end: what
        `laid_end_to_end` reads back."""
        starts, ends = self._starts, self._ends
        lengths = ends - starts
        if not lengths.any():
            return [], np.cumsum(lengths)
        piece = np.searchsorted(self._offsets, starts, side="right") - 1
        apart = (starts[1:] != ends[:-1]) | (piece[1:] != piece[:-1])
        breaks = (np.flatnonzero(apart) + 1).tolist()
        views = []
        for first, after in zip([0, *breaks], [*breaks, starts.size], strict=True):
            number = min(int(piece[first]), len(self._pieces) - 1)  # "" at the very end
            offset = self._offsets[number]
            begin, end = int(starts[first]) - offset, int(ends[after - 1]) - offset
            views.append(self._pieces[number][begin:end])
        return [view for view in views if view.size], np.cumsum(lengths)


class Span(Sequence[str]):
    """The strings `start` to `end` of a `Texts`, decoded when read: an article's passages."""

    __slots__ = ("_end", "_start", "_texts")

    def __init__(self, texts: Texts, start: int, end: int):
        self._texts, self._start, self._end = texts, start, end

    def __len__(self) -> int:
        return self._end - self._start

    @overload
    def __getitem__(self, at: int) -> str: ...

    @overload
    def __getitem__(self, at: slice) -> list[str]: ...

    def __getitem__(self, at: int | slice) -> str | list[str]:
        positions = range(self._start, self._end)[at]
        if isinstance(positions, range):
            return [self._texts[position] for position in positions]
        return self._texts[positions]

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same strings: a parsed article's tuple of texts."""
        return isinstance(other, Sequence) and list(self) == list(other)

    def __hash__(self) -> int:
        return hash(tuple(self))


_NONE = ""  # a URL or date an article's file does not state: never a valid one
# The `Articles` columns that are strings, held as `Texts`.
TEXT_COLUMNS = ("sources", "titles", "digests", "urls", "published", "texts")


@dataclass(frozen=True, eq=False)
class Articles(Sequence[Article]):
    """A snapshot's articles, in order, and their passages laid end to end: columns of
    `Texts` and arrays. `Article` objects are made on demand (their texts a `Span`)."""

    sources: Texts
    titles: Texts
    digests: Texts
    urls: Texts  # _NONE where the file states none
    published: Texts  # _NONE where the file states none
    starts: np.ndarray  # int64, per article: the position of its first passage, ascending
    paragraphs: np.ndarray  # int32, per passage: its 1-based paragraph in its article
    texts: Texts  # per passage

    @classmethod
    def of(cls, articles: Sequence[Article]) -> Articles:
        sizes = [len(article.texts) for article in articles]
        return cls(
            Texts.of(article.source for article in articles),
            Texts.of(article.title for article in articles),
            Texts.of(article.digest for article in articles),
            Texts.of(article.provenance.url or _NONE for article in articles),
            Texts.of(article.provenance.published or _NONE for article in articles),
            _starts_of(np.cumsum(sizes, dtype=_POSITIONS)),
            np.fromiter(
                (n for article in articles for n in article.paragraph_numbers),
                dtype=np.int32,
                count=sum(sizes),
            ),
            Texts.of(text for article in articles for text in article.texts),
        )

    @property
    def passage_count(self) -> int:
        return len(self.texts)

    def __len__(self) -> int:
        return len(self.sources)

    @overload
    def __getitem__(self, at: int) -> Article: ...

    @overload
    def __getitem__(self, at: slice) -> list[Article]: ...

    def __getitem__(self, at: int | slice) -> Article | list[Article]:
        if isinstance(at, slice):
            return [self._article(number) for number in range(len(self))[at]]
        return self._article(range(len(self))[at])

    def __iter__(self) -> Iterator[Article]:
        return map(self._article, range(len(self)))

    def span(self, number: int) -> tuple[int, int]:
        """[start, end) positions of article `number`'s passages."""
        starts = self._starts_list
        return starts[number], starts[number + 1] if number + 1 < len(starts) else len(self.texts)

    def number_at(self, position: int) -> int:
        """The number of the article holding passage `position`."""
        return bisect.bisect_right(self._starts_list, position) - 1

    @functools.cached_property
    def _starts_list(self) -> list[int]:
        """`starts` for `bisect`: numpy's `searchsorted` costs more for one position."""
        return self.starts.tolist()

    def is_headline(self, position: int) -> bool:
        """Whether passage `position` is its article's headline line (`Passage.is_headline`)."""
        if self.paragraphs.item(position) != 1:
            return False
        return self.texts[position] == self.titles[self.number_at(position)]

    def provenance(self, number: int) -> Provenance:
        return Provenance(self.urls[number] or None, self.published[number] or None)

    def _article(self, number: int) -> Article:
        start, end = self.span(number)
        return Article(
            self.sources[number],
            self.titles[number],
            Span(self.texts, start, end),
            tuple(self.paragraphs[start:end].tolist()),
            self.digests[number],
            self.provenance(number),
        )

    def sizes(self) -> np.ndarray:
        """How many passages each article has."""
        return np.diff(np.append(self.starts, self.passage_count))

    def positions_of(self, numbers: np.ndarray) -> np.ndarray:
        """The positions of the passages of the articles `numbers`, in that order."""
        sizes = self.sizes()[numbers]
        firsts = np.repeat(self.starts[numbers] - np.cumsum(sizes) + sizes, sizes)
        return firsts + np.arange(int(sizes.sum()), dtype=_POSITIONS)

    def taking(self, numbers: np.ndarray) -> Articles:
        """The articles `numbers` (ascending), and their passages: nothing is copied but
        positions."""
        if numbers.size == len(self):  # all of them, in order
            return self
        sizes = self.sizes()[numbers]
        positions = self.positions_of(numbers)
        return Articles(
            self.sources.taking(numbers),
            self.titles.taking(numbers),
            self.digests.taking(numbers),
            self.urls.taking(numbers),
            self.published.taking(numbers),
            _starts_of(np.cumsum(sizes, dtype=_POSITIONS)),
            self.paragraphs[positions],
            self.texts.taking(positions),
        )

    @classmethod
    def joined(cls, parts: Sequence[Articles]) -> Articles:
        """The articles of `parts`, one after the other, their texts' buffers shared."""
        counts = [0, *itertools.accumulate(part.passage_count for part in parts)]
        starts = [part.starts + count for part, count in zip(parts, counts, strict=False)]
        columns = {
            column: Texts.joined([getattr(part, column) for part in parts])
            for column in TEXT_COLUMNS
        }
        return cls(
            starts=np.concatenate([np.zeros(0, dtype=_POSITIONS), *starts]),
            paragraphs=np.concatenate(
                [np.zeros(0, dtype=np.int32), *(p.paragraphs for p in parts)]
            ),
            **columns,
        )


@dataclass(frozen=True, eq=False)
class Passages(Sequence[Passage]):
    """The passages of `articles`, each made when asked for."""

    articles: Articles

    def __len__(self) -> int:
        return self.articles.passage_count

    @overload
    def __getitem__(self, at: int) -> Passage: ...

    @overload
    def __getitem__(self, at: slice) -> list[Passage]: ...

    def __getitem__(self, at: int | slice) -> Passage | list[Passage]:
        if isinstance(at, slice):
            return [self._passage(position) for position in range(len(self))[at]]
        return self._passage(range(len(self))[at])

    def __iter__(self) -> Iterator[Passage]:
        return map(self._passage, range(len(self)))

    def _passage(self, position: int) -> Passage:
        articles = self.articles
        number = articles.number_at(position)
        return Passage(
            articles.sources[number],
            articles.paragraphs.item(position),
            articles.titles[number],
            articles.texts[position],
            articles.provenance(number),
        )
