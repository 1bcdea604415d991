"""The Indonesian texts read as an office writes them, not as a translation: the phrasings issue 13 found are gone,
the bot speaks as "kami", trainings are not "lowongan", and each BPS work status in the tracer has an example.
locales/GLOSSARY.md lists the words these tests keep to."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po

from bot.engine.i18n import LOCALES_DIR
from handlers.openings.wording import WORDS, ApplyingWords
from models.applications import OpeningKind
from models.surveys import SURVEY_DIR

BPS_STATUSES = ("own_account", "with_temporary_workers", "with_permanent_workers", "employee", "casual_agriculture",
                "casual_non_agriculture", "family_worker")


def indonesian() -> dict[str, str]:
    """Each message id (the singular for plurals) with its Indonesian text (every form, one per line)."""
    with (Path(LOCALES_DIR) / "id" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="id")
    found: dict[str, str] = {}
    for message in catalog:
        if not message.id:
            continue
        key = str(message.id[0] if isinstance(message.id, tuple | list) else message.id)
        text = message.string
        found[key] = "\n".join(text) if isinstance(text, tuple | list) else str(text or "")
    return found


@pytest.mark.parametrize("phrase", [
    "Anda tarik", "tidak mengenal", "sedang mati", "menyala", "Nyalakan", "Audiens", "lembar kerja", "README",
])
def test_no_indonesian_text_uses_a_phrase_that_reads_as_translated(phrase: str) -> None:
    assert [k for k, text in indonesian().items() if phrase.lower() in text.lower()] == []


def test_the_bot_speaks_for_the_office_as_kami_and_saya_is_only_the_users_own_button() -> None:
    speaking_as_saya = []
    for key, text in indonesian().items():
        unquoted = re.sub(r"'[^']*'", "", text)  # a quoted menu entry such as 'Pendaftaran saya' is the user's
        if re.search(r"[.?!:]", unquoted) and re.search(r"\bsaya\b", unquoted, re.IGNORECASE):
            speaking_as_saya.append(key)
    assert speaking_as_saya == []


def test_only_an_apprenticeship_is_applied_for_with_a_lamaran() -> None:
    """One registers (`pendaftaran`) for a training and applies (`lamaran`) for an apprenticeship: a message
    that may be about either kind says neither `lamaran` nor `pelamar`."""
    for_apprenticeships = msgids(WORDS[OpeningKind.APPRENTICESHIP])
    lamaran = {k for k, text in indonesian().items() if "lamar" in text.lower()}
    assert lamaran, "apprenticeships are applied for"
    assert lamaran <= for_apprenticeships
    assert all("lamar" not in indonesian()[msgid].lower() for msgid in msgids(WORDS[OpeningKind.TRAINING]))


def msgids(words: ApplyingWords) -> set[str]:
    return {getattr(words, field.name).msgid for field in fields(words)}


def test_a_message_about_any_opening_does_not_call_a_training_lowongan() -> None:
    general = {k: text for k, text in indonesian().items()
               if re.search(r"opening", k, re.IGNORECASE) and "pprentice" not in k}
    assert general, "no message speaks of openings"
    assert [k for k, text in general.items() if "lowongan" in text.lower()] == []


def test_unaccepted_answers_ask_with_mohon_and_never_start_with_silakan() -> None:
    corrections = {k: text for k, text in indonesian().items()
                   if re.match(r"Please (choose|answer|tick|send|write|type)", k) and "Please check your data" not in k}
    assert corrections
    assert [k for k, text in corrections.items() if text.startswith("Silakan")] == []


def test_each_bps_work_status_in_the_tracer_has_a_plain_example_in_indonesian() -> None:
    survey = yaml.safe_load((SURVEY_DIR / "tracer.yaml").read_text(encoding="utf-8"))
    status = next(q for q in survey["questions"] if q["id"] == "main_status")
    labels = {o["id"]: o["text"]["id"] for o in status["options"]}
    example_lines = status["text"]["id"].splitlines()
    for option in BPS_STATUSES:
        assert any(re.fullmatch(rf"- {re.escape(labels[option])}: \S.{{10,}}", line) for line in example_lines), option
    assert example_lines[-1] == "Apa kegiatan utama Anda saat ini?", "the question comes last, next to the options"
