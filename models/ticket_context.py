"""What staff see beside a question to answer it well: the asker's latest applications and the bot's latest
messages to them. Each is one bounded query (a `limit`), never a query per row: the conversation view stays as
fast for a long-time alumna as for a newcomer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from models.applications import Application, OpeningKind
from models.catalog import ApprenticeshipOpening, Provider, TrainingProgram
from models.conversations import Conversation
from models.outbox import OutboxMessage


@dataclass(frozen=True, slots=True)
class AppliedTo:
    application: Application
    kind: OpeningKind
    title: str
    """The opening's title (a training's title, an apprenticeship's position and company); empty if it is gone."""


async def latest_applications(session: AsyncSession, user_id: int, limit: int) -> list[AppliedTo]:
    """The user's `limit` newest applications with their openings' titles, in one query."""
    query = (select(Application, TrainingProgram.title, ApprenticeshipOpening.position, Provider.name)
             .outerjoin(TrainingProgram, TrainingProgram.id == Application.training_program_id)
             .outerjoin(ApprenticeshipOpening, ApprenticeshipOpening.id == Application.apprenticeship_opening_id)
             .outerjoin(Provider, Provider.id == ApprenticeshipOpening.company_id)
             .where(Application.user_id == user_id)
             .order_by(Application.submitted_at.desc(), Application.id.desc()).limit(limit))
    found = []
    for application, title, position, company in await session.execute(query):
        if application.training_program_id is not None:
            found.append(AppliedTo(application, OpeningKind.TRAINING, title or ""))
        else:
            named = f"{position} - {company}" if position else ""
            found.append(AppliedTo(application, OpeningKind.APPRENTICESHIP, named))
    return found


async def latest_sent(session: AsyncSession, user_id: int, limit: int) -> list[OutboxMessage]:
    """The `limit` newest messages written to the user, newest first (sent, waiting or failed)."""
    query = (select(OutboxMessage).where(OutboxMessage.user_id == user_id)
             .order_by(OutboxMessage.id.desc()).limit(limit))
    return list(await session.scalars(query))


async def conversation_of(session: AsyncSession, user_id: int) -> Conversation | None:
    """Where the user is in the chat now (their flow and step), None before they ever wrote."""
    return await session.get(Conversation, user_id)

