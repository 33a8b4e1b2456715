"""pyvi's word segmentation model, read from pyvi's installed files without importing pyvi.

pyvi ships its CRF as a pickled sklearn-crfsuite `CRF` (`models/pyvi3.pkl`) holding a crfsuite
model file, and its two- and three-syllable words as `models/words.txt`. Importing pyvi
unpickles the CRF (importing scikit-learn) and writes the model file to the temporary folder,
never removing it; `pycrfsuite.Tagger.info` would then give the weights rounded to six
decimals, and cannot parse this model's attribute names. Here the pickle is read by an
unpickler that builds no object of any class, and the crfsuite file by its binary layout
(crfsuite's `crf1d_model.c` and `cqdb.c`): the weights are the very doubles crfsuite uses.
"""

from __future__ import annotations

import codecs
import importlib.resources
import io
import pickle
import struct
from array import array
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from typing import Any

import numpy as np

_FEATURE = np.dtype([("type", "<u4"), ("source", "<u4"), ("target", "<u4"), ("weight", "<f8")])
_STATE, _TRANSITION = 0, 1


class ModelError(ValueError):
    """pyvi's installed model is not laid out as this module reads it."""


class _Inert:
    """Stands for every class pyvi's pickle names: it runs nothing and keeps its state."""

    def __init__(self, *args: object) -> None:
        self.state: Any = args

    def __setstate__(self, state: Any) -> None:
        self.state = state


class _InertUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        return codecs.encode if (module, name) == ("_codecs", "encode") else _Inert


def crfsuite_file(pickled: bytes) -> bytes:
    """The crfsuite model file inside a pickled sklearn-crfsuite CRF."""
    crf = _InertUnpickler(io.BytesIO(pickled)).load()
    try:
        data = crf.state["modelfile"].state["__FILE_RESOURCE_DATA__"]
    except (AttributeError, KeyError, TypeError):
        data = None
    if not isinstance(data, bytes):
        raise ModelError("no crfsuite model file in pyvi's pickled model")
    return data


def _strings(data: bytes, at: int) -> list[str | None]:
    """The keys of the crfsuite string table (CQDB) at `at`, by id; None for one that is not
    UTF-8 (no text crfsuite is given can name it)."""
    magic, _, _, _, count, backward = struct.unpack_from("<4sIIIII", data, at)
    if magic != b"CQDB":
        raise ModelError("crfsuite string table not found")
    keys: list[str | None] = []
    for number, offset in enumerate(struct.unpack_from(f"<{count}I", data, at + backward)):
        key_id, size = struct.unpack_from("<II", data, at + offset)
        if key_id != number:
            raise ModelError("crfsuite string table out of order")
        start = at + offset + 8
        try:
            keys.append(data[start : start + size - 1].decode())
        except UnicodeDecodeError:
            keys.append(None)
    return keys


