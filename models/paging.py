"""Pages of five for every listing a user scrolls through on a small phone screen."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

PAGE_SIZE = 5


@dataclass(frozen=True, slots=True)
class Page(Generic[T_co]):
    """One page of a listing; `number` counts from 0."""

    items: Sequence[T_co]
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def count(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.count

    @property
    def has_previous(self) -> bool:
        return self.number > 0


async def paginate(
    session: AsyncSession, entity: type[T], where: tuple[Any, ...], order: tuple[Any, ...], page: int, *,
    size: int = PAGE_SIZE,
) -> Page[T]:
    """Page `page` of `entity` rows matching `where`; a page past the end (rows gone meanwhile) gives the last."""
    total = int(await session.scalar(select(func.count()).select_from(entity).where(*where)) or 0)
    last = max(0, -(-total // size) - 1)
    number = min(max(page, 0), last)
    query = select(entity).where(*where).order_by(*order).offset(number * size).limit(size)
    rows = await session.scalars(query)
    return Page(list(rows), number, total, size)


async def table_page(session: AsyncSession, query: Select[*tuple[Any, ...]], order: Sequence[Any], *,
                     page: int, size: int) -> Page[Any]:
    """Page `page` of the rows of `query` (a page past the end gives the last): a count and one ordered query."""
    total = int(await session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)
    last = max(0, -(-total // size) - 1)
    number = min(max(page, 0), last)
    rows = await session.execute(query.order_by(*order).offset(number * size).limit(size))
    return Page([tuple(row) for row in rows], number, total, size)
