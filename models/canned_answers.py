"""Canned answers: short replies staff reuse for questions asked again and again ("where is my certificate"),
kept by the office and picked in the inbox's reply form or from chat (`/jawab 12 #3`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.tickets import MESSAGE_LIMIT

TITLE_LIMIT = 80
"""The longest title, in characters: it names the answer in a select, so it must stay short."""
TEXT_LIMIT = MESSAGE_LIMIT
"""An answer is sent as it is, so it holds no more than any staff answer."""
MOST = 200
"""The most canned answers an office keeps: a select longer than that helps nobody, and every list is bounded."""


class CannedAnswer(Base):
    __tablename__ = "canned_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_LIMIT))
    text: Mapped[str] = mapped_column(String(TEXT_LIMIT))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """Who wrote it (None once their account is gone)."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


async def canned_answers(session: AsyncSession) -> Sequence[CannedAnswer]:
    """Every canned answer, by title (at most `MOST`)."""
    query = select(CannedAnswer).order_by(func.lower(CannedAnswer.title), CannedAnswer.id).limit(MOST)
    return list(await session.scalars(query))


async def canned_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(CannedAnswer)) or 0)


async def get_canned(session: AsyncSession, canned_id: int, *, lock: bool = False) -> CannedAnswer | None:
    query = select(CannedAnswer).where(CannedAnswer.id == canned_id)
    return await session.scalar(query.with_for_update() if lock else query)
