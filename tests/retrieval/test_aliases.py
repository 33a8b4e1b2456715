import pytest

from retrieval.language.aliases import alias_table, contract_aliases, fold_aligned


@pytest.mark.parametrize(
    ("text", "contracted"),
    [
        ("Thành phố Hồ Chí Minh", "TPHCM"),
        ("TP.HCM", "TPHCM"),
        ("TP. HCM", "TPHCM"),
        ("tp hcm", "TPHCM"),
        ("Sài Gòn", "TPHCM"),
        ("sai gon", "TPHCM"),
        ("Ủy ban nhân dân tỉnh", "UBND tỉnh"),
        ("uy ban nhan dan", "UBND"),
        ("Hội đồng nhân dân", "HĐND"),
        ("Mặt trận Tổ quốc Việt Nam", "MTTQ"),
        ("Nghị quyết số 03-NQ/TU", "NQ số 03-NQ/TU"),
        ("Ban Chỉ đạo thành phố", "Ban Chỉ đạo TP"),
    ],
)
def test_every_form_of_a_concept_becomes_its_abbreviation(text: str, contracted: str) -> None:
    assert contract_aliases(text) == contracted


@pytest.mark.parametrize(
    "text", ["tư tưởng Hồ Chí Minh", "thành phần", "tuyên truyền", "Trưởng ban", "TPHCMX"]
)
def test_words_that_only_look_alike_are_left_alone(text: str) -> None:
    assert contract_aliases(text) == text


def test_fold_aligned_keeps_one_character_per_character() -> None:
    text = "Đảng ủy Quân sự"
    assert len(fold_aligned(text)) == len(text) and fold_aligned(text) == "dang uy quan su"


def test_the_lexicon_covers_more_than_the_seed_articles() -> None:
    abbreviations = set(alias_table().values())
    assert {"UBND", "HĐND", "MTTQ", "TPHCM", "HN", "ĐBQH", "CAND", "NQ", "BHXH"} <= abbreviations
