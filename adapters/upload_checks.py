"""Spreadsheets from outside are checked before they are parsed, and parsed off the event loop.

An XLSX file is a zip of XML files: a 0.3 MB upload can hold a 300 MB cell, and XML can
declare entities that expand a billion times ("billion laughs"). So, before openpyxl opens a
file, :func:`check_xlsx` reads the zip's directory and then inflates every member once, in
1 MB pieces, and refuses (one sentence in Chinese, :class:`UnsafeFileError`):

- a file that is not a zip, or is truncated or damaged (its CRC does not match);
- more than ``MAX_MEMBERS`` members; a member over ``MAX_MEMBER_BYTES`` inflated (the shared
  strings, which openpyxl loads whole, over ``MAX_SHARED_STRINGS_BYTES``); all members together
  over ``MAX_TOTAL_BYTES``; a member that inflates more than ``MAX_RATIO`` times (workbooks
  written by Excel or openpyxl inflate 2 to 20 times; checked for members over 1 MB);
- a text run of 512 KB between two XML tags (refused from 256 KB, ``TEXT_WINDOW``, on: a cell
  holds at most 32,767 characters in Excel, at most about 200 KB of escaped UTF-8): this
  bounds the memory of one cell, whatever the ratio;
- any ``<!DOCTYPE`` or ``<!ENTITY`` declaration (a workbook has none). openpyxl also parses with
  ``defusedxml`` (a dependency: openpyxl uses it when it is installed), which refuses entities.

The sizes in the zip's directory cannot lie to us: Python's ``zipfile`` stops inflating a member
at its declared size and then checks its CRC.

:func:`sheet_rows` reads the first worksheet's rows with the number of columns bounded
(``MAX_COLUMNS``; a sheet claiming 16,384 columns would make every row that wide), the rows
with content bounded by the caller's limit and all rows, blank ones too, by Excel's 1,048,576;
any error openpyxl raises while reading (bad XML, a chart as the first sheet …) is turned into
the caller's refusal.

CSV (the command line's ``import-vouchers``): at most ``MAX_CSV_BYTES``, lines of at most
``MAX_CSV_FIELD`` characters per field, and the rows bounded like a worksheet's.

:func:`off_loop` runs a parse in a worker thread, at most ``PARSES_AT_ONCE`` at a time, so an
upload never holds up the server's other requests."""

from __future__ import annotations

import asyncio
import io
import weakref
import zipfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

MAX_MEMBERS = 1_000
MAX_MEMBER_BYTES = 256 << 20
MAX_SHARED_STRINGS_BYTES = 64 << 20
MAX_TOTAL_BYTES = 320 << 20
MAX_RATIO = 100
RATIO_FROM_BYTES = 1 << 20
TEXT_WINDOW = 256 << 10  # PIECE is a multiple of it: windows are aligned in the stream
MAX_COLUMNS = 100
EXCEL_ROWS = 1_048_576
MAX_CSV_BYTES = 64 << 20
MAX_CSV_FIELD = 32_767
PIECE = 1 << 20
PARSES_AT_ONCE = 2

NOT_XLSX = "这不是 Excel 工作簿（.xlsx）文件，或文件已损坏；请用 Excel 另存为 .xlsx 后重新上传"


class UnsafeFileError(ValueError):
    """The file cannot or must not be parsed; the message is one sentence in Chinese."""


def _mb(size: int) -> str:
    return f"{size / (1 << 20):.0f} MB"


