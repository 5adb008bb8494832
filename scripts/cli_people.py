"""``lianzhang token`` and ``lianzhang user``: API tokens and the people who log in to the
workbench (create, list, change, disable, enable, unlock, password)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from scripts.cli_common import CommandError, _runtime, _settings


def cmd_token(args: argparse.Namespace) -> int:
    from web.tokens import TokenStore

    settings = _settings(args)
    runtime = _runtime(settings)
    tokens = TokenStore(runtime.engine)
    try:
        if args.token_command == "create":
            from web.tokens import person_limits

            owner = None
            if args.user:
                person = runtime.app.people.get_person(args.user)
                if person.disabled:
                    raise CommandError(f"user {person.login} is disabled; enable them first")
                refused = person_limits(args.role, person)
                if refused:
                    raise CommandError(f"{refused[0]}; nothing was written")
                outside = sorted(
                    set(args.township or []) - set(person.townships)
                    if person.role not in ("admin", "auditor")
                    else set()
                )
                if outside:
                    raise CommandError(
                        f"user {person.login} works in {', '.join(person.townships)}, not in "
                        f"{', '.join(outside)}: a token of theirs writes only where they do; "
                        "nothing was written"
                    )
                owner = person.login
            token = tokens.create(args.name, args.role, args.township or [], owner=owner)
            print(token)
            whose = f", of user {owner}" if owner else ""
            print(
                f"(token {args.name!r}, role {args.role}{whose}; it is shown only now)",
                file=sys.stderr,
            )
        elif args.token_command == "list":
            for row in tokens.list():
                state = "revoked" if row["revoked_at"] else "active"
                townships = ",".join(row["townships"]) or "-"  # type: ignore[arg-type]
                print(f"{row['name']}\t{row['role']}\t{townships}\t{state}\t{row['owner'] or '-'}")
        else:
            tokens.revoke(args.name)
            print(f"revoked token {args.name!r}")
    finally:
        runtime.close()
    return 0


CLI_ACTOR = "cli"  # the actor of people's events written on the command line


def _cli_caller() -> Any:
    """Whoever holds the database manages people from the command line: a caller writing
    everywhere."""
    from domain.runner import Caller

    return Caller(CLI_ACTOR)


def _new_password(args: argparse.Namespace) -> str:
    """The password from standard input (``--password-stdin``: its first line), or asked for
    twice without echo; checked before anything is written."""
    import getpass

    from web.users import PasswordError, check_new_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass("password: ")
            again = getpass.getpass("password again: ")
        except EOFError:
            raise CommandError(
                "no password given (use --password-stdin to pipe one); nothing was written"
            ) from None
        if again != password:
            raise CommandError("the two passwords differ; nothing was written")
    try:
        check_new_password(password)
    except PasswordError as error:
        raise CommandError(f"{error.message}; nothing was written") from None
    return password


def cmd_user(args: argparse.Namespace) -> int:
    """People of the workbench: create, list, change, disable, enable, unlock, password. What is
    in the log runs as a command (``domain.people.commands``) through the runner; passwords and
    lock-outs are ``web.users``'."""
    from domain.people.commands import ChangePerson, DisablePerson, EnablePerson, RegisterPerson
    from domain.runner import Runner
    from projections.people_view import person_list
    from web.tokens import TokenStore
    from web.users import UserStore

    settings = _settings(args)
    runtime = _runtime(settings)
    users = UserStore(runtime.engine)
    app = runtime.app
    runner = Runner(app)
    try:
        if args.user_command == "create":
            from domain.people import Person

            # every field checked, and the password read, before anything is written
            Person.register(
                login=args.login,
                name=args.name,
                role=args.role,
                townships=args.township or [],
                phone=args.phone,
                actor=CLI_ACTOR,
            )
            password = _new_password(args)
            login = runner.run(
                RegisterPerson(
                    login=args.login,
                    name=args.name,
                    role=args.role,
                    townships=tuple(args.township or ()),
                    phone=args.phone,
                ),
                _cli_caller(),
            ).result
            person = app.people.get_person(login)
            users.set_password(person.login, password)
            print(f"created user {person.login} ({person.name}, {person.role})")
        elif args.user_command == "list":
            runtime.views.catch_up()
            for row in person_list(runtime.engine):
                townships = ",".join(row["townships"]) or "-"
                state = "disabled" if row["disabled"] else "active"
                phone = row["phone"] or "-"
                print(
                    f"{row['login']}\t{row['name']}\t{row['role']}\t{townships}\t{phone}\t{state}"
                )
        elif args.user_command == "disable":
            login = runner.run(DisablePerson(login=args.login), _cli_caller()).result
            ended = users.end_sessions(login)
            revoked = TokenStore(runtime.engine).revoke_owned(login)
            print(f"disabled user {login} ({ended} session(s) ended, {revoked} token(s) revoked)")
        elif args.user_command == "change":
            changed = ChangePerson(
                login=args.login,
                name=args.name,
                role=args.role,
                townships=None if args.township is None else tuple(args.township),
                phone=args.phone,
            )
            person = app.people.get_person(runner.run(changed, _cli_caller()).result)
            townships = ",".join(person.townships) or "-"
            print(f"user {person.login}: {person.name}, {person.role}, {townships}")
        elif args.user_command == "enable":
            login = runner.run(EnablePerson(login=args.login), _cli_caller()).result
            print(f"enabled user {login}")
        elif args.user_command == "unlock":
            person = app.people.get_person(args.login)
            counted = users.unlock(person.login)
            print(
                f"unlocked user {person.login} (failed logins from {counted} address(es) cleared)"
            )
        else:  # password
            person = app.people.get_person(args.login)
            users.set_password(person.login, _new_password(args))
            print(f"set the password of user {person.login}")
    finally:
        runtime.close()
    return 0


