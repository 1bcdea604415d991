"""Selection in chat as the state machine allows it: staff see only the moves they may make today, a move that
waits for the training's dates says from when, and a mistaken rejection can be undone within a day with a remark."""

from __future__ import annotations

from sqlalchemy import select

from bot.engine.runtime import Runtime
from models.applications import Application
from models.audit import AuditEntry
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock
from tests.test_applying import WELDING
from tests.test_my_applications import applied_siti
from tests.test_selection import MEKANIK, choose, staff_member, two_applicants_for_the_mechanic_job

WELDING_STARTS_IN_DAYS = 17
"""The demo catalog's welding training starts on 10 December 2026 and ends on 9 January 2027."""


async def staff_at_siti(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> ChatUser:
    await applied_siti(runtime, channel, clock)
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/staf")
    await choose(staff, "Pelatihan", "Halaman berikutnya", WELDING, "Siti Rahmawati")
    return staff


def labels(user: ChatUser) -> list[str]:
    return [str(option.label) for option in user.last.options]


async def test_staff_are_not_offered_withdrawing_an_applicant(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    staff = await staff_at_siti(runtime, channel, clock)
    assert labels(staff) == ["Lolos seleksi berkas", "Diterima", "Tidak diterima"]


async def test_taking_part_is_offered_from_the_training_start_and_completing_from_its_end(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    staff = await staff_at_siti(runtime, channel, clock)
    await choose(staff, "Diterima", "Ya, ubah")
    assert labels(staff) == ["Tidak diterima"], "not 'Sedang mengikuti' before the training starts"
    assert "'Sedang mengikuti' dapat dicatat mulai 10 Desember 2026." in staff.text

    await staff.send("Sedang mengikuti")
    assert "'Sedang mengikuti' baru dapat dicatat mulai 10 Desember 2026." in staff.text

    clock.advance(days=WELDING_STARTS_IN_DAYS)
    await choose(staff, "Kembali", "Siti Rahmawati")
    assert labels(staff) == ["Tidak diterima", "Sedang mengikuti"]
    await choose(staff, "Sedang mengikuti", "Ya, ubah")
    assert labels(staff) == ["Berhenti sebelum selesai"]
    assert "'Selesai' dapat dicatat mulai 9 Januari 2027." in staff.text


async def test_a_move_that_became_too_early_is_refused_with_its_date(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    """Chosen on the training's first day, confirmed after the office moved the start a week later."""
    from sqlalchemy import update

    from models.catalog import TrainingProgram

    staff = await staff_at_siti(runtime, channel, clock)
    await choose(staff, "Diterima", "Ya, ubah")
    clock.advance(days=WELDING_STARTS_IN_DAYS)
    await choose(staff, "Kembali", "Siti Rahmawati", "Sedang mengikuti")
    async with runtime.session_factory() as session, session.begin():
        program = await session.scalar(select(TrainingProgram).where(TrainingProgram.title == WELDING))
        assert program is not None
        await session.execute(update(TrainingProgram).where(TrainingProgram.id == program.id).values(
            start_date=program.start_date.replace(day=17)))
    await staff.tap("Ya, ubah")
    assert "Belum dapat diubah: 'Sedang mengikuti' baru dapat dicatat mulai 17 Desember 2026." in staff.text
    async with runtime.session_factory() as session:
        assert await session.scalar(select(Application.status)) == "accepted"


async def test_staff_undo_a_mistaken_rejection_with_a_remark_and_the_applicant_is_told(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    staff = await staff_at_siti(runtime, channel, clock)
    await choose(staff, "Lolos seleksi berkas", "Ya, ubah", "Tidak diterima", "Ya, ubah")
    assert labels(staff) == ["Batalkan penolakan"]
    assert "Penolakan ini dapat dibatalkan sampai 24 November 2026 pukul 09:00 WITA (dengan catatan)." in staff.text

    await staff.tap("Batalkan penolakan")
    assert staff.text.startswith("Mohon tulis alasan pembatalan penolakan")
    await staff.send("   ")
    assert "Mohon tulis alasannya" in staff.text
    await staff.tap("Kembali")
    assert labels(staff) == ["Batalkan penolakan"], "back at Siti's card"

    clock.advance(hours=3)
    await choose(staff, "Batalkan penolakan")
    await staff.send("Salah pilih nama saat rapat seleksi")
    assert staff.text.startswith(
        "Batalkan penolakan Siti Rahmawati dan kembalikan statusnya ke 'Lolos seleksi berkas'?")
    await staff.tap("Ya, batalkan")
    assert staff.text.startswith("Selesai: penolakan dibatalkan; status sekarang 'Lolos seleksi berkas'")
    assert labels(staff) == ["Diterima", "Tidak diterima"], "the card again, with the restored status' moves"
    assert channel.to("siti")[-1].text.startswith(
        "Ralat: pendaftaran Anda untuk Pengelasan SMAW 3G tidak ditolak.")

    async with runtime.session_factory() as session:
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.id))).all()
    assert [entry.action for entry in entries] == ["selection.move", "selection.move", "selection.undo_rejection"]
    assert entries[-1].detail["remark"] == "Salah pilih nama saat rapat seleksi"


async def test_a_rejection_is_final_after_a_day(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> None:
    staff = await staff_at_siti(runtime, channel, clock)
    await choose(staff, "Tidak diterima", "Ya, ubah")
    clock.advance(hours=24, minutes=1)
    await staff.tap("Batalkan penolakan")  # still on the card shown yesterday
    assert "Penolakan ini tidak dapat dibatalkan lagi." in staff.text
    assert labels(staff) == []
    assert "Pendaftaran ini sudah ditutup; tidak ada yang dapat diubah." in staff.text


async def test_staff_read_withdrawn_by_the_applicant(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> None:
    await two_applicants_for_the_mechanic_job(runtime, channel, clock)
    siti = ChatUser(runtime, channel, "siti")
    await siti.send("menu")
    await choose(siti, "Pendaftaran saya", f"Tarik: {MEKANIK}", "Ya, tarik")
    assert "Ditarik oleh Anda, sejak 23 November 2026" in siti.text
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/staf")
    await choose(staff, "Pemagangan", MEKANIK)
    assert "Siti Rahmawati: Ditarik pendaftar" in staff.text
    await choose(staff, "Ubah beberapa sekaligus", "Nurul Aini", "Lanjut dengan pendaftar yang dicentang")
    assert labels(staff) == ["Lolos seleksi berkas", "Diterima", "Tidak diterima"]


async def test_cancelling_an_undo_keeps_the_rejection(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    staff = await staff_at_siti(runtime, channel, clock)
    await choose(staff, "Tidak diterima", "Ya, ubah", "Batalkan penolakan")
    await staff.send("Salah pilih")
    await staff.tap("Tidak")
    assert labels(staff) == ["Batalkan penolakan"], "No returns to Siti's card"
    await choose(staff, "Batalkan penolakan", "Batal")
    flow, _step, _data = await staff.conversation()
    assert flow != "selection"
    async with runtime.session_factory() as session:
        assert await session.scalar(select(Application.status)) == "rejected"
        assert (await session.scalars(select(AuditEntry.action))).all() == ["selection.move"]
