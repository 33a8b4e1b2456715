import pytest

from retrieval.language.text import (
    comparable,
    fold,
    has_diacritics,
    normalize,
    place_tone,
    sentences,
)


@pytest.mark.parametrize(
    ("new_style", "old_style"),
    [("Thành uỷ", "Thành ủy"), ("hoà", "hòa"), ("khoẻ", "khỏe"), ("thuỷ", "thủy"), ("Uỷ", "Ủy")],
)
def test_both_tone_placements_normalise_to_one_form(new_style: str, old_style: str) -> None:
    assert normalize(new_style) == normalize(old_style) == old_style


@pytest.mark.parametrize(
    "word", ["quốc", "giữ", "gìn", "người", "Hoàng", "thuyết", "ngoài", "khuỷu", "quý", "toán"]
)
def test_canonical_words_are_left_as_they_are(word: str) -> None:
    assert place_tone(word) == word


def test_decomposed_input_is_composed() -> None:
    decomposed = "Tha\u0300nh u\u0309y"  # combining grave and hook
    assert normalize(decomposed) == "Thành ủy"


def test_invisible_and_control_characters_are_removed() -> None:
    assert normalize("Thành\u200b ủy\x00 \u202eTP") == "Thành ủy TP"


def test_fold_strips_every_mark_including_d_bar() -> None:
    assert fold("Đảng ủy Thành phố Hồ Chí Minh") == "Dang uy Thanh pho Ho Chi Minh"
    assert not has_diacritics("bi thu thanh uy")
    assert has_diacritics("bí thư")


def test_comparable_ignores_case_spacing_and_tone_placement() -> None:
    assert comparable("  Thành  uỷ TPHCM ") == comparable("thành ủy tphcm")


def test_sentences_split_at_sentence_ends_only() -> None:
    text = "Ngày 4-3, Thành ủy tổ chức hội nghị. Đồng chí Nên chủ trì. TP.HCM có 21 quận; huyện ít."
    assert sentences(text) == [
        "Ngày 4-3, Thành ủy tổ chức hội nghị.",
        "Đồng chí Nên chủ trì.",
        "TP.HCM có 21 quận; huyện ít.",
    ]


def test_a_semicolon_between_list_items_ends_no_sentence() -> None:
    text = "Chủ trì có: Nguyễn Văn Nên, Bí thư; Phan Văn Mãi, Phó Bí thư. Hội nghị bế mạc."
    assert sentences(text)[0].endswith("Phan Văn Mãi, Phó Bí thư.")


def test_a_quote_and_its_attribution_are_one_sentence() -> None:
    text = "“Đó là danh dự.” - Bí thư Nguyễn Văn Nên nói. - Mục hai bắt đầu."
    assert sentences(text) == [
        "“Đó là danh dự.” - Bí thư Nguyễn Văn Nên nói.",
        "- Mục hai bắt đầu.",
    ]


def test_variation_selectors_and_lone_surrogates_are_dropped() -> None:
    assert normalize("Bí thư\ufe0f Thành ủy\U000e0100") == "Bí thư Thành ủy"
    assert normalize("câu hỏi \ud800lỗi") == "câu hỏi lỗi"
    normalize("x\udfff").encode("utf-8")  # no lone surrogate left to break sending


def test_file_names_are_shown_without_control_or_bidi_characters() -> None:
    from retrieval.language.text import shown_name

    assert shown_name("bai\u202eviet.txt") == "bai\\u202eviet.txt"
    assert shown_name("a\x1b[31mb.txt") == "a\\u001b[31mb.txt"
    assert shown_name("bài viết.txt") == "bài viết.txt"
