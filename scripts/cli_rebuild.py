"""``lianzhang rebuild``: the read models rebuilt from the log, beside the ones in use and
switched in at once (``projections.online``), or with ``--offline`` dropped and replayed in
place."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from scripts.cli_common import CommandError, _runtime, _settings


def add_rebuild_command(sub: Any) -> None:
    """`lianzhang rebuild [--offline]` on the command line's subcommands."""
    rebuild = sub.add_parser(
        "rebuild",
        help="rebuild the read models from the log beside the ones in use and switch them in",
    )
    rebuild.add_argument(
        "--offline",
        action="store_true",
        help="drop the read models and replay them in place: faster, for a stopped service "
        "only (readers meanwhile see them empty)",
    )
    rebuild.set_defaults(func=cmd_rebuild)


def cmd_rebuild(args: argparse.Namespace) -> int:
    """Rebuild the read models from the log: beside the ones in use and switched in at once
    (``projections.online``), or with ``--offline`` dropped and replayed in place (a stopped
    service only: readers meanwhile see empty tables)."""
    from projections.online import rebuild_online
    from projections.replay import rebuild
    from projections.shadow import RebuildError, open_shadow
    from scripts.cli_common import progress_bar

    settings = _settings(args)
    runtime = _runtime(settings, commands=False)  # the store alone: no services imported
    try:
        with progress_bar(runtime.views.head()) as bar:
            if args.offline:
                with _database_errors("the read models are partly rebuilt; run it again"):
                    shadow = open_shadow(runtime.engine)
                    try:
                        with shadow.exclusive():
                            stats = rebuild(runtime, progress=bar.update)  # the replay path
                    finally:
                        shadow.dispose()
                # an event the signed chain does not cover stops the rebuild before it (exit
                # 2, naming it: audit.chain_gate), then a stuck read model
                runtime.views.require(runtime.views.stuck)
                others = _applied_by_others(runtime, stats["events"])
                if others:
                    bar.write(
                        f"another process (a server, a worker) applied {others} of the events "
                        "meanwhile: readers saw the read models empty; on a live service run "
                        "`lianzhang rebuild` without --offline",
                        file=sys.stderr,
                    )
            else:
                with _database_errors("the read models in use are as they were"):
                    stats = rebuild_online(
                        runtime, bar, note=lambda line: bar.write(line, file=sys.stderr)
                    )
    except RebuildError as error:
        raise CommandError(str(error)) from None
    finally:
        runtime.close()
    line = (
        f"rebuilt the read models from {stats['events']} events "
        f"in {stats['seconds']:.1f} s ({stats['events_per_second']:,.0f} events/s)"
    )
    if not args.offline:
        line += (
            f"; switched in at position {stats['position']} in "
            f"{stats['switch_seconds'] * 1000:.0f} ms ({stats['switch_events']} events "
            "written meanwhile applied in the switch)"
        )
    print(line)
    return 0


def _applied_by_others(runtime: Any, applied: int) -> int:
    """How many events the read models hold beyond what this process applied."""
    from sqlalchemy import func, select

    from projections.tables import tracking

    with runtime.engine.connect() as conn:
        least = conn.execute(select(func.min(tracking.c.position))).scalar_one()
    return max(0, int(least or 0) - applied)


@contextmanager
def _database_errors(state: str) -> Iterator[None]:
    """A database error (connection lost, a lock never had, a refused statement) ends the
    command with one line saying what and in which state it left the read models."""
    import sqlite3

    from eventsourcing.persistence import PersistenceError
    from sqlalchemy.exc import SQLAlchemyError

    from projections.runner import describe

    try:
        yield
    except Exception as error:
        # psycopg's errors only where psycopg was loaded (a PostgreSQL store): a SQLite
        # rebuild does not import it (0.1 s) to name an error it cannot raise
        psycopg = sys.modules.get("psycopg")
        errors = (SQLAlchemyError, sqlite3.Error, PersistenceError)
        if not isinstance(error, errors + ((psycopg.Error,) if psycopg else ())):
            raise
        raise CommandError(f"the database stopped it ({describe(error)}); {state}") from None
