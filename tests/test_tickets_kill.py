"""A staff answer survives kill -9 of the real `python -m bot run` between its commit and its delivery: a job seeker
asks on (fake) Telegram, staff answer in the process's own dashboard over HTTP (the page answers at once; the
answer is sent after it, `web.after_response`), the process dies while Telegram has not yet taken the answer, and
after a restart the answer reaches the job seeker exactly once.

The answer and its outbox row are written in one transaction (`services.tickets.reply`), so the kill can lose
neither; the restarted process's outbox sweep sends what is queued and not marked sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy import select

from bot.engine.runtime import Runtime
from models.base import utcnow
from models.outbox import OutboxMessage, OutboxStatus
from models.tickets import Ticket, thread
from tests.conftest import Clock
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_chat import STARTUP_TIMEOUT, wait_for
from tests.test_dashboard_access import link_for, office_member, signed_in
from tests.test_dashboard_openings import CSRF, FORM_ID, found
from tests.test_telegram_e2e import (  # noqa: F401  (launch, tg, database: fixtures, used by name)
    BotProcess,
    database,
    free_port,
    launch,
    polling_user,
    tg,
    wait_until_serving,
)

ASKER = 705
QUESTION = "Kapan sertifikat pelatihan saya bisa diambil?"
ANSWER = "Sertifikat bisa diambil hari Kamis di kantor Disnaker."


def answers(tg: FakeTelegram) -> list[str]:  # noqa: F811
    return [params["text"] for params in tg.sent_messages(ASKER) if ANSWER in params["text"]]


async def test_an_answer_committed_before_a_kill_reaches_the_asker_once_after_restart(
    tg: FakeTelegram, launch: Callable[..., Awaitable[BotProcess]], database: Runtime,  # noqa: F811
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the outbox sweep's 30-second grace makes this slow; once, on SQLite, is enough (the same "
                    "transaction on PostgreSQL is covered by test_tickets.py)")
    port = free_port()
    first = await launch(WEB_PORT=str(port))
    await wait_for(lambda: tg.calls_of("deleteWebhook"), timeout=STARTUP_TIMEOUT, what="the bot to start polling")
    asker = polling_user(tg, ASKER)
    await asker.send("/tanya")
    await asker.send(QUESTION)
    assert "#1" in asker.text, asker.text

    real_time = Clock(utcnow())  # the process checks the sign-in link against the real clock
    staff = await office_member(database, real_time)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=20) as web:
        await wait_until_serving(web)
        assert (await signed_in(web, await link_for(database, real_time, staff))).status_code == 303
        page = (await web.get("/dasbor/pesan/1")).text
        assert QUESTION in page
        hang = tg.fail_next("sendMessage", hang=True)
        sent = {"csrf_token": found(CSRF, page), "form_id": found(FORM_ID, page), "text": ANSWER}
        answered = await web.post("/dasbor/pesan/1/balas", data=sent)
        assert answered.status_code == 303, "the page answers without waiting for Telegram"
    await wait_for(lambda: hang not in tg._faults, what="the answer to be on its way")  # committed, sending
    await first.kill()
    assert answers(tg) == [], "Telegram never took the answer before the kill"

    await launch()
    await wait_for(lambda: answers(tg), timeout=90, what="the outbox sweep after the restart")
    await wait_for(lambda: tg.pending_update_count == 0, what="the restarted bot to confirm what it read")
    assert len(answers(tg)) == 1
    async with database.session_factory() as session:
        ticket = await session.scalar(select(Ticket))
        assert ticket is not None
        assert [message.text for message in await thread(session, ticket.id)] == [QUESTION, ANSWER]
    for _ in range(100):  # the "sent" mark is written in the sender's next group commit
        if await answer_statuses(database) == [OutboxStatus.SENT]:
            break
        await asyncio.sleep(0.1)
    assert await answer_statuses(database) == [OutboxStatus.SENT]
    assert len(answers(tg)) == 1


async def answer_statuses(runtime: Runtime) -> list[str]:
    async with runtime.session_factory() as session:
        rows = (await session.execute(select(OutboxMessage.status, OutboxMessage.payload)
                                      .where(OutboxMessage.address == str(ASKER)))).all()
    return [status for status, payload in rows if ANSWER in str(payload)]
