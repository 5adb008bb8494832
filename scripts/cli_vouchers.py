"""``lianzhang import-vouchers FILE``: a file of vouchers (XLSX, CSV, JSON Lines) through the bulk
path (``domain/bulk.py``), every voucher checked as a single posting is, all or nothing; they are
submitted for review by ``--actor`` (another person reviews and posts them on the workbench's
batch review page), or posted at once with ``--post-directly`` (vouchers reviewed elsewhere)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scripts.cli_common import CommandError, _runtime, _settings


def cmd_import_vouchers(args: argparse.Namespace) -> int:
    """Import a file of vouchers (XLSX, CSV or JSON Lines) through the bulk path
    (``domain/bulk.py``): every voucher checked as a single posting is, all or nothing, and
    submitted for review (``--post-directly``: posted); with ``--template`` write the file to
    fill in instead."""
    from adapters.voucher_files import (
        VoucherFileError,
        read_voucher_file,
        write_template,
    )
    from domain.bulk import VouchersRefusedError
    from domain.runner import Caller, Runner
    from domain.vouchers.commands import ImportVouchers

    if args.template:
        try:
            write_template(args.template)
        except (OSError, VoucherFileError) as error:
            raise CommandError(f"cannot write {args.template}: {error}") from None
        print(f"wrote the voucher template {args.template}")
        return 0
    if not args.file:
        raise CommandError("name the voucher file (.xlsx, .csv or .jsonl), or --template FILE")
    try:
        parsed = read_voucher_file(args.file, entity=args.entity)
    except VoucherFileError as error:
        raise CommandError(f"{args.file}: {error}") from None
    problems = list(parsed.problems)
    runtime = _runtime(_settings(args))
    try:
        try:
            if parsed.vouchers:
                # the holder of the database may write anywhere: no townships to check
                command = ImportVouchers(
                    tuple(parsed.vouchers),
                    dry_run=args.dry_run or bool(problems),
                    post_directly=args.post_directly,
                )
                result = Runner(runtime.app).run(command, Caller(actor=args.actor)).result
        except VouchersRefusedError as error:
            problems += [parsed.locate(p) for p in error.problems]
            saved = error.saved_batches
        else:
            saved = 0
    finally:
        runtime.close()
    if problems:
        problems.sort(key=lambda p: p.row)
        for problem in problems:
            print(f"{args.file}: {problem.line()}", file=sys.stderr)
        earlier = (
            f" ({saved} batches saved by an earlier run stay; the rest was not written)"
            if saved
            else ""
        )
        raise CommandError(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {args.file}; "
            f"nothing was written{earlier}. Fix the rows named above and run it again"
        )
    if result.for_review:
        counts: dict[str, int] = {}
        for voucher in result.posted:
            counts[voucher.entity] = counts.get(voucher.entity, 0) + 1
        listed = ", ".join(f"{code} {n}" for code, n in counts.items())
        if result.dry_run:
            print(
                f"checked {len(result.posted)} vouchers for {len(counts)} books: all can be "
                f"imported for review ({listed}); nothing was written (--dry-run)"
            )
            return 0
        skipped = (
            f"; {result.skipped_batches} of them had been saved by an earlier run and were skipped"
            if result.skipped_batches
            else ""
        )
        print(
            f"imported {len(result.posted)} vouchers for review (待审核: {listed}) in "
            f"{result.batches} batches{skipped}; another person reviews them on the batch review "
            "page (/review) and they are numbered when posted"
        )
        return 0
    books: dict[str, list[str]] = {}
    for posted in result.posted:
        books.setdefault(posted.entity, []).append(posted.number)
    ranges = ", ".join(f"{code} {n[0]}…{n[-1]}" for code, n in books.items())
    if result.dry_run:
        print(
            f"checked {len(result.posted)} vouchers for {len(books)} books: all can be posted "
            f"({ranges}); nothing was written (--dry-run)"
        )
        return 0
    skipped = (
        f"; {result.skipped_batches} of them had been saved by an earlier run and were skipped"
        if result.skipped_batches
        else ""
    )
    print(
        f"imported {len(result.posted)} vouchers into {len(books)} books ({ranges}) in "
        f"{result.batches} batches{skipped}"
    )
    return 0


def add_voucher_commands(sub: Any) -> None:
    """The ``import-vouchers`` subcommand, on the command line's subparsers."""
    vouchers = sub.add_parser(
        "import-vouchers",
        help="import a file of vouchers (XLSX, CSV, JSON Lines) for review: every voucher checked, "
        "all or nothing",
    )
    vouchers.add_argument("file", nargs="?", help="the vouchers: .xlsx, .csv or .jsonl")
    vouchers.add_argument("--entity", help="the entity of every voucher (no 单位代码 column)")
    vouchers.add_argument(
        "--dry-run", action="store_true", help="check every voucher and write nothing"
    )
    vouchers.add_argument("--actor", default="import-vouchers", help="recorded as 经办")
    vouchers.add_argument(
        "--post-directly",
        action="store_true",
        help="post into the books at once, without review (vouchers reviewed elsewhere); by "
        "default they are submitted for review",
    )
    vouchers.add_argument("--template", help="write the voucher template (.xlsx or .csv) here")
    vouchers.set_defaults(func=cmd_import_vouchers)
