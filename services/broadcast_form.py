"""A broadcast typed into the dashboard's form, checked by the chat's own rules (`/broadcast`): the texts' limit,
a linked opening that exists, an audience from the same groups and filters with somebody in it, a moment in the
office's time zone that has not passed. Each problem becomes a sentence beside its field.

The chat asks one question at a time and so checks one answer at a time; the form sends them all at once, so
this module checks them together and says every problem in one go.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import Msg, _, parse_id
from documents.labels import CURRENT_STATUS, EDUCATION, GENDER, INTEREST
from models.answers import AnswerError, parse_typed_moment
from models.audiences import Audience, AudienceSize, Group, size_of
from models.posters import PosterInfo
from models.regions import Office
from services.broadcasts import MAX_TEXT, BroadcastDraft, known_opening_code
from services.permissions import Actor, require_staff
from services.posters import uploaded_poster

ALUMNI_OF = "alumni_of"
"""The fourth group staff choose from: alumni of one opening (the alumni, narrowed to an opening's code)."""
GROUP_CHOICES = (Group.EVERYONE, Group.JOB_SEEKERS, Group.ALUMNI, ALUMNI_OF)
FILTER_LABELS: Mapping[str, Mapping[str, Msg]] = {
    "interest": INTEREST, "education": EDUCATION, "gender": GENDER, "status": CURRENT_STATUS,
}
"""The choices of each filter but the kecamatan (the office's own list), with their words."""
NOW, LATER = "now", "later"
MESSAGE_FIELDS = ("text_id", "text_en", "opening", "poster")
"""`poster`: the id of a poster the author uploaded with the form (`services.posters.upload_for_broadcast`)."""
AUDIENCE_FIELDS = ("group", "program", *Audience.PROFILE_FIELDS)
MOMENT_FIELDS = ("when", "send_date", "send_time")
FIELDS = (*MESSAGE_FIELDS, *AUDIENCE_FIELDS, *MOMENT_FIELDS)
SHORT_FIELD = 40
"""What any field but the two texts may hold: a code, a date, a time."""

FieldErrors = dict[str, Msg]
CHOOSE_FROM_LIST = _("Please choose one of the list.")
NO_SUCH_PROGRAM = _("There is no training or apprenticeship with that code. Type a code such as t12.")
NOBODY = _("Nobody is in this audience. Clear a filter or choose another group.")


@dataclass(frozen=True, slots=True)
class Composed:
    """A broadcast ready to preview: what it says, to whom, and how many that is in each language."""

    draft: BroadcastDraft
    size: AudienceSize
    poster: PosterInfo | None = None


def form_values(form: Mapping[str, str]) -> dict[str, str]:
    """The form's fields, each cut to what it may hold (a text a little over its limit, to say it is too long)."""
    values = {name: form.get(name, "").strip()[:SHORT_FIELD] for name in FIELDS}
    for name in ("text_id", "text_en"):
        values[name] = form.get(name, "").replace("\r\n", "\n").replace("\x00", "").strip()[:MAX_TEXT + 100]
    return values


def _choices(name: str, office: Office) -> set[str]:
    if name == "kecamatan":
        return {kecamatan.code for kecamatan in office.kecamatan}
    return {str(code) for code in FILTER_LABELS[name]}


async def audience_in(session: AsyncSession, values: Mapping[str, str], office: Office) -> Audience | FieldErrors:
    """The audience the form's group and filters describe."""
    errors: FieldErrors = {}
    group = values.get("group") or Group.EVERYONE
    if group not in GROUP_CHOICES:
        errors["group"] = CHOOSE_FROM_LIST
    program = None
    if group == ALUMNI_OF:
        program = await known_opening_code(session, values.get("program", ""))
        if program is None:
            errors["program"] = NO_SUCH_PROGRAM
    chosen: dict[str, str] = {}
    for name in Audience.PROFILE_FIELDS:
        if value := values.get(name, ""):
            if value in _choices(name, office):
                chosen[name] = value
            else:
                errors[name] = CHOOSE_FROM_LIST
    if errors:
        return errors
    return Audience(Group.ALUMNI if group == ALUMNI_OF else group, program=program, **chosen)


async def counted(session: AsyncSession, actor: Actor, values: Mapping[str, str],
                  office: Office) -> AudienceSize | FieldErrors:
    """How many the audience on the form reaches, as staff change it; or what to fix first."""
    require_staff(actor)
    audience = await audience_in(session, values, office)
    return audience if isinstance(audience, dict) else await size_of(session, audience)


async def compose(session: AsyncSession, actor: Actor, values: Mapping[str, str],
                  office: Office) -> Composed | FieldErrors:
    """The broadcast the form describes, to be previewed; or a sentence for each field to fix."""
    require_staff(actor)
    errors: FieldErrors = {}
    for name in ("text_id", "text_en"):
        if len(values.get(name, "")) > MAX_TEXT:
            errors[name] = _("That is too long: at most {limit} characters.").format(limit=MAX_TEXT)
    if not values.get("text_id"):
        errors["text_id"] = _("Please write the announcement in Indonesian.")
    opening = None
    if values.get("opening"):
        opening = await known_opening_code(session, values["opening"])
        if opening is None:
            errors["opening"] = _("There is no opening with that code. Type a code such as t12, or leave it empty.")
    poster = None
    if values.get("poster"):
        file_id = parse_id(values["poster"])
        poster = await uploaded_poster(session, actor, file_id) if file_id is not None else None
        if poster is None:
            errors["poster"] = _("That file is no longer there. Please attach it again.")
    audience = await audience_in(session, values, office)
    if isinstance(audience, dict):
        return errors | audience
    size = await size_of(session, audience)
    if size.receiving == 0:
        errors["group"] = NOBODY
    if errors:
        return errors
    draft = BroadcastDraft(values["text_id"], values.get("text_en") or None, opening, audience,
                           poster_file_id=poster.file_id if poster is not None else None)
    return Composed(draft, size, poster)


def send_moment(values: Mapping[str, str], office: Office, now: datetime, *,
                passed_ok: bool = False) -> datetime | None | FieldErrors:
    """None to send at once, or the moment typed in the office's time zone. A moment already passed is refused,
    unless `passed_ok`: when the confirmation took a while, the broadcast goes at once, as in the chat."""
    when = values.get("when", "")
    if when == NOW:
        return None
    if when != LATER:
        return {"when": _("Please choose Send now or Schedule for later.")}
    try:
        moment = parse_typed_moment(f"{values.get('send_date', '')} {values.get('send_time', '')}", office.timezone)
    except AnswerError:
        return {"send_date": _("Please write a date and a time, for example 24-12-2026 09:00.")}
    if moment <= now and not passed_ok:
        return {"send_date": _("That moment has passed. Please choose a later date and time.")}
    return moment
