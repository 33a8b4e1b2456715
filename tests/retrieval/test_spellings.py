"""Same question, any spelling: abbreviations, case, partial diacritics, one-mark typos.
Each mechanism on a made-up corpus, so a rule written for one dev question fails here."""

import pytest

from retrieval.index.search_index import SearchIndex
from retrieval.language.text import fold
from retrieval.reply.answer import answer

ARTICLES = {
    "lam_dong.txt": "Lâm Đồng họp\n\nỦy ban nhân dân tỉnh Lâm Đồng họp bàn kế hoạch trồng rừng "
    "phòng hộ đầu nguồn.\n\nCác đại biểu thống nhất tăng ngân sách cho việc trồng rừng.\n",
    "hdnd.txt": "Kỳ họp HĐND\n\nHĐND huyện Đức Trọng khai mạc kỳ họp thứ bảy bàn về đường giao "
    "thông nông thôn.\n\nBà Trần Thị Vân, Trưởng Ban Dân vận Huyện ủy, phát biểu.\n",
    "tphcm.txt": "Cầu đi bộ\n\nTP.HCM khởi công cầu đi bộ qua sông Sài Gòn vào tháng chín."
    "\n\nNgười dân mong cầu sớm hoàn thành.\n",
    "van.txt": "Văn nghệ\n\nĐội văn nghệ xã biểu diễn chào mừng ngày hội đại đoàn kết.\n",
}


def top(index: SearchIndex, question: str) -> tuple[str, int, float]:
    result = answer(question, index)
    assert result.answered, question
    hit = result.hits[0]
    return hit.source, hit.paragraph, hit.score


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("UBND tỉnh Lâm Đồng bàn kế hoạch gì?", "lam_dong.txt"),
        ("Hội đồng nhân dân huyện Đức Trọng họp về việc gì?", "hdnd.txt"),
        ("Thành phố Hồ Chí Minh khởi công cầu đi bộ khi nào?", "tphcm.txt"),
        ("TP HCM khởi công cầu đi bộ", "tphcm.txt"),
        ("tphcm khoi cong cau di bo", "tphcm.txt"),
    ],
)
def test_either_form_of_an_abbreviation_finds_the_other(index, question, source) -> None:
    assert top(index, question)[0] == source


def test_full_and_short_forms_score_the_same(index) -> None:
    short = top(index, "UBND tỉnh Lâm Đồng trồng rừng")
    full = top(index, "Ủy ban nhân dân tỉnh Lâm Đồng trồng rừng")
    assert short == pytest.approx(full)


@pytest.mark.parametrize(
    "variant",
    ["HĐND HUYỆN ĐỨC TRỌNG KHAI MẠC KỲ HỌP", "Hđnd Huyện Đức Trọng Khai Mạc Kỳ Họp"],
)
def test_capitals_rank_exactly_as_lower_case(index, variant) -> None:
    lower = answer(variant.lower(), index)
    other = answer(variant, index)
    assert [(h.source, h.paragraph, h.score) for h in other.hits] == [
        (h.source, h.paragraph, h.score) for h in lower.hits
    ]


def test_partial_diacritics_rank_like_full_ones(index) -> None:
    full = "Ủy ban nhân dân tỉnh Lâm Đồng họp bàn kế hoạch trồng rừng"
    partial = "Ủy ban nhân dân tinh Lâm Đồng hop ban kế hoạch trong rung"
    assert top(index, partial)[:2] == top(index, full)[:2]
    assert answer(partial, index).understood == full
    assert answer(fold(full), index).understood.lower() == full.lower()


def test_one_mark_typo_matches_the_corpus_word_below_an_exact_match(index) -> None:
    exact = top(index, "kế hoạch trồng rừng phòng hộ")
    typo_result = answer("kế hoạch trồng rưng phòng hộ", index)
    assert typo_result.understood == "kế hoạch trồng rưng phòng hộ"  # a marked word stays
    typo = (typo_result.hits[0].source, typo_result.hits[0].paragraph, typo_result.hits[0].score)
    assert typo[:2] == exact[:2] == ("lam_dong.txt", 2)
    assert typo[2] < exact[2]


def test_a_word_the_corpus_uses_is_never_corrected(index) -> None:
    # "Vân" is a name in the corpus: it must stay, though "vận" is one mark away.
    result = answer("Bà Trần Thị Vân là ai", index)
    assert result.understood == "Bà Trần Thị Vân là ai"
    assert result.hits[0].source == "hdnd.txt"
