"""Every sentence in the code has a translation in every language, with the same placeholders."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.engine.i18n import LOCALES_DIR, SUPPORTED_LOCALES, Catalogs, format_rupiah

ROOT = Path(__file__).resolve().parent.parent
with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
    METHOD_MAP, OPTIONS_MAP = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]  # as `make locales` reads it
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}  # as `make locales` extracts them


def source_messages() -> dict[str, tuple[str, ...]]:
    """Each message id in the code (the singular for plurals) with all its forms."""
    found: dict[str, tuple[str, ...]] = {}
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map=METHOD_MAP, options_map=OPTIONS_MAP, keywords=KEYWORDS
    ):
        forms = message if isinstance(message, tuple) else (message,)
        found[forms[0]] = forms
    return found


def placeholders(text: str) -> set[tuple[str, str]]:
    return {(name, spec or "") for _lit, name, spec, _conv in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def messages() -> dict[str, tuple[str, ...]]:
    found = source_messages()
    assert len(found) > 100, "extraction found suspiciously few messages"
    return found


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_message_is_translated_with_the_same_placeholders(
    locale: str, messages: dict[str, tuple[str, ...]]
) -> None:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    problems = []
    for msgid, forms in sorted(messages.items()):
        entry = catalog.get(msgid)
        translations = entry.string if entry is not None and isinstance(entry.string, tuple) else (
            (entry.string,) if entry is not None else ())
        expected = set().union(*(placeholders(form) for form in forms))
        if entry is None or not translations or not all(translations):
            problems.append(f"missing: {msgid!r}")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r}")
        elif any(placeholders(str(text)) != expected for text in translations):
            problems.append(f"placeholders differ: {msgid!r} -> {entry.string!r}")
    singular = {(m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalog if m.id}
    stale = {msgid for msgid in singular if msgid not in messages}
    problems += [f"no longer used (run `make locales`): {msgid!r}" for msgid in sorted(stale)]
    assert not problems, "\n".join(problems)


def test_translations_render_with_babel_dates_and_rupiah() -> None:
    from datetime import date

    from bot.engine.messages import _

    catalogs = Catalogs(SUPPORTED_LOCALES, "id")
    when = _("Date of birth: {value}").format(value=date(2026, 2, 2))
    assert catalogs.translator("id").render(when) == "Tanggal lahir: 2 Februari 2026"
    assert catalogs.translator("en").render(when) == "Date of birth: February 2, 2026"
    assert catalogs.translator("xx").render(when) == "Tanggal lahir: 2 Februari 2026"
    assert format_rupiah(3_500_000) == "Rp3.500.000"
    assert format_rupiah(0) == "Rp0"
