"""The office's yearly training targets, against which achievement is reported (capaian target).

A target is per year, for all programs (`category` empty) or for one training category. Staff set it from
the command line (`python -m bot target set 2025 3000`).
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.categories import ALL_CATEGORIES as ALL_CATEGORIES  # noqa: PLC0414 (re-exported: imported from here)


class TrainingTarget(Base):
    __tablename__ = "training_targets"
    __table_args__ = (CheckConstraint("target > 0", name="target_positive"),)

    year: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    """A `TrainingCategory`, or empty for the target of all programs together."""
    target: Mapped[int]


async def set_target(session: AsyncSession, year: int, target: int, category: str = ALL_CATEGORIES) -> int | None:
    """Store the target; returns the one it replaces (None when there was none)."""
    row = await session.get(TrainingTarget, (year, category), with_for_update=True, populate_existing=True)
    before = None if row is None else row.target
    if row is None:
        session.add(TrainingTarget(year=year, category=category, target=target))
    else:
        row.target = target
    await session.flush()
    return before


async def targets_for(session: AsyncSession, year: int) -> dict[str, int]:
    """Targets of a year by category ('' for all programs)."""
    rows = await session.execute(select(TrainingTarget.category, TrainingTarget.target)
                                 .where(TrainingTarget.year == year))
    return {str(row[0]): int(row[1]) for row in rows.all()}
