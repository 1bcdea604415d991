"""A WebP poster rewritten as JPEG (or PNG, when it is transparent): WhatsApp shows only JPEG and PNG as
pictures (it takes WebP as stickers alone), so every channel gets one kind it shows.

Pillow reads the picture's header first: one of more than `MAX_PIXELS` pixels (a "decompression bomb", a few
kilobytes that unpack to gigabytes) is refused before it is decoded.
"""

from __future__ import annotations

import io
import struct
import warnings

from PIL import Image, UnidentifiedImageError

MAX_PIXELS = 40_000_000
"""Far beyond any poster (an A2 sheet at 300 dpi is 35 megapixels)."""
JPEG_QUALITY = 88


def webp_as_jpeg_or_png(content: bytes) -> tuple[bytes, str] | None:
    """The picture's bytes and media type as JPEG (PNG with transparency); None when it cannot be read."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=["WEBP"]) as picture:
                width, height = picture.size
                if width * height > MAX_PIXELS:
                    return None
                picture.load()
                out = io.BytesIO()
                if picture.mode in ("RGBA", "LA") or "transparency" in picture.info:
                    picture.save(out, format="PNG", optimize=True)
                    return out.getvalue(), "image/png"
                picture.convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY)
                return out.getvalue(), "image/jpeg"
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning, EOFError, SyntaxError, struct.error, IndexError, TypeError):
        return None  # what Pillow raises on a damaged or made-up file: it is not a picture we can show
