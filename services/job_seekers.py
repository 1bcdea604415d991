"""Job seekers as the office's people see them on the dashboard: a search, a profile with everything the office
holds about the person, an export, and an admin's look at a full NIK.

Reading is for viewers, staff and admins, with the NIK masked. The export carries personal data out of the
system, so it is staff's and audited; a full NIK is shown only to an admin who states why, and that is audited
too (UU 27/2022: who saw which person's data, and for what).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.crypto import NikCipher
from models.eligibility import age_on
from models.evaluations import EvaluationRecord
from models.follow_ups import opted_out_at
from models.job_seeker_search import (
    AnsweredCheckIn,
    JobSeekerFilters,
    answered_check_ins_with_surveys,
    evaluation_records_of,
    profile_of,
    search_job_seekers,
)
from models.nik import mask
from models.opt_ins import OptIn, opt_in_history
from models.paging import Page
from models.personal_data import ApplicationRecord, application_records
from models.profiles import JobSeekerProfile
from models.regions import Office
from models.surveys import SurveyVersion
from services.permissions import Actor, require_admin, require_staff, require_viewer

SUBJECT = "job_seeker"
REVEAL = "job_seekers.reveal_nik"
EXPORT = "job_seekers.export"
REASON_SHORTEST = 10
REASON_LONGEST = 300
"""A reason to see a full NIK, in characters: long enough to say something ("verifikasi AK/1 di loket"),
short enough for the audit trail."""
EXPORT_LIMIT = 10_000
"""The most job seekers one export file holds; a larger search is narrowed first."""
EXPORT_HEADER = ("no", "nama", "jenis_kelamin", "usia", "pendidikan", "kecamatan", "hp", "minat", "kegiatan",
                 "terdaftar")
"""Like the applicant export, without the NIK (a file that travels carries no more than the office needs)."""


def search_terms(typed: str) -> tuple[str | None, str | None]:
    """What a search box's text looks for: the start of a phone number when it is digits (at least four, with
    spaces, dashes or a '+' allowed: 0812 5100, 812-5100 and +62 812 5100 all look for 628125100...), else a part
    of a name. Returns (name, phone digits)."""
    text = " ".join(typed.split())
    digits = "".join(c for c in text if c.isascii() and c.isdigit())
    if not text:
        return None, None
    if len(digits) < 4 or any(not (c.isdigit() or c in " +-") for c in text):
        return text, None
    if digits.startswith("0"):
        return None, "62" + digits[1:]
    return None, "62" + digits if digits.startswith("8") else digits


async def find_job_seekers(session: AsyncSession, actor: Actor, filters: JobSeekerFilters, *,
                           page: int) -> Page[JobSeekerProfile]:
    """One page of the matching job seekers' profiles, in name order."""
    require_viewer(actor)
    return await search_job_seekers(session, filters, page=page)


@dataclass(frozen=True, slots=True)
class JobSeekerFile:
    """Everything the office holds about one job seeker, as the dashboard shows it (the NIK masked)."""

    profile: JobSeekerProfile
    nik_masked: str
    applications: Sequence[ApplicationRecord]
    check_ins: Sequence[AnsweredCheckIn]
    evaluations: Sequence[tuple[EvaluationRecord, SurveyVersion]]
    opted_out_at: datetime | None
    opt_ins: Sequence[OptIn] = ()
    """When and how they agreed to messages the bot starts, oldest first (`models.opt_ins`)."""


async def job_seeker_file(session: AsyncSession, actor: Actor, user_id: int,
                          cipher: NikCipher) -> JobSeekerFile | None:
    """The job seeker's profile, applications with their history, check-in answers and evaluation records;
    None when nobody with a profile has that id."""
    require_viewer(actor)
    profile = await profile_of(session, user_id)
    if profile is None:
        return None
    return JobSeekerFile(profile, mask(cipher.decrypt(profile.nik_encrypted)),
                         await application_records(session, user_id),
                         await answered_check_ins_with_surveys(session, user_id),
                         await evaluation_records_of(session, user_id), await opted_out_at(session, user_id),
                         await opt_in_history(session, user_id))


class ReasonRefused(ValueError):
    """The reason given to see a full NIK is missing, too short or too long."""


def check_reason(reason: str) -> str:
    """The reason as kept (spaces folded); raises `ReasonRefused` outside `REASON_SHORTEST`-`REASON_LONGEST`."""
    kept = " ".join(reason.split())
    if not REASON_SHORTEST <= len(kept) <= REASON_LONGEST:
        raise ReasonRefused(kept)
    return kept


async def reveal_nik(session: AsyncSession, actor: Actor, user_id: int, reason: str, *, cipher: NikCipher,
                     now: datetime) -> str | None:
    """The full NIK of the job seeker, for an admin with a reason (`check_reason`), written to the audit trail
    with it; None when nobody with a profile has that id."""
    require_admin(actor)
    kept = check_reason(reason)
    profile = await profile_of(session, user_id)
    if profile is None:
        return None
    audit(session, at=now, actor_id=actor.user_id, action=REVEAL, subject_kind=SUBJECT, subject_id=user_id,
          detail={"origin": actor.origin, "reason": kept})
    return cipher.decrypt(profile.nik_encrypted)


class TooManyToExport(Exception):
    def __init__(self, total: int) -> None:
        super().__init__(f"{total} job seekers match; at most {EXPORT_LIMIT} go in one file")
        self.total = total


async def job_seeker_table(session: AsyncSession, actor: Actor, filters: JobSeekerFilters, *, office: Office,
                           now: datetime) -> tuple[Sequence[str], list[list[object]]]:
    """The header and one row per matching job seeker, for `documents.spreadsheets`; audited with the filters.
    Raises `TooManyToExport` over `EXPORT_LIMIT`."""
    require_staff(actor)
    found = await search_job_seekers(session, filters, page=0, size=EXPORT_LIMIT)
    if found.total > EXPORT_LIMIT:
        raise TooManyToExport(found.total)
    today = office.date_at(now)
    rows: list[list[object]] = []
    for number, profile in enumerate(found.items, start=1):
        kecamatan = office.kecamatan_by_code(profile.kecamatan)
        rows.append([number, profile.shown_name, profile.gender, age_on(profile.birth_date, today),
                     profile.education, kecamatan.name if kecamatan else profile.kecamatan, profile.phone_e164,
                     ", ".join([*profile.interests, *profile.other_interests]), profile.current_status,
                     profile.registered_at.date()])
    audit(session, at=now, actor_id=actor.user_id, action=EXPORT, subject_kind=SUBJECT, subject_id=0,
          detail={"origin": actor.origin, "rows": len(rows),
                  "filters": {name: getattr(filters, name) for name in filters.__slots__ if getattr(filters, name)}})
    return EXPORT_HEADER, rows
