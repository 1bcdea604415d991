"""Engines and sessions, and the few things that must differ between SQLite and PostgreSQL.

SQLite is the embedded default: WAL journal, one writer at a time (`BEGIN IMMEDIATE`), so a transaction that
will write never fails half-way on a lock upgrade. Its calls run inline on the event loop's thread (see
`InlineSQLiteDialect`). PostgreSQL serialises one user's messages with a transaction-level advisory lock,
so any number of workers can share the database.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, case, event, func, make_url, text
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, NullPool, Pool, StaticPool
from sqlalchemy.sql.dml import Insert
from sqlalchemy.util.concurrency import await_, in_greenlet

SQLITE_BUSY_TIMEOUT_MS = 10_000
POOL_RECYCLE_SECONDS = 1800
"""PostgreSQL connections older than this are replaced at checkout, before a firewall or server timeout drops
them silently."""


class InlineSQLiteDialect(SQLiteDialect_pysqlite):
    """SQLite through the standard `sqlite3` module, declared async so `AsyncEngine` accepts it.

    SQLite's work for one of our statements takes microseconds in WAL mode; what cost time was getting to it.
    Through aiosqlite every cursor, execute, fetch and close crosses to a worker thread and back. Measured
    with bench/dialog.py on the project's 2-core machine: 66-90 messages/s through aiosqlite, 310-385 with
    this dialect. Calls run inline on the event loop's thread, inside the greenlet each session operation
    already gets, and never suspend. `DATABASE_URL` keeps the documented `sqlite+aiosqlite://` form;
    `create_engine` swaps the driver. The pool's single connection (below) means no lock waits inside a process;
    another process holding the write lock is waited for by `busy_timeout`, blocking this loop meanwhile.
    """

    driver = "inline"
    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[Pool]:
        return AsyncAdaptedQueuePool if cls._is_url_file_db(url) else StaticPool

    # `AsyncConnection.execute` insists that a statement awaited something (a guard against sync drivers);
    # one await of a finished coroutine per statement satisfies it for the price of two greenlet switches.
    def do_execute(self, cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        super().do_execute(cursor, statement, parameters, context)  # type: ignore[no-untyped-call]
        _pass_through_the_loop()

    def do_executemany(self, cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        super().do_executemany(cursor, statement, parameters, context)  # type: ignore[no-untyped-call]
        _pass_through_the_loop()

    def do_execute_no_params(self, cursor: Any, statement: str, context: Any = None) -> None:
        super().do_execute_no_params(cursor, statement, context)  # type: ignore[no-untyped-call]
        _pass_through_the_loop()


class _InlineCursor(sqlite3.Cursor):
    async def _async_soft_close(self) -> None:
        """What `AsyncConnection` calls on an async driver's cursor after a buffered result; nothing to do."""


class _InlineConnection(sqlite3.Connection):
    def cursor(self, factory: Any = _InlineCursor) -> Any:
        return super().cursor(factory)


async def _finished() -> None:
    return None


def _pass_through_the_loop() -> None:
    if in_greenlet():
        await_(_finished())


registry.register("sqlite.inline", __name__, "InlineSQLiteDialect")


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str | URL, *, echo: bool = False) -> AsyncEngine:
    """Build the engine for `url`, creating the SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_async_engine(parsed, echo=echo, pool_size=10, max_overflow=10,
                                     pool_recycle=POOL_RECYCLE_SECONDS)
        _replace_closed_connections(engine)
        return engine
    database = parsed.database or ":memory:"
    if database != ":memory:":
        create_private_file(Path(database))
    # One connection: SQLite has a single writer anyway, and the pool queue is a fairer wait than busy-looping.
    engine = create_async_engine(
        parsed.set(drivername="sqlite+inline"),
        echo=echo,
        pool_size=1,
        max_overflow=0,
        connect_args={"check_same_thread": False, "factory": _InlineConnection},
    )
    _configure_sqlite(engine)
    return engine


def create_private_file(path: Path) -> None:
    """Create the SQLite file empty and readable by its owner alone (0600) before SQLite opens it, in a folder
    made 0700 if it is new: it holds personal data. SQLite gives its -wal and -shm files the database file's
    mode, so they are private from their first byte too. An existing file or folder is left as it is."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o700)  # mkdir's mode passes through the umask; a umask of 0o077 or looser keeps it anyway
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)


def _replace_closed_connections(engine: AsyncEngine) -> None:
    """Liveness without a round trip ("Dealing with Disconnects" in SQLAlchemy's pooling docs): instead of
    `pool_pre_ping`'s SELECT on every checkout, a connection the driver already knows is closed (the server
    restarted or terminated it, and its socket said so) is swapped for a new one at checkout, and one that
    breaks in use invalidates the pool and is retried by its entry point (`is_disconnect`)."""

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if dbapi_connection.driver_connection.is_closed():
            raise DisconnectionError("the server closed this pooled connection")


