"""Declarative base shared by every table, plus the column types all models agree on.

Timestamps are stored in UTC and always come back timezone-aware, on SQLite as on PostgreSQL, so no code
ever compares a naive datetime with an aware one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, Table
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

POSTGRESQL_ONLY_INDEXES = frozenset({"ix_job_seeker_profiles_name_trigrams"})
"""Indexes a migration makes on PostgreSQL alone (a trigram index has no SQLite counterpart): the models do not
declare them, so comparing the models with a migrated database leaves them out (`compared`)."""


def compared(_object: object, name: str | None, type_: str, _reflected: bool, _compare_to: object) -> bool:
    """Alembic's `include_object`: everything but the PostgreSQL-only indexes."""
    return not (type_ == "index" and name in POSTGRESQL_ONLY_INDEXES)


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend (SQLite has no time zones of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC timestamp is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


JsonDocument = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    """Base class of all tables; constraint names follow one convention so migrations stay predictable."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UtcDateTime()}


def table_of(model: type[Base]) -> Table:
    """A model's `Table`, typed as one (the declarative `__table__` is typed as any `FromClause`), for Core
    statements written without the ORM."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def utcnow() -> datetime:
    """The current time in UTC; the runtime's clock wraps this so tests can move time."""
    return datetime.now(UTC)
