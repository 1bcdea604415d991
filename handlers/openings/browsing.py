"""Browsing the openings: trainings and apprenticeships, five to a page, then one in detail.

Steps: `list` (a page of short cards; choose one, or the next or previous page), `detail` (its poster or
brochure first, if it has one, then everything about one opening: dates in the reader's language, money in
Rupiah, places left, and Apply) and `confirm` (see `handlers.openings.applying`). Back returns to the list at
the same page. Anyone may browse.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.messages import Msg, Option, Outgoing, Rupiah, _, say
from documents.labels import MINIMUM_EDUCATION, TRAINING_CATEGORY
from handlers.context import Context
from handlers.flow import Answer, Flow, Invalid, Jump, Result, Step, Store, begin, leave_flow
from handlers.openings.applying import (
    APPLY,
    accept_apply,
    accept_confirm,
    ask_confirm,
    eligibility_for,
    load_opening,
    selected_opening,
    title_of,
)
from handlers.openings.filters import FILTER, accept_filter, ask_filter, describe, filters_of
from handlers.openings.wording import WORDS
from handlers.paging import chosen_id, page_options, turn_page
from handlers.registration.registration import start_registration
from models.applications import OpeningKind, OpeningRef, places_taken
from models.browsing import Seeker, open_apprenticeships, open_trainings
from models.catalog import ApprenticeshipOpening, TrainingProgram
from models.eligibility import age_on
from models.paging import Page
from models.profiles import JobSeekerProfile, get_profile, is_registered
from services.posters import opening_poster_image

TRAINING = OpeningKind.TRAINING
APPRENTICESHIP = OpeningKind.APPRENTICESHIP
OPENING_PREFIX = "o"

async def start_browsing(ctx: Context, kind: str) -> None:
    await begin(ctx, FLOW, data={"draft": {"kind": kind, "page": 0}})


async def show_opening(ctx: Context, ref: OpeningRef) -> None:
    """Open one opening's details directly (from an alert or a link); Back leads to the list of its kind."""
    await begin(ctx, FLOW, data={"draft": _draft_for(ref), "history": ["list"]}, at="detail")


async def open_linked(ctx: Context, payload: str) -> bool:
    """Show the opening a link names by its code ("/start t12" for training 12, "/start a3" for apprenticeship
    3: what staff put on posters); someone not registered registers first and lands on it afterwards. False
    when the payload is not a code (a mistyped link); an opening that has closed says so."""
    ref = OpeningRef.from_code(payload)
    if ref is None:
        return False
    if await is_registered(ctx.session, ctx.user.id):
        await show_opening(ctx, ref)
    else:
        await start_registration(ctx, then=landing_on(ref))
    return True


def landing_on(ref: OpeningRef) -> dict[str, object]:
    """Where someone lands once registered to see this opening (`Context.continue_with`)."""
    return {"flow": "openings", "at": "detail", "draft": _draft_for(ref)}


def _draft_for(ref: OpeningRef) -> dict[str, object]:
    return {"kind": ref.kind, "page": 0, "selected": ref.id}


async def _current_page(
    ctx: Context, profile: JobSeekerProfile | None
) -> Page[TrainingProgram | ApprenticeshipOpening]:
    page = int(ctx.draft.get("page", 0))
    seeker = None
    if profile is not None:
        seeker = Seeker(interests=tuple(profile.interests), kecamatan=profile.kecamatan,
                        age=age_on(profile.birth_date, ctx.today), education=profile.education)
    filters = filters_of(ctx, profile)
    if ctx.draft.get("kind") == APPRENTICESHIP:
        return await open_apprenticeships(ctx.session, today=ctx.today, page=page, seeker=seeker, filters=filters)
    return await open_trainings(ctx.session, today=ctx.today, page=page, seeker=seeker, filters=filters)


async def ask_list(ctx: Context) -> Outgoing:
    profile = await get_profile(ctx.session, ctx.user.id)
    page = await _current_page(ctx, profile)
    ctx.draft["page"] = page.number
    apprenticeships = ctx.draft.get("kind") == APPRENTICESHIP
    filtered = describe(ctx, filters_of(ctx, profile))
    if not page.items and filtered is not None:
        return say(filtered, _("Nothing matches this filter right now."),
                   options=(Option(FILTER, _("Change the filter")),))
    if not page.items:
        empty = (
            _("There are no apprenticeship openings right now. New ones are announced here as soon as they open.")
            if apprenticeships
            else _("There are no trainings open for registration right now. New ones are announced here as soon "
                   "as they open.")
        )
        return say(empty)
    heading = (
        _("Apprenticeship openings (page {page} of {pages}):") if apprenticeships
        else _("Trainings open for registration (page {page} of {pages}):")
    ).format(page=page.number + 1, pages=page.count)
    cards: list[Msg | str] = [heading] if filtered is None else [heading, filtered]
    options: list[Option] = []
    for number, item in enumerate(page.items, start=1):
        cards.append("")
        cards.extend(_card(number, item))
        options.append(Option(f"{OPENING_PREFIX}{item.id}", title_of(item)))
    options.extend(page_options(page))
    options.append(Option(FILTER, _("Change the filter") if filtered else _("Filter")))
    cards.extend(["", _("Choose one to see the details.")])
    return say(*cards, options=tuple(options))


