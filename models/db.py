"""Engines and sessions, and the few things that must differ between SQLite and PostgreSQL.

SQLite is the embedded default: WAL journal, one writer at a time (`BEGIN IMMEDIATE`), so a transaction that
will write never fails half-way on a lock upgrade. Its calls run inline on the event loop's thread (see
`InlineSqliteConnection`). PostgreSQL serialises one user's messages with a transaction-level advisory lock,
so any number of workers can share the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from collections.abc import Callable, Generator
from functools import partial
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event, make_url, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.sql.dml import Insert

SQLITE_BUSY_TIMEOUT_MS = 10_000


class _RunNow:
    """Stands in for aiosqlite's queue to its worker thread: each queued call runs at once, on this thread.

    aiosqlite (and SQLAlchemy's adapter, which sets the isolation level through the same queue) hand every
    call to a worker as `(future, function)`; finishing the future here means `await future` returns at once.
    """

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:  # noqa: BLE001 - handed to the awaiting caller, as aiosqlite does
            if future is None:
                raise
            if not future.done():
                future.set_exception(error)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineSqliteConnection(aiosqlite.Connection):
    """aiosqlite's connection with every call run directly, instead of on aiosqlite's worker thread.

    Measured on the project's 2-core machine: a statement through SQLAlchemy's aiosqlite adapter costs about
    0.4 ms, nearly all of it thread hand-offs (cursor, execute, fetch and close each cross threads), while
    the SQLite work itself takes microseconds in WAL mode. Running it inline blocks the loop for those
    microseconds and makes a message several times cheaper. The pool's single connection (below) means no
    lock wait inside a process; another process holding the write lock is waited for by `busy_timeout`.
    aiosqlite is pinned below its next minor release in pyproject.toml because this leans on its internals.
    """

    def __init__(self, connector: Callable[[], sqlite3.Connection]) -> None:
        super().__init__(connector, iter_chunk_size=64)
        self._tx = _RunNow()  # type: ignore[assignment]

    def __await__(self) -> Generator[Any, None, InlineSqliteConnection]:
        return self._open().__await__()

    async def _open(self) -> InlineSqliteConnection:
        if self._connection is None:
            self._connection = self._connector()
        return self


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str | URL, *, echo: bool = False) -> AsyncEngine:
    """Build the engine for `url`, creating the SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(parsed, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)
    database = parsed.database or ":memory:"
    if database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)

    def connect() -> InlineSqliteConnection:
        return InlineSqliteConnection(partial(sqlite3.connect, database, check_same_thread=False))

    # One connection: SQLite has a single writer anyway, and the pool queue is a fairer wait than busy-looping.
    engine = create_async_engine(parsed, echo=echo, pool_size=1, max_overflow=0, async_creator=connect)
    _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def dialect_name(session: AsyncSession) -> str:
    """'sqlite' or 'postgresql': the one question code outside this module may ask about the backend."""
    bind = session.bind
    assert bind is not None, "sessions are always bound to the runtime's engine"
    return bind.dialect.name


def insert_ignoring_duplicates(session: AsyncSession, entity: Any) -> Insert:
    """`INSERT ... ON CONFLICT DO NOTHING` in the dialect of the session's database."""
    return insert_ignoring_duplicates_for(dialect_name(session), entity)


def insert_ignoring_duplicates_for(dialect: str, entity: Any) -> Insert:
    """The same for a named dialect, for statements built once at import."""
    if dialect == "postgresql":
        return pg_insert(entity).on_conflict_do_nothing()
    return sqlite_insert(entity).on_conflict_do_nothing()


async def lock_for_key(session: AsyncSession, key: str) -> None:
    """Hold a lock on `key` until the transaction ends, across every worker sharing the database.

    On SQLite the transaction already began with `BEGIN IMMEDIATE`, which excludes every other writer.
    """
    if dialect_name(session) != "postgresql":
        return
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    await session.execute(
        text("SELECT pg_advisory_xact_lock(:k)"), {"k": int.from_bytes(digest, "big", signed=True)}
    )
