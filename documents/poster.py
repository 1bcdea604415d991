"""What the office's poster says, in the reader's language: the office, what the bot does in one sentence, a QR
code with its link and a how-to for each chat app, and how to reach the office; for one opening, its title and
facts, and links that carry its code. `documents.poster_drawing` lays it out on A4 as PDF and PNG.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.engine.messages import Msg, _
from documents.chat_links import ChatLinks
from documents.labels import OPENING_KIND
from models.catalog import ApprenticeshipOpening, TrainingProgram
from models.regions import Office

Render = Callable[[Msg | str], str]


class NoChatLinks(ValueError):
    """Neither the WhatsApp number nor the Telegram username is known: a poster would have nothing to scan."""

    def __init__(self) -> None:
        super().__init__("set WHATSAPP_PUBLIC_NUMBER or TELEGRAM_BOT_USERNAME: the poster has nothing to scan")


NO_CHAT_LINKS = _("The poster needs the bot's WhatsApp number or Telegram username: set WHATSAPP_PUBLIC_NUMBER "
                  "or TELEGRAM_BOT_USERNAME.")


@dataclass(frozen=True, slots=True)
class PosterCode:
    """One chat app's panel: a QR code of `url`, the same link in text, and what to do after scanning."""

    app: str
    url: str
    how: str


@dataclass(frozen=True, slots=True)
class Poster:
    office: str
    kicker: str
    """A small line above the headline: the bot's name, or the kind of opening."""
    headline: str
    about: str
    details: tuple[str, ...]
    codes: tuple[PosterCode, ...]
    contact: tuple[str, ...]
    title: str
    """The document's title (PDF metadata, the page's alt text)."""


@dataclass(frozen=True, slots=True)
class OpeningFacts:
    """What a poster for one opening tells about it, as they stand when it is printed."""

    code: str
    kind: str
    title: str
    place: str
    dates: tuple[date, date] | None
    months: int | None
    deadline: date
    quota: int


def opening_facts(opening: TrainingProgram | ApprenticeshipOpening, code: str, office: Office) -> OpeningFacts:
    """Where it happens is the opening's own location, else its kecamatan, else the provider's address."""
    provider = opening.provider if isinstance(opening, TrainingProgram) else opening.company
    kecamatan = office.kecamatan_by_code(opening.kecamatan or "")
    place = opening.location or (kecamatan.name if kecamatan else "") or provider.address
    if isinstance(opening, TrainingProgram):
        return OpeningFacts(code, "training", opening.title, place, (opening.start_date, opening.end_date), None,
                            opening.registration_deadline, opening.quota)
    return OpeningFacts(code, "apprenticeship", f"{opening.position} - {opening.company.name}", place, None,
                        opening.duration_months, opening.application_deadline, opening.quota)


def poster(office: Office, links: ChatLinks, render: Render, opening: OpeningFacts | None = None) -> Poster:
    """The poster's words; raises `NoChatLinks` when there is no app to scan for."""
    code = opening.code if opening else None
    codes = []
    if (whatsapp := links.whatsapp_for(code)) is not None:
        how = _("Scan with your phone's camera, then send the message {word}.")
        codes.append(PosterCode("WhatsApp", whatsapp, render(how.format(word=links.register_text(code)))))
    if (telegram := links.telegram_for(code)) is not None:
        codes.append(PosterCode("Telegram", telegram, render(_("Scan with your phone's camera, then press Start."))))
    if not codes:
        raise NoChatLinks
    contact = tuple(render(line) for line in (
        _("Address: {address}").format(address=office.address) if office.address else None,
        _("Opening hours: {hours}").format(hours=office.hours) if office.hours else None,
        _("Phone: {phone}").format(phone=office.phone) if office.phone else None,
    ) if line is not None)
    if opening is None:
        headline = render(_("Training and apprenticeships, by chat"))
        return Poster(office.name, "Sahabat Kerja", headline, render(_(
            "Chat with our bot to register, see trainings and apprenticeships, apply, and follow your "
            "applications.")), (), tuple(codes), contact, f"{office.name}: {headline}")
    return Poster(office.name, render(OPENING_KIND[opening.kind]), opening.title, render(_(
        "Register and apply by chat with our bot: scan a code below.")), _details(opening, render), tuple(codes),
        contact, f"{office.name}: {opening.title}")


def _details(opening: OpeningFacts, render: Render) -> tuple[str, ...]:
    lines: list[Msg] = [_("Place: {location}").format(location=opening.place)] if opening.place else []
    if opening.dates is not None:
        lines.append(_("Dates: {start} to {end}").format(start=opening.dates[0], end=opening.dates[1]))
        lines.append(_("Register by: {deadline}").format(deadline=opening.deadline))
    else:
        lines.append(_("Duration: {months} months").format(months=opening.months))
        lines.append(_("Apply by: {deadline}").format(deadline=opening.deadline))
    lines.append(_("Places: {quota}").format(quota=opening.quota))
    return tuple(render(line) for line in lines)
