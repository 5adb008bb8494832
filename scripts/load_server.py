"""The server side of the load test (``scripts.load``): a fresh store, a real ``lianzhang
serve`` process on a free loopback port with an admin token, and one HTTP request to it. The
benchmark (``scripts.bench``) starts its server the same way.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REQUEST_TIMEOUT = 120.0  # seconds; a request slower than this counts as a transport error


class LoadError(Exception):
    """The load test could not be set up (the server did not start, a set-up call failed)."""


# -- the server -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _command(url: str, schema: str | None) -> list[str]:
    command = [sys.executable, "-m", "scripts.cli", "--database-url", url]
    if schema:
        command += ["--schema", schema]
    return command


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else ""),
    }


@dataclass
class Server:
    """A ``lianzhang serve`` process and an admin token on its store."""

    url: str
    schema: str | None
    base: str
    token: str
    process: subprocess.Popen[str]
    log: Path


@contextlib.contextmanager
def serve(url: str, schema: str | None, log: Path, *, worker: bool = False) -> Iterator[Server]:
    """Start ``lianzhang serve`` on a free port (``serve --worker`` when ``worker``: the read
    models are kept up by ``lianzhang worker``, :func:`read_model_worker`), its output to
    ``log``; stop it (SIGTERM, then SIGKILL) on exit."""
    created = subprocess.run(
        [
            *_command(url, schema),
            "token",
            "create",
            f"load-{uuid.uuid4().hex[:6]}",
            "--role",
            "admin",
        ],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if created.returncode != 0:
        raise LoadError(f"token create failed: {created.stderr.strip()}")
    token = created.stdout.strip().splitlines()[-1]
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                *_command(url, schema),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                *(["--worker"] if worker else []),
            ],
            cwd=ROOT,
            env=_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    server = Server(url, schema, f"127.0.0.1:{port}", token, process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = request(server, "GET", "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise LoadError(f"the server did not come up; see {log}")
            time.sleep(0.2)
        yield server
    finally:
        stop(process)


@contextlib.contextmanager
def read_model_worker(url: str, schema: str | None, log: Path) -> Iterator[None]:
    """``lianzhang worker`` on the store (made already), its output to ``log``; stopped on
    exit."""
    with log.open("w") as out:
        process = subprocess.Popen(
            [*_command(url, schema), "worker"],
            cwd=ROOT,
            env=_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        deadline = time.monotonic() + 60
        while "worker: listening" not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise LoadError(f"the worker did not come up; see {log}")
            time.sleep(0.2)
        yield
    finally:
        stop(process)


def stop(process: subprocess.Popen[str]) -> None:
    """SIGTERM, then SIGKILL after 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


def request(
    server: Server,
    method: str,
    path: str,
    body: Any = None,
    *,
    connection: http.client.HTTPConnection | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One HTTP request; returns the status and the decoded JSON body (None when not JSON)."""
    conn = connection or http.client.HTTPConnection(server.base, timeout=REQUEST_TIMEOUT)
    try:
        sent = {"Authorization": f"Bearer {server.token}", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        raw = response.read()
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = None
        return response.status, decoded
    finally:
        if connection is None:
            conn.close()


def expect(server: Server, method: str, path: str, body: Any, want: int) -> Any:
    status, answer = request(server, method, path, body)
    if status != want:
        raise LoadError(f"{method} {path} answered {status}: {answer}")
    return answer


# -- the store ------------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_store(
    url: str | None, schema: str | None, keep: bool
) -> Iterator[tuple[str, str | None, Path]]:
    """(database URL, schema, working directory): a new SQLite file in a temporary directory
    when no URL is given, a new PostgreSQL schema (dropped afterwards unless ``keep``) when no
    schema is given; a given SQLite file or schema is used as it is."""
    with tempfile.TemporaryDirectory(prefix="lianzhang-load-") as tmp:
        workdir = Path(tmp)
        if not url or url.startswith("sqlite"):
            path = workdir / "load.sqlite3" if not url else Path(url.removeprefix("sqlite:///"))
            yield f"sqlite:///{path}", None, workdir
            return
        if schema:
            yield url, schema, workdir
            return
        schema = "lz_load_" + uuid.uuid4().hex[:10]
        try:
            yield url, schema, workdir
        finally:
            if not keep:
                _drop_schema(url, schema)


def _drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
