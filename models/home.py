"""What the end of a task and the main menu need to know of a user, read in one statement: whether they are
registered, and whether a check-in waits for their answer (or for the task to end, to be asked). The menu is shown
at the end of every task and read again for every choice made in it: separate queries there were a round trip
each on PostgreSQL, every time (bench/dialog.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.follow_ups import UNFINISHED, CheckIn, CheckInStatus
from models.prepared import Prepared, run
from models.profiles import JobSeekerProfile


@dataclass(frozen=True, slots=True)
class HomeFacts:
    registered: bool
    check_in_to_answer: bool
    """A check-in waiting to be asked or open (`models.follow_ups.unfinished_check_in`)."""
    check_in_waiting: bool
    """A check-in waiting for the conversation to end, to be asked then (`CheckInStatus.WAITING`)."""


async def home_facts(session: AsyncSession, user_id: int) -> HomeFacts:
    first, second = sorted(UNFINISHED)
    row = (await run(session, _HOME, {"user_id": user_id, "first": first, "second": second,
                                      "waiting": CheckInStatus.WAITING.value})).rows[0]
    return HomeFacts(registered=bool(row[0]), check_in_to_answer=bool(row[1]), check_in_waiting=bool(row[2]))


_HOME = Prepared(select(
    exists().where(JobSeekerProfile.user_id == bindparam("user_id")).label("registered"),
    exists().where(CheckIn.user_id == bindparam("user_id"),
                   CheckIn.status.in_([bindparam("first"), bindparam("second")])).label("check_in_to_answer"),
    exists().where(CheckIn.user_id == bindparam("user_id"),
                   CheckIn.status == bindparam("waiting")).label("check_in_waiting"),
))
