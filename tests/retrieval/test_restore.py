from itertools import product
from math import exp, fsum

from retrieval.language.restore import (
    Vocabulary,
    correct_typos,
    reading_certainty,
    restore_diacritics,
    within_edits,
)

CORPUS = [
    "Bí thư Thành ủy dự hội nghị.",
    "Đồng chí Lê Thanh Liêm, Trưởng Ban Nội chính Thành ủy.",
    "Thành ủy tổ chức lễ ký kết. Thanh niên tham gia.",
    "Bà Lê Thị Thanh là đại biểu.",
]


def vocabulary() -> Vocabulary:
    return Vocabulary.of(CORPUS)


def test_bare_question_is_spelled_as_the_corpus_spells_it() -> None:
    assert restore_diacritics("bi thu thanh uy la ai", vocabulary()) == "bí thư thành ủy là ai"


def test_the_neighbouring_syllable_decides_between_forms() -> None:
    restored = restore_diacritics("le thanh liem truong ban noi chinh", vocabulary())
    assert restored == "lê thanh liêm trưởng ban nội chính"


def test_case_is_kept_and_unknown_words_are_left_alone() -> None:
    assert restore_diacritics("THANH UY Hai Phong", vocabulary()) == "THÀNH ỦY Hai Phong"


def test_accented_question_keeps_its_bare_words_that_the_corpus_also_writes_bare() -> None:
    question = "Đồng chí Thanh là ai?"
    assert restore_diacritics(question, vocabulary()) == question


def test_partial_diacritics_restore_only_the_bare_words() -> None:
    restored = restore_diacritics("Truong Ban Nội chính Thanh ủy", vocabulary())
    assert restored == "Trưởng Ban Nội chính Thành ủy"


def test_an_accented_question_keeps_a_bare_name_the_corpus_lacks() -> None:
    vocabulary = Vocabulary.of(["thế trận lòng dân vững chắc", "Bí thư Tỉnh ủy"])
    restored = restore_diacritics("Ai là Bí thư Tỉnh ủy Long An?", vocabulary)
    assert restored == "Ai là Bí thư Tỉnh ủy Long An?"


def test_a_bare_word_the_corpus_writes_bare_needs_more_than_one_neighbour_to_respell() -> None:
    vocabulary = Vocabulary.of(
        ["Xe chở bao gạo.", "Tặng quà cho em.", "Hoa tượng trưng cho tình yêu."]
    )
    question = "Mâm ngũ quả tượng trưng cho bao nhiêu yếu tố?"
    assert restore_diacritics(question, vocabulary) == question
    twice = Vocabulary.of(["Xe chở bao gạo. Thuyền chở bao muối.", "Tặng quà cho em."])
    assert restore_diacritics("Xe tải chở ít, thuyền cho bao?", twice).endswith("chở bao?")


def test_a_word_typed_with_marks_is_never_changed() -> None:
    vocabulary = Vocabulary.of(["Nhiệt độ lạ.", "Bệnh nhân xuất hiện triệu chứng. Độ la."])
    assert restore_diacritics("Giá đô la tăng", vocabulary) == "Giá đô la tăng"
    assert restore_diacritics("xuất hiên triệu chứng", vocabulary) == "xuất hiên triệu chứng"


BRAIN = Vocabulary.of(
    ["Bệnh não do vi khuẩn. Bệnh não ở trẻ. U não lành tính. Máy bay hạ cánh. Máy bay cất cánh."]
)


def test_question_words_typed_bare_are_question_words() -> None:
    # The corpus writes "não", "máy" and "nhiều", never "nào", "mấy" or "bao nhiêu".
    assert restore_diacritics("loai thuoc nao", BRAIN).endswith("nào")
    assert restore_diacritics("co may nguoi", BRAIN).split()[1] == "mấy"
    many = Vocabulary.of(["Có nhiều người đến. Nhiều người ở lại."])
    assert restore_diacritics("bao nhieu nguoi", many) == "bao nhiêu người"


