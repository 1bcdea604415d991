"""What staff do to the catalogue itself: list and read openings, add and edit one, publish and close it,
import many from a spreadsheet. The chat, the command line and the dashboard all call these; each checks the
actor and writes its audit row (with the values before and after) in the caller's transaction.

Matching job seekers hear of a newly published opening from the opening-alerts job, not from here, so an
import of a hundred openings sends each person one message at most.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import Msg, _
from models.applications import Opening, OpeningKind, OpeningRef, get_opening
from models.audit import FORM_MEMORY, audit, audited_with_form
from models.catalog import OpeningStatus, TrainingProgram, set_opening_status
from models.opening_search import OpeningFilters, OpeningLine, provider_names, same_opening, search_openings
from models.paging import Page
from models.regions import Office
from services.opening_form import FieldErrors, check_form, opening_cells, row_cells, version_of
from services.opening_import import OpeningRow, add_opening, fill_opening, save_openings
from services.permissions import Actor, require_staff, require_viewer


class StatusChange(StrEnum):
    """What publishing or closing did."""

    DONE = "done"
    ALREADY = "already"
    """It was already so: nothing changed (a second click, say)."""
    DEADLINE_PASSED = "deadline_passed"
    """Not published: its deadline has passed, so nobody could apply; move the deadline first."""
    NOT_NOW = "not_now"
    """Running or finished: it follows its dates now, not staff's buttons."""
    GONE = "gone"


WHY_NOT: Mapping[StatusChange, Msg] = {
    StatusChange.DEADLINE_PASSED: _("Its deadline has passed, so nobody could apply. Move the deadline first."),
    StatusChange.NOT_NOW: _("It is running or finished: it follows its dates now."),
    StatusChange.GONE: _("This opening no longer exists."),
}
"""Why an opening was not published or closed, as staff read it."""


@dataclass(frozen=True, slots=True)
class Saved:
    ref: OpeningRef
    changed: bool = True


@dataclass(frozen=True, slots=True)
class NotSaved:
    """The form's problems, field by field; `stale` when the opening changed since the form was opened."""

    errors: FieldErrors = field(default_factory=dict)
    stale: bool = False


def ref_of(opening: Opening) -> OpeningRef:
    kind = OpeningKind.TRAINING if isinstance(opening, TrainingProgram) else OpeningKind.APPRENTICESHIP
    return OpeningRef(kind, opening.id)


async def find_openings(session: AsyncSession, actor: Actor, filters: OpeningFilters, page: int,
                        size: int) -> Page[OpeningLine]:
    require_viewer(actor)
    return await search_openings(session, filters, page, size)


async def opening_for_staff(session: AsyncSession, actor: Actor, ref: OpeningRef) -> Opening | None:
    require_viewer(actor)
    return await get_opening(session, ref)


async def known_providers(session: AsyncSession, actor: Actor) -> list[str]:
    require_staff(actor)
    return await provider_names(session)


async def set_accepting_applications(
    session: AsyncSession, actor: Actor, ref: OpeningRef, accepting: bool, *, now: datetime, today: date
) -> StatusChange:
    """Open the opening for applications (publishing a draft) or close them. Only a draft or closed opening
    whose deadline has not passed is opened; only an open one is closed."""
    require_staff(actor)
    opening = await get_opening(session, ref)
    if opening is None:
        return StatusChange.GONE
    wanted = OpeningStatus.OPEN if accepting else OpeningStatus.CLOSED
    before = opening.status
    if before == wanted:
        return StatusChange.ALREADY
    if before not in (OpeningStatus.DRAFT, OpeningStatus.CLOSED, OpeningStatus.OPEN):
        return StatusChange.NOT_NOW
    if accepting and opening.deadline < today:
        return StatusChange.DEADLINE_PASSED
    set_opening_status(opening, wanted, now)
    audit(session, at=now, actor_id=actor.user_id, action="opening.publish" if accepting else "opening.close",
          subject_kind=ref.kind.value, subject_id=ref.id,
          detail={"origin": actor.origin, "before": {"status": before}, "after": {"status": wanted.value}})
    return StatusChange.DONE


