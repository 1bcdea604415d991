"""What a reply looks like on Telegram, checked against the Bot API spec for any text and any option id."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.telegram.format import (
    MAX_CALLBACK_DATA,
    MAX_TEXT,
    callback_data_for,
    chunks_of,
    split_text,
    token_digest,
    utf16_length,
)
from bot.engine.messages import RenderedOption, Reply, option_token
from tests.fakes.telegram_spec import validate_call

LONG_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=10_000)


def send_message_violations(reply: Reply) -> list[str]:
    violations = []
    for chunk in chunks_of(reply):
        params = {"chat_id": 42, "text": chunk.text, "parse_mode": "HTML"}
        if chunk.markup is not None:
            params["reply_markup"] = chunk.markup.model_dump(exclude_none=True)
        violations += validate_call("sendMessage", params)
    return violations


@given(st.integers(min_value=0, max_value=10**12), st.text(min_size=1, max_size=300))
def test_callback_data_fits_64_bytes_whatever_the_ids(prompt_seq: int, option_id: str) -> None:
    token = option_token(prompt_seq, option_id)
    data = callback_data_for(token)
    assert 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA
    if len(token.encode("utf-8")) <= MAX_CALLBACK_DATA and not token.startswith("~"):
        assert data == token, "short tokens travel as they are"
    else:
        assert data == token_digest(token)
    reply = Reply("Pilih salah satu:", options=(RenderedOption(token, "Pilihan"),))
    assert send_message_violations(reply) == []


@given(LONG_TEXT)
def test_any_text_is_split_escaped_and_accepted_by_telegram(text: str) -> None:
    reply = Reply(text, options=(RenderedOption("1|a", "A & <B>"),), nav=(RenderedOption("1|nav:back", "Kembali"),))
    assert send_message_violations(reply) == []
    parts = split_text(text)
    assert all(utf16_length(part) <= MAX_TEXT for part in parts)
    if text.strip():
        assert "".join("".join(part.split()) for part in parts) == "".join(text.split()), "only whitespace is cut"
    else:
        assert parts == ["…"], "Telegram refuses blank messages"


def test_a_long_message_is_cut_at_line_breaks() -> None:
    paragraphs = [f"{number}. " + "kata " * 150 for number in range(20)]
    parts = split_text("\n".join(paragraphs))
    assert len(parts) == 4
    assert all(part.startswith(tuple(f"{n}. " for n in range(20))) for part in parts), "each part starts a line"
    assert split_text("x" * 5000) == ["x" * 4096, "x" * 904], "no boundary at all: cut anywhere"
    assert split_text("😀" * 2049) == ["😀" * 2048, "😀"], "emoji count twice, as in UTF-16"


def test_markup_goes_on_the_last_part_and_the_contact_question_gets_a_reply_keyboard() -> None:
    options = (RenderedOption("3|x", "X"),)
    chunks = chunks_of(Reply("a " * 3000, options=options))
    assert [chunk.markup is None for chunk in chunks] == [True, False]
    contact = chunks_of(Reply("Nomor HP Anda?", nav=(RenderedOption("4|nav:back", "Kembali"),),
                              contact_label="Kirim nomor HP saya"))[0]
    assert contact.markup is not None
    dumped = contact.markup.model_dump(exclude_none=True)
    assert dumped["keyboard"] == [[{"text": "Kirim nomor HP saya", "request_contact": True}], [{"text": "Kembali"}]]
    assert send_message_violations(Reply("Nomor HP Anda?", contact_label="Kirim nomor HP saya")) == []
