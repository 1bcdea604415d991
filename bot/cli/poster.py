"""`python -m bot poster`: the office's poster (or one opening's) as poster.pdf and poster.png in a folder."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.cli.office import OFFICE, office_runtime
from bot.engine.notify import acting
from bot.settings import Settings
from documents.poster import NoChatLinks
from documents.poster_drawing import pdf, png
from models.applications import OpeningRef
from services.office_poster import NoSuchOpening, poster_of


async def write_poster(settings: Settings, code: str | None, locale: str | None, folder: Path) -> int:
    ref = OpeningRef.from_code(code) if code is not None else None
    if code is not None and ref is None:
        print(f"{code[:20]!r} is not an opening's code such as t12 (training 12) or a3 (apprenticeship 3)",
              file=sys.stderr)
        return 2
    if not folder.is_dir():
        print(f"{folder}: no such folder", file=sys.stderr)
        return 2
    for app, setting, value in (("WhatsApp", "WHATSAPP_PUBLIC_NUMBER", settings.whatsapp_public_number),
                                ("Telegram", "TELEGRAM_BOT_USERNAME", settings.telegram_bot_username)):
        if value is None:
            print(f"{setting} is not set: the poster has no {app} QR code", file=sys.stderr)
    async with office_runtime(settings) as runtime:
        services = runtime.services
        try:
            async with acting(runtime) as (session, _notices):
                words = await poster_of(session, OFFICE, services.office, services.chat_links,
                                        runtime.catalogs.translator(locale or settings.default_locale), opening=ref)
        except NoChatLinks as error:
            print(f"No poster: {error}", file=sys.stderr)
            return 2
        except NoSuchOpening:
            print(f"There is no opening {ref.code if ref else code}", file=sys.stderr)
            return 1
    written = [folder / "poster.pdf", folder / "poster.png"]
    for path, draw in zip(written, (pdf, png), strict=True):
        path.write_bytes(draw(words))
    print(*written, sep="\n")
    return 0
