"""Who is staff: granted to a channel identity before its owner has even written to the bot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.users import Role, set_role
from services.permissions import Actor, require_staff


async def set_staff(
    session: AsyncSession, actor: Actor, channel: str, external_id: str, staff: bool, *, locale: str, now: datetime
) -> Role:
    """Grant (`staff`) or take away the staff role; a new identity is created in `locale`. Returns the role."""
    require_staff(actor)
    role = Role.STAFF if staff else Role.MEMBER
    await set_role(session, channel, external_id, role, locale=locale, now=now)
    return role