def is_disconnect(error: BaseException) -> bool:
    """Whether `error` is the database connection breaking (the pool has then dropped it and its siblings):
    the transaction may be run again on a new one."""
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _configure_sqlite(engine: AsyncEngine, *, reading: bool = False) -> None:
    """The pragmas of every connection; a writer's transactions begin IMMEDIATE, a reader's (`ReadApart`) plain,
    on a connection that may only read."""
    pragmas = ("query_only=ON",) if reading else ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON")

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, below
        cursor = dbapi_connection.cursor()
        for pragma in (*pragmas, f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    begin = "BEGIN" if reading else "BEGIN IMMEDIATE"

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Straight to the driver, as `models.prepared` does: through `exec_driver_sql` the statement's execution
        # context cost more than SQLite's work, once per transaction (bench/dialog.py).
        try:
            conn.connection.driver_connection.execute(begin)
        except sqlite3.Error as error:  # as SQLAlchemy would raise it
            raise DBAPIError.instance(begin, (), error, sqlite3.Error) from error


T = TypeVar("T")


class ReadApart:
    """Run a heavy read (a yearly report, an export) where it holds up nobody: on SQLite, on a read-only
    connection of its own in a worker thread, with that thread's own event loop; on PostgreSQL, on a pooled
    connection of its own (asyncpg never blocks the loop).

    SQLite's calls run inline on the event loop (`InlineSQLiteDialect`): the report at a million alumni took
    2.7-3.5 s of it, and every other user's reply waited that long. In its own thread the query runs while
    `sqlite3` has let go of the GIL, and in WAL mode a reader neither waits for the writer nor blocks it. The
    read is the same coroutine either way (`read(session)`), so there is one copy of what it computes. Call it
    outside any transaction of one's own: on SQLite, a transaction holds the process' only connection, and the
    other users would wait for it instead.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        url = engine.url
        self._own_file = url.get_backend_name() == "sqlite" and (url.database or ":memory:") != ":memory:"

    async def __call__(self, read: Callable[[AsyncSession], Awaitable[T]]) -> T:
        if self._own_file:
            return await asyncio.to_thread(asyncio.run, self._in_own_connection(read))
        async with AsyncSession(self._engine, expire_on_commit=False) as session, session.begin():
            return await read(session)

    async def _in_own_connection(self, read: Callable[[AsyncSession], Awaitable[T]]) -> T:
        engine = create_async_engine(self._engine.url, poolclass=NullPool,
                                     connect_args={"check_same_thread": False, "factory": _InlineConnection})
        _configure_sqlite(engine, reading=True)
        try:
            async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
                return await read(session)
        finally:
            await engine.dispose()


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def dialect_name(session: AsyncSession) -> str:
    """'sqlite' or 'postgresql': the one question code outside this module may ask about the backend."""
    bind = session.bind
    assert bind is not None, "sessions are always bound to the runtime's engine"
    return bind.dialect.name


def dialect_insert(dialect: str, entity: Any) -> Any:
    """The dialect's own INSERT ('sqlite' or 'postgresql'), which alone offers ON CONFLICT ... DO NOTHING/UPDATE."""
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(entity)


def insert_ignoring_duplicates(dialect: str, entity: Any) -> Insert:
    """`INSERT ... ON CONFLICT DO NOTHING` for a named dialect ('sqlite' or 'postgresql'), built once at import."""
    statement: Insert = dialect_insert(dialect, entity).on_conflict_do_nothing()
    return statement


async def lock_for_key(session: AsyncSession, key: str) -> None:
    """Hold a lock on `key` until the transaction ends, across every worker sharing the database.

    On SQLite the transaction already began with `BEGIN IMMEDIATE`, which excludes every other writer.
    """
    if dialect_name(session) != "postgresql":
        return
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_number(key)})


async def lock_for_keys(session: AsyncSession, keys: Iterable[str]) -> None:
    """`lock_for_key` for many keys in one statement (a job acting for a batch of users), taken in the order of
    their numbers so two batches, or a batch and a message, never wait on each other in a circle."""
    if dialect_name(session) != "postgresql":
        return
    numbers = sorted({lock_number(key) for key in keys})
    if numbers:
        await session.execute(
            text("SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(CAST(:ks AS bigint[])) AS k "
                 "ORDER BY 1) AS ordered"),
            {"ks": numbers},
        )


def lock_number(key: str) -> int:
    """The PostgreSQL advisory lock that stands for `key` (a user, a job)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows of a group meet `condition` (0 for none), portable to SQLite and PostgreSQL alike."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
