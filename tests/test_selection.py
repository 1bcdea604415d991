"""Selection by staff: only staff see it, every change is confirmed, applicants are told in their language."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bot.engine.messages import Purpose
from bot.engine.runtime import Runtime
from models.applications import Completion
from models.catalog import ApprenticeshipOpening
from models.users import Role, set_role
from tests.chat import CHANNEL, ChatUser, RecordingChannel, register
from tests.conftest import Clock
from tests.test_applying import WELDING
from tests.test_my_applications import applied_siti

MEKANIK = "Mekanik Alat Berat - PT Tabalong Alat Berat Sejahtera"


async def staff_member(runtime: Runtime, channel: RecordingChannel, clock: Clock, name: str = "petugas") -> ChatUser:
    async with runtime.session_factory() as session, session.begin():
        await set_role(session, CHANNEL, name, Role.STAFF, locale="id", now=clock())
    return ChatUser(runtime, channel, name)


async def choose(staff: ChatUser, *labels: str) -> None:
    for label in labels:
        await staff.tap(label)


async def test_staff_accepts_an_applicant_who_is_told_at_once(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti = await applied_siti(runtime, channel, clock)
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/staf")
    await choose(staff, "Pelatihan", "Halaman berikutnya", WELDING)
    assert f"{WELDING}: 1 pendaftar, 1 dari 16 kuota terisi." in staff.text
    assert "Siti Rahmawati: Terkirim, menunggu seleksi" in staff.text
    await staff.tap("Siti Rahmawati")
    assert "Usia 27, SMK, HP +6281251000001" in staff.text
    await staff.tap("Diterima")
    assert staff.text.startswith("Ubah status Siti Rahmawati menjadi 'Diterima'?")
    await staff.tap("Ya, ubah")
    assert staff.text.startswith("Selesai: status sekarang 'Diterima' dan pendaftar sudah diberi tahu.")
    assert channel.to("siti")[-1].text.startswith("Selamat! Anda diterima sebagai peserta Pengelasan SMAW 3G.")
    assert channel.to("siti")[-1].purpose == Purpose.STATUS_CHANGE

    clock.advance(days=17)  # the training starts
    await choose(staff, "Kembali", "Siti Rahmawati", "Sedang mengikuti", "Ya, ubah")
    clock.advance(days=30)  # and ends
    await choose(staff, "Kembali", "Siti Rahmawati", "Selesai", "Ya, ubah")
    assert channel.to("siti")[-1].text.startswith("Selamat, Anda telah menyelesaikan Pengelasan SMAW 3G!")
    assert "Pendaftaran ini sudah ditutup; tidak ada yang dapat diubah." in staff.text
    async with runtime.session_factory() as session:
        completion = await session.scalar(select(Completion))
    assert completion is not None and completion.completed_on.isoformat() == "2027-01-09"
    assert siti.external_id == "siti"


async def test_the_applicant_is_told_in_their_own_language(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await applied_siti(runtime, channel, clock)
    siti = ChatUser(runtime, channel, "siti")
    await siti.send("/bahasa")
    await siti.tap("English")
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/staf")
    await choose(staff, "Pelatihan", "Halaman berikutnya", WELDING, "Siti Rahmawati", "Tidak diterima", "Ya, ubah")
    assert channel.to("siti")[-1].text.startswith(
        "We are sorry: your application for Pengelasan SMAW 3G was not accepted this time."
    )


async def test_members_do_not_know_the_staff_command_exists(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await siti.send("/staf")
    assert siti.text.startswith("Perintah /staf tidak dikenali.")
    await siti.send("menu")
    assert "Seleksi (staf)" not in [option.label for option in siti.last.options]


async def test_accepting_beyond_the_places_is_refused(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await two_applicants_for_the_mechanic_job(runtime, channel, clock)
    async with runtime.session_factory() as session, session.begin():
        await session.execute(update(ApprenticeshipOpening).values(quota=1))
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/staf")
    await choose(staff, "Pemagangan", MEKANIK, "Siti Rahmawati", "Diterima", "Ya, ubah")
    await staff.tap("Kembali")  # from Siti's status back to the applicants
    await choose(staff, "Nurul Aini", "Diterima", "Ya, ubah")
    assert "Kuota 1 orang sudah penuh; status tidak diubah." in staff.text
    async with runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(Completion)) == 0


async def test_staff_close_and_reopen_an_opening_and_job_seekers_see_the_difference(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    from tests.test_openings import at_menu, seed_catalog

    await seed_catalog(runtime, clock)
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/staf")
    await choose(staff, "Pemagangan", "Juru Masak - Hotel Tanjung Permai")
    assert "Belum ada yang mendaftar untuk Juru Masak - Hotel Tanjung Permai.\nPendaftaran dibuka." in staff.text
    await staff.tap("Tutup pendaftaran")
    assert "Pendaftaran ditutup." in staff.text
    visitor = await at_menu(runtime, channel, "tamu")
    await visitor.tap("Lowongan pemagangan")
    assert "Juru Masak" not in visitor.text
    await staff.tap("Buka pendaftaran")
    assert "Pendaftaran dibuka." in staff.text
    await visitor.send("menu")
    await visitor.tap("Lowongan pemagangan")
    assert "Juru Masak - Hotel Tanjung Permai" in visitor.text


async def two_applicants_for_the_mechanic_job(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> None:
    from tests.test_openings import seed_catalog

    await seed_catalog(runtime, clock)
    applicants = [("siti", "Siti Rahmawati", "6309014508990001", "05-08-1999", "081251000001"),
                  ("nur", "Nurul Aini", "6309015203970002", "12-03-1997", "081251000009")]
    for external_id, name, nik, born, phone in applicants:
        user = ChatUser(runtime, channel, external_id)
        await register(user, name=name, nik=nik, birth_date=born, phone=phone)
        await user.send("menu")
        await user.tap("Lowongan pemagangan")
        await user.tap(MEKANIK)
        await user.tap("Lamar")
        await user.tap("Ya, kirim")


async def test_staff_change_several_applications_at_once(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await two_applicants_for_the_mechanic_job(runtime, channel, clock)
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/staf")
    await choose(staff, "Pemagangan", MEKANIK, "Ubah beberapa sekaligus", "Siti Rahmawati", "Nurul Aini")
    assert [o.label for o in staff.last.options] == [
        "✓ Siti Rahmawati", "✓ Nurul Aini", "Lanjut dengan pendaftar yang dicentang"
    ]
    await choose(staff, "Lanjut dengan pendaftar yang dicentang", "Lolos seleksi berkas")
    assert staff.text.startswith("Ubah 2 pendaftaran menjadi 'Lolos seleksi berkas'?")
    await staff.tap("Ya, ubah semuanya")
    assert staff.text.startswith(
        "Selesai: 2 pendaftaran sekarang 'Lolos seleksi berkas'; setiap pendaftar sudah diberi tahu."
    )
    assert "Siti Rahmawati: Lolos seleksi berkas\nNurul Aini: Lolos seleksi berkas" in staff.text, "back at the list"
    for applicant in ("siti", "nur"):
        assert channel.to(applicant)[-1].text.startswith("Kabar baik: pendaftaran Anda untuk Mekanik Alat Berat")


async def test_several_acceptances_beyond_the_places_change_nothing(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await two_applicants_for_the_mechanic_job(runtime, channel, clock)
    async with runtime.session_factory() as session, session.begin():
        await session.execute(update(ApprenticeshipOpening).values(quota=1))
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/staf")
    await choose(staff, "Pemagangan", MEKANIK, "Ubah beberapa sekaligus", "Siti Rahmawati", "Nurul Aini",
                 "Lanjut dengan pendaftar yang dicentang", "Diterima", "Ya, ubah semuanya")
    assert "Sisa kuota tinggal 1; tidak ada yang diubah." in staff.text
    assert "Siti Rahmawati: Terkirim, menunggu seleksi" in staff.text