def _card(number: int, item: TrainingProgram | ApprenticeshipOpening) -> Sequence[Msg | str]:
    if isinstance(item, TrainingProgram):
        return (
            f"{number}. {item.title}",
            _("{provider}, starts {start}; register by {deadline}").format(
                provider=item.provider.name, start=item.start_date, deadline=item.registration_deadline
            ),
        )
    return (
        f"{number}. {title_of(item)}",
        _("{months} months, allowance {allowance} a month; apply by {deadline}").format(
            months=item.duration_months, allowance=Rupiah(item.monthly_allowance), deadline=item.application_deadline
        ),
    )


async def accept_list(ctx: Context, given: Answer) -> Result:
    if given.option == FILTER:
        return Jump(FILTER, return_to="list")
    if (turned := turn_page(ctx, given)) is not None:
        return turned
    if (chosen := chosen_id(given, OPENING_PREFIX)) is not None:
        return Store({"selected": chosen})
    return Invalid(_("Please choose an opening from the list by its number, or another page."))


async def ask_detail(ctx: Context) -> Outgoing:
    ref = selected_opening(ctx)
    opening = await load_opening(ctx, ref)
    if opening is None or not opening.takes_applications_on(ctx.today):
        return say(_("That opening is no longer taking applications. Go back to see the current list."))
    taken = await places_taken(ctx.session, ref)
    if isinstance(opening, ApprenticeshipOpening):
        lines = _apprenticeship_detail(opening, taken, _place(ctx, opening))
    else:
        lines = _training_detail(opening, taken, _place(ctx, opening))
    if (poster := await opening_poster_image(ctx.session, ref)) is not None:  # its title as the caption
        ctx.send(Outgoing(text=(lines[0],), image=poster))
    profile = await get_profile(ctx.session, ctx.user.id)
    eligibility = await eligibility_for(ctx, ref, opening, taken, profile) if profile is not None else None
    if eligibility is not None and eligibility.reasons:  # no Apply button that can only be refused
        return say(*lines, "", WORDS[ref.kind].cannot, *eligibility.explained())
    return say(*lines, options=(Option(APPLY, WORDS[ref.kind].button),))


def _place(ctx: Context, opening: TrainingProgram | ApprenticeshipOpening) -> str:
    """Where it happens: the opening's own location, else its kecamatan, else the provider's address."""
    provider = opening.provider if isinstance(opening, TrainingProgram) else opening.company
    kecamatan = ctx.services.office.kecamatan_by_code(opening.kecamatan or "")
    return opening.location or (kecamatan.name if kecamatan else "") or provider.address


def _training_detail(program: TrainingProgram, taken: int, place: str) -> list[Msg | str]:
    lines: list[Msg | str] = [
        program.title,
        _("Category: {category}").format(category=TRAINING_CATEGORY.get(program.category, "")),
        _("Organiser: {provider}").format(provider=program.provider.name),
        _("Place: {location}").format(location=place),
        _("Dates: {start} to {end}").format(start=program.start_date, end=program.end_date),
        _("Register by: {deadline}").format(deadline=program.registration_deadline),
        _("Places left: {left} of {quota}").format(left=max(program.quota - taken, 0), quota=program.quota),
    ]
    lines.extend(_requirements(program))
    if program.equipment_aid:
        lines.append(_("Participants receive equipment aid to start working."))
    if program.funding_source:
        lines.append(_("Funded by: {source}").format(source=program.funding_source))
    return lines


def _apprenticeship_detail(opening: ApprenticeshipOpening, taken: int, place: str) -> list[Msg | str]:
    lines: list[Msg | str] = [
        f"{opening.position} - {opening.company.name}",
        _("Place: {location}").format(location=place),
        _("Duration: {months} months").format(months=opening.duration_months),
        _("Allowance: {allowance} a month").format(allowance=Rupiah(opening.monthly_allowance)),
        _("Social security (BPJS) covered") if opening.social_security else _("No social security (BPJS) cover"),
        _("Apply by: {deadline}").format(deadline=opening.application_deadline),
        _("Places left: {left} of {quota}").format(left=max(opening.quota - taken, 0), quota=opening.quota),
    ]
    lines.extend(_requirements(opening))
    if opening.selection_description:
        lines.append(_("Selection: {how}").format(how=opening.selection_description))
    return lines


def _requirements(opening: TrainingProgram | ApprenticeshipOpening) -> list[Msg | str]:
    lines: list[Msg | str] = []
    if opening.min_age is not None and opening.max_age is not None:
        lines.append(_("Age: {low} to {high} years").format(low=opening.min_age, high=opening.max_age))
    elif opening.min_age is not None:
        lines.append(_("Age: at least {low} years").format(low=opening.min_age))
    elif opening.max_age is not None:
        lines.append(_("Age: at most {high} years").format(high=opening.max_age))
    if opening.min_education:
        label = MINIMUM_EDUCATION.get(opening.min_education, opening.min_education)
        lines.append(_("Education: at least {level}").format(level=label))
    if opening.other_requirements:
        lines.append(_("Other requirements: {text}").format(text=opening.other_requirements))
    return lines


FLOW = Flow(
    name="openings",
    steps=(
        Step("list", ask_list, accept_list, only_shows=True),
        Step("detail", ask_detail, accept_apply, only_shows=True),
        Step("confirm", ask_confirm, accept_confirm),
        Step(FILTER, ask_filter, accept_filter, applies=lambda _draft: False),
    ),
    finish=leave_flow,
    cancel=leave_flow,
)
