"""Signing the office's people in to the dashboard: a single-use link from the chat (`/masuk`) or the command
line (`python -m bot staff login-link`), then a server-side session the browser holds as a cookie.

Every check is here, so the chat, the command line and the web agree: only viewers, staff and admins get a
link; a session of someone whose office role was taken away ends at their next request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.users import User, get_user
from models.web_access import WebSession, create_login_link, live_session, open_session, revoke_sessions, use_login_link
from services.permissions import Actor, NotAllowed, require_viewer

SIGN_IN_PATH = "/masuk"


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    cookie_token: str
    csrf_token: str


@dataclass(frozen=True, slots=True)
class Visit:
    """A signed-in request: who, through which session."""

    user: User
    session: WebSession

    @property
    def actor(self) -> Actor:
        return Actor.of(self.user, origin="web")


def sign_in_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}{SIGN_IN_PATH}/{token}"


async def login_link(session: AsyncSession, actor: Actor, user: User, now: datetime) -> str:
    """A single-use sign-in token for `user`, who must work at the office; a chat user asks only for their own
    (the command line, acting for the office, for anyone's)."""
    if actor.user_id is not None and actor.user_id != user.id:
        raise NotAllowed("a sign-in link is only for oneself")
    require_viewer(Actor.of(user))
    token = await create_login_link(session, user.id, now)
    audit(session, at=now, actor_id=actor.user_id, action="web.login_link", subject_kind="user",
          subject_id=user.id, detail={"origin": actor.origin})
    return token


async def sign_in(session: AsyncSession, token: str, now: datetime, client: str) -> SignedIn | None:
    """Spend the link and open a session; None for a used, expired, forged link or someone no longer staff."""
    user_id = await use_login_link(session, token, now)
    user = await get_user(session, user_id) if user_id is not None else None
    if user is None or not user.works_at_office:
        return None
    cookie, csrf = await open_session(session, user.id, now, client)
    audit(session, at=now, actor_id=user.id, action="web.sign_in", subject_kind="user", subject_id=user.id,
          detail={"origin": "web", "client": client[:64]})
    return SignedIn(user, cookie, csrf)


async def visit(session: AsyncSession, cookie: str, now: datetime) -> Visit | None:
    """Who the cookie signs in, or None; a session whose user lost their office role is ended here."""
    found = await live_session(session, cookie, now)
    if found is None:
        return None
    user = await get_user(session, found.user_id)
    if user is None or not user.works_at_office:
        await revoke_sessions(session, found.user_id, now)
        return None
    return Visit(user, found)


async def sign_out(session: AsyncSession, visit: Visit, now: datetime, *, everywhere: bool = False) -> int:
    """End this session, or every session of the user; how many ended."""
    ended = await revoke_sessions(session, visit.user.id, now, only=None if everywhere else visit.session.id)
    audit(session, at=now, actor_id=visit.user.id, action="web.sign_out", subject_kind="user",
          subject_id=visit.user.id, detail={"origin": "web", "everywhere": everywhere})
    return ended
