"""Click-to-chat links: the formats agreed with the chat side (wa.me ...?text=DAFTAR, t.me ...?start=daftar, and
an opening's code in both), phone numbers however people type them, and the settings that hold them."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.settings import SettingsError, load_settings
from documents.chat_links import (
    ChatLinks,
    NotALinkTarget,
    checked_code,
    telegram_link,
    telegram_username,
    whatsapp_digits,
    whatsapp_link,
)
from models.applications import OpeningRef
from tests.conftest import TEST_KEY


def test_the_office_links_and_an_openings_links() -> None:
    assert whatsapp_link("6281150001234") == "https://wa.me/6281150001234?text=DAFTAR"
    assert whatsapp_link("6281150001234", "t12") == "https://wa.me/6281150001234?text=DAFTAR%20t12"
    assert telegram_link("DisnakerTabalongBot") == "https://t.me/DisnakerTabalongBot?start=daftar"
    assert telegram_link("DisnakerTabalongBot", "A3") == "https://t.me/DisnakerTabalongBot?start=a3"
    links = ChatLinks("6281150001234", None)
    assert (links.whatsapp_for("t12"), links.telegram_for("t12")) == (
        "https://wa.me/6281150001234?text=DAFTAR%20t12", None)
    assert links.register_text("t12") == "DAFTAR t12"


@pytest.mark.parametrize("typed", ["0811-5000-1234", "+62 811 5000 1234", "62811 5000 1234", " (0811) 50001234 "])
def test_a_number_typed_any_way_becomes_the_same_digits(typed: str) -> None:
    assert whatsapp_digits(typed) == "6281150001234"


def test_a_fixed_line_may_be_the_offices_whatsapp_number() -> None:
    assert whatsapp_digits("(0526) 2021234") == "625262021234"


@pytest.mark.parametrize("typed", ["", "   ", "12", "not a number", "0811", "+1 555", "9" * 80])
def test_what_is_not_a_number_is_refused_with_what_to_fix(typed: str) -> None:
    with pytest.raises(NotALinkTarget, match="phone number"):
        whatsapp_digits(typed)


@given(st.text(max_size=100))
def test_any_text_gives_digits_or_a_clear_refusal(text: str) -> None:
    try:
        digits = whatsapp_digits(text)
    except NotALinkTarget:
        return
    assert digits.isascii() and digits.isdigit() and 8 <= len(digits) <= 15
    assert whatsapp_digits(f"+{digits}") == digits, "the digits are a fixed point"
    assert whatsapp_link(digits).startswith(f"https://wa.me/{digits}?text=")


@given(st.from_regex(r"\+?[0-9 ()\-]{0,24}", fullmatch=True))
def test_number_like_input_never_raises_anything_else(text: str) -> None:
    with contextlib.suppress(NotALinkTarget):
        whatsapp_digits(text)


@pytest.mark.parametrize(("typed", "name"), [("@DisnakerTabalongBot", "DisnakerTabalongBot"),
                                             ("https://t.me/sahabat_kerja_bot", "sahabat_kerja_bot"),
                                             ("t.me/KerjaBot", "KerjaBot")])
def test_a_bot_username_is_read_with_or_without_at_and_address(typed: str, name: str) -> None:
    assert telegram_username(typed) == name


@pytest.mark.parametrize("typed", ["", "bot", "Disnaker", "1KerjaBot", "Kerja Bot", "a" * 40 + "bot", "kerja-bot"])
def test_what_is_not_a_bot_username_is_refused(typed: str) -> None:
    with pytest.raises(NotALinkTarget, match="Telegram bot username"):
        telegram_username(typed)


@given(st.text(max_size=40))
def test_any_username_text_gives_a_usable_name_or_a_refusal(text: str) -> None:
    try:
        name = telegram_username(text)
    except NotALinkTarget:
        return
    assert telegram_link(name) == f"https://t.me/{name}?start=daftar"
    assert name.isascii() and name.replace("_", "").isalnum()


@given(st.text(max_size=15))
def test_a_code_in_a_link_is_one_the_chat_reads_back(code: str) -> None:
    try:
        checked = checked_code(code)
    except NotALinkTarget:
        return
    assert checked is not None
    ref = OpeningRef.from_code(checked)
    assert ref is not None and ref.code == checked
    assert telegram_link("KerjaBot", code).endswith(f"?start={checked}")


def test_settings_keep_the_digits_and_the_name_and_refuse_nonsense() -> None:
    settings = load_settings(nik_encryption_key=TEST_KEY, _env_file=None, whatsapp_public_number="0811 5000 1234",
                             telegram_bot_username="@DisnakerTabalongBot")
    assert (settings.whatsapp_public_number, settings.telegram_bot_username) == ("6281150001234",
                                                                                 "DisnakerTabalongBot")
    blank = load_settings(nik_encryption_key=TEST_KEY, _env_file=None, whatsapp_public_number=" ")
    assert blank.whatsapp_public_number is None
    with pytest.raises(SettingsError, match="WHATSAPP_PUBLIC_NUMBER is not a phone number"):
        load_settings(nik_encryption_key=TEST_KEY, _env_file=None, whatsapp_public_number="kantor")
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_USERNAME is not a Telegram bot username"):
        load_settings(nik_encryption_key=TEST_KEY, _env_file=None, telegram_bot_username="@disnaker")
