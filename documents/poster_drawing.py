"""The poster laid out once on an A4 page and drawn twice: a PDF for the office printer (vector text in an
embedded DejaVu font, vector QR codes, clickable links, 15 mm margins that any printer leaves blank) and a PNG of
the same page at 150 dpi (1240 x 1754) for social media and the dashboard's preview.

The layout is a list of boxes, lines of text and QR codes in points from the top left; `pdf` and `png` only
draw that list, so the two files cannot drift apart. The fonts are matplotlib's bundled DejaVu (a dependency
already): the wheel reads no system font. The PNG is drawn with Pillow (matplotlib's own dependency) rather
than by rasterising the PDF, which would need poppler or reportlab's C renderer.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
import segno
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from documents.poster import Poster, PosterCode

WIDTH, HEIGHT = float(A4[0]), float(A4[1])
MARGIN = 42.5  # 15 mm
PNG_DPI = 150
FONTS = {False: "DejaVuSans", True: "DejaVuSans-Bold"}
QUIET_ZONE = 4  # modules of white around a QR code, as the standard asks
INK, SOFT, WHITE, PANEL = "#13263a", "#3f4a55", "#ffffff", "#eef4f3"
BRAND = "#0f5c59"
APP_COLOURS = {"WhatsApp": "#128c4a", "Telegram": "#1f7fc0"}
TEXT_SCALES = (1.0, 0.85, 0.7)
SMALLEST_CODE = 120.0
"""Points (42 mm): below this the words are set smaller rather than the codes; read from a notice board at
arm's length, a code of 33 modules then has 1.3 mm modules."""


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    width: float
    height: float
    colour: str
    radius: float = 0


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text; `y` is its baseline; centred on `x` when `centred`."""

    x: float
    y: float
    text: str
    size: float
    colour: str = INK
    bold: bool = False
    centred: bool = False


@dataclass(frozen=True, slots=True)
class Code:
    """A QR code of `url` (quiet zone included) in a `size` square; clickable in the PDF."""

    x: float
    y: float
    size: float
    url: str

    def symbol(self) -> segno.QRCode:
        return segno.make(self.url, error="m", micro=False)


Shape = Box | Line | Code


@cache
def font_file(bold: bool) -> Path:
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / f"{FONTS[bold]}.ttf"


def text_width(text: str, size: float, bold: bool) -> float:
    _register_fonts()
    return float(pdfmetrics.stringWidth(text, FONTS[bold], size))


@cache
def _register_fonts() -> None:
    for bold, name in FONTS.items():
        pdfmetrics.registerFont(TTFont(name, str(font_file(bold))))


def wrap(text: str, size: float, width: float, *, bold: bool = False) -> list[str]:
    """Lines of at most `width` points, broken at spaces; a word longer than a line (a link) is cut anywhere."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(candidate, size, bold) <= width:
            lines[-1] = candidate
            continue
        rest = word
        while text_width(rest, size, bold) > width and len(rest) > 1:
            cut = max(n for n in range(1, len(rest) + 1) if text_width(rest[:n], size, bold) <= width or n == 1)
            lines.append(rest[:cut])
            rest = rest[cut:]
        lines.append(rest)
    return lines


class _Column:
    """Text flowing down a column from `y`."""

    def __init__(self, x: float, y: float, width: float, shapes: list[Shape]) -> None:
        self.x, self.y, self.width, self.shapes = x, y, width, shapes

    def text(self, text: str, size: float, *, colour: str = INK, bold: bool = False, centred: bool = False,
             most: int = 6, after: float = 0) -> None:
        x = self.x + self.width / 2 if centred else self.x
        lines = wrap(text, size, self.width, bold=bold)
        if len(lines) > most:  # cut, and seen to be cut
            lines = [*lines[:most - 1], _shortened(f"{lines[most - 1]}…", size, self.width, bold)]
        for line in lines:
            self.y += size * 1.25
            self.shapes.append(Line(x, self.y - size * 0.25, line, size, colour, bold, centred))
        self.y += after


