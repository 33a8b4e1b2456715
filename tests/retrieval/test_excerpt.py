from retrieval.index.bm25 import Bm25
from retrieval.language.tokens import analyze, wording_pairs
from retrieval.question.information import matched_terms, wanted_terms
from retrieval.reply.excerpt import FIRST_EXCERPT_CHARS, MAX_EXCERPT_CHARS, make_excerpt

PASSAGE = (
    "Sáng 4-3, Thành ủy tổ chức hội nghị sơ kết Thông tri 18. "
    "Chủ trì có các đồng chí: Nguyễn Văn Nên, Bí thư; Phan Văn Mãi, Phó Bí thư. "
    "Mưa lớn kéo dài suốt buổi chiều ở nhiều quận."
)


OTHERS = ("Giá xăng giảm mạnh.", "Đội tuyển thắng trận.", "Trời nắng nóng.", "Chợ đông khách.")


def _bm25(passage: str) -> Bm25:
    return Bm25.build([analyze(text).all() for text in (passage, *OTHERS)])


def test_the_sentences_after_the_best_match_are_shown_while_they_fit() -> None:
    question = analyze("hội nghị sơ kết Thông tri 18")
    excerpt = make_excerpt(PASSAGE, question, _bm25(PASSAGE))
    assert excerpt.text.startswith("Sáng 4-3")
    assert "Phan Văn Mãi, Phó Bí thư." in excerpt.text  # the list after ";" is kept whole
    assert excerpt.text.endswith("Mưa lớn kéo dài suốt buổi chiều ở nhiều quận.")
    longer = f"{PASSAGE} {'Nước ngập sâu ở nhiều tuyến đường trung tâm. ' * 6}".strip()
    excerpt = make_excerpt(longer, question, _bm25(longer))
    assert excerpt.text.startswith("Sáng 4-3") and len(excerpt.text) <= MAX_EXCERPT_CHARS
    assert "…" not in excerpt.text  # whole sentences, as many as fit


def test_a_larger_room_shows_more_of_the_sentences_after_the_best_run() -> None:
    tail = " ".join(
        f"Nước ngập sâu ở {n} tuyến đường trung tâm thành phố suốt buổi chiều."
        for n in range(2, 12)
    )
    passage = f"{PASSAGE} {tail}"
    question, bm25 = analyze("hội nghị sơ kết Thông tri 18"), _bm25(passage)
    short = make_excerpt(passage, question, bm25)
    long = make_excerpt(passage, question, bm25, room=FIRST_EXCERPT_CHARS)
    assert short.text.startswith("Sáng 4-3") and long.text.startswith("Sáng 4-3")
    assert long.text.startswith(short.text) and "…" not in long.text
    assert MAX_EXCERPT_CHARS < len(long.text) <= FIRST_EXCERPT_CHARS


def test_the_sentence_after_is_left_out_when_it_would_not_fit() -> None:
    long_tail = "Đoàn công tác gồm " + ", ".join(["cán bộ các phường"] * 30) + "."
    passage = f"Thành ủy tổ chức hội nghị sơ kết Thông tri 18. {long_tail}"
    excerpt = make_excerpt(passage, analyze("hội nghị sơ kết"), _bm25(passage))
    assert excerpt.text == "Thành ủy tổ chức hội nghị sơ kết Thông tri 18."
    assert len(long_tail) > MAX_EXCERPT_CHARS


def test_a_question_word_counts_where_its_syllables_stand_with_their_marks() -> None:
    wanted = wanted_terms(analyze("bí thư thành ủy"))
    assert "bí_thư" in matched_terms("Ông là Bí thư Thành ủy.", wanted)
    found = matched_terms("Ông bị thu hồi bằng.", wanted)
    assert "bí_thư" not in found and "^bi_thu" in found  # the folded pair still matches


def test_numbers_match_in_the_one_form_the_index_keeps() -> None:
    wanted = wanted_terms(analyze("khóa 11 chi 1.200 tỷ"))
    assert {"~11", "~1200"} <= matched_terms("HĐND khóa XI chi 1200 tỷ đồng.", wanted)
    filler = " ".join(["Buổi họp kéo dài đến chiều tối ở hội trường lớn của thành phố."] * 4)
    passage = f"Khóa X họp ở quận Ba. {filler} Khóa XI họp ở quận Năm. {filler}"
    assert "Khóa XI" in make_excerpt(passage, analyze("khóa 11 họp ở đâu"), _bm25(passage)).text


def test_the_sentence_with_the_question_words_as_written_is_chosen() -> None:
    # Both long sentences hold the same folded syllables; only one holds the words themselves.
    filler = " ".join(["Buổi họp kéo dài đến chiều tối ở hội trường lớn của thành phố."] * 4)
    passage = f"Anh bị thu xe ở quán ăn. {filler} Ông là bí thư ở quận Ba. {filler}"
    excerpt = make_excerpt(passage, analyze("bí thư ở quận"), _bm25(passage))
    assert "Ông là bí thư" in excerpt.text


def test_of_runs_holding_the_same_question_words_the_one_worded_like_the_question_leads() -> None:
    # Both sentences hold "Quynh" and nothing else of the question; only the first repeats
    # its wording ("Ông Quynh bị"), as the sentence a question was written from does.
    filler = " ".join(["Buổi họp kéo dài đến chiều tối ở hội trường lớn của thành phố."] * 4)
    passage = f"Ông Quynh bị ung thư dạ dày. {filler} Nhiều người nhớ Quynh. {filler}"
    question = "Ông Quynh bị gì?"
    excerpt = make_excerpt(passage, analyze(question), _bm25(passage), wording_pairs(question))
    assert excerpt.text.startswith("Ông Quynh bị ung thư")
    without_wording = make_excerpt(passage, analyze(question), _bm25(passage))
    # without the wording, the two tie and the shorter run wins
    assert without_wording.text.startswith("Nhiều người nhớ Quynh")
