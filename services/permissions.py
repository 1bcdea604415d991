"""Who is acting, and the one check every staff action makes before it changes anything.

A chat message or a web request acts as the signed-in user; the command line acts as the office itself
(`Actor.system()`), since whoever runs it already holds the server.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.users import User


class NotAllowed(PermissionError):
    """The actor may not do this: the entry point refuses it in its own words."""


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    """The acting user, recorded in histories; None for the command line."""
    is_staff: bool

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.is_staff)

    @classmethod
    def system(cls) -> Actor:
        return cls(None, is_staff=True)


def require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise NotAllowed("only staff may do this")
