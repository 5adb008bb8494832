"""The member register file (成员名册) a township clerk keeps in Excel, read into households and
members with their share units, every problem named by row and column.

The layout (one member a row; the template from :func:`template_xlsx`). The header row is the
first row naming 户号 and 姓名 (a title may stand above it); the columns may stand in any
order; columns the reader does not know (备注, 与户主关系 …) are ignored:

==========  ===============================  ==============================================
column      also accepted                    what it holds
==========  ===============================  ==============================================
户号        户编号                            the household's number (letters, digits, - _);
                                             blank repeats the row above
户主        户主姓名                          the head of the household: on the household's
                                             first row (later rows may leave it blank, or
                                             repeat it unchanged)
登记日期    建户日期                          when the household was registered (its first
                                             row; later rows may leave it blank)
成员编号    成员号                            the member's number, unique in the village
姓名        成员姓名                          the member's name
身份证号    身份证号码, 公民身份号码           18 digits, the last may be X (GB 11643)
入社日期    加入日期, 取得资格日期             when the member joined
…股         (人口股, 劳龄股, 土地股 …)         one column per share kind: the member's units
                                             (a number ≥ 0, blank is 0)
==========  ===============================  ==============================================

Share kinds are the columns whose header ends with 股. When the village's register is open,
they must be its kinds (``share_kinds``); a new register is opened with them.

Nothing here touches the store: :func:`parse_register` reads bytes and checks each row on its
own and against the other rows (a member number or ID number twice, a household named with two
heads). ``domain.members.register_import`` checks the rows against the register and saves them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from adapters import upload_checks
from adapters.voucher_files import parse_date
from domain.members import DEFAULT_SHARE_KINDS
from domain.privacy import id_number_problem, with_check_digit
from rendering.spreadsheets import workbook_bytes

COLUMNS: dict[str, tuple[str, ...]] = {
    "household": ("户号", "户编号"),
    "head": ("户主", "户主姓名"),
    "registered_on": ("登记日期", "建户日期"),
    "member": ("成员编号", "成员号"),
    "name": ("姓名", "成员姓名"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码"),
    "joined_on": ("入社日期", "加入日期", "取得资格日期"),
}
REQUIRED = ("household", "head", "registered_on", "member", "name", "id_number", "joined_on")
HEADER = ("户号", "户主", "登记日期", "成员编号", "姓名", "身份证号", "入社日期")
HEADER_SEARCH = 10
MAX_ROWS = 20_000
MAX_NAME = 60


class RegisterFileError(Exception):
    """The file cannot be read at all (not XLSX, no header): one sentence in Chinese."""


@dataclass(frozen=True)
class RowProblem:
    """A problem at a place of the file: ``row`` as the spreadsheet numbers it, ``column`` as
    the file names it (``身份证号 (F)``; None for the whole row), and what, in Chinese."""

    row: int
    column: str | None
    message: str

    def line(self) -> str:
        return f"第{self.row}行" + (f"，{self.column}" if self.column else "") + f"：{self.message}"


@dataclass(frozen=True)
class HouseholdRow:
    number: str
    head: str
    registered_on: datetime.date
    row: int


@dataclass(frozen=True)
class MemberRow:
    number: str
    household: str
    name: str
    id_number: str
    joined_on: datetime.date
    shares: dict[str, Decimal]
    row: int


@dataclass
class RegisterFile:
    """A file read: its households (in order of first appearance), members, the share kinds of
    its columns, the column names (field → ``户号 (A)``) and every problem found."""

    households: list[HouseholdRow]
    members: list[MemberRow]
    share_kinds: list[str]
    columns: dict[str, str]
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _code_problem(value: str, what: str) -> str | None:
    if not value:
        return f"缺少{what}"
    if len(value) > 32 or not all(c.isascii() and (c.isalnum() or c in "-_") for c in value):
        return f"{what}“{value[:40]}”只能用1到32个英文字母、数字、“-”或“_”"
    return None


def _units(value: Any) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal(0)
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, float):
        number = Decimal(repr(value))
    else:
        number = Decimal(str(value).strip().replace(",", ""))
    if not number.is_finite() or number < 0 or number > Decimal("1000000"):
        raise ValueError
    return number.normalize() if number == number.to_integral() else number


def xlsx_rows(data: bytes) -> Iterable[tuple[int, Sequence[Any]]]:
    """Checked before openpyxl opens it, and read with bounds (``adapters.upload_checks``):
    a file that is not a sound workbook is a :class:`RegisterFileError` in Chinese."""
    return upload_checks.sheet_rows(data, RegisterFileError, MAX_ROWS + HEADER_SEARCH)


def _find_header(
    rows: Iterable[tuple[int, Sequence[Any]]],
) -> tuple[
    int, dict[str, int], dict[str, str], dict[str, int], Iterable[tuple[int, Sequence[Any]]]
]:
    aliases = {alias: name for name, names in COLUMNS.items() for alias in names}
    iterator = iter(rows)
    for number, row in iterator:
        found: dict[str, int] = {}
        names: dict[str, str] = {}
        kinds: dict[str, int] = {}
        for index, cell in enumerate(row):
            label = _text(cell)
            name = aliases.get(label)
            if name is not None and name not in found:
                found[name] = index
                names[name] = f"{label} ({_letter(index)})"
            elif name is None and label.endswith("股") and label not in kinds:
                kinds[label] = index
                names[f"share:{label}"] = f"{label} ({_letter(index)})"
        if "household" in found and "name" in found:
            return number, found, names, kinds, iterator
        if number >= HEADER_SEARCH:
            break
    raise RegisterFileError(
        "前10行里找不到表头：成员名册的列名是 户号、户主、登记日期、成员编号、姓名、身份证号、"
        "入社日期 和各股份列（如 人口股）；请下载模板填写"
    )


def parse_register(data: bytes, *, share_kinds: Sequence[str] | None = None) -> RegisterFile:
    """Read a member register XLSX. ``share_kinds``: the kinds of the village's open register
    (None when it has none yet: the file's share columns become its kinds)."""
    return parse_rows(xlsx_rows(data), share_kinds=share_kinds)


def parse_rows(
    rows: Iterable[tuple[int, Sequence[Any]]], *, share_kinds: Sequence[str] | None = None
) -> RegisterFile:
    header_row, found, names, kinds, body = _find_header(rows)
    result = RegisterFile(households=[], members=[], share_kinds=list(kinds), columns=names)
    problems = result.problems
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in found]
    if missing:
        raise RegisterFileError(
            "表头缺少这些列：" + "、".join(missing) + "；请下载模板，按模板的列填写"
        )
    if not kinds:
        raise RegisterFileError(
            "表头没有股份列：每种股份一列，列名以“股”结尾（如 "
            + "、".join(DEFAULT_SHARE_KINDS)
            + "）"
        )
    if share_kinds is not None:
        for kind in kinds:
            if kind not in share_kinds:
                problems.append(
                    RowProblem(
                        header_row,
                        names[f"share:{kind}"],
                        f"本村名册没有“{kind}”这种股份；本村的股份是 " + "、".join(share_kinds),
                    )
                )
    households: dict[str, HouseholdRow] = {}
    members_seen: dict[str, int] = {}
    ids_seen: dict[str, int] = {}
    last_household = ""
    count = 0

    def cell(row: Sequence[Any], name: str) -> Any:
        index = found[name]
        return row[index] if index < len(row) else None

    for number, row in body:
        if all(_text(c) == "" for c in row):
            continue
        count += 1
        if count > MAX_ROWS:
            raise RegisterFileError(f"一个文件最多{MAX_ROWS}行成员，请分成几个文件")
        before = len(problems)

        def bad(column: str | None, message: str, row_number: int = number) -> None:
            problems.append(
                RowProblem(row_number, names.get(column, column) if column else None, message)
            )

        household = _text(cell(row, "household")) or last_household
        problem = _code_problem(household, "户号")
        if problem:
            bad("household", problem)
        else:
            last_household = household
        head = _text(cell(row, "head"))
        registered_text = cell(row, "registered_on")
        registered: datetime.date | None = None
        if _text(registered_text):
            try:
                registered = parse_date(registered_text)
            except ValueError:
                bad("registered_on", f"“{_text(registered_text)[:40]}”不是日期，请写成 2025-01-05")
        if not problem:
            known = households.get(household)
            if known is None:
                if not head:
                    bad("head", f"户号 {household} 第一次出现，要填户主姓名")
                elif len(head) > MAX_NAME:
                    bad("head", f"户主姓名太长（最多{MAX_NAME}个字）")
                if registered is None and not _text(registered_text):
                    bad("registered_on", f"户号 {household} 第一次出现，要填登记日期")
                if head and registered is not None and len(problems) == before:
                    households[household] = HouseholdRow(household, head, registered, number)
            else:
                if head and head != known.head:
                    bad(
                        "head",
                        f"户号 {household} 在第{known.row}行的户主是“{known.head}”，"
                        f"这里写的是“{head}”；同一户只能有一个户主",
                    )
                if registered is not None and registered != known.registered_on:
                    bad(
                        "registered_on",
                        f"户号 {household} 在第{known.row}行的登记日期是 "
                        f"{known.registered_on}，这里不同",
                    )
        member = _text(cell(row, "member"))
        problem_member = _code_problem(member, "成员编号")
        if problem_member:
            bad("member", problem_member)
        elif member in members_seen:
            bad("member", f"成员编号 {member} 在第{members_seen[member]}行已经有了，一人一个编号")
        else:
            members_seen[member] = number
        name = _text(cell(row, "name"))
        if not name:
            bad("name", "缺少成员姓名")
        elif len(name) > MAX_NAME:
            bad("name", f"姓名太长（最多{MAX_NAME}个字）")
        id_number = _text(cell(row, "id_number")).upper()
        if not id_number:
            bad("id_number", "缺少身份证号")
        elif id_number_problem(id_number) is not None:
            if len(id_number) != 18 or not id_number[:17].isdigit():
                bad("id_number", f"身份证号“{id_number[:40]}”应是18位：17位数字加一位数字或X")
            else:
                bad("id_number", f"身份证号 {id_number} 的校验位不对（GB 11643），请核对")
        elif id_number in ids_seen:
            bad(
                "id_number",
                f"这个身份证号在第{ids_seen[id_number]}行已经有了，同一个人只能登记一次",
            )
        else:
            ids_seen[id_number] = number
        joined_text = cell(row, "joined_on")
        joined: datetime.date | None = None
        if not _text(joined_text):
            bad("joined_on", "缺少入社日期")
        else:
            try:
                joined = parse_date(joined_text)
            except ValueError:
                bad("joined_on", f"“{_text(joined_text)[:40]}”不是日期，请写成 2025-01-05")
        shares: dict[str, Decimal] = {}
        for kind, index in kinds.items():
            value = row[index] if index < len(row) else None
            try:
                units = _units(value)
            except (ValueError, InvalidOperation):
                bad(f"share:{kind}", f"“{_text(value)[:40]}”不是股数：填大于等于0的数，空着算0")
                continue
            if units:
                shares[kind] = units
        if len(problems) == before and joined is not None:
            result.members.append(
                MemberRow(member, household, name, id_number, joined, shares, number)
            )
    result.households = list(households.values())
    if count == 0 and not problems:
        problems.append(RowProblem(1, None, "文件里没有成员：表头下面一行一个成员"))
    return result


