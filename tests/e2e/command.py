"""``lianzhang`` run in the test's process: ``scripts.cli.main`` with the arguments, in a working
directory, with a standard input, its output and exit status captured as a process would give
them, without starting Python and importing the project again (about a second and a half of CPU
per command). The command builds its own runtime from the database URL, as a process does (its
own caches); it sees the test's environment, as a child process would.

A test whose point is the process itself starts a real one: the server and the worker, kill -9,
several writers at once, the umask and the key files of a command started elsewhere
(``test_file_modes``, ``test_store_keys``, ``test_idempotency``, ``test_worker``,
``test_demo_serves_balanced_books``)."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from scripts.cli import main


def run(
    argv: list[str], cwd: Path | None = None, input_text: str = ""
) -> subprocess.CompletedProcess[str]:
    """``lianzhang ARGV`` in ``cwd``: (exit status, standard output, standard error), as
    ``subprocess.run(..., capture_output=True, text=True)`` gives them."""
    out, err = io.StringIO(), io.StringIO()
    # what a process without logging configured prints: warnings and worse, on standard error
    # (logging's last resort handler)
    handler = logging.StreamHandler(err)
    handler.setLevel(logging.WARNING)
    root = logging.getLogger()
    where, stdin, umask = os.getcwd(), sys.stdin, os.umask(0o077)
    os.umask(umask)
    try:
        os.chdir(cwd or where)
        sys.stdin = io.StringIO(input_text)
        root.addHandler(handler)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                status = main(argv)
            except SystemExit as exit_:  # argparse: a usage error (2) or --help (0)
                if isinstance(exit_.code, str):
                    print(exit_.code, file=sys.stderr)
                status = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    finally:
        root.removeHandler(handler)
        sys.stdin = stdin
        os.chdir(where)
        os.umask(umask)  # main() sets 077 for the files a command makes
    return subprocess.CompletedProcess(["lianzhang", *argv], status, out.getvalue(), err.getvalue())


def lianzhang(
    database: tuple[str, str | None],
    cwd: Path,
    *args: str,
    check: bool = True,
    input_text: str = "",
) -> subprocess.CompletedProcess[str]:
    """``lianzhang --database-url URL [--schema S] ARGS`` on the test's store, in ``cwd``; with
    ``check``, its exit status must be 0."""
    url, schema = database
    result = run(
        ["--database-url", url, *(["--schema", schema] if schema else []), *args],
        cwd,
        input_text,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result
