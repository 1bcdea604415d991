"""Who works at the office and in which role: granted to a channel identity before its owner has even written to
the bot. Taking the role away also ends their dashboard sessions (at their next request)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.users import Role, set_role
from services.permissions import Actor, require_admin, require_staff


async def set_staff(
    session: AsyncSession, actor: Actor, channel: str, external_id: str, staff: bool, *, locale: str, now: datetime,
    role: Role = Role.STAFF,
) -> Role:
    """Grant `role` (`staff` True: staff by default, or viewer or admin) or take the office role away (`staff`
    False); a new identity is created in `locale`. Returns the role. Only an admin (or the command line) may
    make an admin."""
    require_staff(actor)
    given = role if staff else Role.MEMBER
    if given is Role.ADMIN:
        require_admin(actor)
    user = await set_role(session, channel, external_id, given, locale=locale, now=now)
    audit(session, at=now, actor_id=actor.user_id, action="staff.set_role", subject_kind="user", subject_id=user.id,
          detail={"origin": actor.origin, "role": str(given)})
    return given
