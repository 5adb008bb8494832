"""What of which township a person sees in the workbench (no page shows another
township's villages).

A person sees the villages, joint entities, alliances, agreements, plans, registers, sheets and
vouchers of their own townships; an administrator or an auditor sees every township
(``workbench.accounts.sees``). Every page that takes an object in its path asks here first and,
when the person does not see it, answers 404 with the same words as for an object that does not
exist — decision: 404, not 403, so a page does not even tell another township's person that the
object exists. A write on such an object is refused the same way before anything is run or
shown. Lists leave out what the person does not see.

``tests/e2e/test_workbench_tenancy.py`` asks every GET route of the workbench (enumerated from
the app) with another township's objects and expects 404: a new page that forgets to ask here
fails it.

(The API's clerk tokens read every township and write only in theirs; the workbench is for the
township's own staff, so it shows them only their townships.)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from projections import queries
from projections.tables import agreements, alliances, plans
from web.tokens import Principal
from workbench.accounts import sees


def entity_township(conn: Connection, code: str) -> str | None:
    found = queries.entity(conn, code)
    return None if found is None else str(found["township"])


def plan_township(conn: Connection, code: str) -> str | None:
    found = conn.execute(select(plans.c.township).where(plans.c.code == code)).scalar()
    return None if found is None else str(found)


def agreement_township(conn: Connection, code: str) -> str | None:
    """The township of the agreement's alliance."""
    found = conn.execute(
        select(alliances.c.township)
        .select_from(agreements.join(alliances, agreements.c.alliance_code == alliances.c.code))
        .where(agreements.c.code == code)
    ).scalar()
    return None if found is None else str(found)


def sees_entity(conn: Connection, user: Principal, code: str) -> bool:
    """Whether ``code`` is a village or joint entity ``user`` sees (False when there is none)."""
    township = entity_township(conn, code)
    return township is not None and sees(user, township)


def sees_plan(conn: Connection, user: Principal, code: str) -> bool:
    township = plan_township(conn, code)
    return township is not None and sees(user, township)


def sees_agreement(conn: Connection, user: Principal, code: str) -> bool:
    township = agreement_township(conn, code)
    return township is not None and sees(user, township)


def seen(user: Principal, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows (each with a ``township``) that ``user`` sees."""
    return [r for r in rows if sees(user, str(r.get("township") or ""))]


def seen_codes(conn: Connection, user: Principal, table: Any) -> set[str]:
    """The codes of ``table``'s rows (alliances, plans) in a township ``user`` sees."""
    return {
        str(code)
        for code, township in conn.execute(select(table.c.code, table.c.township))
        if sees(user, str(township))
    }
