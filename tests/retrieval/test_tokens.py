from unittest import mock

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from retrieval.language import tokens
from retrieval.language.tokens import (
    BIGRAM_PREFIX,
    SYLLABLE_PREFIX,
    all_terms_of,
    analyze,
    canonical_numbers,
    roman_value,
    segment,
    stopwords,
)


def test_segment_joins_word_syllables_and_drops_punctuation() -> None:
    words = segment("Bí thư Thành ủy TPHCM chủ trì hội nghị.")
    assert "bí_thư" in words and "thành_ủy" in words and "." not in words


def test_texts_analysed_together_get_the_terms_each_gets_alone() -> None:
    texts = ["Bí thư Thành ủy TP.HCM", "", "ỦY BAN NHÂN DÂN ngày 24-12", "khóa XIII, số 05"]
    assert all_terms_of(texts) == [analyze(text).all() for text in texts]


def test_question_words_and_function_words_are_stopwords() -> None:
    for word in ("gì", "nào", "ai", "đâu", "bao_nhiêu", "là", "của", "không"):
        assert word in stopwords()
    terms = analyze("Ai là Bí thư Thành ủy?")
    assert terms.words == ("bí_thư", "thành_ủy")


def test_views_fold_syllables_and_pair_neighbours() -> None:
    terms = analyze("Bí thư Thành ủy")
    assert terms.syllables == ("bi", "thu", "thanh", "uy")
    assert terms.bigrams == ("bi_thu", "thu_thanh", "thanh_uy")
    assert SYLLABLE_PREFIX + "bi" in terms.all() and BIGRAM_PREFIX + "thanh_uy" in terms.all()


def test_upper_case_text_has_the_same_terms_as_lower_case() -> None:
    assert analyze("PHAN VĂN MÃI GIỮ CHỨC VỤ") == analyze("phan văn mãi giữ chức vụ")


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        ("điểm dưới 5,0", "điểm dưới 5.0"),
        ("ngày 24 tháng 12 năm 2020", "ngày 24/12/2020"),
        ("ngày 24-12", "ngày 24/12"),
        ("100g đường", "100 g đường"),
        ("1.200 người", "1200 người"),
        ("Nghị quyết số 05-NQ/TU", "Nghị quyết 5-NQ/TU"),
        ("Đại hội XIII, khóa XI", "Đại hội 13, khóa 11"),
        ("Quân khu VII và thế kỷ XXI", "Quân khu 7 và thế kỷ 21"),
        ("dịch covid19", "dịch Covid-19"),
    ],
)
def test_numbers_dates_and_units_have_one_form(written: str, same_as: str) -> None:
    assert analyze(written) == analyze(same_as)


def test_number_forms_keep_what_differs() -> None:
    assert canonical_numbers("1,5 và 1.500 và 15") == "1.5 và 1500 và 15"
    assert canonical_numbers("H5N1, 0 điểm, 9:05") == "H5N1, 0 điểm, 9:5"
    assert analyze("5,0 điểm") != analyze("50 điểm")
    # one letter may be a letter, and in capitals a Roman-looking word may be a syllable
    assert canonical_numbers("ông X và Chương V") == "ông X và Chương V"
    assert canonical_numbers("bán XI MĂNG, VI KHUẨN LAO") == "bán XI MĂNG, VI KHUẨN LAO"
    assert canonical_numbers("U23 và iPhone15") == "U23 và iPhone 15"


def _every_form_applied(text: str) -> str:
    """`canonical_numbers` with each form looked for in every text, whatever it holds."""
    every_form = tuple((pattern, written, "") for pattern, written, _ in tokens._NUMBER_FORMS)
    with mock.patch.object(tokens, "_NUMBER_FORMS", every_form):
        return canonical_numbers(text)


PIECES = [
    *("5", "05", "12", "2024", "1.500", "0", ",", ".", "/", " ", "  ", "\t", "kg", "g", "ư"),
    *("tháng", "THÁNG", "ThÁng", "năm", "NĂM", "số", "SỐ", "Số", "ſố", "covid", "Điều", "XII"),
]


@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
@example("ngày 5 tháng 12 năm 2024, số 05 và 1,5 kg")
@example("NGÀY 5 THÁNG 12 NĂM 2024, SỐ 05")
@example("5 ThÁng 12 và 5/12 NăM 2024, Nghị quyết ſố 05")
def test_a_number_form_is_skipped_only_where_it_cannot_match(text: str) -> None:
    assert canonical_numbers(text) == _every_form_applied(text)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("II", 2), ("IV", 4), ("VI", 6), ("IX", 9), ("XIV", 14), ("XIX", 19), ("XXXIX", 39)],
)
def test_roman_numerals_have_their_value(numeral: str, value: int) -> None:
    assert roman_value(numeral) == value


@pytest.mark.slow  # a process of its own
def test_segmenting_leaves_no_files_in_the_temp_folder(tmp_path) -> None:
    import os

    from tests.conftest import printed_by

    script = "from retrieval.language.tokens import segment; print(segment('Bí thư Thành ủy'))"
    assert "bí_thư" in printed_by(script, {**os.environ, "TMPDIR": str(tmp_path)})[0]
    assert list(tmp_path.iterdir()) == []


def test_a_numbering_noun_stays_before_its_number() -> None:
    assert "^dieu_30" in analyze("Điều 30 quy định").all()
    assert "điều" not in analyze("một điều quan trọng").words  # "thing": a stopword
    assert analyze("điều").all() == [] and analyze("").all() == []
