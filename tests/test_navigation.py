"""Back, cancel, edit from the summary, restarts, stale buttons and odd messages: nothing entered is lost."""

from __future__ import annotations

from bot.engine.messages import IncomingKind
from bot.engine.runtime import Runtime
from tests.chat import ChatUser, RecordingChannel, register
from tests.conftest import RuntimeFactory


async def start_until_nik(user: ChatUser) -> None:
    await user.send("/start")
    await user.tap("Bahasa Indonesia")
    await user.tap("Saya setuju")
    await user.send("Budi Santoso")


async def test_back_returns_to_the_previous_question_with_answers_kept(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "budi")
    await start_until_nik(user)
    assert await user.step() == "nik"
    await user.tap("Kembali")
    assert await user.step() == "full_name"
    assert (await user.conversation())[2]["draft"]["full_name"] == "Budi Santoso"
    await user.send("kembali")
    assert await user.step() == "consent"
    await user.send("/back")
    assert await user.step() == "language"
    await user.send("back")
    assert "Ini pertanyaan pertama" in user.text
    assert await user.step() == "language"


async def test_cancel_discards_the_registration(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "budi")
    await start_until_nik(user)
    await user.tap("Batal")
    assert "Pendaftaran dibatalkan" in user.text
    assert await user.conversation() == ("menu", "home", {"draft": {}, "history": []})
    await user.send("batal")
    assert "Tidak ada yang perlu dibatalkan" in user.text


async def test_editing_the_nik_from_the_summary_rechecks_birth_date_and_gender(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "siti")
    await register(user)
    await user.tap("Ubah profil saya")
    assert "Silakan periksa data Anda" in user.text
    await user.tap("Ubah data")
    await user.tap("NIK")
    await user.send("6309010101950004")
    assert await user.step() == "birth_date"
    await user.send("01-01-1995")
    await user.tap("Laki-laki")
    assert "NIK: 6309010101950004" in user.text
    await user.tap("Benar, simpan")
    assert "Profil Anda sudah diperbarui" in user.text
    profile = await user.profile()
    assert profile is not None and profile.gender == "male"


async def test_editing_one_field_returns_to_the_summary(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "siti")
    await register(user)
    await user.tap("Ubah profil saya")
    await user.tap("Ubah data")
    await user.tap("Kecamatan")
    await user.tap("Kelua")
    assert "Kecamatan: Kelua" in user.text
    await user.tap("Batal")
    assert "Profil Anda tidak diubah" in user.text
    profile = await user.profile()
    assert profile is not None and profile.kecamatan == "tanjung"


async def test_back_while_editing_returns_to_the_summary(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "siti")
    await register(user)
    await user.tap("Ubah profil saya")
    await user.tap("Ubah data")
    await user.tap("Nomor HP")
    await user.tap("Kembali")
    assert await user.step() == "summary"


async def test_a_restart_mid_flow_resumes_at_the_same_question(
    make_runtime: RuntimeFactory, channel: RecordingChannel
) -> None:
    before_restart = make_runtime(channel)
    user = ChatUser(before_restart, channel, "budi")
    await start_until_nik(user)
    await user.send("6309010101950004")
    await before_restart.aclose()

    again = ChatUser(make_runtime(channel), channel, "budi")
    await again.send("/start")
    assert "Selamat datang kembali" in again.text
    assert "tanggal lahir" in again.text
    await again.send("01-01-1995")
    assert (await again.conversation())[1] == "gender"


async def test_a_redelivered_event_is_handled_once(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "budi")
    await start_until_nik(user)
    update = user.incoming(text="6309010101950004", event_id="telegram-update-77")
    first = await user.deliver(update)
    again = await user.deliver(update)
    assert first and not again
    assert await user.step() == "birth_date"


async def test_two_users_interleaved_keep_their_own_answers(runtime: Runtime, channel: RecordingChannel) -> None:
    siti, rudi = ChatUser(runtime, channel, "siti"), ChatUser(runtime, channel, "rudi", locale="en")
    await siti.send("/start")
    await rudi.send("/start")
    await siti.tap("Bahasa Indonesia")
    await rudi.tap("English")
    await rudi.tap("I agree")
    await siti.tap("Saya setuju")
    await siti.send("Siti Rahmawati")
    await rudi.send("Rudi Hartono")
    assert (await siti.conversation())[2]["draft"]["full_name"] == "Siti Rahmawati"
    assert (await rudi.conversation())[2]["draft"]["full_name"] == "Rudi Hartono"
    assert "NIK" in siti.text and "NIK" in rudi.text
    assert "Berapa NIK" in siti.text and "What is your NIK" in rudi.text


async def test_a_button_from_an_earlier_question_is_refused(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "budi")
    await user.send("/start")
    language_question = user.last
    await user.tap("Bahasa Indonesia")
    await user.tap("English", reply=language_question)
    assert "Tombol itu sudah tidak berlaku" in user.text
    assert await user.step() == "consent"
    assert (await user.user()).locale == "id"  # type: ignore[union-attr]


async def test_unknown_commands_and_unsupported_messages_get_a_helpful_answer(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "budi")
    await start_until_nik(user)
    await user.send("/terbang")
    assert "Perintah /terbang tidak dikenali" in user.text
    assert "Berapa NIK" in user.text
    await user.deliver(user.incoming(kind=IncomingKind.UNSUPPORTED))
    assert "hanya dapat membaca pesan teks" in user.text
    await user.send("6" * 5000)
    assert "terlalu panjang" in user.text
    await user.send("/help")
    assert "Sahabat Kerja membantu Anda" in user.text
    assert await user.step() == "nik"


async def test_nul_and_control_characters_are_never_echoed_into_the_database(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    """Found by hypothesis: PostgreSQL cannot store NUL in text or JSONB, and '/\\x00' was echoed back."""
    user = ChatUser(runtime, channel, "budi")
    await start_until_nik(user)
    await user.send("/\x00")
    assert user.text.startswith("Perintah / tidak dikenali.")
    await user.send("/\x07bel\x00")
    assert "Perintah /bel tidak dikenali." in user.text
    await user.send("\x00Budi\x00")
    assert await user.step() == "nik"


async def test_commands_that_start_something_new_wait_for_the_current_task(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "budi")
    await start_until_nik(user)
    await user.send("/bahasa")
    assert "selesaikan atau batalkan dulu" in user.text
    assert await user.step() == "nik"
    await user.send("menu")
    await user.send("ya")  # leaving throws the answers away: asked first
    assert "Pendaftaran dibatalkan" in user.text
    await user.send("/bahasa")
    await user.tap("English")
    assert "Language changed." in user.text