def add_people_commands(sub: Any) -> None:
    """The ``token`` and ``user`` subcommands, on the command line's subparsers."""
    token = sub.add_parser("token", help="manage API tokens")
    tsub = token.add_subparsers(dest="token_command", required=True)
    create = tsub.add_parser("create", help="create a token and print it once")
    create.add_argument("name")
    create.add_argument("--role", choices=("admin", "clerk", "auditor"), required=True)
    create.add_argument(
        "--township", action="append", help="township a clerk may write in (repeatable)"
    )
    create.add_argument("--user", help="login of the person the token belongs to")
    tsub.add_parser("list", help="list tokens (never the secrets)")
    revoke = tsub.add_parser("revoke", help="revoke a token")
    revoke.add_argument("name")
    token.set_defaults(func=cmd_token)

    from domain.roles import PERSON_ROLES

    user = sub.add_parser("user", help="manage the people who log in to the workbench")
    usub = user.add_subparsers(dest="user_command", required=True)
    ucreate = usub.add_parser("create", help="register a person and set their password")
    ucreate.add_argument("login", help="2 to 32 of a-z 0-9 . _ - (a phone number is fine)")
    ucreate.add_argument("--name", required=True, help="姓名, shown as 经办")
    ucreate.add_argument("--role", choices=tuple(PERSON_ROLES), required=True)
    ucreate.add_argument(
        "--township",
        action="append",
        help="township they work in (repeatable; not for admin or auditor)",
    )
    ucreate.add_argument("--phone", help="手机号 (they may log in with it)")
    ucreate.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    usub.add_parser("list", help="list people (never passwords)")
    uchange = usub.add_parser("change", help="change a person's name, role, townships or phone")
    uchange.add_argument("login")
    uchange.add_argument("--name", help="姓名")
    uchange.add_argument("--role", choices=tuple(PERSON_ROLES))
    uchange.add_argument(
        "--township", action="append", help="the townships from now on (repeatable; all of them)"
    )
    uchange.add_argument("--phone", help="手机号 ('' removes it)")
    for name, text in (
        ("disable", "disable a person (ends their sessions, revokes their tokens)"),
        ("enable", "enable a disabled person"),
        ("unlock", "lift every lock-out of a person's login (failed logins forgotten)"),
    ):
        p = usub.add_parser(name, help=text)
        p.add_argument("login")
    upassword = usub.add_parser("password", help="set a person's password (lifts a lock-out)")
    upassword.add_argument("login")
    upassword.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    user.set_defaults(func=cmd_user)
