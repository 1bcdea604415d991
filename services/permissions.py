"""Who is acting, and the one check every staff action makes before it changes anything.

A chat message or a web request acts as the signed-in user; the command line acts as the office itself
(`Actor.system()`), since whoever runs it already holds the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.users import Role, User


class NotAllowed(PermissionError):
    """The actor may not do this: the entry point refuses it in its own words."""


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    """The acting user, recorded in histories; None for the command line."""
    is_staff: bool
    """May change things (staff or admin)."""
    is_admin: bool = False
    may_view: bool = False
    """May read the office's lists and figures (viewer, staff or admin)."""
    origin: str = "chat"
    """Where the action came from, for the audit trail: "chat", "web" or "cli"."""

    @classmethod
    def of(cls, user: User, origin: str = "chat") -> Actor:
        return cls(user.id, user.is_staff, user.role == Role.ADMIN, user.works_at_office, origin)

    @classmethod
    def system(cls) -> Actor:
        return cls(None, is_staff=True, is_admin=True, may_view=True, origin="cli")


def require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise NotAllowed("only staff may do this")


def require_viewer(actor: Actor) -> None:
    if not (actor.may_view or actor.is_staff):
        raise NotAllowed("only the office's people may see this")


def require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotAllowed("only an admin may do this")
