"""Replies rendered for WhatsApp: every body passes the fake Graph API's checks, whatever the labels and counts."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from bot.channels.whatsapp.render import (
    CONTACT_ID,
    INTERACTIVE_BODY_MAX,
    TEXT_MAX,
    MoreRequest,
    OutboundMessage,
    page_of,
    parse_more_row_id,
    render_reply,
    split_text,
    template_message,
)
from bot.engine.messages import RenderedOption, Reply
from tests.fakes.whatsapp_spec import check_message

TO = "6281234567890"


def assert_valid(messages: list[OutboundMessage]) -> None:
    for message in messages:
        violations = check_message(message.body(TO)).violations
        assert not violations, (violations, message)


def options(*labels: str, seq: int = 12) -> tuple[RenderedOption, ...]:
    return tuple(RenderedOption(f"{seq}|o{i}", label) for i, label in enumerate(labels, start=1))


NAV = (RenderedOption("12|nav:back", "Kembali"), RenderedOption("12|nav:menu", "Menu utama"))


def rows(message: OutboundMessage) -> list[dict[str, Any]]:
    return [row for section in message.content["action"]["sections"] for row in section["rows"]]


def test_plain_text_is_one_text_message() -> None:
    messages = render_reply(Reply("Halo, selamat datang"))
    assert messages == [OutboundMessage("text", {"body": "Halo, selamat datang", "preview_url": False})]
    assert_valid(messages)


def test_two_options_and_nav_become_three_reply_buttons() -> None:
    reply = Reply("Lanjut?", options=options("Ya"), nav=NAV)
    [message] = render_reply(reply)
    assert message.content["type"] == "button"
    buttons = message.content["action"]["buttons"]
    assert [(b["reply"]["id"], b["reply"]["title"]) for b in buttons] == [
        ("12|o1", "Ya"), ("12|nav:back", "Kembali"), ("12|nav:menu", "Menu utama")]
    assert_valid([message])


def test_a_label_too_long_for_a_button_makes_a_list_with_the_whole_label_described() -> None:
    label = "Operator mesin jahit industri garmen"
    [message] = render_reply(Reply("Pilih pelatihan", options=options(label, "Las")))
    assert message.content["type"] == "list"
    first = rows(message)[0]
    assert first["id"] == "12|o1"
    assert len(first["title"]) <= 24
    assert first["title"].startswith("1. Operator")
    assert first["description"] == label
    assert_valid([message])


def test_up_to_ten_rows_are_one_list_with_numbered_options_and_nav_last() -> None:
    labels = [f"Kecamatan {i}" for i in range(1, 9)]
    [message] = render_reply(Reply("Kecamatan Anda?", options=options(*labels), nav=NAV))
    assert [r["id"] for r in rows(message)] == [f"12|o{i}" for i in range(1, 9)] + ["12|nav:back", "12|nav:menu"]
    assert rows(message)[2]["title"] == "3. Kecamatan 3"
    assert message.content["action"]["button"] == "☰ 1–8"
    assert_valid([message])


def test_many_options_are_paged_by_a_more_row_that_names_the_next_page() -> None:
    labels = [f"Lowongan {i}" for i in range(1, 24)]
    reply = Reply("Pilih lowongan", options=options(*labels), nav=NAV)
    seen: list[str] = []
    page = 0
    while True:
        [message] = render_reply(reply, page)
        assert_valid([message])
        ids = [r["id"] for r in rows(message)]
        assert ids[-2:] == ["12|nav:back", "12|nav:menu"]
        more = [parse_more_row_id(i) for i in ids if parse_more_row_id(i)]
        seen += [i for i in ids if not i.startswith("wa:") and "nav:" not in i]
        if not more:
            break
        assert more[0] is not None
        next_page = page_of(reply, more[0])
        assert next_page == page + 1
        page = next_page
    assert seen == [o.token for o in reply.options]


def test_a_more_tap_from_an_older_list_is_stale() -> None:
    reply = Reply("Pilih", options=options(*[f"L{i}" for i in range(20)]))
    other = Reply("Pilih", options=options(*[f"L{i}" for i in range(20)], seq=13))
    [message] = render_reply(reply)
    more = parse_more_row_id(rows(message)[-1]["id"])
    assert more is not None
    assert page_of(reply, more) == 1
    assert page_of(other, more) is None
    assert page_of(reply, MoreRequest(99, "")) is None
    assert parse_more_row_id("12|o1") is None


def test_contact_request_offers_the_senders_own_number_as_a_button() -> None:
    [message] = render_reply(Reply("Nomor HP Anda?", contact_label="Share my number"))
    [button] = message.content["action"]["buttons"]
    assert button["reply"] == {"id": CONTACT_ID, "title": "Share my number"}
    [long] = render_reply(Reply("Nomor HP Anda?", contact_label="Share my mobile phone number"))
    [cut] = long.content["action"]["buttons"]
    assert cut["reply"]["title"] == "Share my mobile…", "a title longer than 20 characters is cut at a word"
    assert_valid([message])


def test_long_text_is_split_on_lines_and_the_question_stays_with_its_buttons() -> None:
    paragraph = "Syarat pelatihan las: " + "usia 18 sampai 35 tahun, " * 20
    text = "\n".join([paragraph] * 12) + "\nIngin mendaftar?"
    messages = render_reply(Reply(text, options=options("Ya", "Tidak")))
    assert_valid(messages)
    assert [m.type for m in messages][-1] == "interactive"
    assert all(m.type == "text" for m in messages[:-1])
    assert messages[-1].content["body"]["text"].endswith("Ingin mendaftar?")
    parts = [m.content["body"] if m.type == "text" else m.content["body"]["text"] for m in messages]
    assert " ".join(parts).split() == text.split()  # nothing lost, no word cut


def test_options_that_could_not_come_back_are_numbered_in_the_text() -> None:
    reply = Reply("Pilih", options=(RenderedOption("wa:contact", "Ini"), RenderedOption("12|o2", "Itu")))
    [message] = render_reply(reply)
    assert message.content["body"] == "Pilih\n1. Ini\n2. Itu"
    assert_valid([message])


def test_split_text_cuts_at_spaces_when_a_line_is_too_long() -> None:
    assert split_text("satu dua tiga", 7) == ["satu", "dua", "tiga"]
    assert split_text("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert split_text("  ", 10) == []


def test_template_carries_the_text_on_one_line() -> None:
    message = template_message("pemberitahuan", "id", "Status lamaran Anda:\nDiterima")
    assert message.content["components"][0]["parameters"][0]["text"] == "Status lamaran Anda: Diterima"
    assert_valid([message])


labels = st.text(min_size=0, max_size=90)
tokens = st.from_regex(r"\A[0-9]{1,4}\|[a-z:0-9]{1,12}\Z") | st.sampled_from(
    ["/lihat t12", "12|nav:back", "wa:contact", "wa:more:1:x", "x" * 201])


@st.composite
def replies(draw: st.DrawFn) -> Reply:
    option_tokens = draw(st.lists(tokens, max_size=40, unique=True))
    nav_tokens = draw(st.lists(tokens.filter(lambda t: t not in option_tokens), max_size=3, unique=True))
    return Reply(
        text=draw(st.text(max_size=6000) | st.sampled_from(["", "Pilih:"])),
        options=tuple(RenderedOption(t, draw(labels)) for t in option_tokens),
        nav=tuple(RenderedOption(t, draw(labels)) for t in nav_tokens),
        contact_label=draw(st.none() | labels),
    )


@given(replies(), st.integers(min_value=0, max_value=8))
def test_every_rendered_page_passes_the_fake_servers_checks(reply: Reply, page: int) -> None:
    messages = render_reply(reply, page)
    assert_valid(messages)
    for message in messages:
        if message.type == "text":
            assert 0 < len(message.content["body"]) <= TEXT_MAX
        else:
            assert 0 < len(message.content["body"]["text"]) <= INTERACTIVE_BODY_MAX


@given(replies())
def test_every_option_is_reachable_through_the_pages(reply: Reply) -> None:
    reachable: list[str] = []
    page: int | None = 0
    while page is not None:
        messages = render_reply(reply, page)
        if not messages or messages[-1].type != "interactive":
            return  # no interactive form (empty or clashing ids): the options are numbered in the text
        message = messages[-1]
        kind = message.content["type"]
        ids = ([b["reply"]["id"] for b in message.content["action"]["buttons"]] if kind == "button"
               else [r["id"] for r in rows(message)])
        reachable += ids
        more = next((m for m in map(parse_more_row_id, ids) if m is not None), None)
        page = page_of(reply, more) if more else None
    for option in (*reply.options, *reply.nav):
        assert option.token in reachable
    assert (CONTACT_ID in reachable) == bool(reply.contact_label)
