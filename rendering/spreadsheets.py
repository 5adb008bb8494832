"""Text in the spreadsheets the project writes is text, never a formula (formula or CSV
injection: a memo ``=HYPERLINK("http://…","点此")`` or ``=cmd|' /C calc'!A0`` must not become
a live formula in a villager's 三公开 workbook).

Every XLSX writer saves through :func:`workbook_bytes` (or :func:`save`), which walks every
cell before saving: a ``str`` value is stored as a string cell (openpyxl would otherwise make
one that begins with ``=`` a formula cell, and ``#N/A``, ``#REF!`` … an error cell), and one
that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return also gets Excel's
"quote prefix" (the ``'`` one types before such text), so it stays text when a clerk edits the
cell. Numbers (``Decimal`` amounts, ints) and dates are left as they are.

Every CSV field is written through :func:`csv_text`: text beginning with one of those
characters gets a leading ``'`` (OWASP's advice for CSV injection: a spreadsheet program shows
the text, not a formula; the ``'`` is visible in a text editor and stays in the field when the
file is read back by a program). Numbers are written as they are, a negative amount included.

Control characters (tab, carriage return …) are already refused in one-line texts by
``domain/bounds.py``; the writers handle them anyway, since multi-line texts allow them."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

RISKY_STARTS = ("=", "+", "-", "@", "\t", "\r")


def risky(text: str) -> bool:
    """True when a spreadsheet program could read ``text`` as the start of a formula."""
    return text.startswith(RISKY_STARTS)


def csv_text(value: Any) -> str:
    """A CSV field: numbers as they are, text that could start a formula behind a ``'``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = str(value)
    return "'" + text if risky(text) else text


def csv_row(values: Any) -> list[str]:
    """Every field of a row through :func:`csv_text`."""
    return [csv_text(v) for v in values]


def text_cells(book: Any) -> None:
    """Make every text cell of an openpyxl workbook a string cell (never a formula or an
    error), with the quote prefix when it begins like a formula."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, str):
                    cell.data_type = "s"
                    if risky(value):
                        cell.quotePrefix = True


def workbook_bytes(book: Any) -> bytes:
    """The workbook's bytes, its text cells made safe by :func:`text_cells`."""
    text_cells(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def save(book: Any, path: str | Path) -> None:
    """Save the workbook at ``path``, its text cells made safe by :func:`text_cells`."""
    text_cells(book)
    book.save(path)


AMOUNT_FORMAT = "#,##0.00"  # the one amount format of every workbook


def sheet_title(title: str) -> str:
    """``title`` as a worksheet's name: Excel refuses ``\\ / ? * [ ] :`` in one and more than
    31 characters (a village named with a colon would otherwise fail the workbook)."""
    cleaned = "".join("_" if c in "\\/?*[]:" else c for c in title)[:31]
    return cleaned or "Sheet"


def table_workbook(
    title: str,
    heading: list[str],
    header: list[list[str]],
    rows: list[list[Any]],
    *,
    bold_rows: frozenset[int] = frozenset(),
    widths: tuple[int, ...] = (),
) -> bytes:
    """One table as an XLSX workbook: ``title`` in bold on the first row, ``heading`` (unit,
    period …) on the second, the ``header`` rows in bold, then ``rows``. Text stays text (a
    memo that begins with ``=`` is a string cell), ``Decimal`` amounts are numbers with two
    decimals, nothing is a formula. ``bold_rows``: indexes into ``rows`` of the total rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    ws = book.active
    ws.title = sheet_title(title)
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(heading)
    bold = Font(bold=True)
    for names in header:
        ws.append(names)
        for cell in ws[ws.max_row]:
            cell.font = bold
    first = ws.max_row + 1
    for index, values in enumerate(rows):
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, Decimal):
                cell.number_format = AMOUNT_FORMAT
                cell.alignment = Alignment(horizontal="right")
            if index in bold_rows:
                cell.font = bold
    for number, width in enumerate(widths, start=1):
        ws.column_dimensions[ws.cell(first, number).column_letter].width = width
    ws.print_options.gridLines = True
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    return workbook_bytes(book)
