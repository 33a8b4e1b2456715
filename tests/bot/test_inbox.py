import sqlite3
import time

from bot.telegram.inbox import KEEP_DONE_SECONDS
from bot.telegram.sqlite_inbox import SqliteInbox


def test_store_is_once_per_update_id(tmp_path) -> None:
    inbox = SqliteInbox(tmp_path / "inbox.sqlite3")
    assert inbox.store(7, '{"update_id": 7}') is True
    assert inbox.store(7, '{"update_id": 7}') is False
    inbox.mark_done(7)
    assert inbox.store(7, '{"update_id": 7}') is False  # a redelivery of a done update


def test_pending_is_oldest_first_and_survives_a_reopen(tmp_path) -> None:
    path = tmp_path / "inbox.sqlite3"
    inbox = SqliteInbox(path)
    for update_id in (12, 10, 11, 13):
        inbox.store(update_id, f'{{"update_id": {update_id}}}')
    inbox.mark_done(11)
    del inbox  # no close: as after a crash
    assert [update_id for update_id, _ in SqliteInbox(path).pending()] == [10, 12, 13]


def test_done_updates_are_pruned_after_a_day(tmp_path) -> None:
    inbox = SqliteInbox(tmp_path / "inbox.sqlite3")
    inbox.store(1, "{}")
    inbox.store(2, "{}")
    inbox.mark_done(1)
    assert inbox.prune(now=time.time() + 60) == 0
    assert inbox.prune(now=time.time() + KEEP_DONE_SECONDS + 60) == 1
    assert [update_id for update_id, _ in inbox.pending()] == [2]


def test_a_corrupt_file_is_moved_aside_not_a_crash_loop(tmp_path, caplog) -> None:
    path = tmp_path / "inbox.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    inbox = SqliteInbox(path)
    assert inbox.store(1, "{}") and inbox.pending() == [(1, "{}")]
    assert [p.name for p in tmp_path.glob("inbox.sqlite3.corrupt-*")]
    assert "unreadable" in caplog.text


def test_a_truncated_database_is_moved_aside(tmp_path) -> None:
    path = tmp_path / "inbox.sqlite3"
    inbox = SqliteInbox(path)
    for update_id in range(200):
        inbox.store(update_id, "x" * 500)
    inbox.close()
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    path.write_bytes(path.read_bytes()[:5000])
    assert SqliteInbox(path).pending() == []


def test_each_bot_has_its_own_inbox(tmp_path) -> None:
    from bot.settings import Settings
    from bot.telegram.stores import inbox_path

    first = inbox_path(Settings(token="111:secret-a", data_dir=tmp_path))
    second = inbox_path(Settings(token="222:secret-b", data_dir=tmp_path))
    assert first != second and "secret" not in str(first) + str(second)


def test_a_restarted_try_out_fake_is_not_taken_for_redeliveries(tmp_path) -> None:
    from tests.fake_bot_api import FakeBotApi

    inbox = SqliteInbox(tmp_path / "inbox.sqlite3")
    first = FakeBotApi.by_hand()
    first.send_text(1, "câu hỏi")
    assert inbox.store(first.updates[-1]["update_id"], "{}")
    time.sleep(0.002)
    restarted = FakeBotApi.by_hand()
    restarted.send_text(1, "câu hỏi")
    assert inbox.store(restarted.updates[-1]["update_id"], "{}")  # new, not "seen before"


def test_what_the_last_run_left_pending_is_claimed_once(tmp_path) -> None:
    """The lease keeper claims every few seconds: what this process stored or claimed already
    is its own to answer, never queued a second time."""
    path = tmp_path / "inbox.sqlite3"
    last_run = SqliteInbox(path)
    last_run.store(1, "{}")
    last_run.close()
    inbox = SqliteInbox(path)
    assert [update_id for update_id, _ in inbox.claim()] == [1]
    inbox.store(2, "{}")
    assert inbox.claim() == [] and [update_id for update_id, _ in inbox.pending()] == [1, 2]
