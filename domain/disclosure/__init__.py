"""Published disclosure sheets (三公开 / 财务公开): immutable, versioned, content-addressed.

A sheet for one village and period is published with its whole content (canonical JSON) and
the SHA-256 of that content. Publishing again for the same period is a correction: a new
version that names the one it replaces. Nothing published is ever changed.

A joint entity (联合社) has its own sheet too, since it handles the alliance's money:
``village`` then holds the joint entity's code. The field keeps its name because the
stored events (``Opened``, ``Published``) are a schema: renaming it would orphan every sheet
already published; ``sheet_id`` is the same for either kind of entity.

The 民主理财小组 checks a sheet within its period or after it (a check dated before the period
begins is refused), and never after today (refused by the application before saving).
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import ConflictError, InvalidRequestError
from domain.ids import NAMESPACE
from domain.owned import Townships
from domain.periods import parse_period
from ledger.canonical import digest


def substance_digest(content: dict[str, Any]) -> str:
    """The digest of what a sheet says, leaving out when it was made and the fingerprint of
    the log at that moment: publishing the same figures again is not a correction."""
    return digest({k: v for k, v in content.items() if k not in ("ledger", "made_on")})


def sheet_id(village: str, period: str) -> UUID:
    return uuid5(NAMESPACE, f"sheet:{village}:{period}")


class DisclosureSheet(Aggregate):
    """All published versions of one village's (or joint entity's) sheet for one period."""

    def township_in(self, townships: Townships) -> str | None:
        """The township of its village (``domain.tenancy``)."""
        return townships.entity_township(self.village)

    def described(self) -> str:
        return f"the disclosure sheet of {self.village} for {self.period}"

    @staticmethod
    def create_id(village: str, period: str) -> UUID:
        return sheet_id(village, period)

    @event("Opened")
    def __init__(self, *, village: str, period: str, actor: str) -> None:
        self.village = village
        self.period = period
        self.versions: list[dict[str, Any]] = []  # version, digest, checked_on

    @property
    def latest(self) -> dict[str, Any] | None:
        return self.versions[-1] if self.versions else None

    def publish(
        self,
        *,
        content: dict[str, Any],
        checked_by: list[str],
        checked_on: datetime.date,
        reason: str,
        actor: str,
    ) -> dict[str, Any]:
        """Publish ``content`` as the next version; a correction needs its reason."""
        start = parse_period(self.period).start
        if checked_on < start:
            raise InvalidRequestError(
                f"the sheet of {self.village} for {self.period} cannot be checked on "
                f"{checked_on}, before its period begins ({start}); the 民主理财小组 checks it "
                "within or after the period",
                field="checked_on",
            )
        names = [n.strip() for n in checked_by if n.strip()]
        if not names:
            raise InvalidRequestError(
                "a sheet is checked by the 民主理财小组 before it is published: name who checked",
                field="checked_by",
            )
        value = digest(content)
        substance = substance_digest(content)
        latest = self.latest
        if latest is not None:
            if latest.get("substance") == substance:
                raise ConflictError(
                    f"version {latest['version']} of {self.village} {self.period} already has "
                    "exactly this content; nothing to correct",
                    field="period",
                )
            if not reason.strip():
                raise InvalidRequestError(
                    f"{self.village} {self.period} is already published (version "
                    f"{latest['version']}); a correction needs its reason",
                    field="reason",
                )
        self._published(
            version=len(self.versions) + 1,
            digest=value,
            content=content,
            checked_by=names,
            checked_on=checked_on,
            replaces=latest["version"] if latest else None,
            reason=reason.strip(),
            actor=actor,
        )
        return self.versions[-1]

    @event("Published")
    def _published(
        self,
        *,
        version: int,
        digest: str,
        content: dict[str, Any],
        checked_by: list[str],
        checked_on: datetime.date,
        replaces: int | None,
        reason: str,
        actor: str,
    ) -> None:
        self.versions.append(
            {
                "version": version,
                "digest": digest,
                "substance": substance_digest(content),
                "checked_on": checked_on.isoformat(),
            }
        )
