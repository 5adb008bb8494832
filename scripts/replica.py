"""A local PostgreSQL streaming replica of the primary, for public pages and statements read from
a hot standby (``LIANZHANG_READ_URL``), and for the test that proves it.

    python -m scripts.replica start [--primary URL] [--port 5433] [--dir DIR]
    python -m scripts.replica status [--port 5433] [--dir DIR]
    python -m scripts.replica stop [--port 5433] [--dir DIR] [--keep]

``start`` takes a base backup of the whole primary cluster (``pg_basebackup -R -X stream -c
fast``: a fast checkpoint on the primary, WAL streamed during the copy, ``standby.signal`` and
``primary_conninfo`` written) into ``DIR`` (default ``/tmp/lianzhang-replica-PORT``), writes the
replica's own ``postgresql.conf`` and ``pg_hba.conf`` there (a Debian cluster keeps its
configuration in ``/etc/postgresql``, so the copied data directory has none), and starts it on
``PORT`` as a hot standby. It prints the replica's URL: ``LIANZHANG_READ_URL=...``.
``stop`` stops it (fast shutdown) and deletes ``DIR`` unless ``--keep``.

**What the primary needs**, checked every time: ``wal_level`` replica or logical and
``max_wal_senders`` > 0 (both need a restart to change; ``start`` refuses and says so, it does not
restart a shared server), and a ``pg_hba.conf`` rule that lets ``replication`` connect from
127.0.0.1. When that rule is missing, ``start`` appends one line, with the authentication method
the primary already uses for 127.0.0.1 (``trust`` on the Debian test cluster), marked
``# lianzhang scripts/replica.py``, and reloads the configuration; it never adds it twice.
No replication slot is made: a replica that is stopped or falls far behind does not hold WAL on
the primary (it may then need a new base backup, which is what ``start`` takes anyway).

Run as root, the cluster's programs run as the ``postgres`` user (PostgreSQL refuses root), and
``DIR`` belongs to that user. Binaries come from ``pg_config --bindir``, else
``/usr/lib/postgresql/15/bin``.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from adapters.database import connect_postgres

DEFAULT_PRIMARY = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_PORT = 5433
HBA_MARK = "# lianzhang scripts/replica.py"
# Settings a hot standby must have at least as high as its primary (else it refuses to start).
AT_LEAST_PRIMARY = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class ReplicaError(Exception):
    """The replica cannot be made or run; the message says why and what to do."""


@dataclass(frozen=True)
class Replica:
    directory: Path
    port: int
    database: str

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{self.database}"


def default_dir(port: int) -> Path:
    return Path("/tmp") / f"lianzhang-replica-{port}"


def bindir() -> Path:
    for candidate in (_pg_config_bindir(), Path("/usr/lib/postgresql/15/bin")):
        if candidate is not None and (candidate / "pg_basebackup").exists():
            return candidate
    raise ReplicaError(
        "PostgreSQL's server programs (pg_basebackup, pg_ctl) were not found: install "
        "postgresql-15 or put pg_config on PATH"
    )


def _pg_config_bindir() -> Path | None:
    found = shutil.which("pg_config")
    if found is None:
        return None
    try:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return Path(out.stdout.strip())


def _owner() -> str | None:
    """The user the cluster's programs run as: ``postgres`` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise ReplicaError("running as root, but there is no 'postgres' user to run as") from None
    return "postgres"


