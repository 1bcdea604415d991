"""How a service tells people what it did to them, without knowing channels, languages or the outbox.

A chat handler's `Context` is one (its notices go out with the message's commit); the engine's `NoticeList`
is the other, for the command line, jobs and web requests.
"""

from __future__ import annotations

from typing import Protocol

from bot.engine.messages import Outgoing


class Notices(Protocol):
    def notify(self, user_id: int, message: Outgoing) -> None:
        """Queue `message` for the user, rendered in their language, in the caller's transaction."""
