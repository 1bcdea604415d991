"""The demo catalog of a fresh installation: trainings and apprenticeships as a Tabalong office runs them.

Providers and companies are fictional. Dates are set from the day the seed runs, so the openings are open
whenever someone first tries the bot. They count as announced already: the demo job seekers get no alerts
for the catalog they start with.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from models.catalog import (
    ApprenticeshipOpening,
    OpeningStatus,
    ProviderKind,
    TrainingCategory,
    TrainingProgram,
    add_provider,
)
from models.profiles import Education, Interest

TRAININGS = (
    # title, category, at the BLK (else the LPK), location, deadline in days, length in days, quota,
    # ages, minimum education, interests, equipment aid, funding
    ("Menjahit Pakaian Wanita", TrainingCategory.NON_COMPETENCY, True, "UPT BLK Tabalong, Mabuun", 14, 20, 16,
     (None, None), None, [Interest.SEWING], True, "APBD Kabupaten Tabalong"),
    ("Pengelasan SMAW 3G", TrainingCategory.COMPETENCY, True, "UPT BLK Tabalong, Mabuun", 10, 30, 16,
     (18, 35), Education.SMP, [Interest.WELDING], False, "APBN (Kementerian Ketenagakerjaan)"),
    ("Teknisi Sepeda Motor Injeksi", TrainingCategory.COMPETENCY, True, "UPT BLK Tabalong, Mabuun", 21, 25, 16,
     (18, 40), Education.SMP, [Interest.AUTOMOTIVE], False, "APBN (Kementerian Ketenagakerjaan)"),
    ("Tata Boga: Kue dan Roti untuk Usaha", TrainingCategory.COMMUNITY, False, "Balai Desa Kelua", 12, 10, 20,
     (None, None), None, [Interest.COOKING, Interest.ENTREPRENEURSHIP], True, "APBD Kabupaten Tabalong"),
    ("Operator Komputer Perkantoran", TrainingCategory.COMPETENCY, False, "LPK Karya Mandiri, Tanjung", 18, 30, 20,
     (17, 35), Education.SMA, [Interest.COMPUTING], False, "APBD Provinsi Kalimantan Selatan"),
    ("Budidaya Ikan Air Tawar", TrainingCategory.COMMUNITY, True, "Kecamatan Banua Lawas", 25, 12, 25,
     (None, None), None, [Interest.AGRICULTURE, Interest.ENTREPRENEURSHIP], True, "Aspirasi DPRD Tabalong"),
    ("Tata Rias Pengantin", TrainingCategory.NON_COMPETENCY, False, "LPK Karya Mandiri, Tanjung", 30, 15, 16,
     (None, None), None, [Interest.BEAUTY], True, "APBD Kabupaten Tabalong"),
)

KECAMATAN_OF_PLACE = {
    "UPT BLK Tabalong, Mabuun": "murung-pudak",
    "Balai Desa Kelua": "kelua",
    "LPK Karya Mandiri, Tanjung": "tanjung",
    "Kecamatan Banua Lawas": "banua-lawas",
}
"""A training's kecamatan is where it takes place (what "only in my kecamatan" filters on), not its provider's."""

APPRENTICESHIPS = (
    # position, company, kecamatan, months, allowance, BPJS, quota, ages, minimum education, interests, selection
    ("Mekanik Alat Berat", "PT Tabalong Alat Berat Sejahtera", "murung-pudak", 6, 3_500_000, True, 10, (18, 30),
     Education.SMK, [Interest.HEAVY_EQUIPMENT, Interest.AUTOMOTIVE], "Tes tertulis, praktik bengkel, wawancara"),
    ("Staf Administrasi Kebun", "PT Agro Sawit Tabalong", "haruai", 3, 2_000_000, True, 5, (18, 35),
     Education.SMA, [Interest.COMPUTING, Interest.AGRICULTURE], "Seleksi berkas dan wawancara"),
    ("Juru Masak", "Hotel Tanjung Permai", "tanjung", 3, 1_500_000, False, 4, (18, 35), None,
     [Interest.COOKING, Interest.HOSPITALITY], "Wawancara dan uji masak"),
)


async def seed_demo_catalog(session: AsyncSession, now: datetime, today: date) -> None:
    blk = await add_provider(session, name="UPT BLK Tabalong", kind=ProviderKind.BLK, kecamatan="murung-pudak",
                             address="Jl. Tanjung Raya, Mabuun", contact="0526 2021 000")
    lpk = await add_provider(session, name="LPK Karya Mandiri", kind=ProviderKind.LPK, kecamatan="tanjung",
                             address="Jl. Pangeran Antasari, Tanjung", contact="0812 5100 9000")
    for (title, category, at_blk, location, deadline_in, length, quota, (low, high), education, interests, aid,
         funding) in TRAININGS:
        start = today + timedelta(days=deadline_in + 7)
        session.add(TrainingProgram(
            title=title, category=category, provider_id=(blk if at_blk else lpk).id, location=location,
            kecamatan=KECAMATAN_OF_PLACE[location], start_date=start, end_date=start + timedelta(days=length),
            registration_deadline=today + timedelta(days=deadline_in), quota=quota, min_age=low, max_age=high,
            min_education=education, interests=list(interests), equipment_aid=aid, funding_source=funding,
            status=OpeningStatus.OPEN, created_at=now, published_at=now, alerted_at=now,
        ))
    for (position, company_name, kecamatan, months, allowance, bpjs, quota, (low, high), education, interests,
         selection) in APPRENTICESHIPS:
        company = await add_provider(session, name=company_name, kind=ProviderKind.COMPANY, kecamatan=kecamatan)
        session.add(ApprenticeshipOpening(
            company_id=company.id, position=position, kecamatan=kecamatan, duration_months=months,
            monthly_allowance=allowance, social_security=bpjs, quota=quota, min_age=low, max_age=high,
            min_education=education, interests=list(interests), application_deadline=today + timedelta(days=20),
            selection_description=selection, status=OpeningStatus.OPEN, created_at=now, published_at=now,
            alerted_at=now,
        ))
    await session.flush()
