"""Near-topic questions on a made-up corpus: any name or number the articles lack is caught."""

import pytest

from retrieval.answer import answer
from retrieval.distinctive import distinctive_units
from retrieval.text import fold

ARTICLES = {
    "festival.txt": "Festival hoa Đà Lạt\n\nUBND tỉnh Lâm Đồng khai mạc Festival hoa Đà Lạt lần "
    "thứ mười vào tối 20/12.\n\nÔng Trần Văn Hiệp, Phó Chủ tịch UBND tỉnh, phát biểu khai mạc.\n",
    "quyet_dinh.txt": "Quyết định 15\n\nQuyết định 15 của UBND tỉnh quy định giá đất ở nông thôn "
    "từ năm 2025.\n",
}


@pytest.mark.parametrize(
    ("covered", "near", "missing"),
    [
        ("Ai khai mạc Festival hoa Đà Lạt?", "Ai khai mạc Festival hoa Nha Trang?", "Nha Trang"),
        (
            "Phó Chủ tịch UBND tỉnh Lâm Đồng là ai?",
            "Phó Chủ tịch UBND tỉnh Khánh Hòa là ai?",
            "Khánh Hòa",
        ),
        ("Quyết định 15 quy định gì?", "Quyết định 16 quy định gì?", "Quyết định 16"),
        ("giá đất nông thôn từ năm 2025", "giá đất nông thôn từ năm 2031", "2031"),
    ],
)
def test_a_missing_name_or_number_turns_an_answer_into_not_covered(
    index, covered, near, missing
) -> None:
    assert answer(covered, index).answered
    result = answer(near, index)
    assert not result.answered and f"«{missing}»" in result.reply
    assert not answer(fold(near), index).answered


def test_units_are_names_numbers_and_abbreviations_not_sentence_capitals() -> None:
    texts = [u.text for u in distinctive_units("Quyết định 15 của UBND tỉnh Lâm Đồng có gì mới?")]
    assert texts == ["Quyết định 15", "UBND", "Lâm Đồng"]
    assert distinctive_units("Ai khai mạc lễ hội?") == []
    assert distinctive_units("AI KHAI MẠC FESTIVAL HOA") == []  # capitals say nothing here
