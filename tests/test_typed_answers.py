"""Typed answers to questions that take several options, asking before `menu` throws answers away, /help, and
the registration sentences that say exactly what is wrong (a day that does not exist, a name too short, a
number from abroad)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.runtime import Runtime
from bot.wiring import build_runtime
from documents.labels import INTEREST
from handlers.choices import Choice, removal_of, understand, understand_many
from handlers.flow import Answer, several_chosen
from models.answers import name_case
from models.users import Role, set_role
from tests.chat import CHANNEL, ChatUser, RecordingChannel
from tests.conftest import Clock
from tests.test_follow_up_checkins import asked, record_of
from tests.test_registration import answer_until


async def interests(user: ChatUser) -> tuple[list[str], list[str]]:
    draft = (await user.conversation())[2]["draft"]
    return draft.get("interests", []), draft.get("other_interests", [])


async def test_several_skills_are_chosen_at_once_and_one_is_taken_off_by_hapus(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "budi")
    await answer_until(user, "interests")
    codes = list(INTEREST)
    await user.send("1, 3 dan 5")
    assert (await interests(user))[0] == [codes[0], codes[2], codes[4]]
    await user.send("1, 2")
    assert (await interests(user))[0] == [codes[0], codes[2], codes[4], codes[1]], "a list adds, never unticks"
    await user.send("hapus 3")
    assert (await interests(user))[0] == [codes[0], codes[4], codes[1]]
    await user.send("Sablon")
    await user.send("hapus sablon")
    assert (await interests(user))[1] == []
    await user.send("hapus sulap")
    assert "'sulap' tidak ada di pilihan Anda" in user.text
    await user.send("1, 3, 99")
    assert "Mohon pilih dari daftar" in user.text
    assert (await interests(user))[0] == [codes[0], codes[4], codes[1]], "a list with a wrong number changes nothing"
    await user.send("selesai")
    assert await user.step() == "disability"


async def test_a_check_in_question_with_several_answers_takes_a_typed_list(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    ani, alumnus = await asked(runtime, channel, clock)
    for tap in ("Yes, let us start", "Business with permanent or paid workers"):
        await ani.tap(tap)
    await ani.send("Desember 2026")
    await ani.tap("Food, drink and lodging")
    await ani.send("3")
    await ani.tap("Rp5 million - Rp25 million")
    await ani.send("1, 4")
    await ani.send("remove 4")
    await ani.send("2")
    await ani.send("done")
    await ani.send("5")
    await ani.tap("No")
    assert (await record_of(runtime, alumnus)).answers["support_wanted"] == ["capital", "marketing"]


OFFERED = tuple(INTEREST)


@given(typed=st.text(max_size=30), chosen=st.lists(st.sampled_from(OFFERED), unique=True))
def test_a_typed_reply_to_a_several_choice_question_keeps_a_clean_list(typed: str, chosen: list[str]) -> None:
    """Whatever is typed, the chosen ones stay options that were offered, each once; a list that is not fully
    understood chooses nothing."""
    choices = [Choice(code, label.msgid) for code, label in INTEREST.items()]
    many = understand_many(typed, choices)
    removal = removal_of(typed)
    single = understand(removal or typed, choices)
    answer = (Answer(options=many.option_ids) if many is not None
              else Answer(option=single.option_id, text=typed, removing=removal is not None))
    after = several_chosen(chosen, answer, OFFERED)
    if after is None:
        assert many is None and single.option_id is None
    else:
        assert set(after) <= set(OFFERED) and len(after) == len(set(after))


async def test_menu_in_the_middle_of_registration_asks_before_throwing_answers_away(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "budi")
    await answer_until(user, "phone")
    await user.send("menu")
    assert "Kembali ke menu utama? Jawaban yang sudah Anda isi di sini akan hilang." in user.text
    await user.send("tidak")
    assert await user.step() == "phone"
    assert (await user.conversation())[2]["draft"]["full_name"] == "Budi Santoso"
    await user.send("menu")
    await user.send("0812-5100-0009")  # anything else is an answer to the question that was open
    assert await user.step() == "kecamatan"
    await user.send("menu")
    await user.send("iya")
    assert "Pendaftaran dibatalkan" in user.text
    assert await user.step() == "home"


async def test_help_lists_what_one_can_do_and_how_to_reach_the_office(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    office = runtime.services.office
    user = ChatUser(runtime, channel, "budi")
    await user.send("/bantuan")
    assert "/profil - profil Anda" in user.text and "/ekspor" in user.text
    assert f"Menghubungi {office.name}:" in user.text
    assert f"Jam layanan: {office.hours}" in user.text
    assert "/siaran" not in user.text, "staff commands are for staff"
    async with runtime.session_factory() as session, session.begin():
        await set_role(session, CHANNEL, "petugas", Role.STAFF, locale="en", now=clock())
    staff = ChatUser(runtime, channel, "petugas")
    await staff.send("/help")
    assert "/broadcast - announcements to job seekers and alumni" in staff.text


async def test_the_office_contact_comes_from_the_settings(app_settings: object, clock: Clock) -> None:
    from bot.settings import Settings
    assert isinstance(app_settings, Settings)
    settings = app_settings.model_copy(update={"office_phone": "(0526) 202 1234", "office_address": "Jl. Contoh 1"})
    channel = RecordingChannel()
    runtime = build_runtime(settings, {channel.name: channel}, clock=clock, raise_errors=True)
    try:
        user = ChatUser(runtime, channel, "budi", locale="en")
        await user.send("/help")
        assert "Address: Jl. Contoh 1" in user.text and "Phone: (0526) 202 1234" in user.text
    finally:
        await runtime.aclose()


async def test_a_name_too_short_is_told_so(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "budi")
    await answer_until(user, "full_name")
    await user.send("x")
    assert "Nama tersebut terlalu pendek" in user.text
    assert await user.step() == "full_name"


async def test_a_number_from_abroad_is_refused_unless_the_office_allows_it(
    runtime: Runtime, channel: RecordingChannel, app_settings: object, clock: Clock
) -> None:
    user = ChatUser(runtime, channel, "budi")
    await answer_until(user, "phone")
    await user.send("+1 202 555 0123")
    assert "hanya dapat menghubungi nomor Indonesia" in user.text
    assert await user.step() == "phone"

    from bot.settings import Settings
    assert isinstance(app_settings, Settings)
    abroad = build_runtime(app_settings.model_copy(update={"foreign_phones_allowed": True}),
                           {channel.name: channel}, clock=clock, raise_errors=True)
    try:
        tki = ChatUser(abroad, channel, "tki")
        await answer_until(tki, "phone")
        await tki.send("+1 202 555 0123")
        assert await tki.step() == "kecamatan"
    finally:
        await abroad.aclose()


@pytest.mark.parametrize(("typed", "shown"), [
    ("budi santoso", "Budi Santoso"), ("SITI NUR'AINI", "Siti Nur'aini"), ("ahmad al-farisi", "Ahmad Al-Farisi"),
    ("McDonald", "McDonald"), ("Dewi de Souza", "Dewi de Souza"), ("r. a. kartini", "R. A. Kartini"),
])
def test_names_are_shown_in_name_case_unless_typed_in_mixed_case(typed: str, shown: str) -> None:
    assert name_case(typed) == shown


async def test_a_name_is_stored_as_typed_and_shown_in_name_case(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "budi")
    await answer_until(user, "full_name")
    await user.send("BUDI SANTOSO")
    for answer in ("6309010101950004", "01-01-1995", "Laki-laki", "0812-5100-0009", "Upau", "SMP", "1", "selesai",
                   "tidak", "mencari kerja"):
        await user.send(answer)
    assert "Nama lengkap: Budi Santoso" in user.text
    await user.send("ya")
    assert "Terima kasih, Budi Santoso!" in user.text
    profile = await user.profile()
    assert profile is not None and profile.full_name == "BUDI SANTOSO"
