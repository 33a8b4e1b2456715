"""The shared inbox against a real PostgreSQL: one update stored once whichever replica gets
it, leases that a dead replica's updates outlive, claims that never overlap; one poller."""

from __future__ import annotations

import itertools
import json
import threading
import time

import pytest
from telegram import Update

from bot.postgres import Postgres, PostgresError
from bot.telegram import inbox as inbox_module
from bot.telegram.delivery import DurableQueue
from bot.telegram.election import PollerElection
from bot.telegram.shared_inbox import SharedInbox
from bot.telegram.subscriptions import Subscriptions

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API

LEASE = 30.0
_bots = itertools.count(900_001)  # each test its own bot id: rows never meet


def payload(update_id: int) -> str:
    message = {
        "message_id": update_id,
        "date": 1_700_000_000,
        "chat": {"id": 5, "type": "private"},
        "text": "tu soi tu sua",
    }
    return json.dumps({"update_id": update_id, "message": message})


@pytest.fixture
def databases(postgres):  # type: ignore[no-untyped-def]
    """Two replicas' connection pools."""
    made = [Postgres(postgres.url) for _ in range(2)]
    yield made
    for database in made:
        database.close()


@pytest.fixture
def replicas(databases):  # type: ignore[no-untyped-def]
    bot = next(_bots)
    made = [
        SharedInbox(database, bot, LEASE, owner=name)
        for database, name in zip(databases, ("a", "b"), strict=True)
    ]
    yield made
    for inbox in made:
        inbox.close()


def test_an_update_is_stored_once_whichever_replica_gets_it(replicas) -> None:
    a, b = replicas
    assert a.store(1, payload(1)) is True
    assert b.store(1, payload(1)) is False and a.store(1, payload(1)) is False
    a.mark_done(1)
    assert a.pending() == [] and b.store(1, payload(1)) is False  # done: still known


def test_a_live_lease_is_kept_and_an_expired_one_taken_over_oldest_first(replicas) -> None:
    a, b = replicas
    for update_id in (3, 2):
        a.store(update_id, payload(update_id))
    assert b.claim() == []  # a is alive and holds them
    a.lease_seconds = -1.0  # a stops renewing: its leases run out
    a.renew()
    assert [update_id for update_id, _ in b.claim()] == [2, 3]
    assert a.claim() == []  # b holds them now, with a live lease


def test_a_stopping_replica_hands_its_updates_over_at_once(replicas) -> None:
    a, b = replicas
    a.store(7, payload(7))
    a.release()
    assert [update_id for update_id, _ in b.claim()] == [7]


def test_two_replicas_claiming_at_once_never_take_the_same_update(replicas) -> None:
    a, b = replicas
    a.lease_seconds = -1.0
    for update_id in range(100, 160):
        a.store(update_id, payload(update_id))
    a.lease_seconds = LEASE
    taken: dict[str, list[int]] = {}

    def claim(inbox: SharedInbox) -> None:
        taken[inbox.owner] = [update_id for update_id, _ in inbox.claim()]

    threads = [threading.Thread(target=claim, args=(inbox,)) for inbox in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken["a"] + taken["b"]) == list(range(100, 160))


def test_one_replica_polls_and_another_takes_over_when_its_connection_goes(postgres) -> None:
    bot = next(_bots)
    a, b = (PollerElection(postgres.url, bot) for _ in range(2))
    assert a.leads() and a.leads()  # taken, then still held
    assert not b.leads()
    a.close()
    assert b.leads()
    b.close()


async def test_a_row_that_does_not_parse_is_quarantined_and_the_rest_answered(replicas) -> None:
    a, b = replicas
    a.lease_seconds = -1.0
    a.store(11, "[1, 2, 3]")
    a.store(12, payload(12))
    queue = DurableQueue(b)
    assert await queue.replay(None) == 1  # type: ignore[arg-type]
    update = queue.get_nowait()
    assert isinstance(update, Update) and update.update_id == 12
    assert [update_id for update_id, _ in b.pending()] == [12]  # 11 is out of every replay


def test_an_unreachable_server_is_one_error_without_the_password() -> None:
    with pytest.raises(PostgresError) as raised:
        Postgres("postgresql://tin:hunter2@127.0.0.1:1/tin")
    assert "hunter2" not in str(raised.value)


def test_done_updates_are_forgotten_after_a_day_by_every_replica(replicas, monkeypatch) -> None:
    a, b = replicas
    a.store(21, payload(21))
    a.mark_done(21)
    assert b.prune() == 0 and a.store(21, payload(21)) is False  # kept a day
    assert b.prune(now=time.time() + inbox_module.KEEP_DONE_SECONDS + 1) == 1
    assert a.store(21, payload(21)) is True  # forgotten: an id Telegram no longer resends


def test_marking_done_prunes_every_so_often(replicas, monkeypatch) -> None:
    a, _ = replicas
    monkeypatch.setattr(inbox_module, "PRUNE_EVERY", 2)
    monkeypatch.setattr(inbox_module, "KEEP_DONE_SECONDS", -1.0)  # all done counts as old
    for update_id in (31, 32):
        a.store(update_id, payload(update_id))
        a.mark_done(update_id)  # the second mark prunes
    assert a.store(31, payload(31)) is True and a.store(32, payload(32)) is True


def test_replicas_share_subscriptions_and_push_each_article_once(databases) -> None:
    bot = next(_bots)
    a, b = (Subscriptions(database, bot) for database in databases)
    assert a.follow(5, "cầu rồng xanh") and not b.follow(5, "cầu rồng xanh")
    assert b.topics_of(5) == ["cầu rồng xanh"] and [t.topic for t in b.all_topics()] == [
        "cầu rồng xanh"
    ]
    assert list(a.newly_seen(["x.txt", "y.txt"])) == ["x.txt", "y.txt"]
    assert list(b.newly_seen(["x.txt", "y.txt", "z.txt"])) == ["z.txt"]
    assert a.mark_pushed(5, "z.txt") and not b.mark_pushed(5, "z.txt")
    b.drop_chat(5)
    assert a.topics_of(5) == []
