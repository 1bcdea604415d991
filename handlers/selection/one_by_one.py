"""Selection, for staff only (`/staf`): pick an opening, open or close it, pick an applicant, move them on.

Steps: `kind`, `opening` (paged), `applicants` (paged, with status), `decide` (the applicant's card: only
the moves staff may make today, those waiting for the training's dates with their day, and the undo of a
rejection within a day, see `handlers.selection.undo`) and `confirm`. The applicant is told of every change
in their own language, in the same commit. Completing makes them an alumnus (the follow-ups start from that
date). Accepting beyond an opening's places is refused.
"""

from __future__ import annotations

from bot.engine.messages import Msg, Option, Outgoing, _, say
from documents.labels import EDUCATION, STATUS_FOR_STAFF
from handlers.context import Context
from handlers.flow import (
    NO,
    YES,
    Answer,
    Back,
    Ended,
    Flow,
    Invalid,
    Jump,
    Result,
    Stay,
    Step,
    Store,
    begin,
    end_flow,
    leave_flow,
    unless_confirmed,
)
from handlers.paging import chosen_id, page_options, turn_page
from handlers.selection.bulk import BULK, BULK_STEPS
from handlers.selection.draft import opening_in_draft
from handlers.selection.opening_upload import start_upload
from handlers.selection.outcomes import not_moved, not_yet, waiting_lines
from handlers.selection.undo import UNDO, UNDO_STEPS, start_undo, undo_line
from models.applications import (
    Application,
    ApplicationStatus,
    OpeningKind,
    applications_for,
    get_application_by_id,
    get_opening,
    opening_title,
    places_taken,
)
from models.catalog import ApprenticeshipOpening, OpeningStatus, TrainingProgram, openings_for_staff
from models.eligibility import age_on
from models.profiles import get_profile
from models.selection_rules import pending_undo
from services.openings import WHY_NOT, set_accepting_applications
from services.permissions import Actor
from services.selection import Outcome, StaffMoves, move_applications, staff_moves

SEVERAL = "several"
IMPORT = "import"
OPEN = "open"
CLOSE = "close"

OPENING_STATE: dict[str, Msg] = {
    OpeningStatus.DRAFT: _("Not published yet."),
    OpeningStatus.OPEN: _("Open for applications."),
    OpeningStatus.CLOSED: _("Applications closed."),
    OpeningStatus.RUNNING: _("Under way."),
    OpeningStatus.FINISHED: _("Finished."),
}


async def start_selection(ctx: Context) -> None:
    await begin(ctx, FLOW)


async def ask_kind(_ctx: Context) -> Outgoing:
    return say(_("Selection. Which kind of opening?"), options=(
        Option(OpeningKind.TRAINING, _("Trainings")), Option(OpeningKind.APPRENTICESHIP, _("Apprenticeships")),
        Option(IMPORT, _("Import openings from a spreadsheet"))))


async def accept_kind(ctx: Context, given: Answer) -> Result:
    if given.option in (OpeningKind.TRAINING, OpeningKind.APPRENTICESHIP):
        return Store({"kind": given.option, "openings_page": 0})
    if given.option == IMPORT:
        end_flow(ctx)
        await start_upload(ctx)
        return Ended()
    return Invalid(_("Please choose Trainings or Apprenticeships."))


async def ask_opening(ctx: Context) -> Outgoing:
    entity = TrainingProgram if ctx.draft["kind"] == OpeningKind.TRAINING else ApprenticeshipOpening
    page = await openings_for_staff(ctx.session, entity, int(ctx.draft.get("openings_page", 0)))
    if not page.items:
        return say(_("No openings of this kind have been published yet."))
    options = [Option(f"o{item.id}", opening_title(item)) for item in page.items]
    return say(_("Whose applicants do you want to see? (page {page} of {pages})").format(
        page=page.number + 1, pages=page.count), options=(*options, *page_options(page)))


async def accept_opening(ctx: Context, given: Answer) -> Result:
    if (turned := turn_page(ctx, given, "openings_page")) is not None:
        return turned
    if (chosen := chosen_id(given, "o")) is not None:
        return Store({"opening": chosen, "applicants_page": 0})
    return Invalid(_("Please choose an opening from the list, or another page."))


async def ask_applicants(ctx: Context) -> Outgoing:
    ref = opening_in_draft(ctx)
    opening = await get_opening(ctx.session, ref)
    page = await applications_for(ctx.session, ref, int(ctx.draft.get("applicants_page", 0)))
    title = opening_title(opening) if opening is not None else "-"
    toggle = _open_or_close(opening)
    state = OPENING_STATE.get(opening.status, "") if opening is not None else ""
    if not page.items:
        return say(_("Nobody has applied for {title} yet.").format(title=title), state,
                   _("Code: {code}").format(code=ref.code), options=toggle)
    taken = await places_taken(ctx.session, ref)
    lines: list[Msg | str] = [_("{title}: {total} applicants, {taken} of {quota} places taken.").format(
        title=title, total=page.total, taken=taken, quota=opening.quota if opening else 0), state,
        _("Code: {code}").format(code=ref.code)]
    options = []
    for application in page.items:
        profile = await get_profile(ctx.session, application.user_id)
        name = profile.shown_name if profile is not None else "-"
        status = STATUS_FOR_STAFF.get(application.status, application.status)
        options.append(Option(f"a{application.id}", name))
        lines.append(_("{name}: {status}").format(name=name, status=status))
    several = (Option(SEVERAL, _("Change several at once")),) if len(page.items) > 1 else ()
    return say(*lines, options=(*options, *page_options(page), *several, *toggle))


