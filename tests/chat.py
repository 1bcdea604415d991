"""Drive the bot as a user would, through the same dispatcher and delivery path the channels use.

`ChatUser.send("...")` types a line and returns the replies; `tap("label")` presses an option or a nav
button of the last reply by its label, exactly as a Telegram or WhatsApp user would.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.engine.messages import Document, Incoming, IncomingKind, Reply
from bot.engine.runtime import Runtime
from models.conversations import Conversation
from models.profiles import JobSeekerProfile, get_profile
from models.users import User

CHANNEL = "test"
_event_ids = itertools.count(1)


@dataclass
class RecordingChannel:
    """A channel that keeps what it was asked to send."""

    name: str = CHANNEL
    sent: list[tuple[str, Reply]] = field(default_factory=list)
    skips_unreachable: bool = False

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        self.sent.append((address, reply))
        return ()

    def to(self, address: str) -> list[Reply]:
        return [reply for to, reply in self.sent if to == address]


class ChatUser:
    def __init__(self, runtime: Runtime, channel: RecordingChannel, external_id: str, *, locale: str | None = None):
        self.runtime = runtime
        self.channel = channel
        self.external_id = external_id
        self.locale = locale
        self.received: list[Reply] = []

    @property
    def last(self) -> Reply:
        return self.received[-1]

    @property
    def text(self) -> str:
        return self.last.text

    async def deliver(self, incoming: Incoming) -> list[Reply]:
        before = len(self.channel.to(self.external_id))
        await self.runtime.handle(incoming)
        new = self.channel.to(self.external_id)[before:]
        self.received.extend(new)
        return new

    def incoming(self, **fields: Any) -> Incoming:
        fields.setdefault("event_id", f"e{next(_event_ids)}")
        return Incoming(channel=self.channel.name, external_id=self.external_id, locale_hint=self.locale, **fields)

    async def send(self, text: str) -> list[Reply]:
        return await self.deliver(self.incoming(text=text))

    async def tap(self, label: str, *, reply: Reply | None = None) -> list[Reply]:
        source = reply or self.last
        for option in (*source.options, *source.nav):
            if option.label == label or option.label.endswith(f" {label}"):
                return await self.deliver(self.incoming(kind=IncomingKind.OPTION, option=option.token))
        labels = [o.label for o in (*source.options, *source.nav)]
        raise AssertionError(f"no option {label!r} in the last reply; options are {labels}")

    async def send_document(self, name: str, content: bytes) -> list[Reply]:
        return await self.deliver(self.incoming(kind=IncomingKind.DOCUMENT, document=Document(name, content)))

    async def share_contact(self, phone: str) -> list[Reply]:
        return await self.deliver(self.incoming(kind=IncomingKind.CONTACT, contact_phone=phone))

    async def user(self) -> User | None:
        from sqlalchemy import select

        async with self.runtime.session_factory() as session:
            return await session.scalar(
                select(User).where(User.channel == self.channel.name, User.external_id == self.external_id)
            )

    async def conversation(self) -> tuple[str | None, str | None, dict[str, Any]]:
        user = await self.user()
        assert user is not None
        conversation: Conversation = user.conversation
        return conversation.snapshot()

    async def step(self) -> str | None:
        return (await self.conversation())[1]

    async def profile(self) -> JobSeekerProfile | None:
        user = await self.user()
        if user is None:
            return None
        async with self.runtime.session_factory() as session:
            return await get_profile(session, user.id)


SITI = {
    "name": "Siti Rahmawati",
    "nik": "6309014508990001",
    "birth_date": "05-08-1999",
    "phone": "0812 5100 0001",
}


async def register(user: ChatUser, *, name: str = SITI["name"], nik: str = SITI["nik"],
                   birth_date: str = SITI["birth_date"], phone: str = SITI["phone"], education: str = "SMK",
                   start: bool = True) -> None:
    """Walk through the whole registration with valid answers (Indonesian labels); `start=False` when it was
    begun another way (the menu's button) and asks for the language."""
    if start:
        await user.send("/start")
    await user.tap("Bahasa Indonesia")
    await user.tap("Saya setuju")
    await answer_profile(user, name=name, nik=nik, birth_date=birth_date, phone=phone, education=education)


async def answer_profile(user: ChatUser, *, name: str = SITI["name"], nik: str = SITI["nik"],
                         birth_date: str = SITI["birth_date"], phone: str = SITI["phone"],
                         education: str = "SMK") -> None:
    """Registration's questions from the name to the summary's "save", with valid answers."""
    await user.send(name)
    await user.send(nik)
    await user.send(birth_date)
    await user.send("1")
    await user.send(phone)
    await user.tap("Tanjung")
    await user.tap(education)
    await user.tap("Menjahit dan tata busana")
    await user.tap("Selesai, lanjut")
    await user.tap("Bukan penyandang disabilitas")
    await user.tap("Sedang mencari kerja")
    await user.tap("Benar, simpan")
