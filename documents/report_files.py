"""Writing the follow-up report as files staff pass on: Markdown, CSV, XLSX (one sheet per breakdown) and
a PNG chart of placement by program.

Takes tables already in the reader's language (see documents/report_tables.py); only the layout is decided
here. The chart uses matplotlib's object API, which draws with the Agg backend and needs no display.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

MAX_SHEET_NAME = 31


class TableLike(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def header(self) -> list[str]: ...
    @property
    def rows(self) -> list[list[str | int]]: ...


def markdown(title: str, tables: Sequence[TableLike]) -> str:
    parts = [f"# {title}"]
    for table in tables:
        lines = [f"## {table.name}", "", _md_row(table.header), _md_row(["---"] * len(table.header))]
        lines += [_md_row([str(cell) for cell in row]) for row in table.rows]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def csv_bytes(tables: Sequence[TableLike]) -> bytes:
    """All breakdowns in one sheet: the first column names the breakdown, a header row starts each. UTF-8 with
    a byte-order mark, so that Excel reads the names' letters right."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for table in tables:
        writer.writerow(["", *table.header])
        writer.writerows([[table.name, *row] for row in table.rows])
    return buffer.getvalue().encode("utf-8-sig")


def write_csv(path: Path, tables: Sequence[TableLike]) -> None:
    path.write_bytes(csv_bytes(tables))


def xlsx_bytes(tables: Sequence[TableLike]) -> bytes:
    """One sheet per table: the summary, then each breakdown."""
    from openpyxl import Workbook  # noqa: PLC0415 (loaded when a report is written, not at every start)

    workbook = Workbook(write_only=True)
    for table in tables:
        sheet = workbook.create_sheet(title=_sheet_name(table.name))
        sheet.append(table.header)
        for row in table.rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(path: Path, tables: Sequence[TableLike]) -> None:
    path.write_bytes(xlsx_bytes(tables))


def _sheet_name(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", name)[:MAX_SHEET_NAME]


def placement_chart(*, title: str, programs: Sequence[str], formal: Sequence[float],
                    informal: Sequence[float], legend: tuple[str, str], axis: str) -> bytes:
    """Stacked horizontal bars: formal and informal placement (in percent) of each program, as PNG bytes
    (written to a file by the command line, sent as a picture in the chat)."""
    height = 1.5 + 0.45 * max(len(programs), 1)
    from matplotlib.figure import Figure  # noqa: PLC0415 (half a second to import: only when a chart is drawn)

    figure = Figure(figsize=(8, height), layout="constrained")
    axes = figure.add_subplot()
    positions = range(len(programs))
    axes.barh(positions, formal, color="#1f77b4", label=legend[0])
    axes.barh(positions, informal, left=formal, color="#ff7f0e", label=legend[1])
    axes.set_yticks(list(positions), labels=list(programs))
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel(axis)
    axes.set_title(title)
    axes.legend(loc="lower right")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=120)
    return buffer.getvalue()
