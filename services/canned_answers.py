"""Canned answers staff keep for questions asked again and again: anyone at the office may read and use them,
staff and admins add, edit and delete them (audited, like every staff change)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import FORM_MEMORY, audit, audited_with_form
from models.canned_answers import MOST, TEXT_LIMIT, TITLE_LIMIT, CannedAnswer, canned_answers, canned_count, get_canned
from services.permissions import Actor, require_staff, require_viewer

SUBJECT = "canned_answer"
ADD = "canned_answer.add"
EDIT = "canned_answer.edit"
DELETE = "canned_answer.delete"


class Problem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    FULL = "full"
    """The office already keeps `MOST` canned answers."""


class CannedRefused(ValueError):
    """The title or the text cannot be kept as typed: `problems` says which field and why."""

    def __init__(self, problems: dict[str, Problem]) -> None:
        super().__init__(", ".join(f"{field}: {problem}" for field, problem in problems.items()))
        self.problems = problems


def checked(title: str, text: str) -> tuple[str, str]:
    """The title and text as kept (trimmed), or `CannedRefused` naming each field that is empty or too long."""
    kept = {"title": title.strip(), "text": text.strip()}
    limits = {"title": TITLE_LIMIT, "text": TEXT_LIMIT}
    problems = {field: Problem.EMPTY if not value else Problem.TOO_LONG
                for field, value in kept.items() if not value or len(value) > limits[field]}
    if problems:
        raise CannedRefused(problems)
    return kept["title"], kept["text"]


async def list_canned(session: AsyncSession, actor: Actor) -> Sequence[CannedAnswer]:
    require_viewer(actor)
    return await canned_answers(session)


async def canned_text(session: AsyncSession, actor: Actor, canned_id: int) -> str | None:
    """The text of one canned answer, to put in a reply; None when there is no such answer."""
    require_viewer(actor)
    canned = await get_canned(session, canned_id)
    return canned.text if canned is not None else None


async def find_canned(session: AsyncSession, actor: Actor, canned_id: int) -> CannedAnswer | None:
    require_viewer(actor)
    return await get_canned(session, canned_id)


async def add_canned(session: AsyncSession, actor: Actor, title: str, text: str, *, now: datetime,
                     form: str = "") -> CannedAnswer:
    """Keep a new canned answer; a web form sent twice (`form`, its one-time id) adds it once."""
    require_staff(actor)
    title, text = checked(title, text)
    if form and (sent := await audited_with_form(session, (ADD,), form, now - FORM_MEMORY)):
        earlier = await get_canned(session, sent[0].subject_id)
        if earlier is not None:
            return earlier
    if await canned_count(session) >= MOST:
        raise CannedRefused({"title": Problem.FULL})
    canned = CannedAnswer(title=title, text=text, created_by=actor.user_id, created_at=now, updated_at=now)
    session.add(canned)
    await session.flush()
    audit(session, at=now, actor_id=actor.user_id, action=ADD, subject_kind=SUBJECT, subject_id=canned.id,
          detail={"origin": actor.origin, "title": title, **({"form": form} if form else {})})
    return canned


async def edit_canned(session: AsyncSession, actor: Actor, canned_id: int, title: str, text: str, *,
                      now: datetime) -> CannedAnswer | None:
    """Change a canned answer's title and text; None when it was deleted meanwhile."""
    require_staff(actor)
    title, text = checked(title, text)
    canned = await get_canned(session, canned_id, lock=True)
    if canned is None:
        return None
    if (canned.title, canned.text) != (title, text):
        audit(session, at=now, actor_id=actor.user_id, action=EDIT, subject_kind=SUBJECT, subject_id=canned.id,
              detail={"origin": actor.origin, "before": canned.title, "after": title,
                      "text_changed": canned.text != text})
        canned.title, canned.text, canned.updated_at = title, text, now
    return canned


async def delete_canned(session: AsyncSession, actor: Actor, canned_id: int, *, now: datetime) -> bool:
    """Delete a canned answer (answers already sent with it stay in their threads); False when it was gone."""
    require_staff(actor)
    canned = await get_canned(session, canned_id, lock=True)
    if canned is None:
        return False
    audit(session, at=now, actor_id=actor.user_id, action=DELETE, subject_kind=SUBJECT, subject_id=canned.id,
          detail={"origin": actor.origin, "title": canned.title})
    await session.delete(canned)
    await session.flush()
    return True
