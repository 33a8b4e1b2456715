"""The real Application, polling a fake Bot API on 127.0.0.1, asserting the recorded calls."""

from __future__ import annotations

import asyncio
import io
import logging

import pytest

from bot.logs import configure_logging
from bot.telegram.bootstrap import build_application
from bot.texts import MORE_BUTTON, UNKNOWN_COMMAND
from retrieval.reply.phrases import RELATED
from tests.bot.conftest import bot_settings, start_polling, stop_polling
from tests.fake_bot_api import BOT_USERNAME, TOKEN, FakeBotApi, check_text

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API

SEED_FILES = [
    "000_00398351a5c5dbd5.txt",
    "001_085fb644321ceedb.txt",
    "002_e658c1250bbbf219.txt",
    "003_dc0f3aaaadfe3394.txt",
    "004_ad9aaa6e7a83250b.txt",
]
GROUP = -1001234


async def replies(api: FakeBotApi, message: dict, count: int = 1) -> list:
    await api.wait_for(lambda: len(api.replies_to(message)) >= count)
    return api.replies_to(message)


async def settle(api: FakeBotApi) -> None:
    """Give the bot time to (wrongly) react, for tests asserting silence."""
    await asyncio.sleep(0.3)


async def test_start_registers_commands_and_logs_username_not_token(fake_api, seed_live):
    log = io.StringIO()
    configure_logging("DEBUG", [TOKEN], log)
    application = build_application(bot_settings(fake_api), seed_live)
    try:
        await start_polling(application)
        await stop_polling(application)
    finally:
        configure_logging("WARNING", [], io.StringIO())
    (commands,) = fake_api.sent("setMyCommands")
    names = [c["command"] for c in commands.params["commands"]]
    assert names == ["start", "help", "sources", "moi", "ask", "theodoi", "huytheodoi"]
    assert "Danh sách bài viết" in [c["description"] for c in commands.params["commands"]]
    text = log.getvalue()
    assert f"@{BOT_USERNAME}" in text and "5 articles" in text
    assert "getUpdates" in text and TOKEN not in text


async def test_private_question_gets_an_html_reply_with_sources(fake_api, live_bot):
    question = fake_api.send_text(501, "Trưởng Ban Nội chính Thành ủy là ai?")
    (reply,) = await replies(fake_api, question)
    assert reply.params["parse_mode"] == "HTML"
    assert "<b>" in reply.params["text"]
    assert "Lê Thanh Liêm" in reply.params["visible"]
    assert "Nguồn: 003_dc0f3aaaadfe3394.txt, đoạn" in reply.params["visible"]
    typing = fake_api.sent("sendChatAction", chat_id=501)
    assert typing and typing[0].params["action"] == "typing"
    assert typing[0].at <= reply.at


async def test_private_question_without_diacritics_shows_what_was_understood(fake_api, live_bot):
    question = fake_api.send_text(502, "truong ban noi chinh thanh uy la ai")
    (reply,) = await replies(fake_api, question)
    visible = reply.params["visible"]
    assert visible.startswith("Bạn hỏi: trưởng ban nội chính thành ủy là ai")
    assert "003_dc0f3aaaadfe3394.txt" in visible


async def test_unanswerable_question_says_so(fake_api, live_bot):
    question = fake_api.send_text(503, "giá vàng hôm nay")
    (reply,) = await replies(fake_api, question)
    assert "không có thông tin" in reply.params["visible"] and "/sources" in reply.params["visible"]
    assert "reply_markup" not in reply.params


async def test_a_question_the_articles_only_touch_gets_related_passages_in_bold_notice(
    fake_api, live_bot
):
    question = fake_api.send_text(503, "Hướng dẫn đăng ký xe máy online")
    (reply,) = await replies(fake_api, question)
    assert reply.params["text"].startswith(f"<b>{RELATED}</b>")
    assert "Nguồn:" in reply.params["visible"] and "Trả lời" not in reply.params["visible"]


async def test_group_ask_with_bot_name_is_answered_and_chatter_ignored(fake_api, live_bot):
    chatter = fake_api.send_text(GROUP, "hôm nay ai đi ăn trưa không", "supergroup", user_id=7)
    ask = fake_api.send_text(
        GROUP, f"/ask@{BOT_USERNAME} Phó Chính ủy Bộ Tư lệnh TPHCM là ai?", "supergroup", user_id=8
    )
    (reply,) = await replies(fake_api, ask)
    assert "Nguyễn Công Anh" in reply.params["visible"]
    await settle(fake_api)
    assert fake_api.replies_to(chatter) == []


async def test_group_ask_without_text_gets_usage(fake_api, live_bot):
    ask = fake_api.send_text(GROUP, "/ask", "group", user_id=8)
    (reply,) = await replies(fake_api, ask)
    assert reply.params["visible"].startswith("Cách hỏi trong nhóm: /ask")


