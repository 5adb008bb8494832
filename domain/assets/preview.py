"""What a monthly depreciation run would post, computed as the run computes it, writing nothing
(:func:`preview_depreciation`, given ``app.assets``): the workbench's 计提折旧 page and the API
show it before the clerk runs the month.

The same checks as the run (``AssetService.run_depreciation``): the month is a month, a card
whose earlier month has not been run refuses it (409, naming the month to run first), a 工作量法
card needs its units; a month already run answers nothing with the run's words ("已经计提过"),
as a second run would. A closed month is refused by the run itself, when it posts."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from moneyed import Money

from domain.assets.vocabulary import USES
from domain.errors import ConflictError
from domain.periods import parse_month
from ledger.depreciation import owners_split
from ledger.money import ZERO, format_yuan, to_fen

if TYPE_CHECKING:
    from domain.assets.service import AssetService, DepreciationResult


def preview_depreciation(
    service: AssetService, *, entity: str, month: str, units: Mapping[str, object] | None = None
) -> DepreciationResult:
    """The lines, total and owners' shares the run of ``month`` of ``entity``'s books would
    post (``entry`` None: nothing is posted); its ``message`` says so in Chinese."""
    from domain.assets.service import DepreciationResult, _decimal

    parse_month(month)
    given = {
        number: _decimal(value, field=f"units.{number}", zh=f"{number} 的本月工作量应为数字")
        for number, value in (units or {}).items()
    }
    service.port.get_books(entity)  # 404 for books that do not exist
    register = service.find_register(entity)
    cards = [service.get_card(entity, n) for n in (register.cards if register else [])]
    due = [c for c in cards if service._takes(c) and c.due_month <= month]
    late = [c for c in due if c.due_month < month]
    if late:
        first = min(c.due_month for c in late)
        raise ConflictError(
            f"asset {late[0].number} of {entity} has not been depreciated for "
            f"{late[0].due_month}; run {first} first",
            field="month",
            zh=f"{entity} 的资产 {late[0].number} 还没有计提 {late[0].due_month} 的折旧："
            f"请先计提 {first}",
        )
    if not due or register is None:
        return service._nothing(entity, month, register)
    lines: list[dict[str, Any]] = []
    owners: dict[str, Money] = {}
    total = ZERO
    for card in due:
        amount, used = service._month_amount(card, given)
        parts = owners_split(amount, card.shares()) if amount > ZERO else {}
        for owner, part in parts.items():
            owners[owner] = owners.get(owner, ZERO) + part
        total += amount
        assert card.contra is not None
        lines.append(
            {
                "number": card.number,
                "name": card.name,
                "amount": to_fen(amount),
                "account": USES[card.use][0],
                "contra": card.contra,
                "units": None if used is None else str(used),
                "owners": {o: to_fen(p) for o, p in sorted(parts.items())},
            }
        )
    return DepreciationResult(
        entity=entity,
        month=month,
        entry=None,
        total=total,
        lines=lines,
        owners=dict(sorted(owners.items())),
        message=f"{entity} {month} 预计计提折旧 {format_yuan(total)}"
        f"（{len(lines)} 张卡片，尚未记账）",
    )


def units_cards(service: AssetService, entity: str) -> list[dict[str, str]]:
    """The 工作量法 cards of ``entity``'s books still depreciated (a run needs their units):
    number, name, total units, units so far."""
    register = service.find_register(entity)
    found = []
    for number in register.cards if register else []:
        card = service.get_card(entity, number)
        if card.method == "units" and service._takes(card):
            found.append(
                {
                    "number": card.number,
                    "name": card.name,
                    "total_units": str(card.total_units or Decimal(0)),
                    "units_done": str(card.units_done),
                }
            )
    return found
