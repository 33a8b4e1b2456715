import pytest

from bot.telegram.render import MAX_MESSAGE_UNITS, answer_messages, text_messages, utf16_units
from retrieval.reply.answer import Answer, Hit, Tier, answer
from retrieval.reply.excerpt import Excerpt
from tests.fake_bot_api import check_text, parse_telegram_html

HOSTILE = [
    "<b>bold</b> & <script>alert(1)</script>",
    "a < b > c && d",
    "lone < and lone &amp; and &#1234 &nbsp",
    "</i></b><a href='x'>",
    "*markdown* _italic_ `code` [link](http://x)",
    "😀" * 3000,  # astral characters count twice in UTF-16
]


def fake_hit(text: str, marks: tuple = ()) -> Hit:
    return Hit("a<b>.txt", 1, "Tiêu đề <i>&", 1.0, text, Excerpt(text, marks))


def as_answer(*hits: Hit, understood: str = "", restored: bool = False) -> Answer:
    return Answer("q", understood, restored, Tier.ANSWER, hits, "plain")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_to_valid_html_and_round_trips(text: str) -> None:
    (message, *rest) = answer_messages(as_answer(fake_hit(text, ((0, 1),))))
    visible = parse_telegram_html(message)
    assert visible.startswith(text[:1000]) or "…" in visible
    assert "a<b>.txt" in visible and "Tiêu đề <i>&" in visible
    for extra in rest:
        check_text(extra, "HTML")


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_understood_line_and_plain_texts_are_escaped(text: str) -> None:
    for message in answer_messages(as_answer(fake_hit("x"), understood=text, restored=True)):
        check_text(message, "HTML")
    for message in text_messages(text):
        assert parse_telegram_html(message) == text or "…" in parse_telegram_html(message)


def test_long_answers_are_split_between_blocks_never_over_the_limit() -> None:
    hits = tuple(fake_hit(f"đoạn {n} " + "chữ " * 400) for n in range(10))
    messages = answer_messages(as_answer(*hits))
    assert len(messages) > 1
    visible = [check_text(m, "HTML") for m in messages]
    assert all(utf16_units(v) <= MAX_MESSAGE_UNITS for v in visible)
    assert sum(v.count("Nguồn: a<b>.txt") for v in visible) == 10


def test_a_single_block_over_the_limit_is_trimmed() -> None:
    (message,) = answer_messages(as_answer(fake_hit("x" * 10_000)))
    assert utf16_units(check_text(message, "HTML")) <= MAX_MESSAGE_UNITS


def test_long_plain_text_is_split_between_lines() -> None:
    text = "\n".join(f"• bài {n} — {n:03}.txt" for n in range(600))
    messages = text_messages(text)
    assert len(messages) > 1
    assert "\n".join(parse_telegram_html(m) for m in messages) == text


def test_every_seed_passage_renders_as_valid_telegram_html(seed_index) -> None:
    for passage in seed_index.passages:
        hit = Hit(
            passage.source,
            passage.paragraph,
            passage.title,
            1.0,
            passage.text,
            Excerpt(passage.text, ((0, min(5, len(passage.text))),)),
        )
        for message in answer_messages(as_answer(hit)):
            check_text(message, "HTML")


def test_real_answers_mark_matched_words_in_bold(seed_index) -> None:
    (message,) = answer_messages(answer("tự soi tự sửa", seed_index))
    assert "<b>tự soi tự sửa</b>" in message


def test_the_answering_sentence_is_rendered_first_with_its_label(seed_index) -> None:
    result = answer("Ai chủ trì Hội nghị sơ kết Thông tri 18?", seed_index)
    (message,) = answer_messages(result)
    assert message.startswith("<b>Trả lời: </b>")
    assert "Nguyễn Văn Nên" in parse_telegram_html(message).split("\n")[0]
