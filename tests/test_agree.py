"""`models.opt_ins.agree` at the model level, on both databases: PostgreSQL writes it as one statement and SQLite
as three, and both must keep the same history and answer the same."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.engine.runtime import Runtime
from models.opt_ins import OptInSource, agree, opt_in_history, stop
from models.users import load_or_create_user
from tests.conftest import Clock

Row = tuple[str, str, bool, bool]


async def agreements(runtime: Runtime, steps: list[tuple[OptInSource | None, str, bool]], now: datetime
                     ) -> tuple[list[bool | None], list[Row]]:
    """Runs each step (a source to agree with, or None to stop) in its own transaction, a minute apart."""
    answers: list[bool | None] = []
    async with runtime.session_factory() as session, session.begin():
        user, _created = await load_or_create_user(session, "console", "rina", locale="id", now=now)
        user_id = user.id
    for number, (source, detail, resumes) in enumerate(steps):
        at = now + timedelta(minutes=number)
        async with runtime.session_factory() as session, session.begin():
            if source is None:
                await stop(session, user_id, at)
                answers.append(None)
            else:
                answers.append(await agree(session, user_id, "console", source, detail, now=at, resumes=resumes))
    async with runtime.session_factory() as session:
        rows = [(row.source, row.detail, row.stopped_at is not None, row.replaced_at is not None)
                for row in await opt_in_history(session, user_id)]
    return answers, rows


async def test_each_agreement_replaces_the_current_one_unless_it_says_the_same(runtime: Runtime, clock: Clock) -> None:
    answers, rows = await agreements(runtime, [
        (OptInSource.FIRST_MESSAGE, "", True),
        (OptInSource.FIRST_MESSAGE, "", True),  # the same again: nothing
        (OptInSource.KEYWORD, "DAFTAR t1", True),
        (OptInSource.KEYWORD, "DAFTAR t2", True),  # another detail: a new row
        (OptInSource.START_LINK, "", True),  # a bare /start while one is current: nothing
        (OptInSource.START_LINK, "o7", True),  # a link's payload: a new row
    ], clock())
    assert answers == [True, False, True, True, False, True]
    assert rows == [("first_message", "", False, True), ("keyword", "DAFTAR t1", False, True),
                    ("keyword", "DAFTAR t2", False, True), ("start_link", "o7", False, False)]


async def test_a_stop_stands_for_an_agreement_that_does_not_resume(runtime: Runtime, clock: Clock) -> None:
    answers, rows = await agreements(runtime, [
        (OptInSource.CONSENT, "v1", False),  # no history yet: current at once
        (None, "", True),
        (OptInSource.CONSENT, "v2", False),  # after a stop: recorded, stopped
        (OptInSource.START_LINK, "", True),  # a bare /start with nothing current: resumes
    ], clock())
    assert answers == [True, None, True, True]
    assert rows == [("consent", "v1", True, False), ("consent", "v2", True, False), ("start_link", "", False, False)]


async def test_a_long_detail_is_cut_to_the_column(runtime: Runtime, clock: Clock) -> None:
    answers, rows = await agreements(runtime, [(OptInSource.KEYWORD, "x" * 100, True)], clock())
    assert answers == [True]
    assert rows == [("keyword", "x" * 64, False, False)]
