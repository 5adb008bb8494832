"""What every ``lianzhang`` command shares: the one-line refusal, the settings (the command
line's ``--database-url`` and ``--schema`` over the environment) and the runtime."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: ``lianzhang --help`` loads none of them
    from runtime.bootstrap import Runtime
    from web.settings import Settings


class CommandError(Exception):
    """A command cannot go on; the message is the one line the user sees."""


def _settings(args: argparse.Namespace) -> Settings:
    from web.settings import Settings

    base = Settings.from_env()
    return dataclasses.replace(
        base,
        database_url=args.database_url or base.database_url,
        database_schema=args.schema or base.database_schema,
        projections="worker"
        if getattr(args, "worker", False) or getattr(args, "no_catch_up", False)
        else base.projections,
    )


def _runtime(settings: Settings, *, commands: bool = True) -> Runtime:
    from runtime.bootstrap import Runtime

    return Runtime(
        settings.database_url,
        schema=settings.database_schema,
        keys=settings.key_locations(),
        commands=commands,
    )


def _where(settings: Settings) -> str:
    from adapters.database import is_postgres, sqlite_path

    if is_postgres(settings.database_url):
        schema = settings.database_schema or "public"
        return f"{settings.database_url} (schema {schema})"
    return str(sqlite_path(settings.database_url))


class _NoBar:
    """The progress of a rebuild whose standard error is not a terminal (a log, a pipe): one
    line when it ends (``rebuilding: 100% (N/N events)``) and the notes as they come, no bar
    redrawn (tqdm, 50–70 ms of imports, only for a terminal)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0

    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        total = self.total or 0
        share = 100 * self.done // total if total else 100
        self.write(f"rebuilding: {share}% ({self.done}/{total} events)")

    def update(self, n: int) -> None:
        self.done += n

    def write(self, line: str, file: Any = None) -> None:
        print(line, file=file or sys.stderr, flush=True)


def progress_bar(total: int) -> Any:
    """A tqdm bar on a terminal, else ``_NoBar``."""
    if not sys.stderr.isatty():
        return _NoBar(total)
    from tqdm import tqdm

    return tqdm(total=total, unit="event", desc="rebuilding")
