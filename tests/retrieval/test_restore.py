from retrieval.restore import Vocabulary, restore_diacritics, within_edits

CORPUS = [
    "Bí thư Thành ủy dự hội nghị.",
    "Đồng chí Lê Thanh Liêm, Trưởng Ban Nội chính Thành ủy.",
    "Thành ủy tổ chức lễ ký kết. Thanh niên tham gia.",
    "Bà Lê Thị Thanh là đại biểu.",
]


def vocabulary() -> Vocabulary:
    return Vocabulary.of(CORPUS)


def test_bare_question_is_spelled_as_the_corpus_spells_it() -> None:
    assert restore_diacritics("bi thu thanh uy la ai", vocabulary()).text == "bí thư thành ủy là ai"


def test_the_neighbouring_syllable_decides_between_forms() -> None:
    restored = restore_diacritics("le thanh liem truong ban noi chinh", vocabulary()).text
    assert restored == "lê thanh liêm trưởng ban nội chính"


def test_case_is_kept_and_unknown_words_are_left_alone() -> None:
    assert restore_diacritics("THANH UY Hai Phong", vocabulary()).text == "THÀNH ỦY Hai Phong"


def test_accented_question_keeps_its_bare_words_that_the_corpus_also_writes_bare() -> None:
    question = "Đồng chí Thanh là ai?"
    assert restore_diacritics(question, vocabulary()).text == question


def test_partial_diacritics_restore_only_the_bare_words() -> None:
    restored = restore_diacritics("Truong Ban Nội chính Thanh ủy", vocabulary()).text
    assert restored == "Trưởng Ban Nội chính Thành ủy"


def test_an_accented_question_keeps_a_bare_name_the_corpus_lacks() -> None:
    vocabulary = Vocabulary.of(["thế trận lòng dân vững chắc", "Bí thư Tỉnh ủy"])
    restored = restore_diacritics("Ai là Bí thư Tỉnh ủy Long An?", vocabulary).text
    assert restored == "Ai là Bí thư Tỉnh ủy Long An?"


def test_a_bare_word_the_corpus_writes_bare_needs_more_than_one_neighbour_to_respell() -> None:
    vocabulary = Vocabulary.of(
        ["Xe chở bao gạo.", "Tặng quà cho em.", "Hoa tượng trưng cho tình yêu."]
    )
    question = "Mâm ngũ quả tượng trưng cho bao nhiêu yếu tố?"
    assert restore_diacritics(question, vocabulary).text == question
    twice = Vocabulary.of(["Xe chở bao gạo. Thuyền chở bao muối.", "Tặng quà cho em."])
    assert restore_diacritics("Xe tải chở ít, thuyền cho bao?", twice).text.endswith("chở bao?")


def test_a_marked_word_is_corrected_only_toward_a_word_written_beside_its_neighbours() -> None:
    vocabulary = Vocabulary.of(["Bình đẳng giới.", "Bệnh nhân xuất hiện triệu chứng."])
    assert restore_diacritics("Đảng viên đi trước", vocabulary).text == "Đảng viên đi trước"
    assert restore_diacritics("xuất hiên triệu chứng", vocabulary).text == "xuất hiện triệu chứng"


def test_within_edits_counts_insertions_deletions_and_replacements() -> None:
    assert within_edits("yamunagar", "yamunanagar", 2) and not within_edits(
        "yamunagar", "yamunanagar", 1
    )
    assert within_edits("kitten", "sitting", 3) and not within_edits("kitten", "sitting", 2)
    assert within_edits("abc", "abc", 0) and not within_edits("abc", "xbc", 0)
