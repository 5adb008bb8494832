"""What every ``lianzhang`` command shares: the one-line refusal, the settings (the command
line's ``--database-url`` and ``--schema`` over the environment) and the runtime."""

from __future__ import annotations

import argparse
import dataclasses
from typing import TYPE_CHECKING

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


def _runtime(settings: Settings) -> Runtime:
    from runtime.bootstrap import Runtime

    return Runtime(
        settings.database_url, schema=settings.database_schema, keys=settings.key_locations()
    )


def _where(settings: Settings) -> str:
    from adapters.database import is_postgres, sqlite_path

    if is_postgres(settings.database_url):
        schema = settings.database_schema or "public"
        return f"{settings.database_url} (schema {schema})"
    return str(sqlite_path(settings.database_url))
