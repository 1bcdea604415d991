"""Pages rendered in the reader's language from the same gettext catalogs as the chat.

Templates call `_("Applicants of {title}", title=...)`: the values are put into the translated sentence and
localized as in the chat (dates as "2 Februari 2026", Rupiah as "Rp3.500.000"), then escaped like everything
else a template prints, so text with HTML in it is shown as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal, format_percent
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.engine.i18n import Catalogs, Translator
from bot.engine.messages import Msg

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"


def environment() -> Environment:
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                       extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)


class Pages:
    """Renders templates for one request's language."""

    def __init__(self, catalogs: Catalogs, env: Environment | None = None) -> None:
        self.catalogs = catalogs
        self.env = env or environment()

    def render(self, request: Request, name: str, context: Mapping[str, Any], *, locale: str,
               status_code: int = 200) -> HTMLResponse:
        translator = self.catalogs.translator(locale)
        helpers = language_helpers(translator)
        html = self.env.get_template(name).render({**helpers, "request": request, "locale": locale, **context})
        return HTMLResponse(html, status_code=status_code)


def language_helpers(translator: Translator) -> dict[str, Any]:
    """What templates use to speak the reader's language."""
    locale = translator.locale

    def gettext(msgid: str, **values: Any) -> str:
        return translator.render(Msg(msgid, values))

    def ngettext(singular: str, plural: str, count: int, **values: Any) -> str:
        return translator.render(Msg(singular, {"count": count, **values}, plural, count))

    def number(value: float) -> str:
        return format_decimal(value, locale=locale)

    def percent(value: float | None) -> str:
        return "-" if value is None else format_percent(value, format="#,##0.0%", locale=locale)

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext, "number": number, "percent": percent,
            "localized": translator.value}
