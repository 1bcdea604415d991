"""A job seeker registers, in Indonesian and in English, and fixes every kind of mistake on the way."""

from __future__ import annotations

from datetime import date

from bot.engine.runtime import Runtime
from tests.chat import SITI, ChatUser, RecordingChannel, register


async def test_job_seeker_registers_in_indonesian(runtime: Runtime, channel: RecordingChannel) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await siti.send("halo")
    assert "Bahasa apa yang Anda inginkan?" in siti.text
    await siti.tap("Bahasa Indonesia")
    assert "UU 27/2022" in siti.text
    await siti.tap("Saya setuju")
    await siti.send("  Siti   Rahmawati ")
    await siti.send("6309 0145 0899 0001")
    await siti.send("5 Agustus 1999")
    assert "Menurut NIK Anda, jenis kelamin Anda: Perempuan" in siti.text
    assert siti.last.options[0].label == "Perempuan"
    await siti.send("1")
    assert siti.last.contact_label == "Kirim nomor HP saya"
    await siti.share_contact("+6281251000001")
    await siti.send("tanjung")
    await siti.send("5")
    await siti.send("1")
    await siti.send("2")
    await siti.send("Menjahit payet")
    assert "Tambahan Anda sendiri: Menjahit payet" in siti.text
    await siti.tap("Selesai, lanjut")
    await siti.tap("Bukan penyandang disabilitas")
    await siti.tap("Sedang mencari kerja")
    summary = siti.text
    for line in (
        "Nama lengkap: Siti Rahmawati",
        "NIK: 6309014508990001",
        "Tanggal lahir: 5 Agustus 1999",
        "Nomor HP: +6281251000001",
        "Kecamatan: Tanjung",
        "Pendidikan: SMK",
        "Keterampilan dan minat: Menjahit dan tata busana, Memasak dan pengolahan makanan, Menjahit payet",
    ):
        assert line in summary
    await siti.tap("Benar, simpan")
    assert "Terima kasih, Siti Rahmawati! Pendaftaran Anda sudah selesai." in siti.text
    assert "Menu utama" in siti.text

    profile = await siti.profile()
    assert profile is not None
    assert profile.full_name == "Siti Rahmawati"
    assert profile.birth_date == date(1999, 8, 5)
    assert profile.gender == "female"
    assert profile.phone_e164 == "+6281251000001"
    assert profile.kecamatan == "tanjung"
    assert profile.interests == ["sewing", "cooking"]
    assert profile.other_interests == ["Menjahit payet"]
    assert "6309014508990001" not in profile.nik_encrypted
    assert runtime.services.cipher.decrypt(profile.nik_encrypted) == "6309014508990001"
    assert await siti.conversation() == ("menu", "home", {"draft": {}, "history": []})


async def test_job_seeker_registers_in_english(runtime: Runtime, channel: RecordingChannel) -> None:
    john = ChatUser(runtime, channel, "john", locale="en")
    await john.send("/start")
    assert "Which language do you prefer?" in john.text
    await john.tap("English")
    await john.tap("I agree")
    await john.send("Rudi Hartono")
    await john.send("6309061203970002")
    await john.send("12/03/1997")
    assert "Your NIK says your gender is: Male" in john.text
    await john.tap("Male")
    await john.send("081251000002")
    await john.tap("Murung Pudak")
    await john.tap("Senior high school (SMA)")
    await john.tap("Welding")
    await john.tap("Done, continue")
    await john.tap("I prefer not to say")
    await john.tap("Looking for work")
    assert "Date of birth: March 12, 1997" in john.text
    await john.tap("Confirm and save")
    assert "Thank you, Rudi Hartono! Your registration is complete." in john.text
    assert (await john.user()).locale == "en"  # type: ignore[union-attr]


async def test_choosing_english_switches_the_very_next_question(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "ani")
    await user.send("/start")
    await user.tap("English")
    assert "Do you agree?" in user.text
    assert [o.label for o in user.last.options] == ["I agree", "I do not agree"]


VALID_ANSWERS = (
    ("language", "Bahasa Indonesia"),
    ("consent", "Saya setuju"),
    ("full_name", "Budi Santoso"),
    ("nik", "6309010101950004"),
    ("birth_date", "01-01-1995"),
    ("gender", "Laki-laki"),
    ("phone", "0812-5100-0009"),
    ("kecamatan", "Upau"),
    ("education", "SMP/sederajat"),
)


async def answer_until(user: ChatUser, step: str) -> None:
    """Start registration and answer validly up to (not including) `step`."""
    await user.send("/start")
    for name, answer in VALID_ANSWERS:
        if name == step:
            return
        await user.send(answer)


async def test_an_unknown_language_is_asked_again(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "budi")
    await answer_until(user, "language")
    await user.send("Klingon")
    assert "Mohon pilih salah satu pilihan" in user.text
    assert await user.step() == "language"


async def test_a_name_with_digits_or_too_long_is_refused(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "budi")
    await answer_until(user, "full_name")
    await user.send("B0b 123")
    assert "dengan huruf saja" in user.text
    await user.send("x" * 101)
    assert "terlalu panjang" in user.text
    assert await user.step() == "full_name"


