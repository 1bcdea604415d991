"""The office's poster: `python -m bot poster` writes one A4 page of PDF and a 150 dpi PNG whose QR codes hold
the click-to-chat links, in Indonesian or English, for the office or one opening; without a WhatsApp number the
poster carries Telegram alone and says so, without either it is refused in one line."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
import segno
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PIL import Image

from bot.engine.i18n import SUPPORTED_LOCALES, Catalogs
from bot.engine.runtime import Runtime
from documents.chat_links import ChatLinks
from documents.poster import NoChatLinks, OpeningFacts, Poster, PosterCode, poster
from documents.poster_drawing import (
    HEIGHT,
    MARGIN,
    PNG_DPI,
    QUIET_ZONE,
    WIDTH,
    Box,
    Code,
    Line,
    layout,
    pdf,
    png,
    text_width,
)
from models.applications import OpeningKind, OpeningRef
from models.regions import DEFAULT_REGION_FILE, load_office
from services.office_poster import NoSuchOpening, poster_of
from services.permissions import Actor
from tests.conftest import TEST_KEY, Clock
from tests.test_openings import seed_catalog
from tests.test_settings_and_cli import run_bot

LINKS = ChatLinks("6281150001234", "DisnakerTabalongBot")
OFFICE = load_office(DEFAULT_REGION_FILE)
MEDIA_BOX = re.compile(rb"/MediaBox \[ *0 0 ([\d.]+) ([\d.]+) *\]")


def words(locale: str = "id", links: ChatLinks = LINKS) -> Poster:
    return poster(OFFICE, links, Catalogs(SUPPORTED_LOCALES, "id").translator(locale).render)


def one_a4_page(document: bytes) -> None:
    assert document.startswith(b"%PDF-")
    boxes = MEDIA_BOX.findall(document)
    assert len(boxes) == 1 and [round(float(side)) for side in boxes[0]] == [595, 842]
    assert re.search(rb"/Type /Pages /Count 1\b|/Count 1 /Kids", document)


def drawn_matrix(image: Image.Image, code: Code) -> list[list[bool]]:
    """Read the PNG back at the centre of every module of `code`: dark or not."""
    scale = PNG_DPI / 72
    count = int(segno.make(code.url, error="m", micro=False).symbol_size(border=QUIET_ZONE)[0])
    side = round(code.size * scale)
    module = int(code.size * scale) // count
    left = round(code.x * scale) + (side - count * module) // 2
    top = round(code.y * scale) + (side - count * module) // 2
    grey = image.convert("L")

    def dark(row: int, column: int) -> bool:
        value = grey.getpixel((left + column * module + module // 2, top + row * module + module // 2))
        assert isinstance(value, int)
        return value < 128

    return [[dark(row, column) for column in range(count)] for row in range(count)]


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_the_png_codes_are_the_links_module_for_module(locale: str) -> None:
    content = words(locale)
    image = Image.open(BytesIO(png(content)))
    assert image.size == (1240, 1754), "A4 at 150 dpi"
    codes = [shape for shape in layout(content) if isinstance(shape, Code)]
    assert [code.url for code in codes] == ["https://wa.me/6281150001234?text=DAFTAR",
                                            "https://t.me/DisnakerTabalongBot?start=daftar"]
    for code in codes:
        expected = [[bool(dark) for dark in row]
                    for row in segno.make(code.url, error="m", micro=False).matrix_iter(border=QUIET_ZONE)]
        assert drawn_matrix(image, code) == expected


def test_the_words_are_the_readers_language() -> None:
    indonesian, english = words("id"), words("en")
    assert indonesian.headline == "Pelatihan dan pemagangan, lewat chat"
    assert english.headline == "Training and apprenticeships, by chat"
    assert indonesian.codes[0].how == "Pindai dengan kamera ponsel Anda, lalu kirim pesan DAFTAR."
    assert english.codes[1].how == "Scan with your phone's camera, then press Start."
    assert indonesian.office == OFFICE.name and indonesian.contact[0] == f"Alamat: {OFFICE.address}"


def test_the_pdf_is_one_a4_page_with_the_links_clickable() -> None:
    document = pdf(words("en"))
    one_a4_page(document)
    assert b"/URI (https://wa.me/6281150001234?text=DAFTAR)" in document
    assert b"/URI (https://t.me/DisnakerTabalongBot?start=daftar)" in document
    assert b"DejaVuSans" in document, "the font is embedded, not the printer's"


def test_a_poster_needs_at_least_one_app() -> None:
    telegram_only = words("id", ChatLinks(None, "KerjaBot"))
    assert [code.app for code in telegram_only.codes] == ["Telegram"]
    with pytest.raises(NoChatLinks):
        words("id", ChatLinks())


async def test_an_openings_poster_tells_its_facts_and_carries_its_code(runtime: Runtime, clock: Clock) -> None:
    await seed_catalog(runtime, clock)
    render = runtime.catalogs.translator("id").render
    office = runtime.services.office
    async with runtime.session_factory() as session:
        training = await poster_of(session, Actor.system(), office, LINKS, render,
                                   opening=OpeningRef(OpeningKind.TRAINING, 1))
        apprenticeship = await poster_of(session, Actor.system(), office, LINKS, render,
                                         opening=OpeningRef(OpeningKind.APPRENTICESHIP, 1))
        with pytest.raises(NoSuchOpening):
            await poster_of(session, Actor.system(), office, LINKS, render,
                            opening=OpeningRef(OpeningKind.TRAINING, 999))
    assert training.kicker == "Pelatihan"
    assert [code.url for code in training.codes] == ["https://wa.me/6281150001234?text=DAFTAR%20t1",
                                                     "https://t.me/DisnakerTabalongBot?start=t1"]
    assert "kirim pesan DAFTAR t1." in training.codes[0].how
    assert [line.split(":")[0] for line in training.details] == ["Tempat", "Tanggal", "Batas pendaftaran", "Kuota"]
    assert apprenticeship.kicker == "Pemagangan" and " - " in apprenticeship.headline
    assert [line.split(":")[0] for line in apprenticeship.details] == ["Tempat", "Lama", "Batas pendaftaran",
                                                                       "Kuota"]
    one_a4_page(pdf(training))


def test_the_command_writes_both_files_and_says_what_is_missing(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY,
           "TELEGRAM_BOT_USERNAME": "DisnakerTabalongBot"}
    assert run_bot("seed-demo", env=env, cwd=tmp_path).returncode == 0
    made = run_bot("poster", "--opening", "t1", "--locale", "en", "--out", str(tmp_path), env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert made.stdout.split() == [str(tmp_path / "poster.pdf"), str(tmp_path / "poster.png")]
    assert made.stderr.strip() == "WHATSAPP_PUBLIC_NUMBER is not set: the poster has no WhatsApp QR code"
    one_a4_page((tmp_path / "poster.pdf").read_bytes())
    assert b"/URI (https://t.me/DisnakerTabalongBot?start=t1)" in (tmp_path / "poster.pdf").read_bytes()
    assert Image.open(tmp_path / "poster.png").size == (1240, 1754)
    if shutil.which("zbarimg"):  # a real QR reader, where the machine has one
        read = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "poster.png")], capture_output=True,
                              text=True, check=True)
        assert read.stdout.split() == ["https://t.me/DisnakerTabalongBot?start=t1"]

    unknown = run_bot("poster", "--opening", "t999", "--out", str(tmp_path), env=env, cwd=tmp_path)
    assert (unknown.returncode, unknown.stderr.splitlines()[-1]) == (1, "There is no opening t999")
    bad = run_bot("poster", "--opening", "x1", env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "is not an opening's code" in bad.stderr
    nothing = run_bot("poster", env={**env, "TELEGRAM_BOT_USERNAME": ""}, cwd=tmp_path)
    assert nothing.returncode == 2
    assert nothing.stderr.splitlines()[-1] == ("No poster: set WHATSAPP_PUBLIC_NUMBER or TELEGRAM_BOT_USERNAME: "
                                               "the poster has nothing to scan")


WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=200)


def inside_the_margins(shapes: list[Box | Line | Code]) -> None:
    """Everything within the margins, and nothing below the line above the office's address but that address."""
    foot = next(shape.y for shape in shapes if isinstance(shape, Box) and shape.height == 1)
    for shape in shapes:
        if isinstance(shape, Line):
            width = text_width(shape.text, shape.size, shape.bold)
            left = shape.x - width / 2 if shape.centred else shape.x
            assert left >= MARGIN - 0.01 and left + width <= WIDTH - MARGIN + 0.01, shape
            assert MARGIN <= shape.y - shape.size <= HEIGHT - MARGIN, shape
            assert shape.y < foot or shape.size == 11, shape
        else:
            assert shape.x >= MARGIN - 0.01 and shape.x + (shape.width if isinstance(shape, Box) else shape.size) <= (
                WIDTH - MARGIN + 0.01), shape
            bottom = shape.y + (shape.height if isinstance(shape, Box) else shape.size)
            assert shape.y >= MARGIN and bottom <= (HEIGHT - MARGIN if shape.y >= foot else foot), shape


