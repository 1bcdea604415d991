"""Who a message is from, as the dispatcher needs them for every message: read in one statement.

Besides the user and their conversation (`models.users.USER_ROW_QUERY`), whether the bot holds any agreement of
theirs yet (`models.opt_ins`): the router records a first message as one when it does not, and asking that on
its own cost a query on every message for the few that need it (bench/dialog.py). Someone writing for the first
time is created here with that first agreement: on PostgreSQL the user, their conversation and the agreement are
one statement (`_NEW_PERSON`), where three round trips made a first message among the slowest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from models.base import table_of
from models.conversations import Conversation
from models.db import dialect_name
from models.opt_ins import OptIn, agree_first_time, first_agreement_values
from models.prepared import Prepared, run
from models.users import (
    USER_ROW_QUERY,
    User,
    adopt_new_user,
    adopt_user,
    create_user,
    new_conversation_values,
    new_user_values,
)

_ARRIVAL_ROW = Prepared(
    USER_ROW_QUERY.add_columns(exists(select(OptIn.id).where(OptIn.user_id == User.id)).label("has_opt_ins"))
)


@dataclass(frozen=True, slots=True)
class Arrival:
    user: User
    created: bool
    """The user wrote for the first time: the row was made now, with their first message as their first
    agreement (so `has_opt_ins` is then true)."""
    has_opt_ins: bool
    """The bot holds an agreement of theirs (current, stopped or replaced)."""


async def arrive(session: AsyncSession, channel: str, external_id: str, *, locale: str, now: datetime) -> Arrival:
    """The sender behind a channel identity, seen `now`, created (in `locale`) on first contact."""
    row = (await run(session, _ARRIVAL_ROW, {"channel": channel, "external_id": external_id})).first()
    if row is None:
        return Arrival(await _create_with_first_agreement(session, channel, external_id, locale, now), True, True)
    has_opt_ins = bool(row.pop("has_opt_ins"))
    return Arrival(await adopt_user(session, row, now), False, has_opt_ins)


async def _create_with_first_agreement(
    session: AsyncSession, channel: str, external_id: str, locale: str, now: datetime
) -> User:
    """A new user, their conversation, and their first message recorded as their first agreement."""
    if dialect_name(session) != "postgresql":
        user = await create_user(session, channel, external_id, locale=locale, now=now)
        await agree_first_time(session, user.id, channel, now)
        return user
    values = new_user_values(channel, external_id, locale, now)
    conversation = new_conversation_values(None, now)
    agreement = first_agreement_values(None, channel, now)
    parameters = ({f"u_{key}": value for key, value in values.items()}
                  | {f"c_{key}": value for key, value in conversation.items() if key != "user_id"}
                  | {f"o_{key}": value for key, value in agreement.items() if key != "user_id"})
    user_id = (await run(session, _NEW_PERSON, parameters)).scalars()[0]
    return await adopt_new_user(session, user_id, values, conversation)


def _new_person_in_one_statement() -> Prepared:
    """WITH new_user AS (INSERT INTO users ... RETURNING id), new_conversation AS (INSERT INTO conversations ...
    SELECT ... FROM new_user), first_agreement AS (INSERT INTO opt_ins ... SELECT ... FROM new_user)
    SELECT id FROM new_user."""
    users, conversations, opt_ins = table_of(User), table_of(Conversation), table_of(OptIn)

    def given(table: Table, prefix: str) -> dict[str, Any]:
        """Each column but the ids, named by its key, bound as `<prefix><key>` with the column's type."""
        return {column.key: bindparam(f"{prefix}{column.key}", type_=column.type) for column in table.c
                if column.key not in ("id", "user_id")}

    def for_new_user(table: Table, prefix: str) -> Any:
        values = given(table, prefix)
        return insert(table).from_select(["user_id", *values], select(new_user.c.id, *values.values()))

    new_user = insert(users).values(given(users, "u_")).returning(users.c.id).cte("new_user")
    new_conversation = for_new_user(conversations, "c_").cte("new_conversation")
    first_agreement = for_new_user(opt_ins, "o_").cte("first_agreement")
    return Prepared(select(new_user.c.id).add_cte(new_conversation, first_agreement))


_NEW_PERSON = _new_person_in_one_statement()
