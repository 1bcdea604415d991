"""Broadcasts from staff: send now, schedule for later, cancel. The broadcasts job does the sending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.applications import OpeningRef, get_opening
from models.audiences import Audience
from models.broadcasts import Broadcast, BroadcastStatus, cancel_broadcast, create_broadcast, get_broadcast
from services.permissions import Actor, require_staff

MAX_TEXT = 1000


class BroadcastRefused(ValueError):
    """The broadcast as written cannot go out (a text empty or too long, an unknown opening)."""


@dataclass(frozen=True, slots=True)
class BroadcastDraft:
    text_id: str
    text_en: str | None
    opening_code: str | None
    audience: Audience
    send_at: datetime | None = None
    """None, or a moment already passed (the confirmation took a while): at once."""


async def known_opening_code(session: AsyncSession, code: str) -> str | None:
    """The canonical code of the opening `code` names, or None when there is none."""
    ref = OpeningRef.from_code(code)
    return ref.code if ref is not None and await get_opening(session, ref) is not None else None


async def send_broadcast(session: AsyncSession, actor: Actor, draft: BroadcastDraft, *, now: datetime) -> Broadcast:
    """Create the broadcast with one delivery per member of the audience: sending at once, or scheduled."""
    require_staff(actor)
    for text in (draft.text_id, draft.text_en):
        if text is not None and not 0 < len(text.strip()) <= MAX_TEXT:
            raise BroadcastRefused(f"the text must have 1 to {MAX_TEXT} characters")
    if draft.opening_code is not None and await known_opening_code(session, draft.opening_code) is None:
        raise BroadcastRefused(f"there is no opening {draft.opening_code}")
    return await create_broadcast(
        session, author_id=actor.user_id, text_id=draft.text_id, text_en=draft.text_en,
        opening_code=draft.opening_code, audience=draft.audience, scheduled_at=draft.send_at or now, now=now,
    )


async def cancel(session: AsyncSession, actor: Actor, broadcast_id: int, *, now: datetime) -> Broadcast | None:
    """Cancel a scheduled or sending broadcast; None when it has finished already (or never existed)."""
    require_staff(actor)
    broadcast = await get_broadcast(session, broadcast_id)
    if broadcast is None or broadcast.status not in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING):
        return None
    await cancel_broadcast(session, broadcast, now)
    return broadcast