LONGEST = "Dinas Tenaga Kerja dan Transmigrasi Kabupaten Hulu Sungai Utara Provinsi Kalimantan Selatan " * 3


@settings(max_examples=60, deadline=None)
@given(office=WORDS, title=WORDS, place=WORDS, contact=st.lists(WORDS, max_size=3), both=st.booleans())
@example(office=LONGEST, title=LONGEST[:160], place=LONGEST[:200], contact=[LONGEST[:200]] * 3, both=True)
@example(office="W" * 200, title="W" * 160, place="W" * 200, contact=["W" * 200] * 3, both=False)
def test_any_words_stay_on_the_page_and_off_the_address(office: str, title: str, place: str, contact: list[str],
                                                        both: bool) -> None:
    links = LINKS if both else ChatLinks("6281150001234", None)
    facts = OpeningFacts("t123456789", "training", title, place, (date(2027, 1, 1), date(2027, 12, 31)), None,
                         date(2026, 12, 31), 100_000)
    render = Catalogs(SUPPORTED_LOCALES, "id").translator("id").render
    content = dataclasses.replace(poster(OFFICE, links, render, facts), office=office, contact=tuple(contact))
    shapes = layout(content)
    inside_the_margins(shapes)
    assert [shape.url for shape in shapes if isinstance(shape, Code)] == [code.url for code in content.codes]
    assert all(shape.size >= 96 for shape in shapes if isinstance(shape, Code)), "codes stay scannable"


@settings(max_examples=5, deadline=None)
@given(title=WORDS)
def test_any_words_draw_as_pdf_and_png(title: str) -> None:
    odd_app = PosterCode("WhatsApp", "https://wa.me/62811?text=DAFTAR", title)
    content = dataclasses.replace(words("en"), headline=title, codes=(odd_app,))
    one_a4_page(pdf(content))
    assert Image.open(BytesIO(png(content))).size == (1240, 1754)