def check_xlsx(data: bytes) -> None:
    """Refuse a workbook that is not a sound zip or would inflate too much (module doc)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UnsafeFileError(NOT_XLSX) from None
    if len(members) > MAX_MEMBERS:
        raise UnsafeFileError(f"文件里有{len(members)}个部件，Excel 工作簿不会这么多；请重新保存")
    total = 0
    for member in members:
        limit = (
            MAX_SHARED_STRINGS_BYTES
            if member.filename.lower().endswith("sharedstrings.xml")
            else MAX_MEMBER_BYTES
        )
        if member.file_size > limit:
            raise UnsafeFileError(
                f"文件解压后太大（{member.filename} 有 {_mb(member.file_size)}，"
                f"最多 {_mb(limit)}）；请分成几个文件"
            )
        if member.file_size > RATIO_FROM_BYTES and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise UnsafeFileError(
                f"文件解压后是原来的{member.file_size // max(member.compress_size, 1)}倍，"
                "不像正常的 Excel 工作簿；请用 Excel 重新保存后上传"
            )
        total += member.file_size
    if total > MAX_TOTAL_BYTES:
        raise UnsafeFileError(
            f"文件解压后太大（共 {_mb(total)}，最多 {_mb(MAX_TOTAL_BYTES)}）；请分成几个文件"
        )
    for member in members:
        if not member.is_dir():
            _scan(archive, member)


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    """Inflate one member in pieces: no entity declarations, no overlong text run. A run of
    ``2 * TEXT_WINDOW`` bytes without a ``<`` holds a whole aligned window of ``TEXT_WINDOW``
    bytes without one, so looking at each aligned window (one ``find`` each) is enough."""
    tail = b""
    try:
        with archive.open(member) as stream:
            while piece := stream.read(PIECE):
                window = tail + piece
                if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                    raise UnsafeFileError(
                        "文件里有 XML 实体声明（DOCTYPE/ENTITY），Excel 工作簿不会有；"
                        "这个文件不能导入"
                    )
                tail = piece[-16:]
                for start in range(0, len(piece) - TEXT_WINDOW + 1, TEXT_WINDOW):
                    if piece.find(b"<", start, start + TEXT_WINDOW) < 0:
                        raise UnsafeFileError(
                            f"文件里有一个单元格解压后超过 {TEXT_WINDOW >> 10} KB"
                            "（Excel 一个单元格最多 32767 个字）；这个文件不能导入"
                        )
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        if isinstance(error, UnsafeFileError):
            raise
        raise UnsafeFileError(NOT_XLSX) from None


def sheet_rows(
    data: bytes, refuse: Callable[[str], Exception], max_rows: int, *, formulas: bool = False
) -> Iterator[tuple[int, Sequence[Any]]]:
    """The first worksheet's rows, numbered from 1, after :func:`check_xlsx`; every problem
    (the checks', openpyxl's while opening or reading) raised as ``refuse(chinese_sentence)``.
    Blank rows are given as ``()`` (cheap for the callers to skip). With ``formulas``, a
    formula cell is given as its formula (text beginning with ``=``), not the value Excel last
    computed for it, so that a reader can refuse it."""
    from openpyxl import load_workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    try:
        check_xlsx(data)
    except UnsafeFileError as error:
        raise refuse(str(error)) from None
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=not formulas)
    except Exception:  # openpyxl raises many kinds for a bad file (zip, XML, KeyError …)
        raise refuse(NOT_XLSX) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if not isinstance(sheet, ReadOnlyWorksheet):
            raise refuse("第一张表不是工作表（可能是图表）；请把数据放在第一张工作表上")
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        number = filled = 0
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:  # bad XML, an entity, a broken cell: never a 500
                raise refuse(
                    f"第{number + 1}行附近的内容读不出来（文件已损坏或不是 Excel 保存的）；"
                    "请用 Excel 重新保存后上传"
                ) from None
            number += 1
            if row.count(None) == len(row):
                if number > EXCEL_ROWS:  # only gaps claimed in the XML get this far
                    raise refuse(f"文件超过{EXCEL_ROWS}行（Excel 的上限），不是正常的工作簿")
                yield number, ()
                continue
            filled += 1
            if filled > max_rows:
                raise refuse(f"文件超过{max_rows}行，请分成几个文件")
            yield number, row
    finally:
        workbook.close()


def check_csv(data: bytes, refuse: Callable[[str], Exception]) -> None:
    if len(data) > MAX_CSV_BYTES:
        raise refuse(
            f"the CSV file has {_mb(len(data))}; at most {_mb(MAX_CSV_BYTES)}: split the file"
        )


def csv_rows(
    text: str, refuse: Callable[[str], Exception], max_rows: int
) -> Iterator[tuple[int, Sequence[Any]]]:
    """The rows of a CSV text, numbered from 1, fields and rows bounded."""
    import csv

    reader = csv.reader(io.StringIO(text))
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise refuse(
                f"line {reader.line_num}: {error} (a field has at most {MAX_CSV_FIELD} characters)"
            ) from None
        number += 1
        if number > max_rows:
            raise refuse(f"more than {max_rows:,} rows; split the file")
        if any(len(field) > MAX_CSV_FIELD for field in row):
            raise refuse(f"line {reader.line_num}: a field longer than {MAX_CSV_FIELD} characters")
        yield number, row


_limiters: weakref.WeakKeyDictionary[Any, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()


async def off_loop(function: Callable[[], T]) -> T:
    """Run ``function`` in a worker thread (at most ``PARSES_AT_ONCE`` at once per event loop),
    so the event loop keeps serving other requests meanwhile."""
    loop = asyncio.get_running_loop()
    limiter = _limiters.get(loop)
    if limiter is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(PARSES_AT_ONCE)
    return await anyio.to_thread.run_sync(function, limiter=limiter)
