"""The statements every message runs (its event id, user, conversation and outbox rows), compiled once.

Through `AsyncSession` each of them cost several times the statement's own work: the compiled-cache lookup,
an execution context, the result's set-up, a greenlet switch there and back (bench/dialog.py, profiled per
message). On SQLite, whose calls run inline (`models.db.InlineSQLiteDialect`), a `Prepared` statement goes
straight to the sqlite3 connection its transaction holds, with its SQL and its type conversions worked out once
(a transaction's first statement gets that connection the async way: the pool may make it wait). On PostgreSQL
a statement for one row goes to asyncpg's own prepared statement on the connection SQLAlchemy's transaction
holds, through the same adapter SQLAlchemy uses (its transaction start, statement cache and lock): 53 µs of CPU
a statement against 127 through `AsyncConnection.execute` (measured alone on this project's machine); an error
is raised as SQLAlchemy would raise it, a lost connection invalidated the same way. The values in and out are
the same either way, converted by the columns' own types. SQLAlchemy's statement log and cursor events do not
see what runs this way.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql import ClauseElement
from sqlalchemy.util.concurrency import greenlet_spawn

from models.db import InlineSQLiteDialect

Convert = Callable[[Any], Any] | None
Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    binds: tuple[tuple[str, Convert], ...]
    """Each positional parameter's name and its column type's conversion to the driver."""
    results: tuple[Convert, ...]
    keys: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Done:
    """What a prepared statement returned: the rows it changed and the rows it gave back, converted."""

    rowcount: int
    keys: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def first(self) -> dict[str, Any] | None:
        return dict(zip(self.keys, self.rows[0], strict=True)) if self.rows else None

    def scalars(self) -> list[Any]:
        return [row[0] for row in self.rows]


class Prepared:
    """A Core statement with the parameter names it is always given (for an INSERT or UPDATE, the columns it
    sets), compiled for SQLite on first use with the engine's own dialect."""

    def __init__(self, statement: ClauseElement, keys: Sequence[str] = ()) -> None:
        self.statement = statement
        self._keys = list(keys)
        self._compiled: dict[str, _Compiled] = {}
        """By dialect name: one process may talk to both (the test suite does)."""

    def compiled(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled: Any = self.statement.compile(dialect=dialect, column_keys=self._keys)
            if compiled.insert_prefetch or compiled.update_prefetch:
                raise ValueError("a column default computed in Python would be left out: pass it as a key")
            processors = compiled._bind_processors  # noqa: SLF001 (what SQLAlchemy's own execution uses)
            results = compiled._result_columns  # noqa: SLF001
            found = self._compiled[dialect.name] = _Compiled(
                compiled.string,
                tuple((name, processors.get(name)) for name in compiled.positiontup or ()),
                tuple(column.type._cached_result_processor(dialect, None) for column in results),  # noqa: SLF001
                tuple(column.keyname for column in results),
            )
        return found


async def run(session: AsyncSession, prepared: Prepared, parameters: Parameters) -> Done:
    """Run `prepared` in the session's transaction, once per mapping when given a list (in order)."""
    held = _held_inline_connection(session)
    if held is None:
        kept = await _transaction_connection(session)
        connection = kept.connection
        held = _held_inline_connection(session)
    if held is not None:
        return _run_inline(held, prepared.compiled(held.dialect), parameters)
    if kept.asyncpg_adapter is not None:
        if isinstance(parameters, Mapping):
            return await _run_on_asyncpg(connection, kept.asyncpg_adapter, prepared.compiled(connection.dialect),
                                         parameters)
        if len(parameters) == 1:  # a message's one reply: the common case of a list
            return await _run_on_asyncpg(connection, kept.asyncpg_adapter, prepared.compiled(connection.dialect),
                                         parameters[0])
    result = await connection.execute(prepared.statement, parameters)  # type: ignore[call-overload]
    if not result.returns_rows:
        return Done(result.rowcount, (), [])
    return Done(result.rowcount, tuple(result.keys()), [tuple(row) for row in result])


def _run_inline(connection: Connection, compiled: _Compiled, parameters: Parameters) -> Done:
    batch = [parameters] if isinstance(parameters, Mapping) else parameters
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    rows: list[tuple[Any, ...]] = []
    changed = 0
    values: list[Any] = []
    try:
        for given in batch:
            values = [given[name] if convert is None else convert(given[name]) for name, convert in compiled.binds]
            cursor.execute(compiled.sql, values)
            if cursor.description is not None:
                rows += [tuple(value if convert is None else convert(value)
                               for value, convert in zip(row, compiled.results, strict=True))
                         for row in cursor.fetchall()]
            changed += max(cursor.rowcount, 0)
    except sqlite3.Error as error:  # as SQLAlchemy would raise it, for callers that catch its exceptions
        raise DBAPIError.instance(compiled.sql, values, error, sqlite3.Error) from error
    finally:
        cursor.close()
    return Done(changed, compiled.keys, rows)


@dataclass(frozen=True, slots=True)
class _Kept:
    """A transaction's connection, kept for its statements (`_transaction_connection`)."""

    transaction: weakref.ref[object]
    """Weak: the session holds this in its `info`, and a strong reference back to the session's transaction
    (which holds the session) made every message's session, connection and transaction a reference cycle, about
    40 objects a message left to the garbage collector, whose pauses were the dialog's slowest messages."""
    connection: AsyncConnection
    asyncpg_adapter: Any
    """SQLAlchemy's adapter around the asyncpg connection, on PostgreSQL (None elsewhere)."""


async def _transaction_connection(session: AsyncSession) -> _Kept:
    """The connection of the session's transaction, begun (and checked out, maybe waiting for the pool) if there
    is none yet. Kept in `session.info` for that transaction, with the driver's connection behind it: asking the
    session again for every statement was a sixth of a PostgreSQL message's CPU, and asking the connection for
    its driver's another greenlet switch a statement (bench/dialog.py, profiled)."""
    kept = session.info.get(_CONNECTION)
    transaction = session.sync_session.get_transaction()
    if kept is not None and transaction is not None and kept.transaction() is transaction:
        return kept  # type: ignore[no-any-return]
    connection = await session.connection()
    adapter = None
    if connection.dialect.driver == "asyncpg":
        adapter = (await connection.get_raw_connection()).dbapi_connection
    made = session.info[_CONNECTION] = _Kept(weakref.ref(session.sync_session.get_transaction()), connection, adapter)
    return made


_CONNECTION = "models.prepared.connection"


async def _run_on_asyncpg(
    connection: AsyncConnection, adapter: Any, compiled: _Compiled, given: Mapping[str, Any]
) -> Done:
    """One statement on asyncpg, in the transaction SQLAlchemy's adapter holds (begun here if it is the first)."""
    values = [given[name] if convert is None else convert(given[name]) for name, convert in compiled.binds]
    try:
        async with adapter._execute_mutex:  # noqa: SLF001 (the adapter's own order of statements)
            if adapter._transaction is None:  # noqa: SLF001
                await adapter._start_transaction()  # noqa: SLF001
            statement, _attributes = await adapter._prepare(  # noqa: SLF001 (its statement cache)
                compiled.sql, connection.dialect._invalidate_schema_cache_asof)  # type: ignore[attr-defined]  # noqa: SLF001
            records = await statement.fetch(*values)
            status = statement.get_statusmsg() or ""
    except Exception as error:  # noqa: BLE001 (every error is raised again, as SQLAlchemy raises it)
        await _raise_as_sqlalchemy(connection, adapter, error, compiled.sql, values)
    rows = [tuple(value if convert is None else convert(value)
                  for value, convert in zip(record, compiled.results, strict=True)) for record in records]
    counted = status.rsplit(" ", 1)[-1]
    return Done(int(counted) if counted.isdigit() else len(rows), compiled.keys, rows)


async def _raise_as_sqlalchemy(connection: AsyncConnection, adapter: Any, error: Exception, sql: str,
                               values: list[Any]) -> NoReturn:
    """The adapter turns asyncpg's error into the DBAPI's; SQLAlchemy's connection wraps that in its own
    exception, invalidating the pool when the connection was lost (what `is_disconnect` callers retry on)."""
    try:
        adapter._handle_exception(error)  # noqa: SLF001 (always raises)
    except Exception as dbapi_error:  # noqa: BLE001
        sync = connection.sync_connection
        assert sync is not None
        await greenlet_spawn(sync._handle_dbapi_exception, dbapi_error, sql, tuple(values), None, None)  # noqa: SLF001
    raise AssertionError("unreachable: the handlers above always raise")


def _held_inline_connection(session: AsyncSession) -> Connection | None:
    """The SQLite connection the session's transaction already holds, if it is one that runs inline."""
    transaction = session.sync_session.get_transaction()
    if transaction is None:
        return None
    for connection, *_rest in transaction._connections.values():  # noqa: SLF001 (no public "held, no checkout")
        if isinstance(connection.dialect, InlineSQLiteDialect):
            return connection
    return None