def _open_or_close(opening: TrainingProgram | ApprenticeshipOpening | None) -> tuple[Option, ...]:
    if opening is None:
        return ()
    if opening.status == OpeningStatus.OPEN:
        return (Option(CLOSE, _("Close applications")),)
    return (Option(OPEN, _("Open for applications")),)


async def accept_applicants(ctx: Context, given: Answer) -> Result:
    if (turned := turn_page(ctx, given, "applicants_page")) is not None:
        return turned
    if given.option in (OPEN, CLOSE):
        change = await set_accepting_applications(ctx.session, Actor.of(ctx.user), opening_in_draft(ctx),
                                                  given.option == OPEN, now=ctx.now, today=ctx.today)
        if change in WHY_NOT:
            ctx.send(say(WHY_NOT[change]))
        return Stay()
    if given.option == SEVERAL:
        ctx.draft.update({BULK: True, "picked": []})
        return Jump("bulk_pick", return_to="applicants")
    if (chosen := chosen_id(given, "a")) is not None:
        return Store({"application": chosen})
    return Invalid(_("Please choose an applicant from the list, or another page."))


async def _moves_of(ctx: Context, application: Application) -> StaffMoves:
    opening = await get_opening(ctx.session, opening_in_draft(ctx))
    return staff_moves([application], opening, ctx.today) if opening is not None else StaffMoves()


async def ask_decide(ctx: Context) -> Outgoing:
    application = await get_application_by_id(ctx.session, int(ctx.draft["application"]))
    profile = await get_profile(ctx.session, application.user_id) if application is not None else None
    if application is None or profile is None:
        return say(_("That application no longer exists (the applicant deleted their account)."))
    moves = await _moves_of(ctx, application)
    options = [Option(status, STATUS_FOR_STAFF[status]) for status in moves.now]
    lines: list[Msg | str] = [
        profile.shown_name,
        _("Age {age}, {education}, phone {phone}").format(
            age=age_on(profile.birth_date, ctx.today), education=EDUCATION.get(profile.education, ""),
            phone=profile.phone_e164),
        _("Status: {status}").format(status=STATUS_FOR_STAFF.get(application.status, application.status)),
    ]
    if (undo := await pending_undo(ctx.session, application, ctx.now)) is not None:
        options.append(Option(UNDO, _("Undo the rejection")))
        lines.append(undo_line(ctx, undo))
    if moves.now:
        lines.append(_("Move the application to:"))
    elif not options and not moves.later:
        lines.append(_("This application is closed; nothing to change."))
    return say(*lines, *waiting_lines(moves), options=tuple(options))


async def accept_decide(ctx: Context, given: Answer) -> Result:
    application = await get_application_by_id(ctx.session, int(ctx.draft["application"]))
    if application is None:
        return Back()
    moves = await _moves_of(ctx, application)
    if given.option == UNDO:
        if await pending_undo(ctx.session, application, ctx.now) is None:
            return Invalid(_("This rejection can no longer be undone."))
        return start_undo(ctx)
    if given.option in moves.now:
        return Store({"status": given.option})
    typed = given.text.strip().casefold()
    for status, day in moves.later:
        if typed and ctx.render(STATUS_FOR_STAFF[status]).casefold() == typed:
            return Invalid(not_yet(status, day))
    return Invalid(_("Please choose one of the statuses offered."))


async def ask_confirm(ctx: Context) -> Outgoing:
    application = await get_application_by_id(ctx.session, int(ctx.draft["application"]))
    profile = await get_profile(ctx.session, application.user_id) if application is not None else None
    status = STATUS_FOR_STAFF[ApplicationStatus(ctx.draft["status"])]
    return say(_("Change the status of {name} to '{status}'? They will be told at once.").format(
        name=profile.shown_name if profile else "-", status=status),
        options=(Option(YES, _("Yes, change it")), Option(NO, _("No"))))


async def accept_confirm(ctx: Context, given: Answer) -> Result:
    if (not_yes := unless_confirmed(given)) is not None:
        return not_yes
    wanted = ApplicationStatus(ctx.draft["status"])
    moved = await move_applications(ctx.session, Actor.of(ctx.user), opening_in_draft(ctx),
                                    [int(ctx.draft["application"])], wanted, now=ctx.now,
                                    office=ctx.services.office, notices=ctx)
    if moved.outcome is Outcome.GONE:
        return Back()
    if moved.outcome is not Outcome.MOVED:
        ctx.send(say(not_moved(moved, wanted)))
        return Back()
    ctx.send(say(_("Done: the status is now '{status}' and the applicant has been told.").format(
        status=STATUS_FOR_STAFF[wanted])))
    return Back()


FLOW = Flow(
    name="selection",
    steps=(
        # Lists and the applicant's card only show something: another command simply leaves them.
        Step("kind", ask_kind, accept_kind, only_shows=True),
        Step("opening", ask_opening, accept_opening, only_shows=True),
        Step("applicants", ask_applicants, accept_applicants, only_shows=True),
        Step("decide", ask_decide, accept_decide, only_shows=True),
        Step("confirm", ask_confirm, accept_confirm),
        *BULK_STEPS,
        *UNDO_STEPS,
    ),
    finish=leave_flow,
    cancel=leave_flow,
)
