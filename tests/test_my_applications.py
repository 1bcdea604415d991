"""'My applications': statuses in the user's language, withdrawing with a confirmation, applying again."""

from __future__ import annotations

from bot.engine.runtime import Runtime
from tests.chat import ChatUser, RecordingChannel, register
from tests.conftest import Clock
from tests.test_applying import WELDING, applications, open_welding
from tests.test_openings import seed_catalog


async def applied_siti(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> ChatUser:
    await seed_catalog(runtime, clock)
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await open_welding(siti)
    await siti.tap("Daftar")
    await siti.tap("Ya, kirim")
    return siti


async def test_with_no_applications_the_list_says_where_to_find_openings(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await siti.send("menu")
    await siti.tap("Pendaftaran saya")
    assert siti.text.startswith("Anda belum mendaftar program apa pun.")


async def test_an_application_shows_its_status_and_can_be_withdrawn_after_confirming(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti = await applied_siti(runtime, channel, clock)
    await siti.send("menu")
    await siti.tap("Pendaftaran saya")
    assert siti.text.splitlines()[2:4] == [f"1. {WELDING}", "Terkirim, menunggu seleksi, sejak 23 November 2026"]

    await siti.tap(f"Tarik: {WELDING}")
    assert siti.text.startswith(f"Tarik pendaftaran Anda untuk {WELDING}?")
    await siti.tap("Tidak, biarkan")
    assert "Terkirim, menunggu seleksi" in siti.text

    await siti.tap(f"Tarik: {WELDING}")
    confirmation = siti.last
    await siti.tap("Ya, tarik")
    assert siti.text.startswith("Pendaftaran Anda sudah ditarik.")
    assert "Ditarik oleh Anda, sejak 23 November 2026" in siti.text
    assert siti.last.options == (), "nothing left to withdraw"

    await siti.tap("Ya, tarik", reply=confirmation)  # the old button, pressed again
    assert siti.text.startswith("Tombol itu sudah tidak berlaku.")

    await open_welding(siti)
    await siti.tap("Daftar")
    await siti.tap("Ya, kirim")
    assert await applications(runtime) == 2, "withdrawn, then applied again"
