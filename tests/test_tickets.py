"""Ask staff: a job seeker's questions reach the office and staff answers come back on the user's channel, through
the same dispatcher the channels use, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.engine.runtime import Runtime
from models.audit import AuditEntry
from models.tickets import CloseReason, Ticket, TicketMessage, TicketStatus, latest_ticket, thread
from models.users import Role
from services.permissions import Actor, NotAllowed
from services.tickets import Outcome, ask, close, reply
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock
from tests.people import SITI, job_seeker
from tests.test_dashboard_access import office_member
from tests.test_privacy import texts


async def asking_siti(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> ChatUser:
    await job_seeker(runtime, clock, SITI)
    siti = ChatUser(runtime, channel, SITI.external_id)
    await siti.send("/menu")
    return siti


async def ticket_of(runtime: Runtime, user_id: int) -> tuple[Ticket, list[str]]:
    async with runtime.session_factory() as session:
        ticket = await latest_ticket(session, user_id)
        assert ticket is not None
        return ticket, [message.text for message in await thread(session, ticket.id)]


async def test_a_job_seeker_asks_from_the_menu_adds_to_it_and_reads_the_answer_from_chat_staff(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti = await asking_siti(runtime, channel, clock)
    await siti.tap("Tanya petugas")
    assert "tulis pertanyaan Anda" in siti.text
    received = texts(await siti.send("<b>Kapan sertifikat saya jadi?</b>"))
    user_id = (await siti.user()).id  # type: ignore[union-attr]
    ticket, said = await ticket_of(runtime, user_id)
    assert f"Pertanyaan Anda bernomor #{ticket.id}" in received and "menjawab pada hari kerja ini" in received
    assert [nav.label for nav in siti.last.nav] == ["Menu utama"]
    await siti.send("Saya alumni menjahit 2025.")
    assert "ditambahkan ke pertanyaan Anda" in siti.text and "bernomor" not in texts(siti.received[-1:])
    _ticket, said = await ticket_of(runtime, user_id)
    assert said == ["<b>Kapan sertifikat saya jadi?</b>", "Saya alumni menjahit 2025."]

    await office_member(runtime, clock)
    staff = ChatUser(runtime, channel, "petugas")
    await staff.send(f"/jawab {ticket.id} Sudah siap, silakan ambil di kantor.")
    assert f"pertanyaan #{ticket.id} sudah dikirim" in staff.text
    answer = channel.to(SITI.external_id)[-1]
    assert answer.text.startswith("Jawaban dari ") and "Sudah siap, silakan ambil di kantor." in answer.text
    assert [option.label for option in answer.options] == ["Balas ke Dinas"]

    await siti.tap("Menu utama")
    assert "Menu utama" in siti.text
    await siti.tap("Balas ke Dinas", reply=answer)
    await siti.send("Terima kasih!")
    _ticket, said = await ticket_of(runtime, user_id)
    assert said[-1] == "Terima kasih!" and len(said) == 4


async def test_members_may_not_answer_and_two_misunderstood_messages_offer_staff(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti = await asking_siti(runtime, channel, clock)
    await siti.send("/jawab 1 halo")
    assert "/jawab tidak dikenali" in siti.text or "tidak dikenal" in texts(siti.received[-2:])
    await siti.send("xyzzy")
    assert "Tanya petugas" not in texts(siti.received[-2:-1])
    await siti.send("qwerty")
    assert "silakan pilih \"Tanya petugas\"" in texts(siti.received[-2:])
    await siti.send("/tanya")
    assert "tulis pertanyaan Anda" in siti.text


async def test_a_closed_ticket_reopens_within_a_week_and_a_new_one_starts_after(
    runtime: Runtime, clock: Clock
) -> None:
    user_id = await job_seeker(runtime, clock, SITI)
    staff_id = await office_member(runtime, clock)
    actor = Actor(staff_id, is_staff=True, may_view=True)
    async with runtime.session_factory() as session, session.begin():
        first = await ask(session, user_id, "Apakah ada pelatihan las?", now=clock())
        assert first.opened and first.ticket is not None
        assert await close(session, actor, first.ticket.id, CloseReason.ANSWERED, now=clock()) is Outcome.DONE
        assert await close(session, actor, first.ticket.id, CloseReason.SPAM, now=clock()) is Outcome.CLOSED
    clock.advance(days=6)
    async with runtime.session_factory() as session, session.begin():
        again = await ask(session, user_id, "Satu lagi", now=clock())
        assert again.opened and again.ticket is not None and again.ticket.id == first.ticket.id
        assert again.ticket.status == TicketStatus.OPEN
        await close(session, actor, again.ticket.id, CloseReason.ANSWERED, now=clock())
    clock.advance(days=8)
    async with runtime.session_factory() as session, session.begin():
        later = await ask(session, user_id, "Pertanyaan baru", now=clock())
        assert later.ticket is not None and later.ticket.id != first.ticket.id
        actions = list(await session.scalars(select(AuditEntry.action).where(AuditEntry.subject_kind == "ticket")))
    assert actions == ["ticket.close", "ticket.close"]


async def test_a_viewer_may_not_answer_or_close(runtime: Runtime, clock: Clock) -> None:
    user_id = await job_seeker(runtime, clock, SITI)
    viewer = Actor(await office_member(runtime, clock, role=Role.VIEWER), is_staff=False, may_view=True)
    async with runtime.session_factory() as session, session.begin():
        added = await ask(session, user_id, "Halo?", now=clock())
        assert added.ticket is not None
        for action in (reply(session, viewer, added.ticket.id, "Tidak", now=clock(), office=runtime.services.office,
                             notices=_Ignored()),
                       close(session, viewer, added.ticket.id, CloseReason.SPAM, now=clock())):
            try:
                await action
            except NotAllowed:
                continue
            raise AssertionError("a viewer changed a ticket")


class _Ignored:
    def notify(self, user_id: int, message: object) -> None:
        raise AssertionError("nothing should be sent")


async def test_two_staff_answering_at_once_are_both_delivered_in_order(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti = await asking_siti(runtime, channel, clock)
    await siti.send("/tanya")
    await siti.send("Bagaimana cara mendaftar pemagangan?")
    await office_member(runtime, clock, "ani")
    await office_member(runtime, clock, "budi")
    ani, budi = ChatUser(runtime, channel, "ani"), ChatUser(runtime, channel, "budi")
    user_id = (await siti.user()).id  # type: ignore[union-attr]
    ticket, _said = await ticket_of(runtime, user_id)
    await asyncio.gather(ani.send(f"/jawab {ticket.id} Jawaban pertama"),
                         budi.send(f"/jawab {ticket.id} Jawaban kedua"))
    await runtime.delivery.flush()
    _ticket, said = await ticket_of(runtime, user_id)
    answers = [text for text in said if text.startswith("Jawaban")]
    delivered = [reply.text for reply in channel.to(SITI.external_id) if reply.text.startswith("Jawaban dari")]
    assert sorted(answers) == ["Jawaban kedua", "Jawaban pertama"]
    assert [text.rsplit("\n", 1)[-1] for text in delivered] == answers, "each once, in the order they were stored"


async def test_the_export_holds_the_questions_and_deleting_the_account_removes_them(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti = await asking_siti(runtime, channel, clock)
    await siti.send("/tanya")
    await siti.send("Apakah tunjangan sudah dibayar?")
    exported = texts(await siti.send("/ekspor"))
    assert "Pertanyaan Anda #" in exported and "Anda: Apakah tunjangan sudah dibayar?" in exported
    await siti.send("/menu")
    await siti.send("/hapus")
    await siti.tap("Ya, hapus semuanya")
    async with runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Ticket)) == 0
        assert await session.scalar(select(func.count()).select_from(TicketMessage)) == 0



async def test_staff_who_opt_in_are_told_of_new_questions_and_answer_from_the_button(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await office_member(runtime, clock, "ani")
    await office_member(runtime, clock, "budi")
    ani, budi = ChatUser(runtime, channel, "ani"), ChatUser(runtime, channel, "budi")
    setting = [reply for reply in await ani.send("/tiket") if reply.options][0]
    assert "tidak menerima pemberitahuan" in setting.text
    assert "Anda menerima pemberitahuan setiap pertanyaan baru" in texts(await ani.tap("Aktifkan", reply=setting))
    siti = await asking_siti(runtime, channel, clock)
    await siti.send("/tanya")
    await siti.send("<i>Apakah</i> ada pelatihan las bulan depan?")
    await siti.send("Saya lulusan SMK.")
    user_id = (await siti.user()).id  # type: ignore[union-attr]
    ticket, _said = await ticket_of(runtime, user_id)
    alerts = [reply for reply in channel.to("ani") if reply.text.startswith("Pertanyaan baru")]
    assert [alert.text for alert in alerts] == [f"Pertanyaan baru #{ticket.id}: <i>Apakah</i> ada pelatihan las "
                                                "bulan depan?"], "one alert per new question, the text as typed"
    assert not [reply for reply in channel.to("budi") if reply.text.startswith("Pertanyaan baru")]

    await ani.tap("Jawab", reply=alerts[0])
    assert f"jawaban Anda untuk pertanyaan #{ticket.id}" in ani.text
    await ani.send("Ada, mulai tanggal 5. Silakan daftar lewat menu.")
    assert f"pertanyaan #{ticket.id} sudah dikirim" in texts(ani.received[-2:])
    assert "Ada, mulai tanggal 5." in channel.to(SITI.external_id)[-1].text
    await budi.send(f"/jawab {ticket.id}")
    await budi.send("/batal")
    _ticket, said = await ticket_of(runtime, user_id)
    assert said[-1] == "Ada, mulai tanggal 5. Silakan daftar lewat menu." and len(said) == 3

    assert "tidak menerima pemberitahuan" in texts(await ani.send("/tiket off"))
    await siti.send("/hapus")
    async with runtime.session_factory() as session:
        changes = list(await session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "ticket.alerts")))
    assert [(change["before"], change["after"]) for change in changes] == [(False, True), (True, False)]
    await siti.send("/tiket on")
    assert "tidak dikenal" in texts(siti.received[-2:]), "members never learn the command exists"


async def test_staff_answering_from_chat_learn_that_a_whatsapp_user_gets_the_answer_when_they_reply(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    user_id = await job_seeker(runtime, clock, SITI, channel="whatsapp")
    async with runtime.session_factory() as session, session.begin():
        added = await ask(session, user_id, "Apakah kartu AK/1 bisa diperpanjang?", now=clock())
        assert added.ticket is not None
    clock.advance(hours=23)
    await office_member(runtime, clock)
    staff = ChatUser(runtime, channel, "petugas")
    told = texts(await staff.send(f"/jawab {added.ticket.id} Bisa, bawa KTP ke kantor."))
    assert "sudah disimpan" in told and "setelah membalas" in told
