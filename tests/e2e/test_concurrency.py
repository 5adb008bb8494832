"""Ten clerks posting at once into a real ``lianzhang serve`` process (SQLite and PostgreSQL).

The load script's own functions with tiny parameters: half the clients share one set of books,
the others post into their own. No timing is asserted, only outcomes: no 5xx and no failed
request, every 201 booked once with the number it was given, voucher numbers without a gap.
On SQLite four writers used to be enough for 500s ("database is locked", issue 12).
"""

from __future__ import annotations

from pathlib import Path

from scripts import load

CLIENTS = 10
SECONDS = 3.0


def test_ten_clients_posting_at_once_lose_nothing(
    database: tuple[str, str | None], tmp_path: Path
) -> None:
    url, schema = database
    log = tmp_path / "server.log"
    report = load.run(
        url, schema=schema, clients=(CLIENTS,), seconds=SECONDS, rounds=1, server_log=log
    )
    (figures,) = report.figures
    assert figures.clients == CLIENTS
    assert figures.server_errors == 0, f"{report.errors}; server log: {log.read_text()[-3000:]}"
    assert figures.transport_errors == 0, report.errors
    assert figures.refused == 0
    assert figures.created == figures.requests > 0
    check = report.check
    assert check.lost == []
    assert check.duplicated == []
    assert check.gaps == []
    assert check.mismatched == []
    assert check.entities == CLIENTS // 2 + 1
    assert check.entries == figures.created
    assert report.ok
