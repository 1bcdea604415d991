"""Check-ins opened a batch at a time (models/follow_up_batches.py, `Dispatcher.act_for_many`): the edges of a
batch. A fire another worker holds is left to it; in one batch an alumnus in the middle of something else has
their check-in wait while the others are asked, each in their own language; one who opted out or blocked the
bot is not asked; a period asked already is not asked again; and a batch that fails is opened one fire at a
time, so the one bad fire waits for its retry and nobody else does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bot.engine.runtime import Runtime
from handlers.checkins import checkin as checkins
from handlers.context import Context
from jobs.follow_ups import send_follow_ups
from models.db import dialect_name
from models.follow_ups import CheckIn, CheckInStatus, FireKind, FollowUpFire, opt_out
from models.users import User
from tests.alumni import Alumnus, make_alumnus
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock
from tests.test_follow_up_fires import COMPLETED, FIRST_DUE, check_ins, fires


async def test_a_fire_another_worker_holds_is_left_to_it(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    async with runtime.session_factory() as session:
        if dialect_name(session) != "postgresql":
            pytest.skip("SQLite has one writer at a time: no worker holds a fire while another claims")
    held = await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    await make_alumnus(runtime, clock, "budi", completed_on=COMPLETED, program_id=held.program_id)
    clock.now = FIRST_DUE
    async with runtime.session_factory() as other_worker, other_worker.begin():
        await other_worker.execute(
            select(FollowUpFire.id).where(FollowUpFire.user_id == held.user_id, FollowUpFire.period == 1)
            .with_for_update())
        assert await send_follow_ups(runtime) == 1
        assert len(channel.to("budi")) == 1 and channel.to("ani") == []
    assert await send_follow_ups(runtime) == 1, "released, the fire is acted on once"
    assert len(channel.to("ani")) == 1 and len(channel.to("budi")) == 1


async def test_one_batch_asks_each_alumnus_as_they_are(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    names = ["ani", "budi", "citra", "dewi", "eko"]
    alumni: dict[str, Alumnus] = {}
    for name in names:
        program_id = alumni[names[0]].program_id if alumni else None
        alumni[name] = await make_alumnus(runtime, clock, name, completed_on=COMPLETED, program_id=program_id)
    budi = ChatUser(runtime, channel, "budi", locale="en")
    await budi.send("/start")  # in the middle of registration
    busy_step = await budi.step()
    async with runtime.session_factory() as session, session.begin():
        await opt_out(session, alumni["citra"].user_id, clock())
        dewi = await session.get(User, alumni["dewi"].user_id)
        assert dewi is not None
        dewi.unreachable_since = clock()
        ani = await session.get(User, alumni["ani"].user_id)
        assert ani is not None
        ani.locale = "id"
    before = {name: len(channel.to(name)) for name in names}
    clock.now = FIRST_DUE
    assert await send_follow_ups(runtime, batch=50) == 4, "citra's fires went when she opted out"

    [ani_intro] = channel.to("ani")
    assert "Sudah 1 bulan sejak Anda menyelesaikan Menjahit Pakaian" in ani_intro.text
    [eko_intro] = channel.to("eko")
    assert "1 month since you completed Menjahit Pakaian" in eko_intro.text
    assert len(channel.to("budi")) == before["budi"] and await budi.step() == busy_step
    assert channel.to("citra") == [] and channel.to("dewi") == []
    statuses = {name: [c.status for c in await check_ins(runtime, alumni[name].user_id)] for name in names}
    assert statuses == {"ani": [CheckInStatus.OPEN], "budi": [CheckInStatus.WAITING], "citra": [], "dewi": [],
                        "eko": [CheckInStatus.OPEN]}
    for name in ("ani", "budi", "eko"):
        kinds = [(kind, period) for kind, period, _due in await fires(runtime, alumni[name].user_id)]
        assert (FireKind.REMIND, 1) in kinds and (FireKind.CLOSE, 1) in kinds
    await budi.send("/cancel")
    assert "1 month since you completed" in budi.text, "the waiting check-in starts when the task ends"


async def test_a_period_asked_already_is_not_asked_again(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    alumnus = await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    clock.now = FIRST_DUE
    assert await send_follow_ups(runtime) == 1
    async with runtime.session_factory() as session, session.begin():  # the same fire again, as after a race
        session.add(FollowUpFire(user_id=alumnus.user_id, completion_id=alumnus.completion_id,
                                 kind=FireKind.CHECK_IN, period=1, due_at=FIRST_DUE))
    assert await send_follow_ups(runtime) == 1
    assert len(channel.to("ani")) == 1
    assert [c.period for c in await check_ins(runtime, alumnus.user_id)] == [1]


async def test_a_batch_that_fails_is_opened_one_at_a_time_and_only_the_bad_fire_waits(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    names = ["ani", "budi", "citra"]
    alumni: dict[str, Alumnus] = {}
    for name in names:
        program_id = alumni[names[0]].program_id if alumni else None
        alumni[name] = await make_alumnus(runtime, clock, name, completed_on=COMPLETED, program_id=program_id)
    offer = checkins.offer_check_in

    async def failing_for_budi(ctx: Context, check_in: CheckIn) -> None:
        if ctx.user.id == alumni["budi"].user_id:
            raise RuntimeError("budi's check-in cannot be asked")
        await offer(ctx, check_in)

    monkeypatch.setattr(checkins, "offer_check_in", failing_for_budi)
    clock.now = FIRST_DUE
    assert await send_follow_ups(runtime) == 3
    assert "opening 3 check-ins together failed" in caplog.text
    assert len(channel.to("ani")) == 1 and len(channel.to("citra")) == 1 and channel.to("budi") == []
    assert await check_ins(runtime, alumni["budi"].user_id) == []
    first = (await fires(runtime, alumni["budi"].user_id))[0]
    assert first == (FireKind.CHECK_IN, 1, FIRST_DUE + timedelta(hours=1))
    monkeypatch.setattr(checkins, "offer_check_in", offer)
    clock.advance(hours=1)
    assert await send_follow_ups(runtime) == 1
    assert len(channel.to("budi")) == 1 and len(channel.to("ani")) == 1


async def test_the_batch_takes_its_alumni_locks_in_one_statement(runtime: Runtime, clock: Clock) -> None:
    """On PostgreSQL the locks are advisory: a batch holds each alumnus' as a message would."""
    async with runtime.session_factory() as session:
        if dialect_name(session) != "postgresql":
            pytest.skip("SQLite's writer excludes every other: no per-user lock")
    from models.db import lock_for_keys

    async with runtime.session_factory() as session, session.begin():
        await lock_for_keys(session, ["wa:1", "wa:2", "wa:1"])
        held = await session.scalar(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                                         "AND pid = pg_backend_pid()"))
        assert held == 2
