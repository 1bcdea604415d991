"""The job seeker's profile, field by field: the one table that registration, the summary, the edit menu,
the profile view and the data export all read.

A new profile question is one entry here (plus its column in `models/profiles.py` and, if it is new, its step
in `questions.py`); the order of the table is the order registration asks in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.engine.messages import Items, Msg, Option, _
from documents import labels
from handlers.context import Context
from handlers.flow import Step
from handlers.registration.questions import (
    accept_birth_date,
    accept_gender,
    accept_interests,
    accept_name,
    accept_nik,
    accept_phone,
    ask_birth_date,
    ask_gender,
    ask_interests,
    ask_name,
    ask_nik,
    ask_phone,
    single_choice,
)
from models.answers import name_case
from models.nik import mask

Shown = Msg | str | date | Items
"""A value as a line of the summary or the profile shows it (dates and lists are rendered in the reader's locale)."""
Answers = Mapping[str, Any]
"""The answers as a registration draft keeps them (see `models.profiles.answers_of` for a saved profile)."""


@dataclass(frozen=True, slots=True)
class ProfileField:
    """One field of the profile: the step that asks it, its name in the edit menu, its line in the summary and
    the profile (with `{value}`), and how its answer is shown there."""

    step: Step
    label: Msg
    line: Msg
    shown: Callable[[Context, Answers], Shown]
    masked_in_profile: bool = False
    """Shown in part in the profile view (in full only in the summary and the export, for the person to check)."""

    @property
    def key(self) -> str:
        return self.step.name


def _text(key: str) -> Callable[[Context, Answers], Shown]:
    return lambda _ctx, answers: str(answers.get(key, ""))


def _name(_ctx: Context, answers: Answers) -> Shown:
    return name_case(str(answers.get("full_name", "")))


def _coded(key: str, words: Mapping[str, Msg]) -> Callable[[Context, Answers], Shown]:
    """A stored code in words; a code the words do not know is shown as it is."""

    def shown(_ctx: Context, answers: Answers) -> Shown:
        code = answers.get(key, "")
        return words.get(code, code)

    return shown


def _nik(ctx: Context, answers: Answers) -> Shown:
    token = answers.get("nik_encrypted")
    return ctx.services.cipher.decrypt(token) if token else ""


def _birth_date(_ctx: Context, answers: Answers) -> Shown:
    value = answers.get("birth_date")
    return date.fromisoformat(value) if value else ""


def _kecamatan(ctx: Context, answers: Answers) -> Shown:
    code = answers.get("kecamatan", "")
    kecamatan = ctx.services.office.kecamatan_by_code(code)
    return kecamatan.name if kecamatan else code


def _interests(_ctx: Context, answers: Answers) -> Shown:
    chosen = [labels.INTEREST[c] for c in answers.get("interests", []) if c in labels.INTEREST]
    return Items((*chosen, *answers.get("other_interests", [])))


def _kecamatan_options(ctx: Context) -> tuple[Option, ...]:
    return tuple(Option(k.code, k.name) for k in ctx.services.office.kecamatan)


PROFILE_FIELDS: tuple[ProfileField, ...] = (
    ProfileField(Step("full_name", ask_name, accept_name),
                 _("Full name"), _("Full name: {value}"), _name),
    ProfileField(Step("nik", ask_nik, accept_nik, also_ask=("birth_date", "gender")),
                 _("NIK"), _("NIK: {value}"), _nik, masked_in_profile=True),
    ProfileField(Step("birth_date", ask_birth_date, accept_birth_date),
                 _("Date of birth"), _("Date of birth: {value}"), _birth_date),
    ProfileField(Step("gender", ask_gender, accept_gender),
                 _("Gender"), _("Gender: {value}"), _coded("gender", labels.GENDER)),
    ProfileField(Step("phone", ask_phone, accept_phone),
                 _("Phone"), _("Phone: {value}"), _text("phone")),
    ProfileField(single_choice("kecamatan", _("In which kecamatan (district) do you live?"), _kecamatan_options,
                               "kecamatan"),
                 _("Kecamatan"), _("Kecamatan: {value}"), _kecamatan),
    ProfileField(single_choice("education", _("What is the highest education you have completed?"),
                               lambda _ctx: labels.options_for(labels.EDUCATION), "education"),
                 _("Education"), _("Education: {value}"), _coded("education", labels.EDUCATION)),
    ProfileField(Step("interests", ask_interests, accept_interests),
                 _("Skills and interests"), _("Skills and interests: {value}"), _interests),
    ProfileField(single_choice("disability", _("Do you have a disability? This is optional: it helps the office "
                                               "offer suitable training and support."),
                               lambda _ctx: labels.options_for(labels.DISABILITY), "disability"),
                 _("Disability"), _("Disability: {value}"), _coded("disability", labels.DISABILITY)),
    ProfileField(single_choice("current_status", _("What are you doing now?"),
                               lambda _ctx: labels.options_for(labels.CURRENT_STATUS), "current_status"),
                 _("Current activity"), _("Current activity: {value}"),
                 _coded("current_status", labels.CURRENT_STATUS)),
)


def field_named(key: str) -> ProfileField | None:
    return next((field for field in PROFILE_FIELDS if field.key == key), None)


def masked(value: Shown) -> Shown:
    """The first and last four characters, the rest hidden (a NIK in the profile view)."""
    return mask(str(value))


def profile_lines(ctx: Context, answers: Answers, *, in_full: bool = True) -> list[Msg | str]:
    """One line per field, `Label: value`; `in_full=False` masks what the profile view shows only in part."""
    lines: list[Msg | str] = []
    for field in PROFILE_FIELDS:
        value = field.shown(ctx, answers)
        if field.masked_in_profile and not in_full:
            value = masked(value)
        lines.append(field.line.format(value=value))
    return lines
