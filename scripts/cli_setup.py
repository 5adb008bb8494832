"""``lianzhang setup-books FILE.xlsx --entity CODE --month YYYY-MM [--dry-run]``: 建账 from a
科目余额表 (``adapters/balance_files.py``, ``domain/books/setup.py``) through the one runner,
as the workbench's ``/setup`` does: every problem of the file listed by row and column, and
nothing written unless the whole file is right; ``--template FILE`` writes the file to fill in."""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path
from typing import Any

from scripts.cli_common import CommandError, _runtime, _settings


def _month(text: str) -> datetime.date:
    try:
        if len(text) != 7 or text[4] != "-":
            raise ValueError(text)
        return datetime.date(int(text[:4]), int(text[5:]), 1)
    except ValueError:
        raise CommandError(
            f"--month {text!r}: write the month the books start as 2026-07"
        ) from None


def cmd_setup_books(args: argparse.Namespace) -> int:
    from adapters.balance_files import BalanceFileError, parse_balances, template_xlsx
    from domain.books.commands import SetUpBooks
    from domain.errors import DomainError
    from domain.runner import Caller, Runner
    from ledger.errors import LedgerError
    from ledger.money import fen_text

    if args.template:
        try:
            Path(args.template).write_bytes(template_xlsx())
        except OSError as error:
            raise CommandError(f"cannot write {args.template}: {error.strerror}") from None
        print(f"wrote the 科目余额表 template {args.template}")
        return 0
    if not (args.file and args.entity and args.month):
        raise CommandError("name the 科目余额表 (.xlsx), --entity CODE and --month YYYY-MM")
    as_of = _month(args.month)
    try:
        parsed = parse_balances(Path(args.file).read_bytes())
    except OSError as error:
        raise CommandError(f"cannot read {args.file}: {error.strerror}") from None
    except BalanceFileError as error:
        raise CommandError(f"{args.file}: {error}") from None
    problems = list(parsed.problems)
    plan: Any = None
    if not problems:
        runtime = _runtime(_settings(args))
        try:
            command = SetUpBooks(
                entity=args.entity,
                as_of=as_of,
                accounts=tuple(parsed.accounts()),
                dry_run=args.dry_run,
            )
            # the holder of the database may write anywhere: no townships to check
            plan = Runner(runtime.app).run(command, Caller(actor=args.actor)).result
        except (DomainError, LedgerError) as error:
            problems.append(parsed.locate(getattr(error, "field", None), _words(error)))
        finally:
            runtime.close()
    if problems:
        for p in problems:
            where = f"row {p.row}" if p.row is not None else "the file"
            print(
                f"{args.file}: {where}" + (f", {p.column}" if p.column else "") + f": {p.message}",
                file=sys.stderr,
            )
        raise CommandError(f"{len(problems)} problems in {args.file}; nothing was written")
    totals = plan.totals()
    what = "checked (nothing written)" if args.dry_run else "set up"
    print(
        f"{args.entity}: {what} as of {as_of}: {len(plan.accounts)} accounts, "
        f"{len(plan.opened)} sub-accounts opened, 期初余额 借 {fen_text(totals['opening_debit'])} "
        f"= 贷 {fen_text(totals['opening_credit'])}"
        + ("; 年初余额 and 本年累计 recorded for the year's statements" if plan.mid_year else "")
    )
    return 0


def _words(error: Exception) -> str:
    """A refusal in Chinese when the domain gave one."""
    return str(getattr(error, "zh", None) or error)


def add_setup_commands(sub: Any) -> None:
    """The ``setup-books`` subcommand, on the command line's subparsers."""
    setup = sub.add_parser(
        "setup-books",
        help="建账: set up a village's books from a 科目余额表 (XLSX): sub-accounts, 期初余额, "
        "and 年初余额 with 本年累计 for books starting during a year; all or nothing",
    )
    setup.add_argument("file", nargs="?", help="the 科目余额表 (.xlsx)")
    setup.add_argument("--entity", help="the village or joint entity whose books start")
    setup.add_argument("--month", help="the month the books start (its first day), e.g. 2026-07")
    setup.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
    setup.add_argument("--actor", default="setup-books", help="recorded as 经办")
    setup.add_argument("--template", help="write the 科目余额表 template (.xlsx) here")
    setup.set_defaults(func=cmd_setup_books)
