"""Who a message is from, as the dispatcher needs them for every message: read in one statement.

Besides the user and their conversation (`models.users.USER_ROW_QUERY`), whether the bot holds any agreement of
theirs yet (`models.opt_ins`): the router records a first message as one when it does not, and asking that on
its own cost a query on every message for the few that need it (bench/dialog.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.opt_ins import OptIn
from models.prepared import Prepared, run
from models.users import USER_ROW_QUERY, User, adopt_user, create_user

_ARRIVAL_ROW = Prepared(
    USER_ROW_QUERY.add_columns(exists(select(OptIn.id).where(OptIn.user_id == User.id)).label("has_opt_ins"))
)


@dataclass(frozen=True, slots=True)
class Arrival:
    user: User
    created: bool
    """The user wrote for the first time: the row was made now."""
    has_opt_ins: bool
    """The bot holds an agreement of theirs (current, stopped or replaced)."""


async def arrive(session: AsyncSession, channel: str, external_id: str, *, locale: str, now: datetime) -> Arrival:
    """The sender behind a channel identity, seen `now`, created (in `locale`) on first contact."""
    row = (await run(session, _ARRIVAL_ROW, {"channel": channel, "external_id": external_id})).first()
    if row is None:
        return Arrival(await create_user(session, channel, external_id, locale=locale, now=now), True, False)
    has_opt_ins = bool(row.pop("has_opt_ins"))
    return Arrival(await adopt_user(session, row, now), False, has_opt_ins)
