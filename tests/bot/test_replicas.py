"""Replicas sharing one inbox in PostgreSQL, as real processes against the fake Bot API: a
replica killed with kill -9 loses no question and none is answered twice.

While sendMessage answers 429, replies pile up unsent in whichever replica holds them; one
replica is then killed, the 429s stop, and every question must get exactly one reply: the
survivor takes over the dead replica's updates once their leases (3 s here) expire.
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
from collections import Counter

import httpx
import pytest

from tests.bot.conftest import spawn_bot, stop
from tests.bot.test_crash import SECRET
from tests.conftest import free_port
from tests.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.slow  # subprocesses, PostgreSQL or a whole bot against the fake Bot API

LEASE_SECONDS = "3"
HALF = 30


@pytest.fixture
def replica_environment(environment, postgres) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return environment | {
        "BOT_INBOX_URL": postgres.new_database(),
        "BOT_INBOX_LEASE_SECONDS": LEASE_SECONDS,
    }


def questions(api: FakeBotApi, first_chat: int, count: int) -> list[dict]:
    return [
        api.new_message(api.chat(first_chat + n), api.user(first_chat + n), "tu soi tu sua")
        for n in range(count)
    ]


async def assert_each_answered_exactly_once(api: FakeBotApi, messages: list[dict]) -> None:
    await api.wait_for(lambda: all(api.replies_to(m) for m in messages), timeout=60)
    await asyncio.sleep(1.0)
    assert Counter(len(api.replies_to(m)) for m in messages) == {1: len(messages)}


class RoundRobin:
    """The load balancer: updates go to each replica in turn, and to the next one when a
    replica does not answer (it is down); a non-2xx answer is Telegram's cue to retry."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.turn = 0

    async def post(self, client: httpx.AsyncClient, update_id: int, message: dict) -> None:
        body = json.dumps({"update_id": update_id, "message": message})
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        for _ in range(4 * len(self.ports)):
            port = self.ports[self.turn % len(self.ports)]
            self.turn += 1
            try:
                answer = await client.post(
                    f"http://127.0.0.1:{port}/hook", content=body, headers=headers
                )
            except httpx.TransportError:
                continue
            if answer.status_code == 200:
                return
            await asyncio.sleep(0.5)
        raise AssertionError(f"no replica took update {update_id}")


async def test_webhook_replicas_lose_nothing_when_one_is_killed(fake_api, replica_environment):
    ports = [free_port(), free_port()]
    replicas = []
    for number, port in enumerate(ports):
        settings = replica_environment | {
            "BOT_WEBHOOK_URL": "https://bot.example.invalid/hook",
            "BOT_WEBHOOK_SECRET": SECRET,
            "BOT_WEBHOOK_PORT": str(port),
            "BOT_WEBHOOK_PATH": "hook",
            "BOT_DATA_DIR": f"{replica_environment['BOT_DATA_DIR']}/{number}",
        }
        replicas.append(await spawn_bot(settings))
        await fake_api.wait_for(lambda n=number: len(fake_api.attempts("setWebhook")) > n, 30)
    balancer = RoundRobin(ports)
    fake_api.flood_remaining = 10**6  # replies pile up in both replicas
    before, after = questions(fake_api, 8000, HALF), questions(fake_api, 8100, HALF)
    async with httpx.AsyncClient() as client:
        for update_id, message in enumerate(before, start=1):
            await balancer.post(client, update_id, message)
        await fake_api.wait_for(lambda: len(fake_api.attempts()) >= HALF // 2, timeout=30)
        await stop(replicas[0], signal.SIGKILL)
        killed = time.monotonic()
        fake_api.flood_remaining = 0
        for update_id, message in enumerate(after, start=HALF + 1):
            await balancer.post(client, update_id, message)
    try:
        await assert_each_answered_exactly_once(fake_api, before + after)
        print(f"all answered {time.monotonic() - killed - 1:.1f} s after the kill")
    finally:
        log = await stop(replicas[1], signal.SIGTERM)
    assert "took over" in log and replicas[1].returncode == 0, log


async def test_polling_replicas_one_polls_and_the_standby_takes_over(fake_api, replica_environment):
    first = await spawn_bot(
        replica_environment | {"BOT_DATA_DIR": f"{replica_environment['BOT_DATA_DIR']}/a"}
    )
    await fake_api.wait_for(lambda: fake_api.polls > 0, timeout=30)
    second = await spawn_bot(
        replica_environment | {"BOT_DATA_DIR": f"{replica_environment['BOT_DATA_DIR']}/b"}
    )
    await fake_api.wait_for(lambda: len(fake_api.attempts("setMyCommands")) >= 2, timeout=30)
    fake_api.flood_remaining = 10**6
    before = questions(fake_api, 8200, HALF)
    for message in before:
        fake_api.push("message", message)
    last = fake_api.updates[-1]["update_id"]
    await fake_api.wait_for(lambda: fake_api.acknowledged >= last, timeout=30)
    polls_before_the_kill = fake_api.polls
    first_log = await stop(first, signal.SIGKILL)
    killed = time.monotonic()
    await fake_api.wait_for(lambda: fake_api.polls > polls_before_the_kill, timeout=10)
    print(f"standby polling {time.monotonic() - killed:.1f} s after the poller's death")
    fake_api.flood_remaining = 0
    after = questions(fake_api, 8300, HALF)
    for message in after:
        fake_api.push("message", message)
    try:
        await assert_each_answered_exactly_once(fake_api, before + after)
    finally:
        second_log = await stop(second, signal.SIGTERM)
    assert "this replica polls now" in first_log
    standing_by, polling = second_log.find("standing by"), second_log.find("this replica polls now")
    assert 0 <= standing_by < polling, second_log
    assert "Conflict" not in first_log + second_log and "another process" not in second_log


async def test_postgresql_restarted_mid_run_loses_nothing(fake_api, replica_environment, postgres):
    bot = await spawn_bot(replica_environment)
    await fake_api.wait_for(lambda: fake_api.polls > 0, timeout=30)
    before = questions(fake_api, 8400, 10)
    for message in before:
        fake_api.push("message", message)
    await fake_api.wait_for(lambda: all(fake_api.replies_to(m) for m in before), timeout=30)
    postgres.stop()
    during = questions(fake_api, 8500, 10)
    try:
        for message in during:
            fake_api.push("message", message)
        await asyncio.sleep(3.0)  # polled, but not storable: not acknowledged, not answered
        assert not any(fake_api.replies_to(m) for m in during)
    finally:
        postgres.start()
    try:
        await assert_each_answered_exactly_once(fake_api, before + during)
    except AssertionError as error:
        raise AssertionError(await stop(bot, signal.SIGTERM)) from error
    log = await stop(bot, signal.SIGTERM)
    assert "failing" in log and "recovered" in log, log
    assert "psycopg" not in log  # one ERROR for the outage, not a line per reconnection