async def test_group_mention_is_answered_without_the_mention(fake_api, live_bot):
    mention = fake_api.send_text(GROUP, f"@{BOT_USERNAME} tu soi tu sua", "supergroup", user_id=9)
    (reply,) = await replies(fake_api, mention)
    assert reply.params["visible"].startswith("Bạn hỏi: tự soi tự sửa\n")
    assert "004_ad9aaa6e7a83250b.txt" in reply.params["visible"]


async def test_group_reply_to_the_bot_is_answered(fake_api, live_bot):
    ask = fake_api.send_text(GROUP, "/ask Luật Biên phòng Việt Nam", "group", user_id=10)
    (first,) = await replies(fake_api, ask)
    bot_message = fake_api.bot_message(first)
    follow_up = fake_api.send_text(
        GROUP, "Trưởng Ban Nội chính Thành ủy là ai?", "group", user_id=10, reply_to=bot_message
    )
    (reply,) = await replies(fake_api, follow_up)
    assert "003_dc0f3aaaadfe3394.txt" in reply.params["visible"]


async def test_sticker_gets_a_hint_in_private_and_silence_in_groups(fake_api, live_bot):
    sticker = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    private = fake_api.send_text(504, None, sticker=sticker)
    in_group = fake_api.send_text(GROUP, None, "group", user_id=11, sticker=sticker)
    (hint,) = await replies(fake_api, private)
    assert "chữ" in hint.params["visible"]
    await settle(fake_api)
    assert fake_api.replies_to(in_group) == []


async def test_channel_posts_are_ignored(fake_api, live_bot):
    post = fake_api.new_message(
        fake_api.chat(-100777, "channel"), fake_api.user(1), "tu soi tu sua"
    )
    fake_api.push("channel_post", post)
    await settle(fake_api)
    assert fake_api.sent(chat_id=-100777) == []


async def test_commands_start_help_sources(fake_api, live_bot):
    start = fake_api.send_text(505, "/start")
    sources = fake_api.send_text(505, "/sources")
    help_message = fake_api.send_text(505, "/help")
    (start_reply,) = await replies(fake_api, start)
    (sources_reply,) = await replies(fake_api, sources)
    (help_reply,) = await replies(fake_api, help_message)
    assert "Thử hỏi:" in start_reply.params["visible"]
    assert start_reply.params["visible"].count("\n• ") >= 2
    for name in SEED_FILES:
        assert name in sources_reply.params["visible"]
    assert "/seeds" not in sources_reply.params["visible"]  # file names, not server paths
    assert f"@{BOT_USERNAME}" in help_reply.params["visible"]


async def test_unknown_commands_point_to_help_where_meant_for_the_bot(fake_api, live_bot):
    private = fake_api.send_text(506, "/stats")
    addressed = fake_api.send_text(-507, f"/foo@{BOT_USERNAME}", kind="group", user_id=508)
    other_bot = fake_api.send_text(-507, "/foo@another_bot", kind="group", user_id=508)
    bare = fake_api.send_text(-507, "/foo", kind="group", user_id=508)
    for message in (private, addressed):
        (reply,) = await replies(fake_api, message)
        assert reply.params["visible"] == UNKNOWN_COMMAND
    await asyncio.sleep(0.3)
    assert not fake_api.replies_to(other_bot) and not fake_api.replies_to(bare)


