"""The one settings object. Configuration is read here, at the edge, and nowhere else.

Environment variables:

- ``LIANZHANG_DATABASE_URL``: where events and read models live. Default
  ``sqlite:///var/lianzhang.sqlite3`` (a file under ./var, no set-up needed). For PostgreSQL:
  ``postgresql://postgres@127.0.0.1:5432/test``.
- ``LIANZHANG_DATABASE_SCHEMA``: PostgreSQL schema to use (created if missing); default the
  server's ``public``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///var/lianzhang.sqlite3"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    database_schema: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        return cls(
            database_url=environ.get("LIANZHANG_DATABASE_URL") or DEFAULT_DATABASE_URL,
            database_schema=environ.get("LIANZHANG_DATABASE_SCHEMA") or None,
        )
