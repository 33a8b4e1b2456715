"""`segment` against pyvi itself: the same output for every text, hostile ones included."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import pyvi
from hypothesis import given, settings
from hypothesis import strategies as st
from pyvi.ViTokenizer import ViTokenizer

from retrieval.index.corpus import load_articles
from retrieval.language import segment as segmentation
from retrieval.language.pyvi_model import (
    CrfModel,
    Lexicon,
    ModelError,
    crfsuite_file,
    installed,
)
from retrieval.language.segment import Segmenter, segment, segment_all
from retrieval.language.text import fold
from tests.conftest import PROJECT_DIR, SEEDS_DIR, SHARED_EVAL_DIR, printed_by

PYVI_MODELS = Path(pyvi.__file__).parent / "models"
HOSTILE = [
    "",
    "   \t ",
    "\n\n",
    "a\x00b \x00 http://x.vn/\x00y",
    "\x01\x02\x1b[31mđỏ\x1b[0m\x7f\x85\u2028\x1c",
    "Bí thư\u200b Thành\ufeff ủy\u00ad TPHCM",
    "ạ" * 10_000,
    "Nguyễn" + "x" * 10_000 + " văn",
    "😀 Hà Nội 🇻🇳 ❤️ đẹp lắm 👍🏽",
    "Москва và 北京 và القاهرة và Αθήνα ΣΑΣ",
    "ǅ ǈ İstanbul ß ﬁ Ⅻ ² ٣ ① ",
    "e\u0301 \u0301\u0300 a\u0323\u0302",  # decomposed marks, lone combining marks
    "TP. HCM, Tp. Hà Nội, Mr. A, ThS. B... ==> -> >> a@b.vn 1.000,5 2_3",
    "THÀNH PHỐ HỒ CHÍ MINH TỔ CHỨC HỘI NGHỊ SƠ KẾT",
    "bi thu thanh uy tphcm nguyen van nen chu tri hoi nghi",
    "!!!???...,,,;;;---___'''\"\"\"",
    "a" + "_" * 50 + "b",
]


def pyvi(text: str) -> str:
    return str(ViTokenizer.tokenize(text))


def variants(text: str) -> list[str]:
    """A text as written, in lower case, in capitals and without its marks."""
    return [text, text.lower(), text.upper(), fold(text)]


def texts_of(folder: Path) -> list[str]:
    """Every article file of `folder` as it is, and every passage of it as indexed."""
    files = [path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.txt"))]
    passages = [text for article in load_articles(folder) for text in article.texts]
    return [variant for text in files + passages for variant in variants(text)]


def questions_of(folder: Path) -> list[str]:
    lines = (line for path in folder.glob("*.jsonl") for line in path.read_text().splitlines())
    return [variant for line in lines for variant in variants(json.loads(line)["question"])]


def differences(texts: list[str]) -> list[str]:
    ours = segment_all(texts)
    return [text for text, mine in zip(texts, ours, strict=True) if mine != pyvi(text)]


def test_the_seed_articles_segment_as_pyvi_does() -> None:
    assert differences(texts_of(SEEDS_DIR)) == []


@pytest.mark.parametrize("text", HOSTILE)
def test_a_hostile_text_segments_as_pyvi_does(text: str) -> None:
    for variant in variants(text):
        assert segment(variant) == pyvi(variant)


_SYLLABLES = [line for line in (PYVI_MODELS / "words.txt").read_text().split() if line][:3000]
_PIECES = st.one_of(
    st.sampled_from(_SYLLABLES).map(lambda s: s.title() if len(s) % 3 == 0 else s),
    st.sampled_from([" ", "  ", "\n", ", ", ". ", "_", "-", "...", "==>", "Tp.", "TP.", "@"]),
    st.sampled_from(["Mr.", "http://a.b/c", "x@y.vn", "1.000", "2,5", "07", "Đ.", "\x00", "😀"]),
    st.characters(exclude_categories=["Cs"]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_any_text_segments_as_pyvi_does(text: str) -> None:
    assert segment(text) == pyvi(text)
    assert segment(text.upper()) == pyvi(text.upper())


@settings(max_examples=30, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=30).map("".join), min_size=2, max_size=48))
def test_many_texts_at_once_segment_as_pyvi_does(texts: list[str]) -> None:
    """Viterbi runs on all of them together (`segment._forward`)."""
    assert segment_all([*texts, *HOSTILE]) == [pyvi(text) for text in [*texts, *HOSTILE]]


_SCORES = st.integers(-3, 3).map(float)  # few values: paths that score the same are common


def plain_viterbi_steps(
    state0: list[float], state1: list[float], transitions: list[list[float]]
) -> list[int]:
    """crfsuite's forward pass for two labels, one syllable at a time: the reference."""
    (t00, t01), (t10, t11) = transitions
    best0, best1 = state0[0], state1[0]
    steps = []
    for score0, score1 in zip(state0[1:], state1[1:], strict=True):
        stay, cross, enter, go_on = best0 + t00, best1 + t10, best0 + t01, best1 + t11
        steps.append((stay < cross) + 2 * (enter < go_on))
        best0 = (cross if stay < cross else stay) + score0
        best1 = (go_on if enter < go_on else enter) + score1
    return [*steps, 3 if best0 < best1 else 0]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.lists(st.tuples(_SCORES, _SCORES), max_size=12), max_size=40),
    st.lists(_SCORES, min_size=4, max_size=4),
)
def test_viterbi_on_all_texts_at_once_is_viterbi_on_each(
    texts: list[list[tuple[float, float]]], transitions: list[float]
) -> None:
    """The same steps to the last tie, texts laid out as `Segmenter.segment_all` lays them
    out: between boundary rows."""
    columns: list[tuple[float, float]] = [(0.0, 0.0)]
    spans = []
    for text in texts:
        spans.append((len(columns), len(columns) + len(text)))
        columns += [*text, (0.0, 0.0)]
    scores = np.array(columns).T
    weights = [transitions[:2], transitions[2:]]
    expected = np.zeros(len(columns), np.intp)
    for start, end in spans:
        if end > start:
            state0, state1 = scores[:, start:end].tolist()
            expected[start:end] = plain_viterbi_steps(state0, state1, weights)
    assert segmentation._forward(scores, spans, weights).tolist() == expected.tolist()


