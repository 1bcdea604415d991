"""What the main menu needs to know of a user, read in one statement: whether they are registered, and whether a
check-in waits for their answer. The menu is shown at the end of every task and read again for every choice made
in it: two queries there were two round trips on PostgreSQL each time (bench/dialog.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.follow_ups import UNFINISHED, CheckIn
from models.prepared import Prepared, run
from models.profiles import JobSeekerProfile


@dataclass(frozen=True, slots=True)
class HomeFacts:
    registered: bool
    check_in_to_answer: bool
    """A check-in waiting to be asked or open (`models.follow_ups.unfinished_check_in`)."""


async def home_facts(session: AsyncSession, user_id: int) -> HomeFacts:
    first, second = sorted(UNFINISHED)
    row = (await run(session, _HOME, {"user_id": user_id, "first": first, "second": second})).rows[0]
    return HomeFacts(registered=bool(row[0]), check_in_to_answer=bool(row[1]))


_HOME = Prepared(select(
    exists().where(JobSeekerProfile.user_id == bindparam("user_id")).label("registered"),
    exists().where(CheckIn.user_id == bindparam("user_id"),
                   CheckIn.status.in_([bindparam("first"), bindparam("second")])).label("check_in_to_answer"),
))
