"""Articles from the chat: an admin sends a document, the bot answers from it as soon as it
says "Đã thêm"; /thaythe replaces, /xoa removes; everyone else is told uploads are for admins;
a bad file is named for what is wrong with it and nothing reaches the corpus."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram.ext import Application

from bot.documents import read_document
from bot.telegram.bootstrap import build_application
from retrieval.index.live import LiveIndex
from retrieval.index.store import IndexStore
from tests.bot.conftest import bot_settings, start_polling, stop_polling
from tests.conftest import SEEDS_DIR
from tests.documents import HTML, pdf_file, word_file
from tests.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API

ADMIN = 4001
TEXT_ARTICLE = (
    "Cầu Rồng Xanh thông xe\n"
    "Sáng nay cầu Rồng Xanh bắc qua sông Hàn chính thức thông xe sau hai năm thi công.\n"
    "Cầu có sáu làn xe và dài 800 mét.\n"
)


@pytest.fixture
def corpus(tmp_path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS_DIR, folder)
    return folder


@pytest_asyncio.fixture
async def admin_bot(fake_api: FakeBotApi, corpus, tmp_path) -> AsyncIterator[Application]:  # type: ignore[no-untyped-def]
    live = LiveIndex(corpus, IndexStore(tmp_path / "cache", corpus))
    application = build_application(bot_settings(fake_api, admin_ids=frozenset({ADMIN})), live)
    await start_polling(application)
    yield application
    await stop_polling(application)


async def reply_to(api: FakeBotApi, message: dict, count: int = 1) -> str:
    await api.wait_for(lambda: len(api.replies_to(message)) >= count, timeout=20)
    return api.replies_to(message)[count - 1].params["visible"]


async def ask(api: FakeBotApi, question: str) -> str:
    return await reply_to(api, api.send_text(ADMIN, question))


@pytest.mark.parametrize(
    ("file_name", "data", "question", "expected"),
    [
        ("cau.txt", TEXT_ARTICLE.encode(), "cau Rong Xanh co bao nhieu lan xe", "sáu làn xe"),
        ("bach-dang.html", HTML.encode(), "cầu Bạch Đằng 2 dài bao nhiêu mét", "1.500 mét"),
        (
            "tram.docx",
            word_file(
                "Trạm y tế xã Tân Phú mở cửa",
                ["Trạm y tế xã Tân Phú mở cửa đón bệnh nhân từ thứ hai với mười giường bệnh."],
            ),
            "tram y te xa Tan Phu co bao nhieu giuong benh",
            "mười giường bệnh",
        ),
        (
            "kenh.pdf",
            pdf_file(
                [["Kenh Xang Xanh duoc nao vet"], ["Kenh Xang Xanh duoc nao vet sau", "mua lu."]]
            ),
            "kenh Xang Xanh duoc nao vet khi nao",
            "mua lu",
        ),
    ],
)
async def test_an_admin_adds_each_format_and_the_next_question_is_answered_from_it(
    fake_api, admin_bot, corpus, file_name, data, question, expected
) -> None:
    upload = fake_api.send_document(ADMIN, file_name, data)
    added = await reply_to(fake_api, upload)
    title = read_document(file_name, data).title
    assert added.startswith(f"Đã thêm «{title}» — ") and "đoạn" in added
    saved = next(path for path in corpus.glob("*.txt") if path.read_text().startswith(title))
    assert saved.name in added and not list(corpus.glob(".*"))  # no half-written file left
    answer = await ask(fake_api, question)
    assert expected in answer and saved.name in answer


async def test_the_same_title_needs_thaythe_and_xoa_removes_the_article(
    fake_api, admin_bot, corpus
) -> None:
    first = fake_api.send_document(ADMIN, "cau.txt", TEXT_ARTICLE.encode())
    assert "Đã thêm" in await reply_to(fake_api, first)
    changed = TEXT_ARTICLE.replace("sáu làn xe", "tám làn xe").encode()
    again = fake_api.send_document(ADMIN, "cau-moi.txt", changed)
    assert "/thaythe" in await reply_to(fake_api, again)
    assert "sáu làn xe" in await ask(fake_api, "cau Rong Xanh co bao nhieu lan xe")
    replace = fake_api.send_text(ADMIN, "/thaythe", reply_to=again)
    assert "Đã thêm" in await reply_to(fake_api, replace)
    assert "tám làn xe" in await ask(fake_api, "cau Rong Xanh co bao nhieu lan xe")

    assert "Không có bài" in await ask(fake_api, "/xoa ../seeds/000_00398351a5c5dbd5.txt")
    assert "Không có bài" in await ask(fake_api, "/xoa /etc/passwd")
    assert "Đã xoá" in await ask(fake_api, "/xoa cau-rong-xanh-thong-xe.txt")
    assert not (corpus / "cau-rong-xanh-thong-xe.txt").exists()
    assert "cau-rong-xanh" not in await ask(fake_api, "cau Rong Xanh co bao nhieu lan xe")


async def test_a_non_admins_document_is_refused_and_nothing_is_added(
    fake_api, admin_bot, corpus
) -> None:
    before = sorted(corpus.iterdir())
    upload = fake_api.send_document(4002, "cau.txt", TEXT_ARTICLE.encode())
    assert "quản trị viên" in await reply_to(fake_api, upload)
    delete = fake_api.send_text(4002, "/xoa 000_00398351a5c5dbd5.txt")
    assert "Không có lệnh" in await reply_to(fake_api, delete)
    await asyncio.sleep(0.2)
    assert sorted(corpus.iterdir()) == before


@pytest.mark.parametrize(
    ("file_name", "data", "named"),
    [
        ("trong.txt", b"  \n\n ", "trống"),
        ("hong.docx", b"PK\x03\x04 not really a zip", "Không đọc được"),
        ("hong.pdf", b"%PDF-1.4 garbage", "Không đọc được"),
        ("lon.txt", b"a" * (20 * 2**20 + 1), "quá lớn"),
        ("anh.png", b"\x89PNG", "chỉ nhận"),
    ],
)
async def test_a_bad_file_is_named_for_what_is_wrong_and_nothing_is_added(
    fake_api, admin_bot, corpus, file_name, data, named
) -> None:
    before = sorted(corpus.iterdir())
    upload = fake_api.send_document(ADMIN, file_name, data)
    reply = await reply_to(fake_api, upload)
    assert named in reply and file_name in reply
    assert sorted(corpus.iterdir()) == before
