"""Publishing a disclosure sheet (三公开). ``DisclosureService`` receives the application's port
(``domain.port``); the sheet's content is built by ``documents.publishing``."""

from __future__ import annotations

import datetime
from typing import Any

from domain.disclosure import DisclosureSheet, sheet_id
from domain.errors import ConflictError
from domain.port import Port


class DisclosureService:
    """Disclosure sheets; ``app.disclosure``."""

    def __init__(self, port: Port) -> None:
        self.port = port

    def publish_sheet(
        self,
        *,
        village: str,
        period: str,
        content: dict[str, Any],
        checked_by: list[str],
        checked_on: datetime.date,
        reason: str,
        actor: str,
    ) -> dict[str, Any]:
        """Publish a sheet's content as its next version (the first, or a correction).
        ``village`` is the code of a village or of a joint entity (联合社, which has its own
        sheet); the field keeps its name (stored events are a schema)."""
        self.port.get_books(village)

        def command() -> dict[str, Any]:
            if self.port.exists(sheet_id(village, period)):
                sheet = self.port.load(
                    sheet_id(village, period), DisclosureSheet, ConflictError("sheet vanished")
                )
            else:
                sheet = DisclosureSheet(village=village, period=period, actor=actor)
            version = sheet.publish(
                content=content,
                checked_by=checked_by,
                checked_on=checked_on,
                reason=reason,
                actor=actor,
            )
            self.port.save(sheet)
            return version

        return self.port.retrying(command)
