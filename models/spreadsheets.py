"""The tables offices keep: CSV (comma or semicolon, as Excel writes it in Indonesia) and XLSX.

Read rows come back as a dict of the header's names (trimmed, lower case) to the cell as text, with their
row number in the file, so an error report can point at the exact line a person sees in their sheet.
Written tables open directly in Excel or LibreOffice (CSV with a byte-order mark so Excel reads UTF-8).
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int
    cells: dict[str, str]


class SheetError(ValueError):
    """The file cannot be read as a table; the message says why."""


def read_table(path: Path) -> list[SheetRow]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path)
    raise SheetError(f"{path.name}: use a .csv or .xlsx file")


def _read_csv(path: Path) -> list[SheetRow]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise SheetError(f"{path.name}: cannot be read as UTF-8 text ({error})") from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    lines = list(csv.reader(text.splitlines(), delimiter=delimiter))
    return _rows(path, lines)


def _read_xlsx(path: Path) -> list[SheetRow]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise SheetError(f"{path.name}: not a readable XLSX workbook ({error})") from error
    try:
        sheet = workbook.worksheets[0]
        lines = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _rows(path, lines)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _rows(path: Path, lines: list[list[str]]) -> list[SheetRow]:
    if not lines:
        raise SheetError(f"{path.name}: the file is empty")
    header = [name.strip().lower() for name in lines[0]]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in line):
            continue  # blank lines between blocks are common in hand-kept sheets
        rows.append(SheetRow(number, {name: (line[i].strip() if i < len(line) else "") for i, name in
                                      enumerate(header) if name}))
    return rows


def write_table(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows([[_cell_text(value) for value in row] for row in rows])
    elif suffix == ".xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        workbook.save(path)
    else:
        raise SheetError(f"{path.name}: use a .csv or .xlsx file")
