"""Publishing a disclosure sheet: build its content from the read models, then record it as
an immutable, content-addressed version through the application. A published sheet's ``ledger``
carries, besides the position and fingerprint it was made from, a checkpoint of the chain there
signed by the server key (``audit.checkpoints``): a printed or downloaded sheet then pins the
history it came from in a form no database writer can forge."""

from __future__ import annotations

import datetime
import json
from typing import Any

from sqlalchemy import Connection, and_, select

from audit.chain import head
from audit.checkpoints import make_checkpoint
from audit.keys import ChainError
from audit.running_store import RunningStore
from documents.disclosure import LAYOUT, disclosure_content
from domain.periods import parse_period
from projections.tables import sheets

# What publishing and reading sheets need of a running store: the application, the read-model
# engine and pull loop, and the key that signs a sheet's checkpoint.
Publishing = RunningStore


def draft_sheet(
    runtime: Publishing,
    village: str,
    period: str,
    *,
    checked_by: list[str],
    checked_on: datetime.date,
    opinion: str,
) -> dict[str, Any]:
    """The content a sheet would have if published now (refused when the read models stop
    before an event the signed chain does not cover: ``ChainBrokenError``)."""
    runtime.views.catch_up()
    runtime.views.require(())
    with runtime.engine.connect() as conn:
        return sheet_content(
            conn,
            village,
            period,
            checked_by=checked_by,
            checked_on=checked_on,
            opinion=opinion,
            made_on=runtime.app.today(),
        )


def sheet_content(
    conn: Connection,
    village: str,
    period: str,
    *,
    checked_by: list[str],
    checked_on: datetime.date,
    opinion: str,
    made_on: datetime.date,
    layout: int = LAYOUT,
) -> dict[str, Any]:
    """A sheet's content from the read models behind ``conn``, with the ledger fingerprint
    (position and chain hash) it was made from: the same inputs at the same position always
    give the same content, which is how ``verify`` re-derives a published digest."""
    content = disclosure_content(
        conn,
        village,
        parse_period(period),
        checked_by=checked_by,
        checked_on=checked_on,
        opinion=opinion,
        made_on=made_on,
        layout=layout,
    )
    content["ledger"] = head(conn)
    return content


class SheetMaker:
    """The read side of publishing a sheet with ``runtime``
    (``domain.disclosure.commands.SheetMaker``): the content, checked against the signed chain,
    and the read models brought up to the version saved."""

    def __init__(self, runtime: Publishing) -> None:
        self.runtime = runtime

    def content(
        self,
        code: str,
        period: str,
        *,
        checked_by: list[str],
        checked_on: datetime.date,
        opinion: str,
    ) -> dict[str, Any]:
        runtime = self.runtime
        content = draft_sheet(
            runtime, code, period, checked_by=checked_by, checked_on=checked_on, opinion=opinion
        )
        ledger = content["ledger"]
        checkpoint = make_checkpoint(
            runtime.engine, runtime.app.recorder, runtime.signer, ledger["position"]
        )
        if (checkpoint["position"], checkpoint["hash"]) != (
            ledger["position"],
            ledger["fingerprint"],
        ):
            raise ChainError(
                f"the read models' fingerprint at position {ledger['position']} is not the "
                "signed chain's: nothing was published; run `lianzhang verify`"
            )
        ledger["checkpoint"] = checkpoint
        return content

    def published(self) -> None:
        self.runtime.views.catch_up()


def publish_sheet(
    runtime: Publishing,
    village: str,
    period: str,
    *,
    checked_by: list[str],
    checked_on: datetime.date,
    opinion: str,
    reason: str,
    actor: str,
) -> dict[str, Any]:
    """Publish the sheet of a village or joint entity (the scripts'; the API and the workbench
    run ``domain.disclosure.commands.PublishSheet``)."""
    runtime.app.get_books(village)  # a village or a joint entity
    sheets = SheetMaker(runtime)
    content = sheets.content(
        village, period, checked_by=checked_by, checked_on=checked_on, opinion=opinion
    )
    version: dict[str, Any] = runtime.app.disclosure.publish_sheet(
        village=village,
        period=period,
        content=content,
        checked_by=checked_by,
        checked_on=checked_on,
        reason=reason,
        actor=actor,
    )
    sheets.published()
    return version


def published(
    runtime: Publishing, village: str, period: str, version: int | None = None
) -> dict[str, Any] | None:
    """A published version (the latest when ``version`` is None) with its content."""
    with runtime.engine.connect() as conn:
        query = select(sheets).where(
            and_(sheets.c.village_code == village, sheets.c.period == period)
        )
        if version is not None:
            query = query.where(sheets.c.version == version)
        row = conn.execute(query.order_by(sheets.c.version.desc())).mappings().first()
    if row is None:
        return None
    found = dict(row)
    found["content"] = json.loads(found["content"])
    found["checked_by"] = json.loads(found["checked_by"])
    return found


def list_published(runtime: Publishing, village: str | None = None) -> list[dict[str, Any]]:
    with runtime.engine.connect() as conn:
        query = select(
            sheets.c.village_code,
            sheets.c.period,
            sheets.c.version,
            sheets.c.digest,
            sheets.c.replaces,
            sheets.c.checked_on,
            sheets.c.published_at,
        ).order_by(sheets.c.village_code, sheets.c.period, sheets.c.version)
        if village is not None:
            query = query.where(sheets.c.village_code == village)
        return [dict(r) for r in conn.execute(query).mappings()]


def latest_version(runtime: Publishing, village: str, period: str) -> int | None:
    """The number of the latest published version of a sheet, None if none."""
    from sqlalchemy import func

    with runtime.engine.connect() as conn:
        return conn.execute(
            select(func.max(sheets.c.version)).where(
                and_(sheets.c.village_code == village, sheets.c.period == period)
            )
        ).scalar()
