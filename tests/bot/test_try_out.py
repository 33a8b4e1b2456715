"""The by-hand fake Bot API: every kind of update can be typed, and what the bot sends back
(buttons and inline results included) is printed."""

from __future__ import annotations

import pytest

from tests.fake_bot_api import (
    BOT_USERNAME,
    BY_HAND_GROUP,
    FakeBotApi,
    shown_buttons,
    typed_by_hand,
)

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API


async def test_group_press_and_inline_lines_reach_the_bot_and_its_answers_are_shown(
    fake_api: FakeBotApi, live_bot
) -> None:
    shown: list[str] = []
    fake_api.on_message = lambda visible, markup: shown.append(visible + shown_buttons(markup))
    fake_api.on_inline = lambda results: shown.extend(r["title"] for r in results)

    assert typed_by_hand(fake_api, "/press") == "(no message with a button yet)"
    typed_by_hand(fake_api, f"/group @{BOT_USERNAME} Thành ủy TPHCM")
    await fake_api.wait_for(lambda: shown)
    assert fake_api.sent(chat_id=BY_HAND_GROUP) and "[Thêm kết quả]" in shown[0]

    assert typed_by_hand(fake_api, "/press") is None
    await fake_api.wait_for(lambda: len(shown) >= 2)
    assert "Nguồn:" in shown[1] and shown[1] != shown[0]

    typed_by_hand(fake_api, "/inline bi thu thanh uy")
    await fake_api.wait_for(lambda: fake_api.sent("answerInlineQuery"))
    assert len(shown) > 2


def test_a_command_without_its_text_prints_the_help(fake_api: FakeBotApi) -> None:
    for line in ("/group", "/inline", "/?"):
        note = typed_by_hand(fake_api, line)
        assert note is not None and "/press" in note
    assert not fake_api.updates


def test_other_lines_are_private_messages(fake_api: FakeBotApi) -> None:
    typed_by_hand(fake_api, "/start")
    typed_by_hand(fake_api, "ai chu tri hoi nghi")
    typed_by_hand(fake_api, "   ")
    texts = [u["message"]["text"] for u in fake_api.updates]
    assert texts == ["/start", "ai chu tri hoi nghi"]
    assert all(u["message"]["chat"]["type"] == "private" for u in fake_api.updates)
