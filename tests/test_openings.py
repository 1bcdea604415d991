"""Browsing trainings and apprenticeships: pages of five, details in the reader's language, back to the list."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select, update

from bot.engine.runtime import Runtime
from models.catalog import OpeningStatus, TrainingProgram
from models.demo_catalog import seed_demo_catalog
from tests.chat import ChatUser, RecordingChannel, register
from tests.conftest import Clock
from tests.test_properties import is_command


async def seed_catalog(runtime: Runtime, clock: Clock) -> None:
    async with runtime.session_factory() as session, session.begin():
        await seed_demo_catalog(session, clock(), clock().date())


async def at_menu(runtime: Runtime, channel: RecordingChannel, name: str, *, locale: str | None = None) -> ChatUser:
    user = ChatUser(runtime, channel, name, locale=locale)
    await user.send("/start")
    await user.send("menu")
    return user


async def test_a_visitor_pages_through_the_trainings_and_opens_one(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    user = await at_menu(runtime, channel, "ani")
    await user.tap("Pelatihan yang dibuka")
    assert user.text.startswith("Pelatihan yang membuka pendaftaran (halaman 1 dari 2):")
    assert "1. Pengelasan SMAW 3G" in user.text, "nearest deadline first"
    assert "UPT BLK Tabalong, mulai 10 Desember 2026; daftar paling lambat 3 Desember 2026" in user.text
    labels = [option.label for option in user.last.options]
    assert len(labels) == 7 and labels[-2:] == ["Halaman berikutnya", "Saring"]

    await user.tap("Halaman berikutnya")
    assert user.text.startswith("Pelatihan yang membuka pendaftaran (halaman 2 dari 2):")
    assert [option.label for option in user.last.options] == [
        "Budidaya Ikan Air Tawar", "Tata Rias Pengantin", "Halaman sebelumnya", "Saring"
    ]
    await user.tap("Tata Rias Pengantin")
    assert user.text.splitlines()[:3] == [
        "Tata Rias Pengantin",
        "Kategori: Pelatihan nonkompetensi (keterampilan praktis)",
        "Penyelenggara: LPK Karya Mandiri",
    ]
    assert "Sisa kuota: 16 dari 16" in user.text
    assert "Peserta mendapat bantuan peralatan untuk mulai bekerja." in user.text

    await user.tap("Kembali")
    assert user.text.startswith("Pelatihan yang membuka pendaftaran (halaman 2 dari 2):"), "back to the same page"


async def test_an_apprenticeship_shows_its_allowance_in_rupiah_and_its_cover(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    user = await at_menu(runtime, channel, "budi")
    await user.tap("Lowongan pemagangan")
    assert "6 bulan, uang saku Rp3.500.000 per bulan" in user.text
    await user.tap("Mekanik Alat Berat - PT Tabalong Alat Berat Sejahtera")
    for line in ("Tempat: Murung Pudak", "Uang saku: Rp3.500.000 per bulan", "Dilindungi jaminan sosial (BPJS)",
                 "Usia: 18 sampai 30 tahun", "Pendidikan: minimal SMK",
                 "Seleksi: Tes tertulis, praktik bengkel, wawancara"):
        assert line in user.text


async def test_english_readers_get_english_dates(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> None:
    await seed_catalog(runtime, clock)
    user = await at_menu(runtime, channel, "clara", locale="en")
    await user.tap("Trainings open now")
    assert "UPT BLK Tabalong, starts December 10, 2026; register by December 3, 2026" in user.text


async def test_with_nothing_open_the_visitor_is_told_so_and_can_go_back(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = await at_menu(runtime, channel, "dedi")
    await user.tap("Lowongan pemagangan")
    assert user.text.startswith("Saat ini belum ada lowongan pemagangan.")
    assert user.last.options == ()
    await user.tap("Batal")
    assert "Menu utama" in user.text


async def test_an_opening_closed_while_someone_looks_is_explained(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    user = await at_menu(runtime, channel, "eka")
    await user.tap("Pelatihan yang dibuka")
    listing = user.last
    async with runtime.session_factory() as session, session.begin():
        await session.execute(update(TrainingProgram).values(status=OpeningStatus.CLOSED))
    await user.tap("Pengelasan SMAW 3G", reply=listing)
    assert user.text == "Program itu sudah tidak menerima pendaftaran. Pilih Kembali untuk melihat daftar terbaru."
    await user.tap("Kembali")
    assert user.text.startswith("Saat ini belum ada pelatihan yang membuka pendaftaran.")


async def test_a_typed_answer_that_is_not_on_the_list_is_refused(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    user = await at_menu(runtime, channel, "fajar")
    await user.tap("Pelatihan yang dibuka")
    before = await user.conversation()
    await user.send("9")
    assert "Mohon pilih program dari daftar" in user.text
    assert await user.conversation() == before


@given(typed=st.text(max_size=60))
async def test_any_text_while_browsing_gets_an_answer_and_keeps_the_place(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, typed: str
) -> None:
    assume(not is_command(typed))
    async with runtime.session_factory() as session, session.begin():
        already_seeded = await session.scalar(select(TrainingProgram.id).limit(1))
        if already_seeded is None:
            await seed_demo_catalog(session, clock(), clock().date())
    user = ChatUser(runtime, channel, "gita")
    if await user.user() is None:
        await user.send("/start")
    await user.send("menu")
    await user.tap("Pelatihan yang dibuka")
    replies = await user.send(typed)
    assert replies and all(reply.text for reply in replies)
    assert not any("terjadi gangguan" in reply.text for reply in replies)
    flow, step, _data = await user.conversation()
    assert flow == "openings" and step in ("list", "detail", "filter")


async def test_a_registered_job_seeker_sees_what_fits_them_first(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    """Siti (sewing, lives in Tanjung, SMK, 27): her skill area first, then what is held in Tanjung (not what a
    Tanjung provider holds elsewhere: the baking course is in Kelua)."""
    await seed_catalog(runtime, clock)
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await siti.send("menu")
    await siti.tap("Pelatihan yang dibuka")
    titles = [option.label for option in siti.last.options][:3]
    assert titles == ["Menjahit Pakaian Wanita", "Operator Komputer Perkantoran", "Tata Rias Pengantin"]


async def test_the_list_can_be_narrowed_to_a_kind_of_training_and_to_the_users_kecamatan(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)  # lives in Tanjung
    await siti.send("menu")
    await siti.tap("Pelatihan yang dibuka")
    await siti.tap("Saring")
    await siti.tap("Pelatihan berbasis masyarakat")
    assert siti.text.splitlines()[:2] == [
        "Pelatihan yang membuka pendaftaran (halaman 1 dari 1):", "Disaring: Pelatihan berbasis masyarakat"
    ]
    assert [o.label for o in siti.last.options] == [
        "Tata Boga: Kue dan Roti untuk Usaha", "Budidaya Ikan Air Tawar", "Ubah saringan"
    ]
    await siti.tap("Ubah saringan")
    await siti.tap("Pelatihan berbasis kompetensi")
    await siti.tap("Ubah saringan")
    await siti.tap("Hanya di kecamatan saya")
    assert "Disaring: Pelatihan berbasis kompetensi, Tanjung" in siti.text
    assert [o.label for o in siti.last.options] == ["Operator Komputer Perkantoran", "Ubah saringan"], (
        "only what takes place in Tanjung: the welding course of the BLK in Murung Pudak is left out"
    )

    await siti.tap("Operator Komputer Perkantoran")
    await siti.tap("Kembali")
    assert "Disaring: Pelatihan berbasis kompetensi, Tanjung" in siti.text, "the filter outlives the details"
    await siti.tap("Ubah saringan")
    await siti.tap("Tampilkan semua")
    assert "Disaring" not in siti.text and "(halaman 1 dari 2)" in siti.text


async def test_a_filter_nothing_matches_says_so_and_offers_to_change_it(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    visitor = await at_menu(runtime, channel, "tamu")
    await visitor.tap("Lowongan pemagangan")
    await visitor.tap("Saring")
    assert [o.label for o in visitor.last.options] == ["Tampilkan semua"], "a visitor has no kecamatan to filter by"
    async with runtime.session_factory() as session, session.begin():
        await session.execute(update(TrainingProgram).where(TrainingProgram.category == "community").values(
            status=OpeningStatus.CLOSED))
    await visitor.send("menu")
    await visitor.tap("Pelatihan yang dibuka")
    await visitor.tap("Saring")
    await visitor.tap("Pelatihan berbasis masyarakat")
    assert visitor.text.startswith("Disaring: Pelatihan berbasis masyarakat\nSaat ini tidak ada yang cocok")
    assert [o.label for o in visitor.last.options] == ["Ubah saringan"]
