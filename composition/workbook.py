"""The registers as an Excel workbook people read: a first sheet saying what the file is, then a
sheet per register with a bold, frozen header row, widths that fit, values in words and dates as
dates. Written in openpyxl's write-only mode, so memory stays flat however many rows."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from bodies.models import Partnership
from composition.registers import REGISTERS, RenderedColumn
from core.spreadsheets import formula_safe

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
NUMBER_FORMATS = {"date": "d mmmm yyyy", "datetime": "d mmmm yyyy hh:mm", "number": "#,##0.00"}


def _cell(sheet, value, column: RenderedColumn | None = None):
    """A cell: dates as Excel dates (local time, which Excel expects without a zone), lists as
    text joined by "; ", text that looks like a formula shown as written."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).replace(tzinfo=None)
    elif isinstance(value, list | tuple):
        value = "; ".join(str(item) for item in value)
    cell = WriteOnlyCell(sheet, value=formula_safe(value))
    if column is not None and column.kind in NUMBER_FORMATS and value is not None:
        cell.number_format = NUMBER_FORMATS[column.kind]
    return cell


def _header(sheet, text: str):
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = BOLD
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def _about_sheet(workbook: Workbook, partnership: Partnership, on, about, counts: dict[str, int]) -> None:
    sheet = workbook.create_sheet("About this file")
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 90
    title = WriteOnlyCell(sheet, value=f"Registers of {partnership.name}")
    title.font = TITLE
    sheet.append([title])
    sheet.append([])
    for label, text in about:
        sheet.append([_header(sheet, label), text])
    sheet.append([])
    sheet.append([_header(sheet, "Sheet"), _header(sheet, "What a row is"), _header(sheet, "Rows")])
    for register in REGISTERS:
        sheet.append([register.title, register.description, counts[register.name]])


def registers_workbook(
    partnership: Partnership, on, out, *, about: list[tuple[str, str]], advance: Callable[[], None]
) -> None:
    workbook = Workbook(write_only=True)  # rows go straight to disk: memory stays flat
    counts = {register.name: register.count(partnership, on) for register in REGISTERS}
    _about_sheet(workbook, partnership, on, about, counts)
    for register in REGISTERS:
        sheet = workbook.create_sheet(register.title[:31])
        columns = register.rendered
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.append([_header(sheet, column.heading) for column in columns])
        for row in register.values(partnership, on):
            sheet.append([_cell(sheet, value, column) for value, column in zip(row, columns, strict=True)])
            advance()
    workbook.save(out)
