"""How a training's alumni are followed up: setting the plan recomputes every alumnus' check-ins."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog import get_training
from models.follow_up_schedule import FollowUpPlan, PlanError
from models.follow_ups import set_follow_up_plan as store_plan
from models.regions import Office
from services.permissions import Actor, require_staff


class NoSuchProgram(LookupError):
    def __init__(self, program_id: int) -> None:
        super().__init__(f"There is no training program {program_id}.")


def check_plan(plan: object) -> dict[str, Any]:
    """The plan as stored, or `PlanError` saying what is wrong with it."""
    if not isinstance(plan, dict):
        raise PlanError("follow-up plan: give a JSON object, like {\"every_months\": 3}")
    FollowUpPlan.from_json(plan)
    return plan


async def set_follow_up_plan(
    session: AsyncSession, actor: Actor, program_id: int, plan: object, *, office: Office, now: datetime
) -> int:
    """Store the program's plan and reschedule its alumni; returns how many check-ins are now scheduled."""
    require_staff(actor)
    checked = check_plan(plan)
    program = await get_training(session, program_id)
    if program is None:
        raise NoSuchProgram(program_id)
    return await store_plan(session, program, checked, office.timezone, now)