def layout(poster: Poster) -> list[Shape]:
    """The page, top to bottom: the office band, headline, sentence, the opening's facts, the QR panels (as large
    as the space left allows) and the office's address at the foot. When long words leave the codes too little
    room, the words are set smaller, down to 70 %."""
    for scale in TEXT_SCALES:
        shapes: list[Shape] = []
        inner = WIDTH - 2 * MARGIN
        band = _Column(MARGIN + 22, MARGIN + 10, inner - 44, [])
        band.text(poster.kicker.upper(), 12, colour="#cfe7e4", bold=True, most=1, after=4)
        band.text(poster.office, 22 * scale, colour=WHITE, bold=True, most=2, after=16)
        shapes += [Box(MARGIN, MARGIN, inner, band.y - MARGIN, BRAND, 12), *band.shapes]
        body = _Column(MARGIN, band.y + 14, inner, shapes)
        body.text(poster.headline, 30 * scale, bold=True, most=3, after=8)
        body.text(poster.about, 15 * scale, colour=SOFT, most=4, after=8)
        for detail in poster.details:
            body.text(detail, 13 * scale, most=2, after=2)
        foot = _foot(poster, shapes)
        if _panels(poster.codes, body.y + 18, foot - 16, shapes, squeeze=scale == TEXT_SCALES[-1]):
            break
    return shapes


def _foot(poster: Poster, shapes: list[Shape]) -> float:
    """The office's address, hours and phone at the bottom of the page; returns where they begin."""
    lines = [line for text in poster.contact for line in wrap(text, 11, WIDTH - 2 * MARGIN)][:5]
    top = HEIGHT - MARGIN - len(lines) * 14 - 8
    shapes.append(Box(MARGIN, top, WIDTH - 2 * MARGIN, 1, "#c9d3d1"))
    shapes += [Line(MARGIN, top + 8 + 14 * (n + 1) - 3, line, 11, SOFT) for n, line in enumerate(lines)]
    return top


def _panels(codes: tuple[PosterCode, ...], top: float, bottom: float, shapes: list[Shape], *, squeeze: bool) -> bool:
    """The QR panels between `top` and `bottom`, each code 230 points at most; False (nothing drawn) when the
    codes would be smaller than `SMALLEST_CODE`, unless `squeeze`d."""
    inner = WIDTH - 2 * MARGIN
    gap = 20
    width = (inner - gap) / 2 if len(codes) > 1 else inner * 0.6
    left = MARGIN if len(codes) > 1 else MARGIN + (inner - width) / 2
    link_size = min(_fitting(code.url.removeprefix("https://"), width - 24) for code in codes)
    texts = [(wrap(code.how, 12, width - 24), wrap(code.url.removeprefix("https://"), link_size, width - 24))
             for code in codes]
    words = max(len(how) * 15 + len(url) * (link_size + 3) for how, url in texts)
    size = min(230.0, width - 24, bottom - top - 32 - 36 - words)
    if size < SMALLEST_CODE and not squeeze:
        return False
    size = max(size, SMALLEST_CODE * 0.8)
    height = 32 + size + 16 + words + 14
    top += max(0.0, (bottom - top - height) / 2)
    for n, (code, (how, url)) in enumerate(zip(codes, texts, strict=True)):
        x = left + n * (width + gap)
        centre = x + width / 2
        shapes.append(Box(x, top, width, height, PANEL, 12))
        shapes.append(Line(centre, top + 26, code.app, 18, APP_COLOURS.get(code.app, INK), True, True))
        shapes.append(Code(centre - size / 2, top + 36, size, code.url))
        y = top + 36 + size + 8
        for line in how:
            y += 15
            shapes.append(Line(centre, y - 3, line, 12, INK, False, True))
        y += 4
        for line in url:
            y += link_size + 3
            shapes.append(Line(centre, y - 3, line, link_size, APP_COLOURS.get(code.app, INK), False, True))
    return True


