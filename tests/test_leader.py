"""Telegram's long polling runs in one replica of many, chosen by a lock in the real Redis (`bot.leader`): a
second replica waits while the first renews its hold, takes over once the first is killed (`kill -9`: no
release, the hold has to expire), and a leader that loses its hold stops its work."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import cast

from redis.asyncio import Redis

from bot.channels.base import Channel, Connection
from bot.leader import LeaderLock, while_leader
from bot.serve import listen_alone
from tests.test_shared_rate import REDIS_URL, redis_clients, unique

__all__ = ["redis_clients"]  # the fixture, imported for these tests

ROOT = Path(__file__).resolve().parent.parent
TTL, RENEW = 2.0, 0.4

LEADER_PROCESS = """
import asyncio, sys
from redis.asyncio import Redis
from bot.leader import LeaderLock, while_leader

async def main() -> None:
    lock = LeaderLock(Redis.from_url(sys.argv[1]), sys.argv[2], ttl=float(sys.argv[3]))
    async def work(lost: asyncio.Event) -> None:
        print("leading", flush=True)
        await lost.wait()
    await while_leader(lock, work, asyncio.Event(), renew_every=float(sys.argv[4]))

asyncio.run(main())
"""


class Follower:
    """A replica in this process: `leads` is set while its work runs."""

    def __init__(self, redis: Redis, key: str) -> None:
        self.leads = asyncio.Event()
        self.stop = asyncio.Event()
        self.lock = LeaderLock(redis, key, ttl=TTL)
        self.task = asyncio.ensure_future(while_leader(self.lock, self._work, self.stop, renew_every=RENEW))
        self.ended_work = asyncio.Event()

    async def _work(self, lost: asyncio.Event) -> None:
        self.leads.set()
        await lost.wait()
        self.leads.clear()
        self.ended_work.set()

    async def close(self) -> None:
        self.stop.set()
        await asyncio.wait_for(self.task, 10)


async def test_a_second_replica_takes_over_after_the_leader_is_killed(redis_clients: Callable[[], Redis]) -> None:
    key = unique("leader")
    leader = subprocess.Popen(
        [sys.executable, "-c", LEADER_PROCESS, REDIS_URL, key, str(TTL), str(RENEW)], stdout=subprocess.PIPE,
        text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    follower: Follower | None = None
    try:
        assert leader.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(leader.stdout.readline), 60)
        assert line.strip() == "leading"
        follower = Follower(redis_clients(), key)
        await asyncio.sleep(TTL * 2)  # the leader renews: its hold outlives the ttl, nobody else leads
        assert not follower.leads.is_set()

        os.kill(leader.pid, signal.SIGKILL)
        killed = time.monotonic()
        await asyncio.wait_for(follower.leads.wait(), TTL + RENEW + 5)
        taken_over_after = time.monotonic() - killed
        assert taken_over_after <= TTL + RENEW + 1, f"took over after {taken_over_after:.1f} s"
    finally:
        leader.kill()
        leader.wait()
        if follower is not None:
            await follower.close()
    assert await redis_clients().get(key) is None, "the follower released its hold when it stopped"


async def test_only_one_of_two_leads_and_a_lost_hold_stops_the_work(redis_clients: Callable[[], Redis]) -> None:
    key = unique("leader")
    first = Follower(redis_clients(), key)
    await asyncio.wait_for(first.leads.wait(), 5)
    second = Follower(redis_clients(), key)
    try:
        await asyncio.sleep(RENEW * 3)
        assert first.leads.is_set() and not second.leads.is_set()

        await redis_clients().set(key, "someone else", px=int(TTL * 1000))  # the hold expired and was taken
        await asyncio.wait_for(first.ended_work.wait(), RENEW * 3)  # stops at its next renewal
        assert not second.leads.is_set(), "the key is someone else's"
        assert await redis_clients().get(key) == b"someone else", "a lost hold is not released by its old holder"
        await asyncio.wait_for(_either(first, second), TTL + RENEW + 2)  # after it expires, one of them leads
        assert first.leads.is_set() != second.leads.is_set()
    finally:
        await first.close()
        await second.close()


async def _either(*replicas: Follower) -> None:
    while not any(replica.leads.is_set() for replica in replicas):
        await asyncio.sleep(0.05)


async def test_serve_long_polls_in_the_replica_that_leads_and_alone_without_redis(
        redis_clients: Callable[[], Redis]) -> None:
    listening: list[str] = []

    def replica(name: str) -> Connection:
        async def listen(stop: asyncio.Event) -> None:
            listening.append(name)
            await stop.wait()
            listening.remove(name)

        return Connection(cast(Channel, None), served=[polling], listen=listen)

    polling = unique("long polling")
    alone = replica("alone")
    assert listen_alone(alone, None) is alone.listen, "one process without Redis: it polls, no lock"

    stops = [asyncio.Event(), asyncio.Event()]
    replicas = [asyncio.ensure_future(listen_alone(replica(name), redis_clients())(stop))
                for name, stop in zip(("first", "second"), stops, strict=True)]
    try:
        await asyncio.wait_for(_until(lambda: bool(listening)), 10)
        await asyncio.sleep(0.5)
        assert len(listening) == 1, f"exactly one replica polls: {listening}"
    finally:
        for stop in stops:
            stop.set()
        await asyncio.wait_for(asyncio.gather(*replicas), 15)
    assert listening == []
    assert await redis_clients().get(f"sahabat-kerja:leader:{polling}") is None, "released on the way out"


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.05)