def _run(command: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    owner = _owner()
    if owner is not None:
        command = ["runuser", "-u", owner, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True)
    if check and done.returncode != 0:
        output = (done.stderr or done.stdout).strip().splitlines()
        raise ReplicaError(
            f"{Path(command[command.index('--') + 1] if owner else command[0]).name} failed: "
            + (output[-1] if output else f"exit {done.returncode}")
        )
    return done


# -- the primary ---------------------------------------------------------------------------------


def prepare_primary(primary: str) -> list[str]:
    """Check the primary can feed a streaming replica; add the pg_hba rule for replication
    from 127.0.0.1 when it is missing. Returns what was changed (empty when nothing)."""
    with connect_postgres(primary) as conn:
        setting = {
            name: str(conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
            for name in ("wal_level", "max_wal_senders", "hba_file")
        }
        if setting["wal_level"] not in ("replica", "logical"):
            raise ReplicaError(
                f"the primary has wal_level={setting['wal_level']}; run ALTER SYSTEM SET "
                "wal_level = replica and restart it (not done here: it restarts a shared server)"
            )
        if int(setting["max_wal_senders"]) < 1:
            raise ReplicaError(
                "the primary has max_wal_senders=0; run ALTER SYSTEM SET max_wal_senders = 10 "
                "and restart it"
            )
        rules = conn.execute(
            "SELECT type, database, address, auth_method FROM pg_hba_file_rules "
            "WHERE error IS NULL ORDER BY line_number"
        ).fetchall()
        if any(_admits_replication(t, d, a) for t, d, a, _ in rules):  # type: ignore[misc]
            return []
        method = next(
            (m for t, d, a, m in rules if t == "host" and "all" in (d or []) and _local(a)),
            "trust",
        )
        hba = Path(setting["hba_file"])
        line = f"host replication all 127.0.0.1/32 {method} {HBA_MARK}\n"
        try:
            text = hba.read_text()
            if HBA_MARK not in text:
                with hba.open("a") as handle:
                    handle.write(("" if text.endswith("\n") else "\n") + line)
        except OSError as error:
            raise ReplicaError(
                f"the primary's {hba} has no rule for replication from 127.0.0.1 and cannot be "
                f"changed here ({error.strerror}); add the line: {line.strip()}"
            ) from None
        conn.execute("SELECT pg_reload_conf()")
        return [f"added to {hba}: {line.strip()} (and reloaded the configuration)"]


def _admits_replication(kind: str, databases: list[str] | None, address: str | None) -> bool:
    return kind in ("host", "hostnossl") and "replication" in (databases or []) and _local(address)


def _local(address: str | None) -> bool:
    return address in ("127.0.0.1", "0.0.0.0", "all", "samehost", None) or str(address).startswith(
        "127."
    )


def current_lsn(primary: str) -> str:
    """The primary's current WAL position: every commit made before it is at or before it."""
    with connect_postgres(primary) as conn:
        return str(conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0])  # type: ignore[index]


# -- the replica ---------------------------------------------------------------------------------


def start(
    primary: str = DEFAULT_PRIMARY, port: int = DEFAULT_PORT, directory: Path | None = None
) -> Replica:
    """Base-back-up the primary into ``directory`` and start it on ``port`` as a hot standby
    streaming from the primary. Returns the replica (its URL names the primary's database)."""
    programs = bindir()
    directory = (directory or default_dir(port)).resolve()
    replica = Replica(directory, port, make_url(primary).database or "postgres")
    if (directory / "postmaster.pid").exists():
        raise ReplicaError(f"a server already runs from {directory}; stop it first")
    if directory.exists() and any(directory.iterdir()):
        raise ReplicaError(f"{directory} is not empty; stop the replica there (it is deleted)")
    for change in prepare_primary(primary):
        print(f"primary: {change}", file=sys.stderr)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    owner = _owner()
    if owner is not None:
        shutil.chown(directory, owner, owner)
    parsed = make_url(primary)
    source = (
        f"host={parsed.host or '127.0.0.1'} port={parsed.port or 5432} "
        f"user={parsed.username or 'postgres'}"
    )
    _run(
        [
            str(programs / "pg_basebackup"),
            "-d",
            source,
            "-D",
            str(directory),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        ]
    )
    with connect_postgres(primary) as conn:
        at_least = {
            name: str(conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
            for name in AT_LEAST_PRIMARY
        }
    settings = {
        "port": str(port),
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{directory}'",
        "hot_standby": "on",
        "hot_standby_feedback": "on",
        "fsync": "off",  # a throwaway copy: a crash means a new base backup, not lost data
        "shared_buffers": "32MB",
        **at_least,
    }
    _write(directory / "postgresql.conf", "".join(f"{k} = {v}\n" for k, v in settings.items()))
    _write(directory / "pg_hba.conf", "local all all trust\nhost all all 127.0.0.1/32 trust\n")
    _write(directory / "pg_ident.conf", "")
    _run(
        [
            str(programs / "pg_ctl"),
            "-D",
            str(directory),
            "-l",
            str(directory / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ]
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with connect_postgres(replica.url) as conn:
                if conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]:  # type: ignore[index]
                    return replica
                raise ReplicaError(f"the server on port {port} is not a standby")
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise ReplicaError(
                    f"the replica on port {port} does not accept connections; see "
                    f"{directory / 'server.log'}"
                ) from None
            time.sleep(0.2)


def _write(path: Path, text: str) -> None:
    path.write_text(text)
    owner = _owner()
    if owner is not None:
        shutil.chown(path, owner, owner)


def stop(directory: Path, *, keep: bool = False) -> bool:
    """Stop the replica running from ``directory`` (if it runs) and delete ``directory``
    unless ``keep``. Returns whether a server was stopped."""
    directory = directory.resolve()
    stopped = False
    if (directory / "postmaster.pid").exists():
        _run(
            [str(bindir() / "pg_ctl"), "-D", str(directory), "-m", "fast", "-w", "-t", "60", "stop"]
        )
        stopped = True
    if not keep and directory.exists():
        if not (directory / "standby.signal").exists() and any(directory.iterdir()):
            raise ReplicaError(f"{directory} is not a replica made here; not deleting it")
        shutil.rmtree(directory)
    return stopped


def wait_for_lsn(replica_url: str, lsn: str, timeout: float = 30) -> None:
    """Until the replica has replayed the primary's WAL up to ``lsn``."""
    deadline = time.monotonic() + timeout
    with connect_postgres(replica_url) as conn:
        while True:
            reached = conn.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)
            ).fetchone()[0]  # type: ignore[index]
            if reached:
                return
            if time.monotonic() > deadline:
                raise ReplicaError(f"the replica has not replayed up to {lsn} in {timeout:g} s")
            time.sleep(0.05)


def status(replica_url: str) -> str:
    try:
        with connect_postgres(replica_url) as conn:
            row = conn.execute(
                "SELECT pg_is_in_recovery(), pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn(), "
                "pg_is_wal_replay_paused()"
            ).fetchone()
    except psycopg.OperationalError:
        return "not running"
    assert row is not None
    recovery, received, replayed, paused = row
    if not recovery:
        return "running, not a standby"
    return f"standby: received {received}, replayed {replayed}" + (" (paused)" if paused else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.replica", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("--primary", default=DEFAULT_PRIMARY, help=f"default {DEFAULT_PRIMARY}")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--dir", type=Path, help="default /tmp/lianzhang-replica-PORT")
    parser.add_argument("--keep", action="store_true", help="stop: keep the data directory")
    args = parser.parse_args(argv)
    directory = args.dir or default_dir(args.port)
    database = make_url(args.primary).database or "postgres"
    try:
        if args.action == "start":
            replica = start(args.primary, args.port, directory)
            print(f"replica of {args.primary} running from {replica.directory}")
            print(f"LIANZHANG_READ_URL={replica.url}")
        elif args.action == "stop":
            was = stop(directory, keep=args.keep)
            print(f"replica on port {args.port} " + ("stopped" if was else "was not running"))
        else:
            print(status(Replica(directory, args.port, database).url))
    except (ReplicaError, psycopg.Error) as error:
        print(f"replica {args.action}: {str(error).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
