"""The durable inbox under faults: a locked or full store, bad rows, a lock at start. Each
fault gets one clear log line and recovery by itself; nothing is lost or acknowledged early."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from telegram import Update

from bot.telegram import delivery, sqlite_inbox
from bot.telegram.bootstrap import build_application
from bot.telegram.delivery import DurableQueue, InboxUnavailable
from bot.telegram.sqlite_inbox import SqliteInbox
from bot.telegram.stores import Stores
from tests.bot.conftest import bot_settings, start_polling, stop_polling

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API


def update_json(update_id: int, text: str = "tu soi tu sua") -> str:
    message = {
        "message_id": update_id,
        "date": 1_700_000_000,
        "chat": {"id": 5, "type": "private"},
        "from": {"id": 5, "is_bot": False, "first_name": "A"},
        "text": text,
    }
    return json.dumps({"update_id": update_id, "message": message})


def hold_lock(path: Path, seconds: float) -> threading.Thread:
    """Another process's write lock on the inbox, held for `seconds` in a thread."""
    ready = threading.Event()

    def hold() -> None:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        ready.set()
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=hold)
    thread.start()
    ready.wait()
    return thread


@pytest.fixture
def quick_sqlite(monkeypatch) -> None:
    monkeypatch.setattr(sqlite_inbox, "BUSY_TIMEOUT_SECONDS", 0.1)
    monkeypatch.setattr(delivery, "RETRY_SECONDS", 0.1)


async def test_a_locked_inbox_holds_the_update_until_it_frees_then_recovers(
    tmp_path, quick_sqlite, caplog
) -> None:
    inbox = SqliteInbox(tmp_path / "inbox.sqlite3")
    queue = DurableQueue(inbox)  # polling: wait as long as it takes
    holder = hold_lock(inbox.path, 1.0)
    update = Update.de_json(json.loads(update_json(1)), None)
    await asyncio.wait_for(queue.put(update), timeout=10)
    holder.join()
    assert queue.qsize() == 1 and inbox.pending()[0][0] == 1
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1 and "storing updates in the inbox failing" in errors[0].message
    assert "recovered" in caplog.text


async def test_a_webhook_update_that_cannot_be_stored_is_refused_for_a_retry(
    tmp_path, quick_sqlite
) -> None:
    inbox = SqliteInbox(tmp_path / "inbox.sqlite3")
    queue = DurableQueue(inbox, patience=0.3)
    holder = hold_lock(inbox.path, 1.5)
    update = Update.de_json(json.loads(update_json(2)), None)
    with pytest.raises(InboxUnavailable) as refused:
        await queue.put(update)
    assert refused.value.status_code == 503 and queue.qsize() == 0
    holder.join()
    await queue.put(update)  # Telegram's retry, once the lock is gone
    assert queue.qsize() == 1


async def test_a_full_disk_is_not_acknowledged_and_delivery_resumes(
    fake_api, seed_live, tmp_path, quick_sqlite, monkeypatch
) -> None:
    inbox = SqliteInbox(tmp_path / "inbox.sqlite3")
    failures = {"left": 5}
    real_store = SqliteInbox.store

    def store(self: SqliteInbox, update_id: int, payload: str) -> bool:
        if failures["left"]:
            failures["left"] -= 1
            raise sqlite3.OperationalError("database or disk is full")
        return real_store(self, update_id, payload)

    monkeypatch.setattr(SqliteInbox, "store", store)
    application = build_application(bot_settings(fake_api), seed_live, Stores(inbox=inbox))
    await start_polling(application)
    try:
        message = fake_api.send_text(77, "tu soi tu sua")
        update_id = fake_api.updates[-1]["update_id"]
        await asyncio.sleep(0.2)
        assert fake_api.acknowledged < update_id  # Telegram still holds it
        await fake_api.wait_for(lambda: fake_api.replies_to(message), timeout=15)
        assert failures["left"] == 0 and len(fake_api.replies_to(message)) == 1
        await fake_api.wait_for(lambda: fake_api.acknowledged >= update_id, timeout=5)
    finally:
        await stop_polling(application)
        inbox.close()


@pytest.mark.parametrize(
    "bad_row", ["not json", "[1, 2, 3]", json.dumps({"update_id": 11, "message": {"text": "x"}})]
)
async def test_a_row_that_does_not_parse_is_quarantined_and_the_rest_answered(
    tmp_path, bad_row, caplog
) -> None:
    inbox = SqliteInbox(tmp_path / "inbox.sqlite3")
    inbox.store(10, update_json(10))
    inbox.store(11, bad_row)
    inbox.store(12, update_json(12))
    queue = DurableQueue(inbox)
    assert await queue.replay(None) == 2  # type: ignore[arg-type]
    assert [queue.get_nowait().update_id for _ in range(2)] == [10, 12]
    assert [update_id for update_id, _ in inbox.pending()] == [10, 12]
    assert "inbox row 11 does not parse" in caplog.text and "quarantined" in caplog.text
    again = SqliteInbox(inbox.path)  # the next start does not trip on it again
    assert [update_id for update_id, _ in again.pending()] == [10, 12]


def test_a_lock_at_start_is_waited_out_not_taken_for_corruption(tmp_path, quick_sqlite) -> None:
    path = tmp_path / "inbox.sqlite3"
    first = SqliteInbox(path)
    first.store(1, update_json(1))
    first.close()
    holder = hold_lock(path, 1.5)
    reopened = SqliteInbox(path)
    holder.join()
    assert reopened.pending()[0][0] == 1
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_the_inbox_is_private_and_forgets_answered_texts(tmp_path) -> None:
    folder = tmp_path / "data"
    inbox = SqliteInbox(folder / "inbox.sqlite3")
    inbox.store(1, update_json(1, "câu hỏi riêng tư"))
    inbox.mark_done(1)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for file in folder.iterdir():
        assert stat.S_IMODE(file.stat().st_mode) == 0o600, file.name
    inbox.close()
    connection = sqlite3.connect(folder / "inbox.sqlite3")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert connection.execute("SELECT payload FROM updates").fetchall() == [("",)]
    connection.close()
    assert "riêng tư".encode() not in (folder / "inbox.sqlite3").read_bytes()
