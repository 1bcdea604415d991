"""Staff see which messages did not arrive and why: per broadcast, and for the last seven days."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.engine.runtime import Runtime
from jobs.broadcasts import send_broadcasts
from models.audiences import Audience, Group
from models.broadcasts import BroadcastDelivery, create_broadcast
from models.outbox import mark_attempt_failed
from models.receipts import Receipt, Sent, record_receipt, record_sent
from models.users import User
from tests.chat import ChatUser, RecordingChannel, register
from tests.conftest import Clock
from tests.test_selection import staff_member

UNDELIVERABLE = "131026 Message undeliverable"
BLOCKED = "403 Forbidden: bot was blocked by the user"


async def broadcast_with_two_failures(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> ChatUser:
    """Three job seekers get broadcast #1: WhatsApp later reports one undeliverable, one refused at once."""
    for number, name in enumerate(("siti", "sari", "santi"), start=1):
        await register(ChatUser(runtime, channel, name), name=f"{name.title()} Rahmawati",
                       nik=f"630901450899000{number}")
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/menu")
    async with runtime.session_factory() as session, session.begin():
        author = await session.scalar(select(User.id).where(User.external_id == "petugas"))
        assert author is not None
        await create_broadcast(session, author_id=author, text_id="Pelatihan baru dibuka.", text_en=None,
                               opening_code=None, audience=Audience(Group.JOB_SEEKERS), scheduled_at=clock(),
                               now=clock())
    assert await send_broadcasts(runtime) == 3
    await runtime.delivery.flush()
    async with runtime.session_factory() as session, session.begin():
        outbox: dict[str, Any] = dict((await session.execute(
            select(User.external_id, BroadcastDelivery.outbox_id).join(User, User.id == BroadcastDelivery.user_id)
        )).all())
        await record_sent(session, [Sent("test", "wamid.SARI", outbox["sari"])])
        await record_receipt(session, Receipt("test", "wamid.SARI", "failed", clock(), UNDELIVERABLE))
        await mark_attempt_failed(session, outbox["santi"], BLOCKED, retry_at=None)
    return staff


async def test_a_broadcasts_detail_says_why_messages_failed(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    staff = await broadcast_with_two_failures(runtime, channel, clock)
    await staff.send("/broadcast")
    await staff.tap("Siaran terbaru")
    await staff.tap("#1")
    assert "1 terkirim, 2 gagal" in staff.text
    assert staff.text.endswith(f"Penyebab pesan gagal:\n• {UNDELIVERABLE} (1)\n• {BLOCKED} (1)")


async def test_staff_see_the_messages_of_the_last_week_that_did_not_arrive(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    staff = await broadcast_with_two_failures(runtime, channel, clock)
    await staff.send("/broadcast")
    await staff.tap("Pesan yang tidak terkirim")
    lines = staff.text.splitlines()
    assert lines[:5] == ["2 pesan dalam 7 hari terakhir tidak terkirim.", "", "Penyebab paling sering:",
                         f"• {UNDELIVERABLE} (1)", f"• {BLOCKED} (1)"]
    assert lines[6] == "Terbaru:"
    assert sorted(line.split(", ", 1)[1] for line in lines[7:]) == [
        f"test, Santi Rahmawati: {BLOCKED}", f"test, Sari Rahmawati: {UNDELIVERABLE}"]
    assert lines[7].startswith("23 November 2026 09:00, "), "office time"
    await staff.send("halo")
    assert staff.text.startswith("Mohon pilih Kembali untuk ke menu siaran.")
    await staff.tap("Kembali")
    assert staff.text.startswith("Siaran. Apa yang ingin Anda lakukan?")

    clock.advance(days=8)
    await staff.tap("Pesan yang tidak terkirim")
    assert staff.text.startswith("Semua pesan dalam 7 hari terakhir sudah terkirim.")
