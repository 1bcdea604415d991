"""Whether a user can be written to: a platform that refuses delivery for good (the user blocked the bot) makes
them unreachable, and later sends skip them instead of failing again; writing to the bot again clears it
(`models.users.load_or_create_user`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from models.users import User


async def mark_unreachable(session: AsyncSession, channel: str, external_id: str, now: datetime) -> None:
    """Record the first refusal; a later one keeps the original date."""
    await session.execute(
        update(User)
        .where(User.channel == channel, User.external_id == external_id, User.unreachable_since.is_(None))
        .values(unreachable_since=now)
    )


async def mark_reachable(session: AsyncSession, channel: str, external_id: str) -> None:
    """The user unblocked the bot: it may write to them again."""
    await session.execute(
        update(User).where(User.channel == channel, User.external_id == external_id).values(unreachable_since=None)
    )


async def unreachable_since(session: AsyncSession, channel: str, external_id: str) -> datetime | None:
    return await session.scalar(
        select(User.unreachable_since).where(User.channel == channel, User.external_id == external_id)
    )
