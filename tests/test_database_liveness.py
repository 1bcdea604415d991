"""PostgreSQL connections are checked without a round trip per checkout, yet a database that terminated every
pooled connection (a restart, a failover, an administrator) costs nobody a reply: closed connections are
replaced at checkout, and a transaction whose connection breaks in use is run again on a new one."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.engine.runtime import Runtime
from models.db import create_engine
from tests.chat import ChatUser, RecordingChannel


@pytest.fixture
def postgres_runtime(runtime: Runtime) -> Runtime:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("connection liveness is PostgreSQL's question; SQLite is a file")
    return runtime


async def open_several(runtime: Runtime, count: int) -> None:
    """Fill the pool with `count` idle connections."""
    async def hold() -> None:
        async with runtime.session_factory() as session:
            await session.execute(text("SELECT pg_sleep(0.05)"))
    await asyncio.gather(*(hold() for _ in range(count)))


async def terminate_the_pool(database_url: str) -> int:
    """What a server restart does to the pool: every connection of the bot's database is cut, from outside."""
    admin = create_engine(database_url)
    try:
        async with admin.connect() as connection:
            result = await connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            terminated = int(result.scalar_one())
    finally:
        await admin.dispose()
    await asyncio.sleep(0.2)  # the server's goodbye reaches the idle sockets
    return terminated


async def test_a_checkout_costs_no_round_trip(
    postgres_runtime: Runtime, channel: RecordingChannel, monkeypatch: pytest.MonkeyPatch
) -> None:
    pings = 0
    real_ping = postgres_runtime.engine.dialect.do_ping

    def counting_ping(dbapi_connection: object) -> bool:
        nonlocal pings
        pings += 1
        return real_ping(dbapi_connection)  # type: ignore[arg-type]

    monkeypatch.setattr(postgres_runtime.engine.dialect, "do_ping", counting_ping)
    siti = ChatUser(postgres_runtime, channel, "siti")
    await siti.send("halo")
    await siti.send("halo")
    assert pings == 0


async def test_replies_go_on_after_the_database_cut_every_connection(
    postgres_runtime: Runtime, channel: RecordingChannel, database_url: str
) -> None:
    siti = ChatUser(postgres_runtime, channel, "siti")
    await siti.send("halo")
    await open_several(postgres_runtime, 5)
    assert await terminate_the_pool(database_url) >= 5
    await siti.send("halo")
    assert "Bahasa apa yang Anda inginkan?" in siti.text, "the question again, not an apology or an error"
    async with postgres_runtime.session_factory() as session:
        assert await session.scalar(text("SELECT 1")) == 1


async def test_a_connection_broken_in_use_is_retried(
    postgres_runtime: Runtime, channel: RecordingChannel, database_url: str
) -> None:
    """A cut the driver has not noticed yet (no time to read the server's goodbye): the message's transaction
    fails on it and is run again on a new connection."""
    siti = ChatUser(postgres_runtime, channel, "siti")
    await siti.send("halo")
    admin = create_engine(database_url)
    try:
        async with admin.connect() as connection:
            await connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    finally:
        await admin.dispose()
    await siti.send("halo")  # at once: the pooled connection may not know yet that it is gone
    assert "Bahasa apa yang Anda inginkan?" in siti.text
