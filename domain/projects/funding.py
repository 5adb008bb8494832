"""The funding and budget of a project as planned (``ProjectService.plan_project``): the budget
items, each funding source checked on its own and against the books (capital a village paid in
and has not designated elsewhere, a grant the books hold and have not given to another project),
and the project's sub-accounts opened."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from domain.alliance import Alliance
from domain.books import Books, JointEntity
from domain.bounds import check_text
from domain.errors import AlreadyExistsError, ConflictError, InvalidRequestError, NotFoundError
from domain.port import Port
from domain.programmes import programme_name
from domain.projects import FUNDING_KINDS, Project, project_id
from ledger.money import MAX_AMOUNT, ZERO, format_yuan, from_fen, money, to_fen

MAX_ITEMS = 50


def _project(port: Port, code: str) -> Project:
    missing = NotFoundError(f"project {code} does not exist", field="project")
    return port.load(project_id(code), Project, missing)


def budget_items(budget: Mapping[str, object]) -> dict[str, int]:
    """The budget by item (fen): 1 … MAX_ITEMS items, each a name and an amount above zero."""
    if not budget or len(budget) > MAX_ITEMS:
        raise InvalidRequestError(
            f"a budget has 1 to {MAX_ITEMS} items",
            field="budget",
            zh=f"预算应有 1 到 {MAX_ITEMS} 个项目",
        )
    items: dict[str, int] = {}
    for item, value in budget.items():
        check_text(item, field="budget", required=True, max_length=60)
        amount = money(value, allow_zero=False, field=f"budget.{item}", maximum=MAX_AMOUNT)
        items[item.strip()] = to_fen(amount)
    return items


def funding_source(index: int, raw: Mapping[str, object]) -> dict[str, Any]:
    """One funding source as ``Project.Planned`` records it (``domain.projects``)."""
    where = f"funding[{index}]"
    kind = str(raw.get("kind", ""))
    if kind not in FUNDING_KINDS:
        raise InvalidRequestError(
            f"{where}.kind {kind!r} is not one of {', '.join(FUNDING_KINDS)}",
            field=f"{where}.kind",
            zh=f"资金来源类别请选{'、'.join(FUNDING_KINDS.values())}之一",
        )
    source = str(raw.get("source") or raw.get("programme") or "")
    check_text(source, field=f"{where}.source", required=True)
    programme = raw.get("programme")
    if kind in ("capital", "grant"):
        programme = str(programme or source if kind == "grant" else programme or "")
        programme_name(programme, field=f"{where}.programme")
    amount = money(raw.get("amount"), allow_zero=False, field=f"{where}.amount", maximum=MAX_AMOUNT)
    return {
        "kind": kind,
        "source": source.strip(),
        "programme": programme if kind in ("capital", "grant") else None,
        "amount": to_fen(amount),
    }


def check_sources(
    port: Port,
    books: Books,
    sources: list[dict[str, Any]],
    others: list[str],
    day: datetime.date,
) -> None:
    """Capital and grants a project is given exist and are not given twice."""
    projects = [_project(port, c) for c in others]
    for index, f in enumerate(sources):
        where, amount = f"funding[{index}].amount", from_fen(f["amount"])
        if f["kind"] == "capital":
            if not isinstance(books, JointEntity):
                raise InvalidRequestError(
                    f"{books.code} is a village: capital designated by villages funds a "
                    "project of a joint entity",
                    field=f"funding[{index}].kind",
                    zh=f"{books.code} 是村：成员村投入的资本只用于联合社的项目",
                )
            village, programme = f["source"], f["programme"]
            alliance: Alliance = port.get_alliance(books.alliance_code)
            paid = books.capital_by_programme(village, day).get(programme, ZERO)
            taken = sum((p.capital_designated(village, programme) for p in projects), ZERO)
            if village not in alliance.members_on(day) or amount > paid - taken:
                raise ConflictError(
                    f"{village} has {format_yuan(paid - taken)} of {programme} capital in "
                    f"{books.code} not designated to another project; it cannot designate "
                    f"{format_yuan(amount)}",
                    field=where,
                    zh=f"{village} 在 {books.code} 的 {programme_name(programme)}资本中，"
                    f"尚未指定用于其他项目的只有 {format_yuan(paid - taken)}，不能指定 "
                    f"{format_yuan(amount)}",
                )
        elif f["kind"] == "grant":
            programme = f["programme"]
            held = -books.balance(f"241{programme}")
            taken = sum(
                (
                    p.designated("grant", programme) - from_fen(p.grant_charged.get(programme, 0))
                    for p in projects
                    if p.state == "planned"
                ),
                ZERO,
            )
            if amount > held - taken:
                raise ConflictError(
                    f"{books.code} holds {format_yuan(held - taken)} of the grant {programme} "
                    f"not given to another project; it cannot give {format_yuan(amount)}",
                    field=where,
                    zh=f"{books.code} 的专项资金 {programme_name(programme)} 尚未安排给其他项目的"
                    f"只有 {format_yuan(held - taken)}，不能安排 {format_yuan(amount)}",
                )


def open_project_account(books: Books, code: str, name: str, actor: str) -> None:
    """Open the project's sub-account ``code`` (kind 项目); refused when it is open already."""
    if code in books.open_accounts or code in books.balances:
        raise AlreadyExistsError(
            f"account {code} is already open in the books of {books.code}; give the project "
            "another code",
            field="code",
            zh=f"{books.code} 已有明细科目 {code}：请给项目另起一个编号",
        )
    books.open_account(code=code, name=name, parent=code[:3], actor=actor, kind="project")
