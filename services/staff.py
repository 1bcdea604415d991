"""Who works at the office and in which role: granted to a channel identity before its owner has even written to
the bot. Taking the role away ends their dashboard sessions at once.

The rules, the same from the chat, the command line and the dashboard: only an admin (or the command line) makes
an admin or changes an admin's role; nobody takes away or lowers their own role (an office must never lock out
its last admin by a slip); a change to the role someone already has changes nothing and writes no audit row, so
a form sent twice applies once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.phone import InvalidPhone, normalize_phone
from models.users import Role, User, find_user, get_user, office_people, set_role
from models.web_access import SignIns, last_sign_ins, revoke_sessions
from services.permissions import Actor, require_admin, require_staff

SET_ROLE = "staff.set_role"
REVOKE = "staff.revoke_sessions"
SUBJECT = "user"
CHANNELS = ("telegram", "whatsapp", "console")
"""The channels an office member can be named on (a web chat widget's users are not staff)."""
TELEGRAM_ID = re.compile(r"[0-9]{1,15}")
CONSOLE_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")


class OwnRole(ValueError):
    """The acting person tried to take away or lower their own role."""


class IdentityProblem(StrEnum):
    CHANNEL = "channel"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    CONSOLE = "console"


class IdentityRefused(ValueError):
    def __init__(self, problem: IdentityProblem) -> None:
        super().__init__(problem)
        self.problem = problem


def staff_identity(channel: str, typed: str) -> str:
    """The channel id as the bot stores it, from what staff typed: a Telegram numeric id, a WhatsApp number in any
    usual form (0812..., +62 812-...; stored as 62812... like the WhatsApp id), or a console name. Raises
    `IdentityRefused` saying which."""
    text = "".join(typed.split()) if channel != "whatsapp" else typed.strip()
    if channel == "telegram" and TELEGRAM_ID.fullmatch(text) and int(text) > 0:
        return str(int(text))
    if channel == "whatsapp":
        try:
            return normalize_phone(text, foreign_allowed=False).removeprefix("+")
        except InvalidPhone:
            raise IdentityRefused(IdentityProblem.WHATSAPP) from None
    if channel == "console" and CONSOLE_NAME.fullmatch(text.lower()):
        return text.lower()
    raise IdentityRefused(IdentityProblem(channel) if channel in CHANNELS else IdentityProblem.CHANNEL)


async def set_staff(
    session: AsyncSession, actor: Actor, channel: str, external_id: str, staff: bool, *, locale: str, now: datetime,
    role: Role = Role.STAFF,
) -> Role:
    """Grant `role` (`staff` True: staff by default, or viewer or admin) or take the office role away (`staff`
    False); a new identity is created in `locale`. Returns the role. Raises `OwnRole` for one's own."""
    require_staff(actor)
    given = role if staff else Role.MEMBER
    found = await find_user(session, channel, external_id)
    before = Role(found.role) if found is not None else Role.MEMBER
    if Role.ADMIN in (given, before):
        require_admin(actor)
    if found is not None and found.id == actor.user_id and given != before:
        raise OwnRole(before)
    if given == before:
        return given
    user = await set_role(session, channel, external_id, given, locale=locale, now=now)
    if given is Role.MEMBER:
        await revoke_sessions(session, user.id, now)
    audit(session, at=now, actor_id=actor.user_id, action=SET_ROLE, subject_kind=SUBJECT, subject_id=user.id,
          detail={"origin": actor.origin, "who": f"{channel}:{external_id}",
                  "before": {"role": str(before)}, "after": {"role": str(given)}})
    return given


async def change_role(session: AsyncSession, actor: Actor, user_id: int, role: Role, *, now: datetime) -> Role | None:
    """`set_staff` for someone already listed, by user id (the dashboard's staff page); None when nobody has it."""
    user = await get_user(session, user_id)
    if user is None:
        return None
    return await set_staff(session, actor, user.channel, user.external_id, role is not Role.MEMBER,
                           locale=user.locale, now=now, role=role)


async def revoke_staff_sessions(session: AsyncSession, actor: Actor, user_id: int, *, now: datetime) -> int | None:
    """End every dashboard session of the office member (a lost phone, a shared computer); how many were open,
    None when nobody has that id. Audited even when none were open: the admin's intent is on record."""
    require_admin(actor)
    user = await get_user(session, user_id)
    if user is None:
        return None
    ended = await revoke_sessions(session, user.id, now)
    audit(session, at=now, actor_id=actor.user_id, action=REVOKE, subject_kind=SUBJECT, subject_id=user.id,
          detail={"origin": actor.origin, "who": f"{user.channel}:{user.external_id}", "ended": ended})
    return ended


@dataclass(frozen=True, slots=True)
class OfficeMember:
    user: User
    sign_ins: SignIns | None
    """None for someone who never signed in to the dashboard."""


async def office_members(session: AsyncSession, actor: Actor, now: datetime) -> list[OfficeMember]:
    """The office's people with their last sign-in, for an admin."""
    require_admin(actor)
    people = await office_people(session)
    signed = await last_sign_ins(session, [user.id for user in people], now)
    return [OfficeMember(user, signed.get(user.id)) for user in people]
