"""Translation and formatting in the reader's language, from the gettext catalogs under `locales/`.

Catalogs are read from the `.po` files at start-up (compiled in memory with Babel), so there is no build
step and no stale `.mo` file. The `.po` files are package data of `locales` (a package with no code), read
through `importlib.resources`: an installed wheel finds them wherever it is installed, with no source checkout.
Dates render as "2 Februari 2026" and money as "Rp3.500.000".
"""

from __future__ import annotations

import io
from datetime import date, datetime, time
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

from babel.dates import format_date, format_skeleton, get_day_names, get_month_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import Translations

from bot.engine.messages import ClockTime, Items, MonthName, Msg, Rupiah, Weekday

LOCALES_DIR = Path(str(files("locales")))
"""Where the catalogs are: the `locales` package, a plain directory in a checkout and in an installed wheel."""
DOMAIN = "messages"
SUPPORTED_LOCALES = ("id", "en")
"""The languages the catalogs speak, the default first."""


def format_rupiah(amount: int | Decimal) -> str:
    """Rupiah as written in Indonesia whatever the reader's language: "Rp3.500.000", no decimals."""
    return format_currency(amount, "IDR", format="¤#,##0", locale="id", currency_digits=False).replace(
        "\xa0", ""
    )


class Translator:
    """Renders `Msg` values for one locale."""

    def __init__(self, locale: str, translations: Translations) -> None:
        self.locale = locale
        self._translations = translations

    def __call__(self, message: Msg | str) -> str:
        return self.render(message)

    def render(self, message: Msg | str) -> str:
        if isinstance(message, str):
            return message
        if message.plural is not None and message.count is not None:
            pattern = self._translations.ngettext(message.msgid, message.plural, message.count)
        else:
            pattern = self._translations.gettext(message.msgid)
        if not message.values:
            return pattern
        return pattern.format(**{name: self.value(v) for name, v in message.values.items()})

    def value(self, value: object) -> object:
        """Values are localized before they are put into a sentence; numbers keep their format specs."""
        if isinstance(value, Msg):
            return self.render(value)
        if isinstance(value, Items):
            return ", ".join(str(self.value(v)) for v in value)
        if isinstance(value, datetime):
            return format_date(value.date(), format="long", locale=self.locale)
        if isinstance(value, date):
            return format_date(value, format="long", locale=self.locale)
        if isinstance(value, Rupiah):
            return format_rupiah(value.amount)
        if isinstance(value, MonthName):
            return get_month_names("wide", locale=self.locale)[value.number]
        if isinstance(value, Weekday):
            return get_day_names("wide", locale=self.locale)[value.number]
        if isinstance(value, ClockTime):
            return format_skeleton("Hm", time(value.hour, value.minute), locale=self.locale)
        return value


class Catalogs:
    """Every locale's translations, loaded once at start-up."""

    def __init__(self, locales: tuple[str, ...], default: str, directory: Path = LOCALES_DIR) -> None:
        if default not in locales:
            raise ValueError(f"default locale {default!r} is not one of {locales}")
        self.locales = locales
        self.default = default
        self._translators = {code: Translator(code, _load(directory, code)) for code in locales}

    def translator(self, locale: str | None) -> Translator:
        return self._translators.get(locale or self.default) or self._translators[self.default]


def _load(directory: Path, locale: str) -> Translations:
    po_path = directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=DOMAIN)
