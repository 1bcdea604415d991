"""What a handler is given for one incoming message: the user, their conversation, the database session.

Handlers say things by appending `Outgoing` messages with `ctx.send`; the dispatcher commits the state
change and those replies together, so neither exists without the other.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import Msg, Outgoing
from documents.chat_links import ChatLinks
from models.conversations import Conversation
from models.crypto import NikCipher
from models.db import ReadApart
from models.home import HomeFacts
from models.regions import Office
from models.users import User


@dataclass(frozen=True, slots=True)
class Services:
    """Long-lived collaborators the runtime builds once and every handler may use."""

    office: Office
    cipher: NikCipher
    locales: tuple[str, ...]
    render_in: Callable[[str, Msg | str], str]
    """Render in a given language: for previews of what someone reading another language will see."""
    read_apart: ReadApart
    """Where heavy reads (reports) run without holding up anyone else's replies."""
    channel_titles: Mapping[str, str] = field(default_factory=dict)
    """How staff see each channel named, by its stored name (from `bot.channels.registry`)."""
    phone_number_channels: frozenset[str] = frozenset()
    """Channels whose addresses are the users' mobile numbers: registration confirms the number instead of
    asking for it."""
    foreign_phones_allowed: bool = False
    dashboard_url: str = ""
    """Where staff open the dashboard; `/masuk` sends a sign-in link starting with it."""
    chat_links: ChatLinks = ChatLinks()
    """The bot's public WhatsApp number and Telegram username, for click-to-chat links and the poster."""
    whatsapp_daily_limit: int | None = None
    """People the WhatsApp number may start conversations with a day while Meta has not said (its tier, from
    settings; None: unlimited). Meta's own word, once read, is in `models.whatsapp_number`."""


@dataclass(frozen=True, slots=True)
class Apart:
    """Heavy work for after the commit, and what to say with its result (`Context.after_commit`)."""

    work: Callable[[], Awaitable[Any]]
    then: Callable[[Context, Any], Awaitable[None]]


@dataclass(slots=True)
class Context:
    session: AsyncSession
    user: User
    services: Services
    now: datetime
    render: Callable[[Msg | str], str]
    replies: list[Outgoing] = field(default_factory=list)
    user_deleted: bool = False
    notices: list[tuple[int, Outgoing]] = field(default_factory=list)
    continue_with: dict[str, Any] | None = None
    """Set when a flow ends and another should start rather than the menu: `{"flow", "at", "draft"}`."""
    apart: list[Apart] = field(default_factory=list)
    """Work to do after this message's commit (`after_commit`)."""
    has_opt_ins: bool = True
    """Whether the bot holds an agreement of the user's (current, stopped or replaced), as the dispatcher read it
    with the user: a message from someone without one is recorded as their first agreement."""
    first_contact: bool = False
    """The user wrote for the first time: their row was made by this message (nothing of theirs to look up)."""
    home_facts: HomeFacts | None = None
    """Read by the end of a task, for the menu it shows next (`handlers.menu.show_home`); taken by that menu."""

    @property
    def today(self) -> date:
        """The date at the office: deadlines and ages are counted in its time zone, not in UTC."""
        return self.services.office.date_at(self.now)

    @property
    def conversation(self) -> Conversation:
        return self.user.conversation

    @property
    def data(self) -> dict[str, Any]:
        """The conversation's working data; the dispatcher persists it after the handler returns."""
        if self.conversation.data is None:
            self.conversation.data = {}
        return self.conversation.data

    @property
    def draft(self) -> dict[str, Any]:
        draft: dict[str, Any] = self.data.setdefault("draft", {})
        return draft

    def send(self, message: Outgoing) -> None:
        self.replies.append(message)

    def after_commit(self, work: Callable[[], Awaitable[Any]], then: Callable[[Context, Any], Awaitable[None]]) -> None:
        """Do `work` (a report at a million alumni) once this message is committed, holding no connection and no
        lock meanwhile, then hand its result to `then` in a transaction of its own for this user, whose replies
        follow this message's. The conversation stays where the handler left it until `then` moves it on."""
        self.apart.append(Apart(work, then))

    def notify(self, user_id: int, message: Outgoing) -> None:
        """Tell another user something, in their own language and channel, in the same commit."""
        self.notices.append((user_id, message))
