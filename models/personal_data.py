"""What the office holds about one person beyond their profile, for the export of their data (UU 27/2022
gives them the right to all of it): every application with its history, and what they completed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.applications import (
    Application,
    ApplicationStatusChange,
    Completion,
    Opening,
    get_opening,
    opening_of,
)


@dataclass(frozen=True, slots=True)
class ApplicationRecord:
    application: Application
    opening: Opening | None
    """None when the opening was deleted since (the application is kept)."""
    history: list[ApplicationStatusChange]
    completion: Completion | None


async def application_records(session: AsyncSession, user_id: int) -> list[ApplicationRecord]:
    """The user's applications, oldest first, each with its status history and completion."""
    applications = list(await session.scalars(
        select(Application).where(Application.user_id == user_id).order_by(Application.submitted_at, Application.id)
    ))
    ids = [application.id for application in applications]
    changes = list(await session.scalars(
        select(ApplicationStatusChange).where(ApplicationStatusChange.application_id.in_(ids))
        .order_by(ApplicationStatusChange.id)
    )) if ids else []
    completions = {completion.application_id: completion for completion in await session.scalars(
        select(Completion).where(Completion.user_id == user_id))}
    return [
        ApplicationRecord(application, await get_opening(session, opening_of(application)),
                          [change for change in changes if change.application_id == application.id],
                          completions.get(application.id))
        for application in applications
    ]
