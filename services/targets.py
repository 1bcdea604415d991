"""The office's yearly training targets, which the follow-up report measures the year against.

Staff set them from the command line (`python -m bot target set 2025 3000`) and the dashboard's report page,
through `set_target`, which checks and audits the change with the target before and after.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.categories import TrainingCategory
from models.targets import ALL_CATEGORIES, targets_for
from models.targets import set_target as store_target
from services.permissions import Actor, require_staff, require_viewer

EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
MOST_PARTICIPANTS = 10_000_000
"""More participants than any office trains in a year: a larger target is a typing mistake."""


class TargetRefused(ValueError):
    pass


def check_target(target: int) -> None:
    """Raises `TargetRefused` for a target no office could mean; callers may check before opening a session."""
    if target <= 0:
        raise TargetRefused("The target must be a positive number of participants.")
    if target > MOST_PARTICIPANTS:
        raise TargetRefused(f"The target must be at most {MOST_PARTICIPANTS} participants.")


def check_year(year: int) -> None:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise TargetRefused(f"The year must be between {EARLIEST_YEAR} and {LATEST_YEAR}.")


def check_category(category: str) -> None:
    if category != ALL_CATEGORIES and category not in set(TrainingCategory):
        raise TargetRefused(f"There is no training category {category!r}.")


async def set_target(
    session: AsyncSession, actor: Actor, year: int, target: int, category: str = ALL_CATEGORIES, *,
    now: datetime,
) -> bool:
    """Set the target of `year` (of one training category, or of all when `category` is empty). Setting the
    target it already has changes nothing and is not audited (a form sent twice applies once); returns whether
    it changed."""
    require_staff(actor)
    check_year(year)
    check_target(target)
    check_category(category)
    before = await store_target(session, year, target, category)
    if before == target:
        return False
    audit(session, at=now, actor_id=actor.user_id, action="target.set", subject_kind="training_target",
          subject_id=year, detail={"origin": actor.origin, "category": category,
                                   "before": None if before is None else {"target": before},
                                   "after": {"target": target}})
    return True


async def targets_of_year(session: AsyncSession, actor: Actor, year: int) -> dict[str, int]:
    """The year's targets by training category ('' for all programs together)."""
    require_viewer(actor)
    return await targets_for(session, year)
