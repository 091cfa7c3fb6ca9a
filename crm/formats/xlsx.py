"""XLSX workbooks for lists: a bold header row, frozen below it, columns sized to read.

Every text cell is written as a typed string, never a formula, whatever it starts with.
The workbook is written row by row (openpyxl's write-only mode), so a large list never sits
in memory whole.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

CHUNK_BYTES = 64 * 1024
_MIN_WIDTH = 10
_MAX_WIDTH = 50
# Excel refuses sheet names longer than this or containing these characters.
_SHEET_NAME_LENGTH = 31
_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _cell(sheet: Worksheet, value: object) -> WriteOnlyCell:
    if value is None:
        value = ""
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        cell.data_type = "s"  # never a formula, even if it starts with "="
    return cell


def xlsx_chunks(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet_name: str = "Sheet1",
    widths: Sequence[int] | None = None,
) -> Iterator[bytes]:
    """The workbook's bytes, in chunks, once it is written."""
    workbook = Workbook(write_only=True)
    title = sheet_name.translate(_SHEET_NAME_FORBIDDEN).strip()[:_SHEET_NAME_LENGTH] or "Sheet1"
    sheet = workbook.create_sheet(title=title)
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        width = widths[index - 1] if widths else len(name) + 4
        sheet.column_dimensions[get_column_letter(index)].width = max(
            _MIN_WIDTH, min(_MAX_WIDTH, width)
        )
    bold = Font(bold=True)
    heading = []
    for name in header:
        cell = _cell(sheet, name)
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
    with tempfile.TemporaryFile() as file:
        workbook.save(file)
        file.seek(0)
        while chunk := file.read(CHUNK_BYTES):
            yield chunk
