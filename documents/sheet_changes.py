"""What a correction changed: the difference between the published content of
version N-1 of a disclosure sheet and version N, item by item, old and new.

Computed when a version is rendered, from the two stored contents; nothing of it is stored, so
the published content and its digest stay as they were (``verify`` re-derives them unchanged).
Amounts are Decimal (``ledger.money``), never float.

An item is known by its voucher number and, under income and expenditure, its account (an entry
may credit two income accounts); a voucher with several lines on one account is told apart by
its order within the voucher. A reversal in red ink is a new voucher, so it shows as an added
item, and the entry it reverses stays as it was.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.capitals import to_capitals
from ledger.money import money

PARTS = (
    ("income", "收入"),
    ("expense", "支出"),
    ("movements", "其他资金收付"),
)

# the fields an item is compared on, as the sheet names them (the amount is compared apart)
FIELDS = (
    ("date", "日期"),
    ("item", "摘要"),
    ("account", "科目"),
    ("direction", "收/付"),
    ("source", "资金来源"),
    ("handled_by", "经办"),
)


def _amount(value: str | None) -> Decimal | None:
    return None if value is None else money(value, allow_negative=True).amount


def _money(value: Decimal | None) -> dict[str, str] | None:
    if value is None:
        return None
    return {
        "amount": f"{value:.2f}",
        "capitals": to_capitals(money(value, allow_negative=True)),
    }


def _keyed(part: str, items: list[dict[str, Any]]) -> dict[tuple[str, str, int], dict[str, Any]]:
    out: dict[tuple[str, str, int], dict[str, Any]] = {}
    seen: dict[tuple[str, str], int] = {}
    for i in items:
        base = (str(i.get("voucher", "")), str(i.get("account", "")) if part != "movements" else "")
        seen[base] = seen.get(base, 0) + 1
        out[(*base, seen[base])] = i
    return out


def _signed(part: str, item: dict[str, Any]) -> Decimal:
    """An item's amount; money paid out under 其他资金收付 counts as negative, so a receipt
    that became a payment shows as a change of amount."""
    value = _amount(item["amount"]) or Decimal("0.00")
    return -value if part == "movements" and item.get("direction") == "付" else value


def _total(content: dict[str, Any], *path: str) -> Decimal | None:
    value: Any = content
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return _amount(value)


TOTALS = (
    ("收入合计", ("income", "total", "amount")),
    ("支出合计", ("expense", "total", "amount")),
    ("其他资金收进合计", ("movements", "total_in", "amount")),
    ("其他资金付出合计", ("movements", "total_out", "amount")),
    ("资产合计", ("assets", "total", "amount")),
    ("债权合计", ("claims", "total", "amount")),
    ("债务合计", ("debts", "total", "amount")),
)


def sheet_changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """Items added, removed and changed from ``old`` to ``new`` (two published contents of one
    sheet), each with its old and new amount and the fields that changed in words, and every
    total whose figure changed (old, new, difference). Parts a layout did not have (其他资金收付
    before layout 4) are compared only when both versions have them."""
    items: list[dict[str, Any]] = []
    for part, label in PARTS:
        if part not in old or part not in new:
            continue
        before = _keyed(part, old[part]["items"])
        after = _keyed(part, new[part]["items"])
        for key in [*before, *(k for k in after if k not in before)]:
            was, now = before.get(key), after.get(key)
            shown = now or was
            assert shown is not None
            row: dict[str, Any] = {
                "part": label,
                "voucher": shown.get("voucher", ""),
                "date": shown.get("date", ""),
                "item": shown.get("item", ""),
                "account": shown.get("account", shown.get("direction", "")),
            }
            if was is None:
                assert now is not None
                new_amount = _signed(part, now)
                items.append(
                    {
                        **row,
                        "change": "新增",
                        "old": None,
                        "new": _money(new_amount),
                        "difference": _money(new_amount),
                        "fields": [],
                    }
                )
            elif now is None:
                old_amount = _signed(part, was)
                items.append(
                    {
                        **row,
                        "change": "删除",
                        "old": _money(old_amount),
                        "new": None,
                        "difference": _money(-old_amount),
                        "fields": [],
                    }
                )
            else:
                old_amount, new_amount = _signed(part, was), _signed(part, now)
                fields = [
                    f"{name}：{was.get(field, '')} → {now.get(field, '')}"
                    for field, name in FIELDS
                    if field in was and field in now and was[field] != now[field]
                ]
                if old_amount == new_amount and not fields:
                    continue
                items.append(
                    {
                        **row,
                        "change": "更改",
                        "old": _money(old_amount),
                        "new": _money(new_amount),
                        "difference": _money(new_amount - old_amount),
                        "fields": fields,
                    }
                )
    totals = []
    for name, path in TOTALS:
        was_total, now_total = _total(old, *path), _total(new, *path)
        if was_total is None or now_total is None or was_total == now_total:
            continue
        totals.append(
            {
                "name": name,
                "old": _money(was_total),
                "new": _money(now_total),
                "difference": _money(now_total - was_total),
            }
        )
    return {"items": items, "totals": totals}
