"""The applicants of one opening as a table staff open in Excel: who, how to reach them, where they stand.

The NIK is left out on purpose (UU 27/2022: a file that travels by e-mail or flash drive should carry no
more personal data than selection needs).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from models.applicant_table import all_applicants
from models.applications import OpeningRef
from models.eligibility import age_on
from models.regions import Office

HEADER = ("no", "nama", "jenis_kelamin", "usia", "pendidikan", "kecamatan", "hp", "status", "tanggal_daftar",
          "terakhir_diubah")


async def applicant_rows(session: AsyncSession, opening: OpeningRef, office: Office) -> list[list[object]]:
    """One row per applicant, first come first, read in one query (an opening may have thousands)."""
    rows: list[list[object]] = []
    for number, row in enumerate(await all_applicants(session, opening), start=1):
        application, profile = row.application, row.profile
        kecamatan = office.kecamatan_by_code(profile.kecamatan)
        rows.append([
            number, profile.shown_name, profile.gender, age_on(profile.birth_date, application.submitted_at.date()),
            profile.education, kecamatan.name if kecamatan else profile.kecamatan, profile.phone_e164,
            application.status, application.submitted_at.date(), application.updated_at.date(),
        ])
    return rows