def test_a_lone_surrogate_weighs_nothing_where_pyvi_raises() -> None:
    """pyvi cannot hand crfsuite a lone surrogate (UTF-8 has none: the binding fails with a
    SystemError over a UnicodeEncodeError); `segment` weighs it as a character the model never
    saw, as pyvi does a private-use one."""
    text = "Thành \ud800 ủy TP\udfffHCM http://a\udc00b"
    with pytest.raises(SystemError) as raised:
        pyvi(text)
    assert isinstance(raised.value.__context__, UnicodeEncodeError)
    surrogates, private = "\ud800\udfff\udc00", "\ue000\ue001\ue002"
    readable = text.translate(str.maketrans(surrogates, private))
    assert segment(text) == pyvi(readable).translate(str.maketrans(private, surrogates))


def test_segmenting_several_texts_at_once_is_segmenting_each() -> None:
    texts = ["", "Bí thư Thành ủy", "  ", "TPHCM\nHà Nội", "!", "hội nghị sơ kết"]
    assert segment_all(texts) == [segment(text) for text in texts]
    assert segment_all([]) == []


def test_caches_that_fill_up_start_again_and_change_nothing(monkeypatch) -> None:
    monkeypatch.setattr(segmentation, "CACHE_BYTES", 20_000)
    fresh = Segmenter(*installed())
    texts = [text for article in load_articles(SEEDS_DIR) for text in article.texts]
    assert [fresh.segment(text) for text in texts] == [pyvi(text) for text in texts]
    assert len(fresh._syllables.names) < 200  # it did start again


def test_the_word_list_tells_where_pairs_and_triples_of_syllables_are_words() -> None:
    lexicon = Lexicon.of("hà nội\nthành phố hồ\nhồ chí minh\nnội\n")
    syllables = ["ở", "hà", "nội", "hồ", "chí", "minh"]
    ids = [lexicon.ids.get(syllable, lexicon.unlisted) for syllable in syllables]
    pairs, triples = lexicon.words(np.array(ids, np.int64))
    assert pairs.tolist() == [False, True, False, False, False]
    assert triples.tolist() == [False, False, False, True]
    alone = Lexicon.of("hà nội\n")  # no three-syllable word at all
    pairs, triples = alone.words(np.array([alone.ids["hà"], alone.ids["nội"], 0], np.int64))
    assert pairs.tolist() == [True, False] and triples.tolist() == [False]


def test_the_model_read_is_the_file_pyvi_hands_crfsuite() -> None:
    pickled = (PYVI_MODELS / "pyvi3.pkl").read_bytes()
    with open(ViTokenizer.model.modelfile.name, "rb") as opened:
        assert crfsuite_file(pickled) == opened.read()


def test_a_model_laid_out_otherwise_is_refused() -> None:
    with pytest.raises(ModelError):
        crfsuite_file(pickle.dumps({"modelfile": None}))
    with pytest.raises(ModelError):
        CrfModel.of_crfsuite(b"nope" * 20)


def _corpora() -> list[Path]:
    external = SHARED_EVAL_DIR / "external" / "vinewsqa_train"
    folders = [PROJECT_DIR / "eval" / "encyclopedia", PROJECT_DIR / "eval" / "regulation"]
    return [*folders, external]


@pytest.mark.slow  # about a minute: pyvi on every text of the corpora, four ways
@pytest.mark.parametrize("folder", _corpora(), ids=lambda folder: folder.name)
def test_the_dev_corpora_and_questions_segment_as_pyvi_does(folder: Path) -> None:
    if not folder.exists():
        pytest.skip(f"{folder} is not on this machine")
    assert differences(texts_of(folder / "corpus") + questions_of(folder)) == []


@pytest.mark.slow  # pyvi on every question, four ways
def test_the_shared_dev_questions_segment_as_pyvi_does() -> None:
    if not SHARED_EVAL_DIR.exists():
        pytest.skip(f"{SHARED_EVAL_DIR} is not on this machine")
    assert differences(questions_of(SHARED_EVAL_DIR)) == []


@pytest.mark.slow  # a process of its own
def test_indexing_and_answering_import_neither_pyvi_nor_sklearn(tmp_path) -> None:
    script = (
        "import sys; from pathlib import Path\n"
        "from retrieval.index.indexer import load_index\n"
        "from retrieval.reply.answer import answer\n"
        f"index = load_index(Path({str(SEEDS_DIR)!r}), Path({str(tmp_path)!r}))\n"
        "print(answer('bi thu thanh uy tphcm la ai', index).answered)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sklearn', 'pyvi.'))))\n"
    )
    assert printed_by(script)[:2] == ["True", "[]"]