def test_a_function_word_beside_a_question_word_is_no_evidence() -> None:
    # The corpus writes "não có" (brain has…) often; "nào có" (which … has) still means which.
    brain_has = Vocabulary.of(["Não có nhiều nếp. Não có hai bán cầu. Não có vỏ."])
    assert restore_diacritics("nhung nguoi nao co nguy co", brain_has).split()[2] == "nào"


def test_a_question_word_gives_way_to_a_spelling_its_neighbours_stand_beside() -> None:
    assert restore_diacritics("benh nao", BRAIN) == "bệnh não"
    assert restore_diacritics("may bay ha canh", BRAIN) == "máy bay hạ cánh"


def test_a_question_marked_where_marks_can_go_keeps_its_bare_words() -> None:
    vocabulary = Vocabulary.of(["Cả nhà đều khỏe. Cả lớp đi học. Ca nhiễm mới."])
    # Four of the six syllables could carry marks ("Covid", "19" cannot); three do.
    assert restore_diacritics("Covid-19 có bao nhiêu ca nhiễm?", vocabulary).count(" ca ") == 1


def test_within_edits_counts_insertions_deletions_and_replacements() -> None:
    assert within_edits("yamunagar", "yamunanagar", 2) and not within_edits(
        "yamunagar", "yamunanagar", 1
    )
    assert within_edits("kitten", "sitting", 3) and not within_edits("kitten", "sitting", 2)
    assert within_edits("abc", "abc", 0) and not within_edits("abc", "xbc", 0)


def test_a_long_word_the_corpus_never_writes_takes_the_one_spelling_a_typo_away() -> None:
    vocabulary = Vocabulary.of(["Thuốc metformin hạ đường huyết", "Stephanie Hopper mắc bệnh"])
    assert correct_typos("Metfomin là gì?", vocabulary) == "Metformin là gì?"
    assert correct_typos("Stephanine Hopper", vocabulary) == "Stephanie Hopper"  # two edits
    assert correct_typos("metformin là gì", vocabulary) == "metformin là gì"  # known: kept
    assert correct_typos("Stephanie Hoppxy", vocabulary) == "Stephanie Hoppxy"  # two: too short


def test_a_letter_moved_in_a_long_word_is_a_typo_too() -> None:
    vocabulary = Vocabulary.of(["Albert Einstein sinh ra ở Ulm", "Bill Gates"])
    assert correct_typos("Einstien sinh ra ở đâu", vocabulary) == "Einstein sinh ra ở đâu"
    assert correct_typos("Bill Gaets", vocabulary) == "Bill Gaets"  # five letters: too short


def test_typo_correction_leaves_numbers_short_words_and_ties_alone() -> None:
    vocabulary = Vocabulary.of(["Năm 2018 có 12345 ca", "mạng lưới nhà thuốc", "hotel motel"])
    assert correct_typos("năm 2019 có 12346 ca", vocabulary) == "năm 2019 có 12346 ca"
    assert correct_typos("mạng lướt", vocabulary) == "mạng lướt"  # under five letters
    assert correct_typos("xotel", vocabulary) == "xotel"  # hotel or motel: no one spelling


def test_a_word_typed_with_marks_is_not_corrected() -> None:
    vocabulary = Vocabulary.of(["Thuốc metformin hạ đường huyết"])
    assert correct_typos("Métfomin là gì", vocabulary) == "Métfomin là gì"


ANIMALS_AND_DAYS = Vocabulary.of(
    ["Con thú dữ.", "Con thú hoang.", "Con gà.", "Con thứ hai.", *["Thứ ba tới."] * 3]
)


def test_a_bare_question_is_read_as_the_likeliest_sequence_of_spellings() -> None:
    assert restore_diacritics("con thu du", ANIMALS_AND_DAYS) == "con thú dữ"
    assert restore_diacritics("con thu ba", ANIMALS_AND_DAYS) == "con thứ ba"
    restored = restore_diacritics("con thu ba con thu du", ANIMALS_AND_DAYS)
    assert restored == "con thứ ba con thú dữ"


