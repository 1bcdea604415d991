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
from enum import StrEnum
from io import BytesIO, StringIO
from pathlib import Path, PurePath


@dataclass(frozen=True, slots=True)
class SheetRow:
    number: int
    cells: dict[str, str]


class SheetProblem(StrEnum):
    WRONG_TYPE = "wrong_type"
    NOT_UTF8 = "not_utf8"
    NOT_XLSX = "not_xlsx"
    EMPTY = "empty"
    BAD_CSV = "bad_csv"


class SheetError(ValueError):
    """The file cannot be read as a table; the message says why, `problem` says it for translation."""

    def __init__(self, message: str, problem: SheetProblem) -> None:
        super().__init__(message)
        self.problem = problem


def read_table(path: Path) -> list[SheetRow]:
    try:
        content = path.read_bytes()
    except OSError as error:
        raise SheetError(f"{path.name}: cannot be read ({error})", SheetProblem.NOT_UTF8) from error
    return read_table_from(path.name, content)


def read_table_from(name: str, content: bytes) -> list[SheetRow]:
    """A table from a file's bytes (a file sent in chat); the name's extension says which format."""
    suffix = PurePath(name).suffix.lower()
    if suffix == ".csv":
        return _read_csv(name, content)
    if suffix == ".xlsx":
        return _read_xlsx(name, content)
    raise SheetError(f"{name}: use a .csv or .xlsx file", SheetProblem.WRONG_TYPE)


def _read_csv(name: str, content: bytes) -> list[SheetRow]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SheetError(f"{name}: cannot be read as UTF-8 text ({error})", SheetProblem.NOT_UTF8) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        lines = list(csv.reader(text.replace("\x00", "").splitlines(), delimiter=delimiter))
    except csv.Error as error:  # a cell over the csv module's field limit, say
        raise SheetError(f"{name}: not a readable CSV table ({error})", SheetProblem.BAD_CSV) from error
    return _rows(name, lines)


def _read_xlsx(name: str, content: bytes) -> list[SheetRow]:
    from openpyxl import load_workbook  # noqa: PLC0415 (half a second to import: only when a sheet is read)

    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise SheetError(f"{name}: not a readable XLSX workbook ({error})", SheetProblem.NOT_XLSX) from error
    try:
        sheet = workbook.worksheets[0]
        lines = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _rows(name, lines)


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


def _rows(name: str, lines: list[list[str]]) -> list[SheetRow]:
    if not lines:
        raise SheetError(f"{name}: the file is empty", SheetProblem.EMPTY)
    header = [name.strip().lower() for name in lines[0]]
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in line):
            continue  # blank lines between blocks are common in hand-kept sheets
        rows.append(SheetRow(number, {name: (line[i].strip() if i < len(line) else "") for i, name in
                                      enumerate(header) if name}))
    return rows


def write_table(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    path.write_bytes(table_bytes(path.name, header, rows))


def table_bytes(name: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """The file `name` would hold (its extension says CSV or XLSX): for a download, or `write_table`."""
    suffix = PurePath(name).suffix.lower()
    if suffix == ".csv":
        text = StringIO()
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows([[_cell_text(value) for value in row] for row in rows])
        return text.getvalue().encode("utf-8-sig")
    if suffix == ".xlsx":
        from openpyxl import Workbook  # noqa: PLC0415 (half a second to import: only when a sheet is written)

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append(list(row))
        content = BytesIO()
        workbook.save(content)
        return content.getvalue()
    raise SheetError(f"{name}: use a .csv or .xlsx file", SheetProblem.WRONG_TYPE)


def xlsx_bytes(header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    """The table as an Excel workbook of one sheet, to send as a download."""
    return table_bytes("table.xlsx", header, rows)