EXAMPLE = (
    ("H001", "李建国", "2025-01-01", "H001-1", "李建国", with_check_digit("37032219800101001"),
     "2025-01-01", 1, 0.5, 0),
    ("", "", "", "H001-2", "王秀英", with_check_digit("37032219850505002"), "2025-01-01", 1, 0, 0),
    ("H002", "张三明", "2025-01-01", "H002-1", "张三明", with_check_digit("37032219700202003"),
     "2025-01-01", 1, 1, 0),
)  # fmt: skip

NOTES = (
    "一行一个成员。同一户的成员排在一起；户号、户主、登记日期在该户第一行填写，以下各行可以留空（沿用上一行）。",
    "户号、成员编号只用英文字母、数字、“-”或“_”（如 H001、H001-1），成员编号在本村内唯一。",
    "身份证号18位（最后一位可以是X），系统会核对校验位；系统只保存加密后的号码，页面上只显示前4位和后4位。",
    "日期写成 2025-01-05、2025/1/5 或 2025年1月5日。",
    "每种股份一列，列名以“股”结尾（人口股、劳龄股、土地股……），必须是本村成员名册的股份种类；"
    "填股数（大于等于0，可以有小数），空着算0。",
    "上传后先检查整份文件：每一行的每个问题都会列出（第几行、哪一列、什么问题），"
    "有任何问题就一行也不写入。全部正确后点“确认导入”，所有户和成员一次写入。",
    "同一个文件再次导入不会重复登记：已经登记过且内容相同的户和成员会跳过；编号相同但内容不同的会列为问题。",
    "只读第一张工作表；“示例”和“说明”两张表不会被导入。",
)


