"""WhatsApp's delivery statuses are recorded against the outbox row of the message they name.

The delivery path writes which row a platform message belongs to in its batched "sent" marks, so a status can
arrive before or after that write: both orders end the same way, a status never moves backwards, and a
failure fails the outbox row with WhatsApp's reason (where staff see it).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.engine.runtime import Runtime
from models.outbox import OutboxMessage, OutboxStatus, enqueue, mark_sent
from models.receipts import PlatformMessage, Receipt, Sent, receipts_of, record_receipt, record_sent
from tests.fakes import whatsapp_webhooks as hooks
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.test_whatsapp_conversation import (  # noqa: F401  (fixture)
    WA_ID,
    WhatsAppUser,
    wa,  # noqa: F401  (fixture)
    whatsapp,
)

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


async def outbox_rows(runtime: Runtime) -> list[OutboxMessage]:
    async with runtime.session_factory() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def statuses_of(runtime: Runtime, outbox_id: int) -> list[str | None]:
    async with runtime.session_factory() as session:
        return [message.status for message in await receipts_of(session, outbox_id)]


async def test_statuses_from_the_webhook_land_on_the_outbox_row_in_either_order(
    whatsapp: tuple[Runtime, WhatsAppUser], wa: FakeWhatsApp  # noqa: F811
) -> None:
    runtime, siti = whatsapp
    await siti.send("halo")
    [wamid] = wa.wamids
    await siti.post(hooks.status_update(wamid, "sent", WA_ID))  # before the delivery path wrote its marks
    await runtime.delivery.flush()
    [row] = await outbox_rows(runtime)
    assert row.status == OutboxStatus.SENT
    assert await statuses_of(runtime, row.id) == ["sent"]

    for state in ("read", "delivered"):  # WhatsApp may report out of order: "read" stays
        await siti.post(hooks.status_update(wamid, state, WA_ID))
    assert await statuses_of(runtime, row.id) == ["read"]
    wa.assert_clean()


async def test_a_failure_reported_later_fails_the_row_with_whatsapps_reason(
    whatsapp: tuple[Runtime, WhatsAppUser], wa: FakeWhatsApp  # noqa: F811
) -> None:
    runtime, siti = whatsapp
    await siti.send("halo")
    await runtime.delivery.flush()
    [wamid] = wa.wamids
    await siti.post(hooks.status_update(wamid, "failed", WA_ID, [hooks.status_error(131026)]))
    [row] = await outbox_rows(runtime)
    assert row.status == OutboxStatus.FAILED
    assert row.last_error is not None and row.last_error.startswith("131026 ")
    assert await statuses_of(runtime, row.id) == ["failed"]


async def test_a_failure_reported_before_the_sent_mark_still_fails_the_row(runtime: Runtime) -> None:
    async with runtime.session_factory() as session, session.begin():
        [outbox_id] = await enqueue(session, channel="whatsapp", address=WA_ID, user_id=None,
                                    payloads=[{"text": "Halo"}], now=NOW)
        assert await record_receipt(session, Receipt("whatsapp", "wamid.A", "failed", NOW, "131049 ecosystem"))
    async with runtime.session_factory() as session, session.begin():
        await mark_sent(session, [outbox_id], NOW)
        await record_sent(session, [Sent("whatsapp", "wamid.A", outbox_id), Sent("whatsapp", "wamid.B", outbox_id)])
    async with runtime.session_factory() as session:
        row = await session.get(OutboxMessage, outbox_id)
        assert row is not None
        assert (row.status, row.last_error) == (OutboxStatus.FAILED, "131049 ecosystem")
        assert sorted((m.platform_message_id, m.status) for m in await receipts_of(session, outbox_id)) == [
            ("wamid.A", "failed"), ("wamid.B", None)]


async def test_statuses_this_bot_does_not_know_are_ignored(runtime: Runtime) -> None:
    async with runtime.session_factory() as session, session.begin():
        assert not await record_receipt(session, Receipt("whatsapp", "wamid.C", "deleted", NOW))
        assert await record_receipt(session, Receipt("whatsapp", "wamid.C", "delivered", NOW))
        assert await record_receipt(session, Receipt("whatsapp", "wamid.C", "sent", NOW))
    async with runtime.session_factory() as session:
        recorded = (await session.execute(select(PlatformMessage.status, PlatformMessage.outbox_id))).all()
    assert [tuple(row) for row in recorded] == [("delivered", None)]
