"""Broadcasts from staff: send now, schedule for later, cancel; and what the office reads of them (the list with
each one's figures, one broadcast with why its messages failed, the undelivered messages of the last days).
The broadcasts job does the sending. Sending, scheduling and cancelling are audited, whoever does them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.applications import OpeningRef, get_opening
from models.audiences import Audience, AudienceSize, size_of
from models.audit import FORM_MEMORY, audit, audited_with_form
from models.broadcasts import (
    Broadcast,
    BroadcastStatus,
    Figures,
    broadcasts_page,
    cancel_broadcast,
    create_broadcast,
    figures_of,
    figures_of_many,
    get_broadcast,
)
from models.delivery_failures import FailedMessage, Reason, count_failed, failure_reasons, latest_failed
from models.paging import Page
from services.permissions import Actor, require_staff, require_viewer
from services.posters import link_to_broadcast

MAX_TEXT = 1000
SENT_ACTIONS = ("broadcast.create", "broadcast.schedule")


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
    poster_file_id: int | None = None
    """A poster or brochure the author uploaded for it (`services.posters.upload_for_broadcast`), if any."""


@dataclass(frozen=True, slots=True)
class BroadcastLine:
    """A broadcast as the office's list and its page show it: the row and where it stands."""

    broadcast: Broadcast
    figures: Figures
    reasons: Sequence[Reason] = ()
    """Why its messages failed, the most common first (on its own page only)."""

    @property
    def going(self) -> bool:
        """Still to be sent, or being sent: it can be cancelled."""
        return self.broadcast.status in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING)

    @property
    def sending(self) -> bool:
        """Going out now: its figures move from one moment to the next."""
        return self.broadcast.status == BroadcastStatus.SENDING

    @property
    def share_done(self) -> float:
        """The share of its recipients that are through (sent, failed or skipped), from 0 to 1."""
        figures = self.figures
        return 1.0 if figures.total == 0 else (figures.total - figures.remaining) / figures.total


@dataclass(frozen=True, slots=True)
class Undelivered:
    """The messages that did not arrive since a moment: how many, the common reasons, a page of the latest."""

    total: int
    reasons: Sequence[Reason]
    latest: Page[FailedMessage]


async def known_opening_code(session: AsyncSession, code: str) -> str | None:
    """The canonical code of the opening `code` names, or None when there is none."""
    ref = OpeningRef.from_code(code)
    return ref.code if ref is not None and await get_opening(session, ref) is not None else None


async def audience_size(session: AsyncSession, actor: Actor, audience: Audience) -> AudienceSize:
    """How many a broadcast to `audience` would reach, by language: what staff see while choosing it."""
    require_staff(actor)
    return await size_of(session, audience)


async def send_broadcast(session: AsyncSession, actor: Actor, draft: BroadcastDraft, *, now: datetime,
                         form: str = "") -> Broadcast:
    """Create the broadcast with one delivery per member of the audience: sending at once, or scheduled. With a
    web form's one-time id `form`, the same form sent twice creates one broadcast (the first)."""
    require_staff(actor)
    if form and (done := await audited_with_form(session, SENT_ACTIONS, form, now - FORM_MEMORY)):
        earlier = await get_broadcast(session, done[0].subject_id)
        if earlier is not None:
            return earlier
    for text in (draft.text_id, draft.text_en):
        if text is not None and not 0 < len(text.strip()) <= MAX_TEXT:
            raise BroadcastRefused(f"the text must have 1 to {MAX_TEXT} characters")
    if draft.opening_code is not None and await known_opening_code(session, draft.opening_code) is None:
        raise BroadcastRefused(f"there is no opening {draft.opening_code}")
    broadcast = await create_broadcast(
        session, author_id=actor.user_id, text_id=draft.text_id, text_en=draft.text_en,
        opening_code=draft.opening_code, audience=draft.audience, scheduled_at=draft.send_at or now, now=now,
    )
    if draft.poster_file_id is not None and not await link_to_broadcast(session, actor, broadcast.id,
                                                                          draft.poster_file_id):
        raise BroadcastRefused(f"stored file {draft.poster_file_id} is not a poster this author uploaded")
    detail: dict[str, Any] = {"origin": actor.origin, "before": None, "after": _recorded(broadcast)}
    if form:
        detail["form"] = form
    audit(session, at=now, actor_id=actor.user_id, subject_kind="broadcast", subject_id=broadcast.id,
          action="broadcast.schedule" if broadcast.status == BroadcastStatus.SCHEDULED else "broadcast.create",
          detail=detail)
    return broadcast


def _recorded(broadcast: Broadcast) -> dict[str, Any]:
    return {"status": broadcast.status, "text_id": broadcast.text_id, "text_en": broadcast.text_en,
            "opening_code": broadcast.opening_code, "audience": broadcast.audience,
            "scheduled_at": broadcast.scheduled_at.isoformat(), "total": broadcast.total}


async def cancel(session: AsyncSession, actor: Actor, broadcast_id: int, *, now: datetime) -> Broadcast | None:
    """Cancel a scheduled or sending broadcast; None when it has finished already (or never existed)."""
    require_staff(actor)
    broadcast = await get_broadcast(session, broadcast_id, for_update=True)
    if broadcast is None or broadcast.status not in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING):
        return None
    before = broadcast.status
    await cancel_broadcast(session, broadcast, now)
    audit(session, at=now, actor_id=actor.user_id, action="broadcast.cancel", subject_kind="broadcast",
          subject_id=broadcast.id, detail={"origin": actor.origin, "before": {"status": before},
                                           "after": {"status": broadcast.status}})
    return broadcast


async def list_broadcasts(session: AsyncSession, actor: Actor, page: int, size: int) -> Page[BroadcastLine]:
    """A page of every broadcast, the newest first, each with its figures (one query for the page's)."""
    require_viewer(actor)
    found = await broadcasts_page(session, page, size)
    figures = await figures_of_many(session, [broadcast.id for broadcast in found.items])
    lines = [BroadcastLine(broadcast, figures[broadcast.id]) for broadcast in found.items]
    return Page(lines, found.number, found.total, found.size)


async def broadcast_for_staff(session: AsyncSession, actor: Actor, broadcast_id: int) -> BroadcastLine | None:
    """One broadcast with its figures and why its messages failed; None when there is no such broadcast."""
    require_viewer(actor)
    broadcast = await get_broadcast(session, broadcast_id)
    if broadcast is None:
        return None
    return BroadcastLine(broadcast, await figures_of(session, broadcast_id),
                         await failure_reasons(session, broadcast_id=broadcast_id))


async def undelivered(session: AsyncSession, actor: Actor, since: datetime, page: int, size: int) -> Undelivered:
    """Every message (broadcast or not) that failed since `since`: the count, the reasons, a page of the latest."""
    require_viewer(actor)
    total = await count_failed(session, since)
    last = max(0, -(-total // size) - 1)
    number = min(max(page, 0), last)
    latest = await latest_failed(session, since, limit=size, offset=number * size)
    return Undelivered(total, await failure_reasons(session, since=since), Page(latest, number, total, size))