async def test_more_results_shows_the_next_hits_and_answers_the_callback(fake_api, live_bot):
    question = fake_api.send_text(506, "Thành ủy TPHCM")
    (first,) = await replies(fake_api, question)
    button = first.params["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == MORE_BUTTON and len(button["callback_data"].encode()) <= 64
    fake_api.press(fake_api.bot_message(first), button["callback_data"], user_id=506)
    first_more, second = await replies(fake_api, question, 2)
    assert first_more is first
    await fake_api.wait_for(lambda: fake_api.sent("answerCallbackQuery"))
    assert fake_api.sent("editMessageReplyMarkup")  # the pressed button is removed
    assert second.params["visible"] != first.params["visible"]
    assert "Nguồn:" in second.params["visible"]


async def test_more_results_survives_a_restart(fake_api, seed_live):
    first_bot = build_application(bot_settings(fake_api), seed_live)
    await start_polling(first_bot)
    question = fake_api.send_text(507, "Thành ủy TPHCM")
    (first,) = await replies(fake_api, question)
    await stop_polling(first_bot)
    second_bot = build_application(bot_settings(fake_api), seed_live)
    await start_polling(second_bot)
    try:
        data = first.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        fake_api.press(fake_api.bot_message(first), data, user_id=507)
        await replies(fake_api, question, 2)
    finally:
        await stop_polling(second_bot)


async def test_inline_query_gives_up_to_five_articles_and_help_when_empty(fake_api, live_bot):
    fake_api.inline("không gian văn hóa Hồ Chí Minh", user_id=508)
    fake_api.inline("", user_id=508)
    await fake_api.wait_for(lambda: len(fake_api.sent("answerInlineQuery")) == 2)
    by_count = sorted(fake_api.sent("answerInlineQuery"), key=lambda c: len(c.params["results"]))
    help_call, answer_call = by_count
    assert len(help_call.params["results"]) == 1
    results = answer_call.params["results"]
    assert len(results) == 5  # more than a chat's reply shows: one is picked, not read
    assert int(answer_call.params["cache_time"]) > 0  # the same query typed again: at once
    for result in results:
        content = check_text(result["input_message_content"]["message_text"], "HTML")
        assert result["type"] == "article" and result["title"] and result["description"]
        assert "Nguồn: 00" in content


async def test_huge_message_is_answered_within_limits(fake_api, live_bot):
    question = fake_api.send_text(509, "Trưởng Ban Nội chính Thành ủy là ai? " + "a" * 100_000)
    (reply,) = await replies(fake_api, question)
    assert "003_dc0f3aaaadfe3394.txt" in reply.params["visible"]


async def test_flood_control_429_is_waited_out_not_dropped(fake_api, live_bot, caplog):
    """A short 429 storm is the rate limiter's to wait out (FLOOD_RETRIES), quietly: the
    warning is for one that outlasts it."""
    fake_api.flood_remaining = 2
    question = fake_api.send_text(510, "tu soi tu sua")
    (reply,) = await replies(fake_api, question)
    attempts = fake_api.attempts(chat_id=510)
    assert [a.status for a in attempts] == [429, 429, 200] and attempts[-1] is reply
    assert reply.at - attempts[0].at >= 2 * fake_api.retry_after * 0.9
    assert "outlasted the rate limiter" not in caplog.text


async def test_edited_question_is_answered_again(fake_api, live_bot):
    question = fake_api.send_text(511, "Luat Bien phong")
    await replies(fake_api, question)
    edited = {**question, "text": "Luật Biên phòng Việt Nam", "edit_date": question["date"] + 5}
    fake_api.push("edited_message", edited)
    both = await replies(fake_api, question, 2)
    assert "002_e658c1250bbbf219.txt" in both[1].params["visible"]


async def test_allowed_chats_refuse_others_once_and_ignore_other_groups(fake_api, seed_live):
    application = build_application(bot_settings(fake_api, allowed_chats={601}), seed_live)
    await start_polling(application)
    try:
        allowed = fake_api.send_text(601, "tu soi tu sua")
        stranger_first = fake_api.send_text(602, "tu soi tu sua")
        stranger_again = fake_api.send_text(602, "Luật Biên phòng")
        group = fake_api.send_text(-100999, "/ask tu soi tu sua", "group", user_id=601)
        await replies(fake_api, allowed)
        (refusal,) = await replies(fake_api, stranger_first)
        assert "chỉ phục vụ" in refusal.params["visible"]
        await settle(fake_api)
        assert fake_api.replies_to(stranger_again) == []
        assert fake_api.replies_to(group) == []
        fake_api.press(fake_api.bot_message(refusal), "more:3", user_id=602)
        await fake_api.wait_for(lambda: fake_api.sent("answerCallbackQuery"))
    finally:
        await stop_polling(application)


@pytest.mark.parametrize("chats", [5])
async def test_slow_answer_does_not_block_other_chats(fake_api, live_bot, monkeypatch, chats):
    import bot.telegram.context as context_module

    real_answer = context_module.answer

    def slow_for_one_chat(question, *args, **kwargs):  # type: ignore[no-untyped-def]
        if question.startswith("chậm"):
            import time

            time.sleep(1.0)
        return real_answer(question, *args, **kwargs)

    monkeypatch.setattr(context_module, "answer", slow_for_one_chat)
    slow = fake_api.send_text(700, "chậm Luật Biên phòng")
    quick = [fake_api.send_text(701 + n, "tu soi tu sua") for n in range(chats)]
    for message in quick:
        await replies(fake_api, message)
    assert fake_api.replies_to(slow) == [], "quick chats were answered while the slow one ran"
    await replies(fake_api, slow)


async def test_each_update_is_logged_with_its_kind_and_latency_not_its_text(
    fake_api, live_bot, caplog
):
    caplog.set_level(logging.INFO)
    question = fake_api.send_text(520, "tu soi tu sua bí mật")
    fake_api.inline("câu hỏi inline riêng", user_id=521)
    await replies(fake_api, question)
    await fake_api.wait_for(lambda: fake_api.sent("answerInlineQuery"))
    await asyncio.sleep(0.2)
    lines = [r.getMessage() for r in caplog.records if "handled in" in r.getMessage()]
    assert any("(message) handled in" in line for line in lines)
    assert any("(inline_query) handled in" in line for line in lines)
    assert "bí mật" not in caplog.text and "inline riêng" not in caplog.text
