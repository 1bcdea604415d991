"""Applying to an opening: eligibility explained, confirmation, registration first, and the last place."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select, update

from bot.engine.runtime import Runtime
from models.applications import Application
from models.catalog import TrainingProgram
from tests.chat import ChatUser, RecordingChannel, register
from tests.conftest import Clock, RuntimeFactory
from tests.test_openings import seed_catalog

WELDING = "Pengelasan SMAW 3G"


async def open_welding(user: ChatUser) -> None:
    await user.send("menu")
    await user.tap("Pelatihan yang dibuka")
    while WELDING not in [option.label for option in user.last.options]:  # the order depends on the user
        await user.tap("Halaman berikutnya")
    await user.tap(WELDING)


async def applications(runtime: Runtime) -> int:
    async with runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(Application)) or 0)


async def test_a_registered_job_seeker_applies_after_confirming(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await open_welding(siti)
    await siti.tap("Daftar")
    assert siti.text.startswith("Kirim pendaftaran Anda untuk Pengelasan SMAW 3G?")
    await siti.tap("Ya, kirim")
    assert "Pendaftaran Anda untuk Pengelasan SMAW 3G sudah terkirim." in siti.text
    assert await applications(runtime) == 1

    await open_welding(siti)
    assert "Anda belum dapat mendaftar pelatihan ini:\n- Anda sudah mendaftar" in siti.text
    assert "Daftar" not in [option.label for option in siti.last.options], "no button that can only be refused"
    assert await siti.step() == "detail"
    await siti.send("daftar")  # typed, or an old button: the details say why again
    assert "Anda belum dapat mendaftar pelatihan ini:\n- Anda sudah mendaftar" in siti.text
    assert await applications(runtime) == 1


async def test_saying_no_at_the_confirmation_returns_to_the_details(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await open_welding(siti)
    await siti.tap("Daftar")
    await siti.tap("Tidak, nanti saja")
    assert siti.text.startswith(WELDING)
    assert await applications(runtime) == 0


async def test_every_reason_not_to_be_eligible_is_given(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    async with runtime.session_factory() as session, session.begin():
        await session.execute(
            update(TrainingProgram).where(TrainingProgram.title == WELDING).values(max_age=25, min_education="d3")
        )
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)  # born 1999: 27 on the test's day, with SMK
    await open_welding(siti)
    assert siti.text.startswith("Pengelasan SMAW 3G")
    assert siti.text.endswith(
        "\n\nAnda belum dapat mendaftar pelatihan ini:\n- usia maksimal 25 tahun; usia Anda 27 tahun\n"
        "- pendidikan yang diminta: Diploma 3 (D3); di profil Anda: SMK"
    ), "the details, then each reason with what the opening asks and what the profile says"
    assert "Daftar" not in [option.label for option in siti.last.options]
    assert await siti.step() == "detail"


async def test_an_smk_minimum_is_not_met_by_sma_but_an_sma_minimum_is_met_by_smk(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    async with runtime.session_factory() as session, session.begin():
        await session.execute(update(TrainingProgram).where(TrainingProgram.title == WELDING)
                              .values(min_education="smk"))
    rina = ChatUser(runtime, channel, "rina")
    await register(rina, name="Nurul Aini", nik="6309015203970002", birth_date="12-03-1997", phone="081251000009",
                   education="SMA/sederajat")
    await open_welding(rina)
    assert "Pendidikan: minimal SMK (lulusan SMA tidak memenuhi)" in rina.text
    assert ("- pendidikan yang diminta: SMK (lulusan SMA tidak memenuhi); di profil Anda: "
            "SMA/sederajat") in rina.text

    async with runtime.session_factory() as session, session.begin():
        await session.execute(update(TrainingProgram).where(TrainingProgram.title == WELDING)
                              .values(min_education="sma"))
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)  # SMK
    await open_welding(siti)
    assert "Pendidikan: minimal SMA/SMK sederajat" in siti.text
    await siti.tap("Daftar")
    await siti.tap("Ya, kirim")
    assert await applications(runtime) == 1


async def test_a_visitor_registers_first_and_comes_back_to_the_opening(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    visitor = ChatUser(runtime, channel, "rina")
    await visitor.send("/start")
    await open_welding(visitor)
    await visitor.tap("Daftar")
    assert "Untuk mendaftar program ini, Anda perlu terdaftar sebagai pencari kerja terlebih dahulu" in visitor.text
    assert await visitor.step() == "language"
    visitor.received.clear()
    await register(visitor)
    assert "Terima kasih, Siti Rahmawati! Pendaftaran Anda sudah selesai." in visitor.text
    assert WELDING in visitor.text.split("\n\n")[-1].splitlines()[0]
    assert (await visitor.conversation())[:2] == ("openings", "detail")
    await visitor.tap("Daftar")
    await visitor.tap("Ya, kirim")
    assert await applications(runtime) == 1


async def test_two_people_confirming_the_last_place_at_once_get_it_once(
    make_runtime: RuntimeFactory, clock: Clock
) -> None:
    channel = RecordingChannel()
    worker_a, worker_b = make_runtime(channel), make_runtime(channel)
    await seed_catalog(worker_a, clock)
    async with worker_a.session_factory() as session, session.begin():
        await session.execute(update(TrainingProgram).where(TrainingProgram.title == WELDING).values(quota=1))
    siti = ChatUser(worker_a, channel, "siti")
    await register(siti)
    nur = ChatUser(worker_b, channel, "nur")
    await register(nur, name="Nurul Aini", nik="6309015203970002", birth_date="12-03-1997", phone="081251000009")
    for user in (siti, nur):
        await open_welding(user)
        await user.tap("Daftar")
    await asyncio.gather(siti.tap("Ya, kirim"), nur.tap("Ya, kirim"))
    assert await applications(worker_a) == 1
    outcomes = sorted(user.text.split("\n")[0] for user in (siti, nur))
    assert outcomes[0] == "Pendaftaran Anda tidak dapat dikirim:"
    assert outcomes[1].startswith("Pendaftaran Anda untuk Pengelasan SMAW 3G sudah terkirim.")
