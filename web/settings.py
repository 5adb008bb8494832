"""The one settings object. Configuration is read here, at the edge, and nowhere else.

Environment variables:

- ``LIANZHANG_DATABASE_URL``: where events and read models live. Default
  ``sqlite:///var/lianzhang.sqlite3`` (a file under ./var, no set-up needed). For PostgreSQL:
  ``postgresql://postgres@127.0.0.1:5432/test``.
- ``LIANZHANG_DATABASE_SCHEMA``: PostgreSQL schema to use (created if missing); default the
  server's ``public``.
- ``LIANZHANG_PROJECTIONS``: who keeps the read models up. ``request`` (default): every request
  catches them up itself, a write before it answers. ``worker``: a separate ``lianzhang worker``
  does; a request waits only until they reach its own write's position (read-your-writes by
  position, ``web.deps``).
- ``LIANZHANG_WAIT_SECONDS``: how long such a request waits before answering 503 with
  ``Retry-After`` (default 10).
- ``LIANZHANG_READ_URL``: a PostgreSQL streaming replica of the database; public pages and
  statements are read there (default: the database itself). A read that cannot reach it, or
  finds it past its lag budget, is read on the database itself (``projections.reads.Replica``).
- ``LIANZHANG_REPLICA_LAG_EVENTS``, ``LIANZHANG_REPLICA_LAG_SECONDS``: the replica's lag budget:
  its read models at most this many events behind the primary's, its replay at most this many
  seconds behind (defaults 1000 and 30).
- ``LIANZHANG_READY_LAG_EVENTS``, ``LIANZHANG_READY_LAG_SECONDS``: ``/readyz`` says not ready
  when the read models are more than this many events behind the log, or the oldest event they
  have not applied is older than this (defaults 1000 and 30).
- ``LIANZHANG_WORKER_SILENCE_SECONDS``: in worker mode, ``/readyz`` says not ready when no
  ``lianzhang worker`` has written its heartbeat for this long (default 30).
- ``LIANZHANG_KEY_DIR``: the directory of both key files (``signing-key.pem``, ``data-key``);
  default beside the SQLite file, or for PostgreSQL
  ``~/.local/share/lianzhang/keys/<host>-<port>-<database>-<schema>``. Never the working
  directory (``audit.store_keys.KeyLocations``).
- ``LIANZHANG_SIGNING_KEY``, ``LIANZHANG_DATA_KEY``: one key file each, instead (made absolute).
- ``LIANZHANG_METRICS``: ``on`` (default) or ``off``: ``GET /metrics`` (``web.metrics``).
- ``LIANZHANG_METRICS_TOKEN``: when set, ``/metrics`` answers only to ``Authorization: Bearer
  <token>``.
- ``LIANZHANG_LOG_FORMAT``: ``json`` or ``text``: how ``lianzhang serve`` and ``lianzhang
  worker`` (default ``json``) and ``lianzhang demo`` (default ``text``) print their log lines
  (``web.observability``).
- ``LIANZHANG_TOKEN_CACHE_SECONDS``: how long a process keeps an API token it has checked
  before it reads the token again (default 10, 0 to read it at every request, at most 300). A
  revocation in the same process holds at once; one by another process (``lianzhang token
  revoke`` beside a running server) within this many seconds (``web.tokens``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from adapters.database import DatabaseConfigError
from audit.store_keys import KeyLocations

DEFAULT_DATABASE_URL = "sqlite:///var/lianzhang.sqlite3"
PROJECTION_MODES = ("request", "worker")
SWITCHES = {"on": True, "off": False}
LOG_FORMATS = ("json", "text")
DEFAULT_WAIT_SECONDS = 10.0
DEFAULT_LAG_EVENTS = 1000
DEFAULT_LAG_SECONDS = 30.0
DEFAULT_WORKER_SILENCE_SECONDS = 30.0
# the budgets read from the environment: variable, attribute, whole number of events or seconds
BUDGETS = (
    ("LIANZHANG_READY_LAG_EVENTS", "ready_lag_events", DEFAULT_LAG_EVENTS),
    ("LIANZHANG_READY_LAG_SECONDS", "ready_lag_seconds", DEFAULT_LAG_SECONDS),
    ("LIANZHANG_WORKER_SILENCE_SECONDS", "worker_silence_seconds", DEFAULT_WORKER_SILENCE_SECONDS),
    ("LIANZHANG_REPLICA_LAG_EVENTS", "replica_lag_events", DEFAULT_LAG_EVENTS),
    ("LIANZHANG_REPLICA_LAG_SECONDS", "replica_lag_seconds", DEFAULT_LAG_SECONDS),
)
DEFAULT_TOKEN_CACHE_SECONDS = 10.0


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    database_schema: str | None = None
    projections: str = "request"
    wait_seconds: float = DEFAULT_WAIT_SECONDS
    read_url: str | None = None
    key_dir: str | None = None
    signing_key: str | None = None
    data_key: str | None = None
    metrics: bool = True
    metrics_token: str | None = field(default=None, repr=False)  # a secret: never printed
    log_format: str | None = None  # None: the command's own default
    ready_lag_events: int = DEFAULT_LAG_EVENTS
    ready_lag_seconds: float = DEFAULT_LAG_SECONDS
    worker_silence_seconds: float = DEFAULT_WORKER_SILENCE_SECONDS
    replica_lag_events: int = DEFAULT_LAG_EVENTS
    replica_lag_seconds: float = DEFAULT_LAG_SECONDS
    token_cache_seconds: float = DEFAULT_TOKEN_CACHE_SECONDS

    def __post_init__(self) -> None:
        if self.log_format is not None and self.log_format not in LOG_FORMATS:
            raise DatabaseConfigError(
                f"LIANZHANG_LOG_FORMAT={self.log_format!r} is not one of {', '.join(LOG_FORMATS)}"
            )
        if self.projections not in PROJECTION_MODES:
            raise DatabaseConfigError(
                f"LIANZHANG_PROJECTIONS={self.projections!r} is not one of "
                f"{', '.join(PROJECTION_MODES)}"
            )
        if not 0 <= self.wait_seconds <= 300:
            raise DatabaseConfigError(
                f"LIANZHANG_WAIT_SECONDS={self.wait_seconds:g} is not between 0 and 300"
            )
        for variable, name, default in BUDGETS:
            value = getattr(self, name)
            if not 0 <= value <= 10**9:
                raise DatabaseConfigError(
                    f"{variable}={value:g} is not between 0 and 10^9 "
                    f"{'events' if isinstance(default, int) else 'seconds'}"
                )
        if not 0 <= self.token_cache_seconds <= 300:
            raise DatabaseConfigError(
                f"LIANZHANG_TOKEN_CACHE_SECONDS={self.token_cache_seconds:g} is not between 0 "
                "and 300"
            )

    def key_locations(self) -> KeyLocations:
        """Where this store's two key files are: absolute paths, whatever the working directory."""
        return KeyLocations.resolve(
            self.database_url,
            self.database_schema,
            key_dir=self.key_dir,
            signing=self.signing_key,
            data=self.data_key,
        )

    @property
    def catch_up_in_request(self) -> bool:
        return self.projections == "request"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        wait = environ.get("LIANZHANG_WAIT_SECONDS") or str(DEFAULT_WAIT_SECONDS)
        try:
            wait_seconds = float(wait)
        except ValueError:
            raise DatabaseConfigError(
                f"LIANZHANG_WAIT_SECONDS={wait!r} is not a number of seconds"
            ) from None
        switch = (environ.get("LIANZHANG_METRICS") or "on").strip().lower()
        if switch not in SWITCHES:
            raise DatabaseConfigError(f"LIANZHANG_METRICS={switch!r} is not one of on, off")
        budgets: dict[str, float | int] = {}
        for variable, name, default in BUDGETS:
            text = (environ.get(variable) or "").strip()
            if not text:
                continue
            try:
                budgets[name] = int(text) if isinstance(default, int) else float(text)
            except ValueError:
                unit = "whole number of events" if isinstance(default, int) else "number of seconds"
                raise DatabaseConfigError(f"{variable}={text!r} is not a {unit}") from None
        cached = environ.get("LIANZHANG_TOKEN_CACHE_SECONDS") or str(DEFAULT_TOKEN_CACHE_SECONDS)
        try:
            token_cache_seconds = float(cached)
        except ValueError:
            raise DatabaseConfigError(
                f"LIANZHANG_TOKEN_CACHE_SECONDS={cached!r} is not a number of seconds"
            ) from None
        return cls(
            database_url=environ.get("LIANZHANG_DATABASE_URL") or DEFAULT_DATABASE_URL,
            database_schema=environ.get("LIANZHANG_DATABASE_SCHEMA") or None,
            projections=(environ.get("LIANZHANG_PROJECTIONS") or "request").strip().lower(),
            wait_seconds=wait_seconds,
            read_url=environ.get("LIANZHANG_READ_URL") or None,
            key_dir=(environ.get("LIANZHANG_KEY_DIR") or "").strip() or None,
            signing_key=(environ.get("LIANZHANG_SIGNING_KEY") or "").strip() or None,
            data_key=(environ.get("LIANZHANG_DATA_KEY") or "").strip() or None,
            metrics=SWITCHES[switch],
            metrics_token=(environ.get("LIANZHANG_METRICS_TOKEN") or "").strip() or None,
            log_format=(environ.get("LIANZHANG_LOG_FORMAT") or "").strip().lower() or None,
            **budgets,  # type: ignore[arg-type]
            token_cache_seconds=token_cache_seconds,
        )
