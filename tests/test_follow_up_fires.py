"""The follow-up job against the real database, with a clock the test moves: due check-ins open, are reminded
once, close unanswered; schedules are recomputed; downtime does not flood; two workers never double-send."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select

from bot.engine.messages import Purpose
from bot.engine.runtime import Runtime
from jobs.follow_ups import send_follow_ups
from models.applications import Completion
from models.catalog import TrainingProgram
from models.follow_ups import (
    CheckIn,
    CheckInStatus,
    FireKind,
    change_completion_date,
    pending_fires,
    set_follow_up_plan,
)
from models.users import User
from tests.alumni import make_alumnus
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock, RuntimeFactory

COMPLETED = date(2026, 11, 23)  # the clock starts on that day, 09:00 in Tabalong (WITA)
FIRST_DUE = datetime(2026, 12, 23, 1, 0, tzinfo=UTC)  # a month later, 09:00 WITA


async def check_ins(runtime: Runtime, user_id: int) -> list[CheckIn]:
    async with runtime.session_factory() as session:
        return list(await session.scalars(select(CheckIn).where(CheckIn.user_id == user_id).order_by(CheckIn.period)))


async def fires(runtime: Runtime, user_id: int) -> list[tuple[str, int, datetime]]:
    async with runtime.session_factory() as session:
        return [(f.kind, f.period, f.due_at) for f in await pending_fires(session, user_id)]


async def test_completing_schedules_twelve_monthly_check_ins(runtime: Runtime, clock: Clock) -> None:
    alumnus = await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    scheduled = await fires(runtime, alumnus.user_id)
    assert [(kind, period) for kind, period, _due in scheduled] == [(FireKind.CHECK_IN, m) for m in range(1, 13)]
    assert scheduled[0][2] == FIRST_DUE
    assert scheduled[-1][2] == datetime(2027, 11, 23, 1, 0, tzinfo=UTC)


async def test_a_due_check_in_is_asked_then_reminded_once_then_closed_unanswered(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    alumnus = await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    clock.now = FIRST_DUE - timedelta(minutes=1)
    assert await send_follow_ups(runtime) == 0
    assert channel.to("ani") == []
    clock.now = FIRST_DUE
    assert await send_follow_ups(runtime) == 1
    [intro] = channel.to("ani")
    assert "1 month since you completed Menjahit Pakaian" in intro.text
    assert intro.purpose == Purpose.CHECK_IN, "WhatsApp sends its template if the window has closed"
    [opened] = await check_ins(runtime, alumnus.user_id)
    assert (opened.period, opened.status) == (1, CheckInStatus.OPEN)

    clock.advance(days=3)
    assert await send_follow_ups(runtime) == 1
    assert "A reminder" in channel.to("ani")[-1].text
    assert channel.to("ani")[-1].purpose == Purpose.REMINDER
    clock.advance(days=1)
    assert await send_follow_ups(runtime) == 0
    assert len(channel.to("ani")) == 2

    clock.now = FIRST_DUE + timedelta(days=7)
    assert await send_follow_ups(runtime) == 1
    [closed] = await check_ins(runtime, alumnus.user_id)
    assert closed.status == CheckInStatus.NO_RESPONSE
    assert len(channel.to("ani")) == 2
    assert [period for kind, period, _due in await fires(runtime, alumnus.user_id)] == list(range(2, 13))


async def test_changing_the_completion_date_or_the_plan_recomputes_the_schedule(
    runtime: Runtime, clock: Clock
) -> None:
    alumnus = await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    timezone = runtime.services.office.timezone
    async with runtime.session_factory() as session, session.begin():
        completion = await session.get(Completion, alumnus.completion_id)
        assert completion is not None
        await change_completion_date(session, completion, date(2026, 11, 30), timezone, clock())
    assert (await fires(runtime, alumnus.user_id))[0][2] == datetime(2026, 12, 30, 1, 0, tzinfo=UTC)
    async with runtime.session_factory() as session, session.begin():
        program = await session.get(TrainingProgram, alumnus.program_id)
        assert program is not None
        await set_follow_up_plan(session, program, {"first_after_months": 3, "every_months": 3,
                                                    "delivery_hour": 15}, timezone, clock())
    scheduled = await fires(runtime, alumnus.user_id)
    assert [period for _kind, period, _due in scheduled] == [3, 6, 9, 12]
    assert scheduled[0][2] == datetime(2027, 2, 28, 7, 0, tzinfo=UTC)


async def test_periods_already_asked_are_not_asked_again_after_a_recomputation(
    runtime: Runtime, clock: Clock
) -> None:
    alumnus = await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    clock.now = FIRST_DUE
    await send_follow_ups(runtime)
    async with runtime.session_factory() as session, session.begin():
        completion = await session.get(Completion, alumnus.completion_id)
        assert completion is not None
        await change_completion_date(session, completion, date(2026, 11, 20), runtime.services.office.timezone,
                                     clock())
    check_in_periods = [p for kind, p, _due in await fires(runtime, alumnus.user_id) if kind == FireKind.CHECK_IN]
    assert check_in_periods == list(range(2, 13))


async def test_after_downtime_the_backlog_is_folded_and_sent_at_the_next_delivery_hour(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    alumnus = await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    clock.now = datetime(2027, 3, 25, 14, 0, tzinfo=UTC)  # down since before the first check-in: 22:00 WITA
    await send_follow_ups(runtime)
    assert channel.to("ani") == []
    assert await check_ins(runtime, alumnus.user_id) == []
    scheduled = await fires(runtime, alumnus.user_id)
    assert scheduled[0] == (FireKind.CHECK_IN, 4, datetime(2027, 3, 26, 1, 0, tzinfo=UTC))
    assert [period for _kind, period, _due in scheduled] == list(range(4, 13))
    clock.now = datetime(2027, 3, 26, 1, 0, tzinfo=UTC)
    await send_follow_ups(runtime)
    assert len(channel.to("ani")) == 1
    assert [c.period for c in await check_ins(runtime, alumnus.user_id)] == [4]


async def test_nothing_is_sent_in_quiet_hours(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> None:
    await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED, plan={"delivery_hour": 20})
    clock.now = datetime(2026, 12, 23, 13, 30, tzinfo=UTC)  # 21:30 WITA, 90 minutes late after a short outage
    await send_follow_ups(runtime)
    assert channel.to("ani") == []
    clock.now = datetime(2026, 12, 23, 23, 0, tzinfo=UTC)  # 07:00 WITA
    await send_follow_ups(runtime)
    assert len(channel.to("ani")) == 1


async def test_two_workers_racing_send_each_check_in_once(
    make_runtime: RuntimeFactory, channel: RecordingChannel, clock: Clock
) -> None:
    first, second = make_runtime(channel), make_runtime(channel)
    names = [f"alumnus{n}" for n in range(30)]
    program_id = None
    for name in names:
        alumnus = await make_alumnus(first, clock, name, completed_on=COMPLETED, program_id=program_id)
        program_id = alumnus.program_id
    clock.now = FIRST_DUE
    handled = await asyncio.gather(send_follow_ups(first, batch=7), send_follow_ups(second, batch=7))
    assert sum(handled) == 30
    assert sorted(address for address, _reply in channel.sent) == sorted(names)
    async with first.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(CheckIn)) == 30


async def test_a_check_in_waits_while_the_alumnus_is_in_another_conversation(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    ani = ChatUser(runtime, channel, "ani", locale="en")
    await ani.send("/start")  # not registered: registration begins
    assert await ani.step() == "language"
    clock.now = FIRST_DUE
    await send_follow_ups(runtime)
    assert len(ani.received) == 1 and len(channel.to("ani")) == 1
    assert await ani.step() == "language"
    await ani.send("/cancel")
    assert "1 month since you completed" in ani.text
    assert (await ani.conversation())[0] == "checkin"


async def test_staff_completing_an_application_in_the_chat_schedules_the_check_ins(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    from tests.test_applying import WELDING
    from tests.test_my_applications import applied_siti
    from tests.test_selection import choose, staff_member

    siti = await applied_siti(runtime, channel, clock)
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/staf")
    await choose(staff, "Pelatihan", "Halaman berikutnya", WELDING, "Siti Rahmawati", "Diterima", "Ya, ubah")
    clock.advance(days=17)  # the training starts on 10 December
    await choose(staff, "Kembali", "Siti Rahmawati", "Sedang mengikuti", "Ya, ubah")
    clock.advance(days=30)  # and ends on 9 January
    await choose(staff, "Kembali", "Siti Rahmawati", "Selesai", "Ya, ubah")
    user = await siti.user()
    assert user is not None
    scheduled = await fires(runtime, user.id)
    assert len(scheduled) == 12 and scheduled[0][2] == datetime(2027, 2, 9, 1, 0, tzinfo=UTC), "a month later"


async def test_a_fire_that_fails_is_retried_later_and_the_others_go_on(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, caplog
) -> None:
    broken = await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED, plan={"survey": "no_such_survey"})
    await make_alumnus(runtime, clock, "budi", completed_on=COMPLETED)
    clock.now = FIRST_DUE
    assert await send_follow_ups(runtime) == 2
    assert "no such survey file" in caplog.text
    assert len(channel.to("budi")) == 1 and channel.to("ani") == []
    first = (await fires(runtime, broken.user_id))[0]
    assert first == (FireKind.CHECK_IN, 1, FIRST_DUE + timedelta(hours=1))


async def test_an_alumnus_who_blocked_the_bot_is_not_asked_until_they_write_again(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    alumnus = await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    async with runtime.session_factory() as session, session.begin():
        user = await session.get(User, alumnus.user_id)
        assert user is not None
        user.unreachable_since = clock()
    clock.now = FIRST_DUE
    await send_follow_ups(runtime)
    assert channel.to("ani") == [] and await check_ins(runtime, alumnus.user_id) == []
    await ChatUser(runtime, channel, "ani", locale="en").send("hello again")
    clock.now = FIRST_DUE + timedelta(days=31)
    await send_follow_ups(runtime)
    assert [c.period for c in await check_ins(runtime, alumnus.user_id)] == [2]


async def test_check_ins_opening_while_alumni_are_writing_lose_nothing(
    make_runtime: RuntimeFactory, channel: RecordingChannel, clock: Clock
) -> None:
    chat_worker, job_worker = make_runtime(channel), make_runtime(channel)
    names = [f"alumnus{n}" for n in range(12)]
    program_id = None
    for name in names:
        program_id = (await make_alumnus(chat_worker, clock, name, completed_on=COMPLETED,
                                         program_id=program_id)).program_id
    users = [ChatUser(chat_worker, channel, name, locale="en") for name in names]
    for user in users:
        await user.send("/help")
    clock.now = FIRST_DUE
    await asyncio.gather(send_follow_ups(job_worker, batch=5), *(user.send("/help") for user in users))
    async with chat_worker.session_factory() as session:
        opened = list(await session.scalars(select(CheckIn)))
    assert len(opened) == len(names)
    for user in users:
        flow, _step, data = await user.conversation()
        row = await user.user()
        assert row is not None
        check_in = next(c for c in opened if c.user_id == row.id)
        if check_in.status == CheckInStatus.OPEN:
            assert flow == "checkin" and data["check_in"] == check_in.id
        else:
            assert check_in.status == CheckInStatus.WAITING


async def test_an_apprentice_who_completed_is_followed_up_on_the_default_plan(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    from models.applications import (
        ApplicationStatus,
        OpeningKind,
        OpeningRef,
        submit_application,
    )
    from models.catalog import ApprenticeshipOpening, ProviderKind, add_provider
    from models.follow_ups import schedule_follow_ups
    from models.opt_ins import OptInSource, agree
    from models.selection_rules import Mover, change_status, mark_completed
    from models.users import load_or_create_user

    async with runtime.session_factory() as session, session.begin():
        company = await add_provider(session, name="PT Tabalong Jaya", kind=ProviderKind.COMPANY)
        opening = ApprenticeshipOpening(company_id=company.id, position="Mekanik", duration_months=6,
                                        application_deadline=date(2026, 5, 1), quota=2, created_at=clock())
        session.add(opening)
        user, _created = await load_or_create_user(session, "test", "ani", locale="en", now=clock())
        await agree(session, user.id, "test", OptInSource.CONSENT, "2026-11-30", now=clock())
        await session.flush()
        application = await submit_application(session, user_id=user.id,
                                               opening=OpeningRef(OpeningKind.APPRENTICESHIP, opening.id), now=clock())
        for status in (ApplicationStatus.ACCEPTED, ApplicationStatus.ENROLLED):
            await change_status(session, application, status, by=Mover.STAFF, now=clock())
        completion = await mark_completed(session, application, completed_on=COMPLETED, now=clock(), changed_by=None)
        assert await schedule_follow_ups(session, completion, runtime.services.office.timezone, clock()) == 12
    clock.now = FIRST_DUE
    await send_follow_ups(runtime)
    assert "1 month since you completed Mekanik - PT Tabalong Jaya." in channel.to("ani")[-1].text


async def test_scheduling_a_whole_program_at_once_gives_each_alumnus_the_schedule_of_their_own(
    runtime: Runtime, clock: Clock
) -> None:
    """The bulk scheduler (plan changes, a million alumni) against `schedule_follow_ups` one completion at a time:
    month ends, periods already asked or already past, an opted-out alumnus, two plans."""
    from models.follow_ups import FollowUpFire, opt_out, schedule_follow_ups, schedule_follow_ups_in_bulk

    quarterly = await make_alumnus(runtime, clock, "budi", completed_on=date(2026, 1, 31),
                                   plan={"first_after_months": 3, "every_months": 3, "delivery_hour": 15})
    monthly = await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    alumni = [quarterly, monthly]
    for number, day in enumerate((date(2026, 5, 31), date(2026, 8, 29), date(2025, 12, 23), COMPLETED)):
        alumni.append(await make_alumnus(runtime, clock, f"a{number}", completed_on=day, program_id=monthly.program_id))
    clock.now = FIRST_DUE  # "ani" and "a3" are asked their first month, and the later alumni are due
    await send_follow_ups(runtime)
    async with runtime.session_factory() as session, session.begin():
        await opt_out(session, alumni[2].user_id, clock())
    clock.now = FIRST_DUE + timedelta(days=20)
    timezone = runtime.services.office.timezone

    async def every_check_in_fire() -> set[tuple[Any, ...]]:
        async with runtime.session_factory() as session:
            return {tuple(row) for row in (await session.execute(
                select(FollowUpFire.user_id, FollowUpFire.completion_id, FollowUpFire.period, FollowUpFire.due_at)
                .where(FollowUpFire.kind == FireKind.CHECK_IN)))}

    async with runtime.session_factory() as session, session.begin():
        one_by_one = 0
        for alumnus in alumni:
            completion = await session.get(Completion, alumnus.completion_id)
            assert completion is not None
            one_by_one += await schedule_follow_ups(session, completion, timezone, clock())
    expected = await every_check_in_fire()
    async with runtime.session_factory() as session, session.begin():
        await session.execute(delete(FollowUpFire))
        assert await schedule_follow_ups_in_bulk(session, timezone, clock(), batch=2) == one_by_one
    assert await every_check_in_fire() == expected
    over = alumni[4]  # completed 2025-12-23: their year of check-ins is over
    assert {user for user, *_rest in expected} == {a.user_id for a in alumni} - {alumni[2].user_id, over.user_id}
    async with runtime.session_factory() as session, session.begin():  # budi's last quarter, January 2027
        assert await schedule_follow_ups_in_bulk(session, timezone, clock(), program_id=quarterly.program_id) == 1
    assert await every_check_in_fire() == expected
