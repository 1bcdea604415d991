"""The WhatsApp number's standing, acted on: Meta's reports are kept, bad news pauses WhatsApp broadcasts and
tells staff in chat, and staff resume them (from the dashboard) once whoever runs the number has looked.

Bad news is a lower tier, a quality of RED or FLAGGED (`phone_number_quality_update` DOWNGRADE or FLAGGED, or the
daily check reading it), or a restriction on the account (`account_update`). A pause holds only broadcasts:
replies to people who write go on, since they are what keeps the number's quality up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import _, say
from models.audit import audit
from models.users import acting_staff
from models.whatsapp_number import BAD_QUALITY, TIER_LIMITS, UNLIMITED, limit_of, number_state, record_event
from services.notices import Notices
from services.permissions import Actor, require_staff

QUALITY_UPDATE = "phone_number_quality_update"
ACCOUNT_UPDATE = "account_update"
SLOWED = "slowed"
BAD_EVENTS = {
    QUALITY_UPDATE: frozenset({"DOWNGRADE", "FLAGGED"}),
    ACCOUNT_UPDATE: frozenset({"ACCOUNT_VIOLATION", "ACCOUNT_RESTRICTION", "DISABLED_UPDATE", "ACCOUNT_DELETED"}),
}
"""Events that pause broadcasts, by webhook field."""
REASON_MAX = 200


@dataclass(frozen=True, slots=True)
class Report:
    """One report on the number, as the channel heard it (`bot.channels.base.NumberEvent`)."""

    kind: str
    event: str | None = None
    tier: str | None = None
    quality: str | None = None
    slowed_for_s: float | None = None
    detail: Mapping[str, Any] | None = None


def _lower_tier(before: str | None, after: str) -> bool:
    """Whether the tier went down (an unknown tier before cannot have)."""
    old, old_known = limit_of(before, None)
    new, new_known = limit_of(after, None)
    if not (old_known and new_known):
        return False
    return new is not None and (old is None or new < old)


def _bad_news(report: Report, tier_before: str | None, quality_before: str | None) -> str | None:
    """Why this report pauses broadcasts, in Meta's own words; None when it does not."""
    if report.event is not None and report.event in BAD_EVENTS.get(report.kind, ()):
        restrictions = (report.detail or {}).get("restrictions") or []
        return " ".join(str(part) for part in (report.kind, report.event, report.tier, *restrictions) if part)
    if report.tier is not None and _lower_tier(tier_before, report.tier):
        return f"{report.kind}: tier {tier_before} -> {report.tier}"
    if report.quality in BAD_QUALITY and quality_before not in BAD_QUALITY:
        return f"{report.kind}: quality {report.quality}"
    return None


async def take_report(session: AsyncSession, notices: Notices, report: Report, now: datetime) -> str | None:
    """Keep the report, update the number's standing, and on bad news pause WhatsApp broadcasts and tell every
    staff member; returns the reason when this report paused them (None: no news, or paused already)."""
    state = await record_event(session, report.kind, report.event, dict(report.detail or {}), now)
    if report.kind == SLOWED and report.slowed_for_s:
        state.slowed_until = max(state.slowed_until or now, now + timedelta(seconds=report.slowed_for_s))
        state.slowed_reason = f"WhatsApp {report.event}"[:REASON_MAX]
        return None
    reason = _bad_news(report, state.tier, state.quality)
    if report.tier in TIER_LIMITS or report.tier == UNLIMITED:
        state.tier = report.tier
    if report.quality is not None:
        state.quality = report.quality
    if report.kind == ACCOUNT_UPDATE and report.event is not None:
        state.account_status = report.event if report.event in BAD_EVENTS[ACCOUNT_UPDATE] else None
    if reason is None or state.paused_reason is not None:
        return None
    state.paused_reason, state.paused_at = reason[:REASON_MAX], now
    for person in await acting_staff(session):
        notices.notify(
            person.id,
            say(
                _('WhatsApp broadcasts are paused: Meta reported "{reason}" for the bot\'s number.').format(
                    reason=state.paused_reason
                ),
                _(
                    "Replies to people who write still go out. Broadcasts on WhatsApp wait until staff resume them on "
                    "the dashboard's Broadcasts page, once whoever runs the number has checked it."
                ),
            ),
        )
    return state.paused_reason


async def resume_whatsapp_broadcasts(session: AsyncSession, actor: Actor, now: datetime) -> bool:
    """Staff lift the pause; False when nothing was paused. Audited."""
    require_staff(actor)
    state = await number_state(session, now, for_update=True)
    if state.paused_reason is None:
        return False
    audit(
        session,
        at=now,
        actor_id=actor.user_id,
        action="whatsapp.resume",
        subject_kind="whatsapp_number",
        subject_id=0,
        detail={"origin": actor.origin, "before": {"paused": state.paused_reason}},
    )
    state.paused_reason = state.paused_at = None
    state.updated_at = now
    return True