def template_xlsx(share_kinds: Sequence[str] = DEFAULT_SHARE_KINDS) -> bytes:
    """The register file to fill in: the header with one column per share kind, an example
    sheet and the instructions, printable on A4 landscape."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "成员名册"
    header = list(HEADER) + list(share_kinds)
    widths = (10, 12, 12, 12, 12, 22, 12) + (10,) * len(share_kinds)
    for sheet_ in (sheet, workbook.create_sheet("示例")):
        sheet_.append(header)
        for index, width in enumerate(widths):
            sheet_.column_dimensions[_letter(index)].width = width
        for cell_ in sheet_[1]:
            cell_.font = Font(bold=True)
            cell_.alignment = Alignment(horizontal="center")
        sheet_.freeze_panes = "A2"
        sheet_.page_setup.orientation = "landscape"
        sheet_.page_setup.paperSize = sheet_.PAPERSIZE_A4
        sheet_.print_title_rows = "1:1"
        for column in ("F",):  # ID numbers as text, so Excel keeps all 18 digits
            for row in range(2, 2000 if sheet_ is sheet else 5):
                sheet_[f"{column}{row}"].number_format = "@"
    example = workbook["示例"]
    for values in EXAMPLE:
        example.append(
            list(values[:7]) + [values[7 + i] if i < 3 else 0 for i in range(len(share_kinds))]
        )
    notes = workbook.create_sheet("说明")
    notes.column_dimensions["A"].width = 110
    notes.append(["成员名册导入说明"])
    notes["A1"].font = Font(bold=True, size=14)
    for rule in NOTES:
        notes.append([rule])
    return workbook_bytes(workbook)


def to_xlsx(rows: Sequence[Sequence[Any]]) -> bytes:
    """A workbook whose first sheet holds ``rows`` (for tests and examples)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    return workbook_bytes(workbook)
