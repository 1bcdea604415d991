"""Applications and their history at the model level: the rules selection and completion rely on."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from bot.engine.runtime import Runtime
from models.applications import (
    Application,
    ApplicationStatus,
    OpeningKind,
    OpeningRef,
    status_history,
    submit_application,
)
from models.catalog import ProviderKind, TrainingCategory, TrainingProgram, add_provider
from models.selection_rules import Mover, StatusChangeRefused, change_status, mark_completed
from models.users import load_or_create_user
from tests.conftest import Clock


async def _training_and_user(session, clock: Clock) -> tuple[int, int]:
    blk = await add_provider(session, name="UPT BLK Tabalong", kind=ProviderKind.BLK, kecamatan="murung-pudak")
    program = TrainingProgram(
        title="Menjahit Pakaian", category=TrainingCategory.NON_COMPETENCY, provider_id=blk.id,
        start_date=date(2027, 2, 2), end_date=date(2027, 2, 20), registration_deadline=date(2027, 1, 25),
        quota=16, created_at=clock(),
    )
    session.add(program)
    user, _created = await load_or_create_user(session, "test", "ani", locale="id", now=clock())
    await session.flush()
    return program.id, user.id


async def test_an_application_keeps_every_status_it_went_through(runtime: Runtime, clock: Clock) -> None:
    async with runtime.session_factory() as session, session.begin():
        program_id, user_id = await _training_and_user(session, clock)
        application = await submit_application(
            session, user_id=user_id, opening=OpeningRef(OpeningKind.TRAINING, program_id), now=clock()
        )
        for status in (ApplicationStatus.SHORTLISTED, ApplicationStatus.ACCEPTED, ApplicationStatus.ENROLLED):
            clock.advance(days=1)
            await change_status(session, application, status, by=Mover.STAFF, now=clock(), remark="lolos seleksi")
        completion = await mark_completed(
            session, application, completed_on=date(2027, 2, 20), now=clock(), changed_by=None
        )
        history = [change.status for change in await status_history(session, application.id)]
    assert history == ["submitted", "shortlisted", "accepted", "enrolled", "completed"]
    assert completion.user_id == user_id
    assert completion.completed_on == date(2027, 2, 20)


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ((), ApplicationStatus.COMPLETED),
        (((ApplicationStatus.REJECTED, Mover.STAFF),), ApplicationStatus.ACCEPTED),
        (((ApplicationStatus.WITHDRAWN, Mover.APPLICANT),), ApplicationStatus.SUBMITTED),
        ((), ApplicationStatus.WITHDRAWN),
    ],
)
async def test_a_change_the_status_does_not_allow_is_refused(
    runtime: Runtime, clock: Clock, path: tuple[tuple[ApplicationStatus, Mover], ...], refused: ApplicationStatus
) -> None:
    async with runtime.session_factory() as session, session.begin():
        program_id, user_id = await _training_and_user(session, clock)
        application = await submit_application(
            session, user_id=user_id, opening=OpeningRef(OpeningKind.TRAINING, program_id), now=clock()
        )
        for status, by in path:
            await change_status(session, application, status, by=by, now=clock())
        with pytest.raises(StatusChangeRefused):
            await change_status(session, application, refused, by=Mover.STAFF, now=clock())
        assert len(await status_history(session, application.id)) == 1 + len(path)


async def test_an_application_names_exactly_one_opening(runtime: Runtime, clock: Clock) -> None:
    async with runtime.session_factory() as session:
        async with session.begin():
            _program_id, user_id = await _training_and_user(session, clock)
        with pytest.raises(IntegrityError):
            async with session.begin():
                session.add(Application(user_id=user_id, submitted_at=clock(), updated_at=clock()))
