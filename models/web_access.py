"""Signing staff in to the dashboard without passwords: a single-use link, then a server-side session.

Only hashes of the link and session tokens are stored, so a copy of the database opens no door. A link is
good once and for `LINK_LIFETIME`; a session ends when revoked (sign out, "sign out everywhere", a role taken
away) or after `IDLE_TIMEOUT` without a request. Its CSRF token lives with it, so a worker restart or a second
worker changes nothing for a signed-in staff member.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base

LINK_LIFETIME = timedelta(minutes=15)
IDLE_TIMEOUT = timedelta(hours=8)
TOUCH_RESOLUTION = timedelta(minutes=1)
"""`last_seen_at` is written at most this often: not one UPDATE per page view."""
TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 128
"""A presented token longer than this is refused before it is hashed (hostile input is bounded)."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LoginLink(Base):
    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    client: Mapped[str] = mapped_column(String(64), default="")
    """Where it was opened from (the client address), shown to the staff member and kept in audit rows."""


@dataclass(frozen=True, slots=True)
class SignIns:
    last: datetime
    """When the person last signed in (opened a session)."""
    open_sessions: int


async def create_login_link(session: AsyncSession, user_id: int, now: datetime) -> str:
    """A new single-use token for `user_id`; only its hash is stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(LoginLink(token_hash=digest(token), user_id=user_id, created_at=now, expires_at=now + LINK_LIFETIME))
    await session.flush()
    return token


async def use_login_link(session: AsyncSession, token: str, now: datetime) -> int | None:
    """The user a valid, unused, unexpired link signs in (and the link is spent); None for anything else."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    spent = await session.execute(
        update(LoginLink)
        .where(LoginLink.token_hash == digest(token), LoginLink.used_at.is_(None), LoginLink.expires_at > now)
        .values(used_at=now)
        .returning(LoginLink.user_id)
    )
    return spent.scalar_one_or_none()


async def open_session(session: AsyncSession, user_id: int, now: datetime, client: str = "") -> tuple[str, str]:
    """A new session for `user_id`: its cookie token and its CSRF token."""
    token, csrf = secrets.token_urlsafe(TOKEN_BYTES), secrets.token_urlsafe(TOKEN_BYTES)
    session.add(WebSession(token_hash=digest(token), user_id=user_id, csrf_token=csrf, created_at=now,
                           last_seen_at=now, client=client[:64]))
    await session.flush()
    return token, csrf


async def live_session(session: AsyncSession, token: str, now: datetime) -> WebSession | None:
    """The open session a cookie names, its idle time renewed; None when revoked, idle too long or unknown."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    found = await session.scalar(select(WebSession).where(WebSession.token_hash == digest(token)))
    if found is None or found.revoked_at is not None or now - found.last_seen_at > IDLE_TIMEOUT:
        return None
    if now - found.last_seen_at > TOUCH_RESOLUTION:
        found.last_seen_at = now
    return found


async def revoke_sessions(session: AsyncSession, user_id: int, now: datetime, *, only: int | None = None) -> int:
    """End the user's open sessions (or just session `only`); how many were open."""
    query = update(WebSession).where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
    if only is not None:
        query = query.where(WebSession.id == only)
    result = await session.execute(query.values(revoked_at=now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def last_sign_ins(session: AsyncSession, user_ids: Sequence[int], now: datetime) -> dict[int, SignIns]:
    """For each of `user_ids` that ever signed in: when they last did, and how many of their sessions are open."""
    if not user_ids:
        return {}
    open_now = (WebSession.revoked_at.is_(None)) & (WebSession.last_seen_at >= now - IDLE_TIMEOUT)
    query = (select(WebSession.user_id, func.max(WebSession.created_at), func.count().filter(open_now))
             .where(WebSession.user_id.in_(user_ids)).group_by(WebSession.user_id))
    return {user_id: SignIns(last, int(count)) for user_id, last, count in await session.execute(query)}
