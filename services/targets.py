"""The office's yearly training targets, which the follow-up report measures the year against."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models.targets import ALL_CATEGORIES
from models.targets import set_target as store_target
from services.permissions import Actor, require_staff


class TargetRefused(ValueError):
    pass


def check_target(target: int) -> None:
    """Raises `TargetRefused` for a target no office could mean; callers may check before opening a session."""
    if target <= 0:
        raise TargetRefused("The target must be a positive number of participants.")


async def set_target(
    session: AsyncSession, actor: Actor, year: int, target: int, category: str = ALL_CATEGORIES
) -> None:
    """Set the target of `year` (of one training category, or of all when `category` is empty)."""
    require_staff(actor)
    check_target(target)
    await store_target(session, year, target, category)
