"""``lianzhang register migrate [--village V]``: move the member registers still in the legacy
shape (one ``MemberRegister`` aggregate holding every household) into the bounded shape
(``domain/members/migration.py``), through the one runner as any command; registers already
bounded are left as they are, so running it again records nothing."""

from __future__ import annotations

import argparse
from typing import Any

from scripts.cli_common import CommandError, _runtime, _settings


def cmd_register(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from domain.errors import DomainError
    from domain.members.commands import MigrateRegister
    from domain.runner import Caller, Runner
    from projections.tables import registers

    runtime = _runtime(_settings(args))
    try:
        if args.village:
            villages = [args.village]
        else:
            runtime.views.catch_up()
            with runtime.engine.connect() as conn:
                villages = list(
                    conn.execute(
                        select(registers.c.village_code).order_by(registers.c.village_code)
                    ).scalars()
                )
        runner, caller = Runner(runtime.app), Caller(actor=args.actor)
        moved = 0
        for village in villages:
            try:
                done = runner.run(MigrateRegister(village=village), caller).result
            except DomainError as error:
                raise CommandError(f"{village}: {error}") from None
            if done.migrated:
                moved += 1
                print(
                    f"{village}: migrated {done.households} households and {done.members} "
                    "members into the bounded register"
                )
            else:
                print(f"{village}: already in the bounded shape; nothing recorded")
        runtime.views.catch_up()
        print(f"{moved} of {len(villages)} registers migrated")
    finally:
        runtime.close()
    return 0


def add_register_commands(sub: Any) -> None:
    """The ``register`` subcommand, on the command line's subparsers."""
    register = sub.add_parser("register", help="member registers: migrate the legacy ones")
    rsub = register.add_subparsers(dest="register_command", required=True)
    migrate = rsub.add_parser(
        "migrate",
        help="move legacy member registers into the bounded shape (every village with a "
        "register, or --village); registers already moved are left as they are",
    )
    migrate.add_argument("--village", help="only this village's register")
    migrate.add_argument("--actor", default="register-migrate", help="recorded as 经办")
    register.set_defaults(func=cmd_register)
