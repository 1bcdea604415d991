"""Importing openings from a staff spreadsheet: CSV or XLSX, every bad row reported, all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import func, select

from bot.engine.runtime import Runtime
from documents.spreadsheets import read_table
from models.catalog import ApprenticeshipOpening, TrainingProgram
from models.regions import DEFAULT_REGION_FILE, load_office
from services.opening_import import check_rows, save_openings
from tests.conftest import TEST_KEY, Clock
from tests.test_settings_and_cli import run_bot

OFFICE = load_office(DEFAULT_REGION_FILE)
HEADER = ("kind;title;category;provider;kecamatan;start_date;end_date;deadline;quota;min_age;max_age;min_education;"
          "interests;equipment_aid;position;duration_months;monthly_allowance;social_security;selection")
GOOD = "\n".join([
    HEADER,
    "pelatihan;Las Listrik Dasar;kompetensi;UPT BLK Tabalong;Murung Pudak;2027-02-01;2027-02-28;2027-01-20;16;18;35;"
    "SMP;welding;tidak;;;;;",
    "pelatihan;Menjahit Busana Muslim;nonkompetensi;UPT BLK Tabalong;tanjung;01-03-2027;20-03-2027;20-02-2027;20;;;;"
    "sewing,entrepreneurship;ya;;;;;",
    "",
    "pemagangan;;;PT Contoh Tambang;Haruai;;;2027-01-31;5;18;30;SMK;heavy_equipment;;Operator Dump Truck;6;"
    "Rp3.500.000;ya;Tes praktik",
])


def write(tmp_path: Path, text: str, name: str = "lowongan.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def count(runtime: Runtime, entity: type) -> int:
    async with runtime.session_factory() as session:
        return int(await session.scalar(select(func.count()).select_from(entity)) or 0)


async def test_a_good_sheet_is_imported_whole(runtime: Runtime, clock: Clock, tmp_path: Path) -> None:
    openings, problems = check_rows(read_table(write(tmp_path, GOOD)), OFFICE)
    assert problems == []
    async with runtime.session_factory() as session, session.begin():
        assert len(await save_openings(session, openings, clock())) == 3
    assert (await count(runtime, TrainingProgram), await count(runtime, ApprenticeshipOpening)) == (2, 1)
    async with runtime.session_factory() as session:
        truck = await session.scalar(select(ApprenticeshipOpening))
        sewing = await session.scalar(select(TrainingProgram).where(TrainingProgram.title.like("Menjahit%")))
    assert truck is not None and (truck.monthly_allowance, truck.social_security, truck.kecamatan) == (
        3_500_000, True, "haruai")
    assert sewing is not None and sewing.start_date == date(2027, 3, 1) and sewing.interests == [
        "sewing", "entrepreneurship"]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_kept(tmp_path: Path) -> None:
    bad = "\n".join([
        HEADER,
        "pelatihan;Las;kompetensi;BLK;Murung Pudak;2027-02-01;2027-02-28;31-02-2027;16;;;;;;;;;;",
        "kursus;Las;kompetensi;BLK;;2027-02-01;2027-02-28;2027-01-20;16;;;;;;;;;;",
        "pelatihan;Las;kompetensi;BLK;Balikpapan;2027-02-01;2027-02-28;2027-01-20;16;;;;;;;;;;",
        "pelatihan;;kompetensi;BLK;;2027-02-01;2027-02-28;2027-01-20;16;;;;;;;;;;",
        "pemagangan;;;PT X;;;;2027-01-31;lima;;;;;;Operator;6;;maybe;",
    ])
    openings, problems = check_rows(read_table(write(tmp_path, bad)), OFFICE)
    assert openings == []
    assert [str(p) for p in problems] == [
        "row 2: deadline: not a date; write 2026-12-31 or 31-12-2026",
        "row 3: kind: write pelatihan or pemagangan",
        "row 4: kecamatan: Balikpapan is not a kecamatan of Kabupaten Tabalong",
        "row 5: a training needs title",
        "row 6: quota: write a whole number",
        "row 6: social_security: write ya or tidak",
    ]


def test_an_xlsx_sheet_reads_like_the_csv(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in GOOD.splitlines():
        sheet.append(line.split(";") if line else [])
    sheet["H2"] = date(2027, 1, 20)  # a real date cell, as Excel stores it
    path = tmp_path / "lowongan.xlsx"
    workbook.save(path)
    openings, problems = check_rows(read_table(path), OFFICE)
    assert problems == [] and len(openings) == 3
    assert openings[0].deadline == date(2027, 1, 20)


def test_the_command_imports_all_or_reports_and_imports_nothing(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY}
    bad = run_bot("import", "openings", str(write(tmp_path, GOOD + "\nmagang;;;PT Y;;;;kemarin;1;;;;;;X;3;;;",
                                                  "buruk.csv")), env=env, cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.splitlines() == [
        "buruk.csv: nothing imported; fix these rows and try again:",
        "  row 6: deadline: not a date; write 2026-12-31 or 31-12-2026",
    ]
    good = run_bot("import", "openings", str(write(tmp_path, GOOD)), env=env, cwd=tmp_path)
    assert (good.returncode, good.stdout.strip()) == (0, "lowongan.csv: 3 openings imported")
    unreadable = run_bot("import", "openings", str(write(tmp_path, "x", "lowongan.txt")), env=env, cwd=tmp_path)
    assert (unreadable.returncode, unreadable.stderr.strip()) == (1, "lowongan.txt: use a .csv or .xlsx file")


def test_the_applicants_of_an_opening_are_exported_for_excel(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY}
    assert run_bot("seed-demo", env=env, cwd=tmp_path).returncode == 0
    siti_applies = "1\nMenjahit Pakaian Wanita\nDaftar\nYa, kirim\n"  # training 1 in the demo catalog
    assert run_bot("chat", "--user", "demo-siti", env=env, stdin=siti_applies, cwd=tmp_path).returncode == 0
    for name in ("pelamar.csv", "pelamar.xlsx"):
        result = run_bot("export", "applicants", "training", "1", str(tmp_path / name), env=env, cwd=tmp_path)
        assert (result.returncode, result.stdout.strip()) == (0, f"{name}: 1 applicants")
    [row] = read_table(tmp_path / "pelamar.csv")
    assert row.cells["nama"] == "Siti Rahmawati" and row.cells["status"] == "submitted"
    assert "nik" not in row.cells
    assert read_table(tmp_path / "pelamar.xlsx")[0].cells["hp"] == "+6281251000001"
