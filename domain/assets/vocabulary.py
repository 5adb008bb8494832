"""The words of asset cards (资产卡片): categories with their accounts, uses with the expense
account their depreciation goes to, ways an asset is acquired and disposed of, in one place (the
aggregate, the service, the read model and the pages read them from here)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidRequestError
from ledger.depreciation import METHODS


@dataclass(frozen=True)
class Category:
    """A category of asset: its account, its contra account (None: not depreciated), its
    Chinese name and what its depreciation is called."""

    account: str
    contra: str | None
    zh: str
    wear: str  # 折旧 or 摊销


CATEGORIES: dict[str, Category] = {
    "fixed": Category("151", "152", "固定资产", "折旧"),
    "productive_biological": Category("132", "133", "生产性生物资产", "折旧"),
    "public_biological": Category("134", None, "公益性生物资产", ""),
    "intangible": Category("161", "162", "无形资产", "摊销"),
}

USES: dict[str, tuple[str, str]] = {
    "productive": ("511", "生产经营用（经营支出）"),
    "administration": ("513", "管理用（管理费用）"),
    "public": ("514", "公益用（公益支出）"),
}
"""What an asset is used for → the account its depreciation is charged to."""

ACQUISITIONS: dict[str, tuple[str | None, str]] = {
    "built": (None, "自建（在建工程转入）"),
    "bought": ("102", "购入"),
    "donated": ("311", "接受捐赠"),
    "contributed": ("301", "投资者投入"),
}
"""How an asset came → the account credited when the card is booked (借 151 …), and its name.
A built asset is booked by its project's completion (153 → 151)."""

DISPOSALS: dict[str, str] = {"sale": "出售", "scrap": "报废", "loss": "毁损盘亏"}
"""How an asset leaves (清理 through 154 固定资产清理)."""

IN_USE, DISPOSED = "in_use", "disposed"
STATUS_ZH = {IN_USE: "在用", DISPOSED: "已清理"}
METHOD_ZH = METHODS


def known(value: str, choices: dict[str, object], *, field: str, what: str) -> str:
    """``value`` when it is one of ``choices``, else a refusal naming them (in Chinese too)."""
    if value not in choices:
        raise InvalidRequestError(
            f"{field} {value!r} is not one of {', '.join(choices)}",
            field=field,
            zh=f"{what}“{value}”不在可选范围内：请选 {'、'.join(choices)} 之一",
        )
    return value
