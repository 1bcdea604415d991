"""The profile's fields are listed once: the table in handlers/registration/fields.py and the answer-to-column
mapping in models/profiles.py. These tests keep the two in step with the table and the registration flow."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, date, datetime

from handlers.registration.fields import PROFILE_FIELDS, field_named, masked
from handlers.registration.registration import FLOW
from models.profiles import (
    PROFILE_ANSWERS,
    JobSeekerProfile,
    ProfileFields,
    answers_of,
    fields_from_answers,
)

REGISTRATION_ORDER = ["full_name", "nik", "birth_date", "gender", "phone", "kecamatan", "education", "interests",
                      "disability", "current_status"]


def test_registration_asks_the_fields_in_the_order_of_the_table() -> None:
    assert [field.key for field in PROFILE_FIELDS] == REGISTRATION_ORDER
    assert [step.name for step in FLOW.steps] == ["language", "consent", *REGISTRATION_ORDER, "summary",
                                                  "choose_field"]
    assert field_named("phone") is PROFILE_FIELDS[4] and field_named("summary") is None


def test_every_stored_answer_is_a_column_of_the_profile_and_a_field_of_what_registration_collects() -> None:
    columns = set(JobSeekerProfile.__table__.columns.keys())
    stored = {answer.column for answer in PROFILE_ANSWERS}
    assert stored <= columns
    assert {f.name for f in fields(ProfileFields)} == stored - {"nik_encrypted"} | {"nik"}


def test_a_saved_profile_reads_back_as_the_answers_that_made_it() -> None:
    profile = JobSeekerProfile(
        full_name="Siti Rahmawati", nik_encrypted="token", birth_date=date(1999, 8, 5), gender="female",
        phone_e164="+6281251000001", kecamatan="tanjung", education="smk", interests=["sewing"],
        other_interests=["Menjahit payet"], disability="none", current_status="looking",
        consented_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
    )
    answers = answers_of(profile)
    assert answers["phone"] == "+6281251000001" and answers["birth_date"] == "1999-08-05"
    assert fields_from_answers(answers, "6309014508990001") == ProfileFields(
        full_name="Siti Rahmawati", nik="6309014508990001", birth_date=date(1999, 8, 5), gender="female",
        phone_e164="+6281251000001", kecamatan="tanjung", education="smk", interests=["sewing"],
        other_interests=["Menjahit payet"], disability="none", current_status="looking",
        consented_at=datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
    )


def test_skills_may_come_only_from_the_list_or_only_typed() -> None:
    answers = {"full_name": "Budi", "birth_date": "2000-01-01", "gender": "male", "phone": "+6281251000002",
               "kecamatan": "tanjung", "education": "sma", "other_interests": ["Sablon"], "disability": "none",
               "current_status": "looking", "consented_at": "2026-11-30T09:00:00+00:00"}
    collected = fields_from_answers(answers, "6309010101000001")
    assert collected.interests == [] and collected.other_interests == ["Sablon"]


def test_the_profile_view_shows_a_nik_by_its_first_and_last_four_digits() -> None:
    assert masked("6309014508990001") == "6309********0001"