async def test_each_kind_of_wrong_nik_gets_its_own_explanation(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "budi")
    await answer_until(user, "nik")
    mistakes = {
        "12345": "terdiri atas 16 angka",
        "63090145089900AB": "hanya berisi angka",
        "9909014508990001": "kode provinsi",
        "6309019913990001": "bukan tanggal yang benar",
        "6309010101950000": "tidak mungkin 0000",
    }
    for nik, complaint in mistakes.items():
        await user.send(nik)
        assert complaint in user.text, nik
        assert await user.step() == "nik"
    assert (await user.conversation())[2]["draft"]["full_name"] == "Budi Santoso"


async def test_a_birth_date_is_read_checked_and_cross_checked_with_the_nik(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "budi")
    await answer_until(user, "birth_date")
    for typed, complaint in (
        ("kemarin", "tidak dapat kami baca"),
        ("31-02-1995", "Februari tidak memiliki tanggal 31"),
            ("29-02-1995", "1995 bukan tahun kabisat"),
        ("01-01-2030", "masih di masa depan"),
        ("01-01-1905", "15 sampai 100"),
        ("02-01-1995", "tidak cocok dengan NIK Anda, yang menunjukkan 01-01-..95"),
    ):
        await user.send(typed)
        assert complaint in user.text, typed
        assert await user.step() == "birth_date"
    await user.send("01-01-1995")
    assert await user.step() == "gender"
    await user.send("3")
    assert "Mohon pilih salah satu pilihan" in user.text
    assert await user.step() == "gender"


async def test_a_wrong_phone_or_kecamatan_is_asked_again(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "budi")
    await answer_until(user, "phone")
    for typed, complaint in (
        ("hubungi saya", "bukan nomor HP"),
        ("021 5551234", "nomor telepon rumah"),
        ("0812", "tidak lengkap"),
    ):
        await user.send(typed)
        assert complaint in user.text, typed
        assert await user.step() == "phone"
    await user.send("0812-5100-0009")
    for typed in ("Jakarta Selatan", "13", "0"):
        await user.send(typed)
        assert "Mohon pilih salah satu pilihan" in user.text
        assert await user.step() == "kecamatan"


async def test_skills_need_one_choice_and_own_additions_are_limited(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "budi")
    await answer_until(user, "interests")
    await user.tap("Selesai, lanjut")
    assert "minimal satu keterampilan" in user.text
    await user.send("🙂🙂")
    assert "paling banyak 60 karakter" in user.text
    for own in ("Bengkel las", "Sablon", "Anyaman", "Kue basah", "Servis HP", "sablon"):
        await user.send(own)
    await user.send("Budidaya ikan")
    assert "paling banyak 5 keterampilan sendiri" in user.text
    await user.tap("Selesai, lanjut")
    assert await user.step() == "disability"
    draft = (await user.conversation())[2]["draft"]
    assert draft["other_interests"] == ["Bengkel las", "Sablon", "Anyaman", "Kue basah", "Servis HP"]


async def test_choosing_an_interest_twice_unselects_it(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "dewi")
    await user.send("/start")
    await user.tap("Bahasa Indonesia")
    await user.tap("Saya setuju")
    for answer in ("Dewi Lestari", "6309104107000003", "01-07-2000", "1", "081251000003", "Kelua", "SMA/sederajat"):
        await user.send(answer)
    await user.tap("Pengelasan")
    assert any(o.label == "✓ Pengelasan" for o in user.last.options)
    await user.send("✓ Pengelasan")
    assert any(o.label == "Pengelasan" for o in user.last.options)
    assert (await user.conversation())[2]["draft"]["interests"] == []


async def test_declining_consent_stores_nothing(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "tono")
    await user.send("/start")
    await user.tap("Bahasa Indonesia")
    await user.tap("Saya tidak setuju")
    assert "tidak ada data yang disimpan" in user.text
    assert "Daftar sebagai pencari kerja" in [o.label for o in user.last.options]
    assert await user.profile() is None
    assert await user.conversation() == ("menu", "home", {"draft": {}, "history": []})
    await user.tap("Daftar sebagai pencari kerja")
    assert await user.step() == "language"


async def test_second_registration_with_the_same_nik_is_refused_kindly(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    await register(ChatUser(runtime, channel, "siti"))
    impostor = ChatUser(runtime, channel, "someone-else")
    await impostor.send("/start")
    await impostor.tap("Bahasa Indonesia")
    await impostor.tap("Saya setuju")
    await impostor.send("Siti Palsu")
    await impostor.send(SITI["nik"])
    assert "NIK ini sudah terdaftar di akun lain" in impostor.text
    assert "Disnaker Kabupaten Tabalong" in impostor.text
    assert await impostor.step() == "nik"


async def test_on_whatsapp_the_number_is_confirmed_rather_than_asked(runtime: Runtime) -> None:
    whatsapp = RecordingChannel(name="whatsapp")
    runtime.delivery.add_channel(whatsapp)
    user = ChatUser(runtime, whatsapp, "6281251000001")
    await user.send("/start")
    await user.tap("Bahasa Indonesia")
    await user.tap("Saya setuju")
    for answer in ("Siti Rahmawati", "6309014508990001", "05-08-1999", "1"):
        await user.send(answer)
    assert user.text.startswith(
        "Apakah +6281251000001 nomor yang dapat dihubungi? Jika bukan, silakan ketik nomor yang benar.")
    assert user.last.contact_label is None
    await user.tap("Ya, nomor ini")
    assert await user.step() == "kecamatan"
    assert (await user.conversation())[2]["draft"]["phone"] == "+6281251000001"