def test_a_word_in_capitals_is_an_abbreviation_meant_as_typed() -> None:
    vocabulary = Vocabulary.of(["Báo cáo từ tỉnh.", "Từ đó."])
    assert restore_diacritics("bao cao Nghi quyet 03-NQ/TU", vocabulary).endswith("NQ/TU")
    assert restore_diacritics("Báo cáo Nghị quyết 03-NQ/TU", vocabulary).endswith("NQ/TU")
    assert restore_diacritics("BAO CAO TU TINH", vocabulary) == "BÁO CÁO TỪ TỈNH"


def test_the_vocabulary_counts_what_it_adds_and_removes() -> None:
    vocabulary = Vocabulary.of(["Con thú dữ."])
    vocabulary.add("Con thứ ba.")
    vocabulary.add("Con thú hoang.")
    assert vocabulary.total == 9
    assert (vocabulary.openings["con"], vocabulary.followers["con"]) == (3, 2)
    vocabulary.add("Con thứ ba.", sign=-1)
    vocabulary.add("Con thú hoang.", sign=-1)
    unchanged = Vocabulary.of(["Con thú dữ."])
    assert (vocabulary.total, vocabulary.openings, vocabulary.followers) == (
        unchanged.total,
        unchanged.openings,
        unchanged.followers,
    )
    assert unchanged.followers == {"con": 1, "thú": 1}


def test_a_neighbour_spelled_as_a_content_word_is_evidence_though_its_letters_spell_a_pronoun() -> (
    None
):
    # "ban" (a board, "ban đầu": at first) is evidence; only "bạn" (you) would be a function word
    vocabulary = Vocabulary.of(["Triệu chứng ban đầu là sốt.", "Giai đoạn ban đầu kéo dài."])
    assert (
        restore_diacritics("trieu chung ban dau la gi", vocabulary) == "triệu chứng ban đầu là gì"
    )


def test_posteriors_are_each_spellings_share_of_every_reading() -> None:
    vocabulary = Vocabulary.of(["Thi đua yêu nước. Thì đưa cho mẹ. Thi đua dạy tốt.", "Đưa tin."])
    options = [sorted(vocabulary.forms[s]) for s in ("thi", "dua")]
    weights = {
        reading: exp(vocabulary.follows(None, reading[0]) + vocabulary.follows(*reading))
        for reading in product(*options)
    }
    total = fsum(weights.values())
    posteriors = vocabulary.posteriors(options)
    for at, spellings in enumerate(options):
        for spelled in spellings:
            expected = fsum(w for reading, w in weights.items() if reading[at] == spelled) / total
            assert abs(posteriors[at][spelled] - expected) < 1e-9
        assert abs(fsum(posteriors[at].values()) - 1) < 1e-9


# A health archive: "thi đua" (emulation) is nowhere, "thì đưa" (then take) once.
HEALTH = Vocabulary.of(
    [
        "Bệnh nhân sốt cao thì đưa đến bệnh viện. Bác sĩ khám cho bệnh nhân.",
        "Trẻ sốt cao cần đến bệnh viện ngay. Bác sĩ khuyên uống nhiều nước.",
        "Thì giờ khám bệnh. Thi hành phác đồ. Đua xe gây tai nạn. Đưa trẻ đi khám.",
    ]
)


def test_a_bare_reading_bent_off_the_archives_topics_is_less_sure() -> None:
    on_topic = reading_certainty("benh nhan sot cao", HEALTH)
    bent = reading_certainty("phong trao thi dua", HEALTH)
    assert restore_diacritics("phong trao thi dua", HEALTH).endswith("thì đưa")
    assert bent < on_topic <= 1.0
    assert reading_certainty("bệnh nhân sốt cao", HEALTH) == 1.0  # typed with marks