async def create_opening(session: AsyncSession, actor: Actor, cells: Mapping[str, str], office: Office, *,
                         form: str, now: datetime) -> Saved | NotSaved:
    """A new opening from the dashboard's form, as a draft (publishing it is a step of its own). A form sent
    twice adds one opening."""
    require_staff(actor)
    if done := await audited_with_form(session, ("opening.create",), form, now - FORM_MEMORY):
        return Saved(OpeningRef(OpeningKind(done[0].subject_kind), done[0].subject_id), changed=False)
    row = check_form(cells, office, OpeningStatus.DRAFT)
    if not isinstance(row, OpeningRow):
        return NotSaved(row)
    if twin := await _twin(session, row, None):
        return NotSaved(twin)
    opening = await add_opening(session, row, now)
    await session.flush()
    ref = ref_of(opening)
    audit(session, at=now, actor_id=actor.user_id, action="opening.create", subject_kind=ref.kind.value,
          subject_id=ref.id, detail={"origin": actor.origin, "form": form, "before": None,
                                     "after": opening_cells(opening)})
    return Saved(ref)


async def update_opening(session: AsyncSession, actor: Actor, ref: OpeningRef, cells: Mapping[str, str],
                         office: Office, *, version: str, now: datetime) -> Saved | NotSaved | None:
    """Save the edit form over the opening (None when it is gone). The form carries the version it was opened
    at: when someone else changed the opening since, nothing is saved and the form says so, unless this very
    edit was already saved (the form sent twice)."""
    require_staff(actor)
    opening = await get_opening(session, ref)
    if opening is None:
        return None
    before = opening_cells(opening)
    row = check_form({**cells, "kind": before["kind"]}, office, OpeningStatus(opening.status))
    if not isinstance(row, OpeningRow):
        return NotSaved(row)
    if row_cells(row) == before:
        return Saved(ref, changed=False)
    if version != version_of(before):
        return NotSaved(stale=True)
    if twin := await _twin(session, row, ref.id):
        return NotSaved(twin)
    await fill_opening(session, opening, row)
    await session.flush()
    after = opening_cells(opening)
    changed = [name for name in after if after[name] != before.get(name)]
    audit(session, at=now, actor_id=actor.user_id, action="opening.update", subject_kind=ref.kind.value,
          subject_id=ref.id, detail={"origin": actor.origin, "before": {name: before.get(name) for name in changed},
                                     "after": {name: after[name] for name in changed}})
    return Saved(ref)


async def _twin(session: AsyncSession, row: OpeningRow, other_than: int | None) -> FieldErrors:
    """The rule against one opening entered twice: same kind, title and provider, and same start (a training)
    or deadline (an apprenticeship)."""
    training = row.kind == "training"
    title = (row.title if training else row.position) or ""
    day = row.start_date if training and row.start_date else row.deadline
    kind = OpeningKind.TRAINING if training else OpeningKind.APPRENTICESHIP
    found = await same_opening(session, kind=kind, title=title, provider=row.provider, day=day,
                               other_than=other_than)
    if found is None:
        return {}
    sentence: Msg = _("This opening exists already, with code {code}.").format(code=found.code)
    return {"title" if training else "position": sentence}


async def import_openings(session: AsyncSession, actor: Actor, openings: Sequence[OpeningRow], *, now: datetime,
                          form: str = "", file: str = "") -> int:
    """Save openings whose rows `services.opening_import.check_rows` found right, all in the caller's commit.
    With a web form's one-time id, a file sent twice is imported once (the count of its first import)."""
    require_staff(actor)
    if form and (done := await audited_with_form(session, ("opening.import",), form, now - FORM_MEMORY)):
        return len(done)
    saved = await save_openings(session, openings, now)
    for opening in saved:
        ref = ref_of(opening)
        audit(session, at=now, actor_id=actor.user_id, action="opening.import", subject_kind=ref.kind.value,
              subject_id=ref.id, detail={"origin": actor.origin, "form": form, "file": file[:80], "before": None,
                                         "after": opening_cells(opening)})
    return len(saved)
