"""One save, one moment: every event written by one save carries the same timestamp.

A command that changes several aggregates (a plan's execution: the plan, the payer's books and
every payee's books) writes all their events in one transaction, at consecutive positions of the
log. The log itself stores no transaction boundary, so a reader asked for "the books as of
position N" or "as of 12:00" could otherwise cut a save in half and show the joint entity's
payout without the villages' receipts. Giving every event of a save the moment the save was
made (the latest of their timestamps) makes the boundary readable from the events alone, in the
store, in an export and after an import: a save is a run of consecutive positions with one
timestamp (``projections.saves``). Saves written before this existed keep their own timestamps
and read as one event each, as before.
"""

from __future__ import annotations

import dataclasses
from typing import Any


def one_moment(processing_event: Any) -> None:
    """Give every pending event of ``processing_event`` (an eventsourcing ProcessingEvent) the
    latest timestamp among them, and the aggregates the matching created/modified moments."""
    events = processing_event.events
    if len(events) < 2:
        return
    moment = max(e.timestamp for e in events)
    for index, e in enumerate(events):
        if e.timestamp != moment:
            events[index] = dataclasses.replace(e, timestamp=moment)
    created = {e.originator_id for e in events if e.originator_version == 1}
    changed = {e.originator_id for e in events}
    for aggregate_id, aggregate in processing_event.aggregates.items():
        if aggregate_id in created:
            aggregate._created_on = moment  # created in this very save
        if aggregate_id in changed:
            aggregate.modified_on = moment