def _placed(features: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Each feature's weight at (source, target) of a zero array."""
    placed = np.zeros(shape)
    cells = features["source"].astype(np.intp), features["target"].astype(np.intp)
    if len(set(zip(*cells, strict=True))) != len(features):
        raise ModelError("a crfsuite feature is given twice")
    placed[cells] = features["weight"]
    return placed


@dataclass(frozen=True)
class CrfModel:
    """A linear-chain CRF: the weight of each attribute for each label, and of each step from
    one label to the next."""

    labels: tuple[str, ...]
    attributes: dict[str, int]  # name -> row of `weights`
    weights: np.ndarray  # (attributes + 1, labels); the last row, zeros, for unknown attributes
    transitions: np.ndarray  # (labels, labels): from, to

    @classmethod
    def of_crfsuite(cls, data: bytes) -> CrfModel:
        """The model of a crfsuite model file."""
        magic, _, kind, _, _, _, _, features_at, labels_at, attributes_at = struct.unpack_from(
            "<4sI4s7I", data
        )
        if magic != b"lCRF" or kind != b"FOMC":
            raise ModelError("not a crfsuite CRF1d model file")
        labels, names = _strings(data, labels_at), _strings(data, attributes_at)
        magic, _, count = struct.unpack_from("<4sII", data, features_at)
        if magic != b"FEAT" or None in labels:
            raise ModelError("crfsuite features not found")
        features = np.frombuffer(data, _FEATURE, count, features_at + 12)
        weights = _placed(features[features["type"] == _STATE], (len(names) + 1, len(labels)))
        transitions = _placed(features[features["type"] == _TRANSITION], (len(labels),) * 2)
        attributes = {name: row for row, name in enumerate(names) if name is not None}
        return cls(tuple(str(label) for label in labels), attributes, weights, transitions)

    def row(self, attribute: str) -> int:
        """The row of `weights` for `attribute` as crfsuite looks it up: a C string, so cut at
        its first NUL; the zero row when the model does not know it."""
        return self.attributes.get(attribute.partition("\0")[0], len(self.weights) - 1)


def _found(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of `keys` is in `sorted_keys` (ascending), and whether it is there."""
    if not sorted_keys.size:
        return np.zeros(keys.shape, np.intp), np.zeros(keys.shape, bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return at, sorted_keys[at] == keys


@dataclass(frozen=True)
class Lexicon:
    """pyvi's two- and three-syllable words as numbers: each syllable in them has an id (and
    every other syllable the one id `unlisted`); a pair of ids a, b is the key a * size + b,
    and a triple's key extends its first pair's the same way. The keys of the pairs that are
    words or begin a three-syllable one are one sorted array, with which of the two each is,
    and the triples' keys another (a few hundred KB, where ids x ids bitmaps took 9 MB)."""

    ids: dict[str, int]
    pairs: np.ndarray  # sorted keys of the pairs that are words or begin one of three
    pair_is_word: np.ndarray  # bool, by `pairs`
    pair_heads_triple: np.ndarray  # bool, by `pairs`
    triples: np.ndarray  # sorted keys of the three-syllable words

    @classmethod
    def of(cls, text: str) -> Lexicon:
        """pyvi's reading of `words.txt`: a line of two space-separated parts is a pair, of
        three a triple (parts that no syllable can be, such as "", included)."""
        ids: dict[str, int] = {}
        numbered: dict[int, array[int]] = {2: array("q"), 3: array("q")}
        for line in text.split("\n"):
            parts = line.split(" ")
            if len(parts) in numbered:
                numbered[len(parts)].extend(ids.setdefault(part, len(ids)) for part in parts)
        size = len(ids) + 1
        two = np.frombuffer(numbered[2], np.int64).reshape(-1, 2)
        three = np.frombuffer(numbered[3], np.int64).reshape(-1, 3)
        words, heads = two[:, 0] * size + two[:, 1], three[:, 0] * size + three[:, 1]
        pairs = np.union1d(words, heads)
        return cls(
            ids,
            pairs,
            np.isin(pairs, words),
            np.isin(pairs, heads),
            np.unique(heads * size + three[:, 2]),
        )

    @property
    def unlisted(self) -> int:
        """The id of a syllable in no word of the list."""
        return len(self.ids)

    def words(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where syllables i, i+1 make a word of the list, and where i, i+1, i+2 do, for the
        syllables of `ids`."""
        size = len(self.ids) + 1
        heads = ids[:-1] * size + ids[1:]
        at, listed = _found(self.pairs, heads)
        starts = np.flatnonzero(listed[:-1] & self.pair_heads_triple[at[:-1]])
        triples = np.zeros(len(ids) - 2, bool)
        triples[starts] = _found(self.triples, heads[starts] * size + ids[starts + 2])[1]
        return listed & self.pair_is_word[at], triples


def installed() -> tuple[CrfModel, Lexicon]:
    """pyvi's model and word list, from its installed package (pyvi is not imported)."""
    model = CrfModel.of_crfsuite(crfsuite_file((_models() / "pyvi3.pkl").read_bytes()))
    return model, Lexicon.of(word_list())


def word_list() -> str:
    """pyvi's `words.txt`: its two- and three-syllable words, one a line."""
    return (_models() / "words.txt").read_text(encoding="utf-8")


def _models() -> Traversable:
    return importlib.resources.files("pyvi") / "models"
