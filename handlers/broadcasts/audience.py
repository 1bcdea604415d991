"""Choosing a broadcast's audience in chat: a group, then any number of narrowing filters, with the count.

Steps (part of the broadcast flow): `group` (everyone, job seekers, alumni, alumni of one opening),
`program` (that opening's code, only for the last group), `narrow` (add a filter by kecamatan, skill area,
education, gender or current activity, clear them, or go on to the preview) and `pick` (the value of the
filter being added). The audience lives in the draft as JSON, like every answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.engine.messages import Msg, Option, Outgoing, _, say
from documents.labels import options_for
from handlers.context import Context
from handlers.flow import Answer, Invalid, Jump, Result, Stay, Step, Store
from handlers.openings.applying import load_opening
from models.applications import OpeningRef
from models.audiences import Audience, Group, size_of
from models.regions import Office
from services.broadcast_form import ALUMNI_OF, FILTER_LABELS, NO_SUCH_PROGRAM, NOBODY

DONE = "done"
CLEAR = "clear"

GROUPS: Mapping[str, Msg] = {
    Group.EVERYONE: _("Everyone who uses the bot"),
    Group.JOB_SEEKERS: _("Registered job seekers"),
    Group.ALUMNI: _("All alumni"),
    ALUMNI_OF: _("Alumni of one training or apprenticeship"),
}

FILTERS: Mapping[str, Msg] = {
    "kecamatan": _("By kecamatan"),
    "interest": _("By skill area"),
    "education": _("By education"),
    "gender": _("By gender"),
    "status": _("By current activity"),
}

FILTER_NAMES: Mapping[str, Msg] = {
    "kecamatan": _("Kecamatan"),
    "interest": _("Skills and interests"),
    "education": _("Education"),
    "gender": _("Gender"),
    "status": _("Current activity"),
}


def audience_of(draft: Mapping[str, Any]) -> Audience:
    return Audience.from_json(draft.get("audience", {}))


async def ask_group(_ctx: Context) -> Outgoing:
    return say(_("Who should receive it?"), options=options_for(GROUPS))


async def accept_group(_ctx: Context, given: Answer) -> Result:
    if given.option == ALUMNI_OF:
        return Store({"audience": Audience(Group.ALUMNI).to_json(), "alumni_of": True})
    if given.option is not None and given.option in GROUPS:
        return Store({"audience": Audience(given.option).to_json(), "alumni_of": False})
    return Invalid(_("Please choose one of the groups."))


async def ask_program(_ctx: Context) -> Outgoing:
    return say(_("Type the code of the training or apprenticeship (for example t12 or a3; /staf shows each "
                 "opening's code)."))


async def accept_program(ctx: Context, given: Answer) -> Result:
    ref = OpeningRef.from_code(given.text)
    if ref is None or await load_opening(ctx, ref) is None:
        return Invalid(NO_SUCH_PROGRAM)
    audience = audience_of(ctx.draft)
    return Store({"audience": Audience(Group.ALUMNI, program=ref.code).to_json() | {
        name: value for name, value in audience.to_json().items() if name in Audience.PROFILE_FIELDS}})


def describe(office: Office, audience: Audience) -> list[Msg | str]:
    """The audience in words, one line per part (the dashboard shows the same lines)."""
    group = GROUPS[ALUMNI_OF if audience.program else audience.group]
    lines: list[Msg | str] = [_("Audience: {group}").format(group=group)]
    if audience.program:
        lines.append(_("Opening: {code}").format(code=audience.program))
    for name in Audience.PROFILE_FIELDS:
        value = getattr(audience, name)
        if value is not None:
            lines.append(_("{filter}: {value}").format(filter=FILTER_NAMES[name],
                                                        value=value_label(office, name, value)))
    return lines


def value_label(office: Office, name: str, value: str) -> Msg | str:
    if name == "kecamatan":
        found = office.kecamatan_by_code(value)
        return found.name if found else value
    return FILTER_LABELS[name].get(value, value)


async def ask_narrow(ctx: Context) -> Outgoing:
    audience = audience_of(ctx.draft)
    size = await size_of(ctx.session, audience)
    options = [Option(name, label) for name, label in FILTERS.items()]
    if audience.narrowed:
        options.append(Option(CLEAR, _("Clear the filters")))
    options.append(Option(DONE, _("Done: show the preview")))
    return say(*describe(ctx.services.office, audience),
               _("{count} people will receive it.").format(count=size.receiving),
               _("Narrow it down further, or see the preview."), options=tuple(options))


async def accept_narrow(ctx: Context, given: Answer) -> Result:
    if given.option == DONE:
        size = await size_of(ctx.session, audience_of(ctx.draft))
        if size.receiving == 0:
            return Invalid(NOBODY)
        return Store()
    if given.option == CLEAR:
        audience = audience_of(ctx.draft)
        return Stay({"audience": Audience(audience.group, program=audience.program).to_json()})
    if given.option in FILTERS:
        ctx.draft["picking"] = given.option
        return Jump("pick", return_to="narrow")
    return Invalid(_("Please choose a filter, or Done."))


def _pick_options(ctx: Context, name: str) -> tuple[Option, ...]:
    if name == "kecamatan":
        return tuple(Option(k.code, k.name) for k in ctx.services.office.kecamatan)
    return options_for(FILTER_LABELS[name])


async def ask_pick(ctx: Context) -> Outgoing:
    name = ctx.draft.get("picking", "kecamatan")
    return say(_("Which one?"), options=_pick_options(ctx, name))


async def accept_pick(ctx: Context, given: Answer) -> Result:
    name = ctx.draft.get("picking", "kecamatan")
    if given.option not in {option.id for option in _pick_options(ctx, name)}:
        return Invalid(_("Please choose one of the options, by its number or its name."))
    return Store({"audience": audience_of(ctx.draft).to_json() | {name: given.option}})


AUDIENCE_STEPS = (
    Step("group", ask_group, accept_group, applies=lambda draft: draft.get("mode") == "new"),
    Step("program", ask_program, accept_program, applies=lambda draft: bool(draft.get("alumni_of"))),
    Step("narrow", ask_narrow, accept_narrow, applies=lambda draft: draft.get("mode") == "new"),
    Step("pick", ask_pick, accept_pick, applies=lambda _draft: False),
)
