"""``lianzhang import-statement --entity V01 --account 10201 FILE``: a bank statement (CSV or
XLSX, as the bank exported it) imported on a bank account of the books, as the workbench's
import page does: the file read through the template its headings name, the columns remembered
for the bank, or ``--columns``; refused with nothing written when it was imported already,
overlaps or does not follow the last statement, or is another account's."""

from __future__ import annotations

import argparse
import datetime
import hashlib
import sys
from typing import Any

from scripts.cli_common import CommandError, _runtime, _settings


def _columns(text: str | None) -> dict[str, str]:
    """``date=交易日期,amount_in=贷方发生额,…`` as a mapping."""
    if not text:
        return {}
    found = {}
    for part in text.split(","):
        key, _, heading = part.partition("=")
        if not heading:
            raise CommandError(f"--columns: write field=heading pairs, not {part!r}")
        found[key.strip()] = heading.strip()
    return found


def _day(text: str | None, what: str) -> datetime.date | None:
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{what} {text!r} is not a date; write it 2026-10-01") from None


def cmd_import_statement(args: argparse.Namespace) -> int:
    """Import a bank statement file on a bank account (see the module)."""
    from adapters import bank_files
    from adapters.bank_formats import columns_problem
    from domain.bank.commands import ImportStatement
    from domain.errors import DomainError
    from domain.runner import Caller, Runner

    columns = _columns(args.columns)
    if columns and (problem := columns_problem(columns)):
        raise CommandError(f"--columns: {problem}")
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    runtime = _runtime(_settings(args))
    try:
        app = runtime.app
        account = app.bank.get_account(args.entity, args.account)
        remembered = app.bank.format_of(account.township, account.bank)
        try:
            parsed, data = bank_files.read(args.file, remembered=remembered, columns=columns)
        except bank_files.MappingNeeded as needed:
            raise CommandError(
                f"{args.file}: {needed} — the columns are: {', '.join(needed.headings)}; give "
                "--columns date=…,amount_in=…,amount_out=… (or amount=…), once for this bank"
            ) from None
        except bank_files.BankFileError as error:
            raise CommandError(f"{args.file}: {error}") from None
        if parsed.problems:
            for problem in parsed.problems:
                where = f"row {problem.row}" + (f", {problem.column}" if problem.column else "")
                print(f"{args.file}: {where}: {problem.message}", file=sys.stderr)
            raise CommandError(f"{len(parsed.problems)} rows cannot be read; nothing was written")
        statement = parsed.statement(
            file_name=str(args.file).rsplit("/", 1)[-1],
            digest=hashlib.sha256(data).hexdigest(),
            start=start,
            end=end,
        )
        what = (
            f"{statement.start}..{statement.end}, {len(statement.lines)} lines, "
            f"in {parsed.total_in} out {parsed.total_out} ({parsed.format})"
        )
        if args.dry_run:
            print(f"read {args.file}: {what}; nothing was written (--dry-run)")
            return 0
        command = ImportStatement(
            entity=args.entity,
            account=args.account,
            statement=statement,
            columns=tuple(sorted(columns.items())),
        )
        try:
            seq = Runner(app).run(command, Caller(actor=args.actor)).result
        except DomainError as error:
            raise CommandError(f"{error.zh or error.message}（什么也没有写入）") from None
    finally:
        runtime.close()
    print(f"imported statement {seq} of {args.entity} {args.account}: {what}")
    return 0


def add_bank_commands(sub: Any) -> None:
    """The ``import-statement`` subcommand, on the command line's subparsers."""
    bank = sub.add_parser(
        "import-statement",
        help="import a bank statement (CSV or XLSX as the bank exported it) on a bank account",
    )
    bank.add_argument("file", help="the statement: .xlsx or .csv")
    bank.add_argument("--entity", required=True, help="the village or joint entity (V01)")
    bank.add_argument(
        "--account", required=True, help="the bank account's code in the books (10201)"
    )
    bank.add_argument("--from", dest="start", help="the statement's first day (else the file's)")
    bank.add_argument("--to", dest="end", help="the statement's last day (else the file's)")
    bank.add_argument(
        "--columns",
        help="the columns of an export no template knows: date=交易日期,amount_in=收入,"
        "amount_out=支出,balance=余额,… (remembered for the bank)",
    )
    bank.add_argument("--dry-run", action="store_true", help="read the file and write nothing")
    bank.add_argument("--actor", default="import-statement", help="recorded as 经办")
    bank.set_defaults(func=cmd_import_statement)