def _shortened(line: str, size: float, width: float, bold: bool) -> str:
    while len(line) > 1 and text_width(line, size, bold) > width:
        line = f"{line[:-2].rstrip()}…"
    return line


def _fitting(text: str, width: float) -> float:
    """The largest size from 11 points down to 8 at which `text` fits on one line (8 then wraps)."""
    return next((size for size in (11.0, 10.0, 9.0) if text_width(text, size, False) <= width), 8.0)


def pdf(poster: Poster) -> bytes:
    """One A4 page: what the office prints."""
    _register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(poster.title)
    canvas.setAuthor(poster.office)
    for shape in layout(poster):
        if isinstance(shape, Box):
            canvas.setFillColor(shape.colour)
            canvas.roundRect(shape.x, HEIGHT - shape.y - shape.height, shape.width, shape.height, shape.radius,
                             stroke=0, fill=1)
        elif isinstance(shape, Line):
            canvas.setFillColor(shape.colour)
            canvas.setFont(FONTS[shape.bold], shape.size)
            draw = canvas.drawCentredString if shape.centred else canvas.drawString
            draw(shape.x, HEIGHT - shape.y, shape.text)
        else:
            _pdf_code(canvas, shape)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _pdf_code(canvas: Canvas, code: Code) -> None:
    """White square, then each row's runs of dark modules as one rectangle: vector, sharp at any size."""
    symbol = code.symbol()
    count = symbol.symbol_size(border=QUIET_ZONE)[0]
    module = code.size / count
    bottom = HEIGHT - code.y - code.size
    canvas.setFillColor(WHITE)
    canvas.rect(code.x, bottom, code.size, code.size, stroke=0, fill=1)
    path = canvas.beginPath()
    for row, cells in enumerate(symbol.matrix_iter(scale=1, border=QUIET_ZONE)):
        start = None
        for column, dark in enumerate([*cells, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                path.rect(code.x + start * module, HEIGHT - code.y - (row + 1) * module, (column - start) * module,
                          module)
                start = None
    canvas.setFillColor("#000000")
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.linkURL(code.url, (code.x, bottom, code.x + code.size, bottom + code.size), relative=0)


def png(poster: Poster) -> bytes:
    """The same page at 150 dpi."""
    scale = PNG_DPI / 72
    image = Image.new("RGB", (round(WIDTH * scale), round(HEIGHT * scale)), WHITE)
    draw = ImageDraw.Draw(image)
    for shape in layout(poster):
        if isinstance(shape, Box):
            box = (shape.x * scale, shape.y * scale, (shape.x + shape.width) * scale,
                   (shape.y + shape.height) * scale)
            draw.rounded_rectangle(box, radius=shape.radius * scale, fill=shape.colour)
        elif isinstance(shape, Line):
            font = _pillow_font(shape.bold, round(shape.size * scale))
            draw.text((shape.x * scale, shape.y * scale), shape.text, font=font, fill=shape.colour,
                      anchor="ms" if shape.centred else "ls")
        else:
            _png_code(image, shape, scale)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")  # optimize=True: 5 % smaller, 2.5 times slower
    return buffer.getvalue()


@cache
def _pillow_font(bold: bool, pixels: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_file(bold)), pixels)


def _png_code(image: Image.Image, code: Code, scale: float) -> None:
    """The code at a whole number of pixels a module, centred in its square: every module equally sharp."""
    rows = list(code.symbol().matrix_iter(scale=1, border=QUIET_ZONE))
    count = len(rows)
    module = max(1, int(code.size * scale) // count)
    small = Image.new("L", (count, count), 255)
    small.putdata([0 if dark else 255 for row in rows for dark in row])
    sharp = small.resize((count * module, count * module), Image.Resampling.NEAREST)
    side = round(code.size * scale)
    square = Image.new("L", (side, side), 255)
    square.paste(sharp, ((side - sharp.width) // 2, (side - sharp.height) // 2))
    image.paste(square.convert("RGB"), (round(code.x * scale), round(code.y * scale)))
