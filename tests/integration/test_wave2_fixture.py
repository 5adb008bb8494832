"""A store written at 5ec8cde (the head before the wave-2 reshaping) still loads, and the current
code gives the same statements, sheets, exports and ``verify`` as that version did
(``tests/fixtures/wave2``: the store as a SQLite file and a PostgreSQL dump, its keys, and the
golden outputs recorded at 5ec8cde by ``scripts/make_fixture_store.py``).

Stored event classes are a schema: a change that renames or reshapes one needs an upcast or a
registered old topic, and this test is how it is seen to work. When it fails, the message
names the files that differ and shows a unified diff of the first; never re-record the golden
files to make it pass (they are what the old version answered)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.integration import wave2_outputs as W


@pytest.mark.parametrize("database", ["sqlite", "postgres"], indirect=True)
def test_a_store_of_5ec8cde_loads_and_answers_as_it_did(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    url, schema = database
    store = "sqlite" if schema is None else "postgres"
    if schema is None:
        W.install_sqlite(W.FIXTURE, Path(url.removeprefix("sqlite:///")))
    else:
        W.install_postgres(W.FIXTURE, url, schema)
    # the fixture's keys, named explicitly (absolute paths to copies with mode 0600)
    env = W.install_keys(W.FIXTURE, tmp_path / "keys")

    found, after_rebuild = W.outputs(url, schema, env)

    golden = W.read_golden(store)
    assert (difference := W.first_difference(golden, found)) is None, difference
    again = {name: golden[name] for name in after_rebuild if name in golden}
    assert (difference := W.first_difference(again, after_rebuild)) is None, (
        "after `lianzhang rebuild`: " + difference
    )
