"""What the register forms share: reading their fields, and running one.

Reading the fields of the register forms (alliances, villages, joint entities, contributions,
agreements, members leaving): each reader returns what the command takes, or raises
``FormRefused`` naming the field with a sentence in Chinese, before anything is run. The bounds
are the API's (``domain.bounds``, ``api.schemas.common``): codes 1–32 of ``A-Z a-z 0-9 _ -``,
one-line text of at most 200 characters, dates ``YYYY-MM-DD`` from 1950 to 2100, amounts in yuan
with at most two decimal places (``ledger.money``: ``¥1,200.00`` as a clerk writes it is read as
1200.00) and at most ¥10,000,000,000.00.

:func:`write` runs one form: the duty its route declares (its page module's ``DUTIES``, read
as the API's writer reads them: ``web.duties.duty_of``), the command built from the form, run
through ``workbench.render.run_form``; any refusal (the person's role, a field, the domain's,
another township) goes to the page's ``again`` with the field as the form names it."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from domain.bounds import (
    DECIMAL_PLACES,
    FIRST_DAY,
    LAST_DAY,
    MAX_CODE,
    MAX_PEOPLE,
    MAX_TEXT,
    MAX_YEAR,
    MIN_YEAR,
    bad_character,
)
from domain.commands import Command
from domain.errors import DomainError
from domain.roles import ACTIONS, PERSON_ROLES
from ledger.errors import InvalidAmountError, LedgerError
from ledger.money import MAX_AMOUNT, amount_str, money, written_amount
from web.duties import duty_of
from web.tokens import Principal
from workbench.render import FormRefused, refusal, run_form

_CODE = re.compile(rf"[A-Za-z0-9_-]{{1,{MAX_CODE}}}")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"[0-9]{1,11}(\.[0-9]+)?")


def text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def line(form: Mapping[str, Any], name: str, what: str, *, required: bool = True) -> str:
    """One line of text (a name, a reason) of at most 200 characters."""
    value = text(form, name)
    if required and not value:
        raise FormRefused(f"请填写{what}", field=name)
    if len(value) > MAX_TEXT:
        raise FormRefused(f"{what}最多 {MAX_TEXT} 个字，现在是 {len(value)} 个", field=name)
    if bad_character(value) is not None:
        raise FormRefused(f"{what}里有不能保存的控制字符，请重新输入", field=name)
    return value


def code(form: Mapping[str, Any], name: str, what: str, example: str) -> str:
    """A code (``V01``, ``HNHM``): 1–32 letters, digits, ``-`` or ``_``."""
    value = text(form, name)
    if not value:
        raise FormRefused(f"请填写{what}，如 {example}", field=name)
    if not _CODE.fullmatch(value):
        raise FormRefused(
            f"{what}只能用英文字母、数字、- 或 _（1 到 {MAX_CODE} 个），如 {example}", field=name
        )
    return value


def day(form: Mapping[str, Any], name: str, what: str) -> datetime.date:
    """A date written ``YYYY-MM-DD`` (what a date field sends), 1950 to 2100."""
    value = text(form, name)
    try:
        found = datetime.date.fromisoformat(value) if _DAY.fullmatch(value) else None
    except ValueError:
        found = None
    if found is None:
        raise FormRefused(f"请按 YYYY-MM-DD 填写{what}，如 2025-01-05", field=name)
    if not FIRST_DAY <= found <= LAST_DAY:
        raise FormRefused(f"{what}要在 1950 年到 2100 年之间", field=name)
    return found


def year(form: Mapping[str, Any], name: str, what: str = "年度") -> int:
    value = text(form, name)
    if not (value.isdigit() and len(value) == 4 and MIN_YEAR <= int(value) <= MAX_YEAR):
        raise FormRefused(f"{what}请写成四位数，如 2025（{MIN_YEAR} 到 {MAX_YEAR}）", field=name)
    return int(value)


def count(
    form: Mapping[str, Any], name: str, what: str, *, least: int = 0, most: int = MAX_PEOPLE
) -> int:
    """A whole number ``least`` … ``most``."""
    value = text(form, name).replace(",", "").replace("，", "")
    if not (value.isdigit() and least <= int(value) <= most):
        raise FormRefused(f"{what}要填 {least} 到 {most:,} 的整数", field=name)
    return int(value)


def amount(form: Mapping[str, Any], name: str, what: str, *, zero: bool = False) -> str:
    """Yuan as a clerk writes them (``¥1,200``, ``1200.5``), as the command takes them:
    ``"1200.50"`` (``ledger.money``: at most two places, at most ¥10,000,000,000.00; above
    zero unless ``zero``)."""
    value = written_amount(text(form, name))
    if not value:
        raise FormRefused(f"请填写{what}（元），如 1200.00", field=name)
    try:
        parsed = money(value, allow_zero=zero, field=name, maximum=MAX_AMOUNT)
    except InvalidAmountError:
        least = "不小于 0" if zero else "大于 0"
        raise FormRefused(
            f"{what}要写成{least}的金额（元，最多两位小数，不超过 100 亿），如 1200.00",
            field=name,
        ) from None
    return amount_str(parsed)


def decimal(
    form: Mapping[str, Any],
    name: str,
    what: str,
    *,
    most: Decimal,
    positive: bool = False,
    default: str | None = None,
) -> Decimal:
    """A decimal 0 (above 0 when ``positive``) … ``most``, at most four places (亩数, 等级系数,
    百分比)."""
    value = text(form, name) or (default or "")
    number: Decimal | None = None
    if _DECIMAL.fullmatch(value):
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
    exponent = number.as_tuple().exponent if number is not None else 0
    if (
        number is None
        or not isinstance(exponent, int)
        or -exponent > DECIMAL_PLACES
        or number > most
        or (positive and number == 0)
    ):
        least = "大于 0" if positive else "0"
        raise FormRefused(
            f"{what}要填{least}到 {most:,} 的数，最多 {DECIMAL_PLACES} 位小数", field=name
        )
    return number


def _require(user: Principal, duty: str) -> None:
    """403 unless ``user``'s role may take ``duty``, saying who does this register's work."""
    if not user.may(duty):
        who = "、".join(label for role, label in PERSON_ROLES.items() if role in ACTIONS[duty])
        raise FormRefused(
            f"您的角色（{PERSON_ROLES.get(user.role, user.role)}）不能办理这项登记；由{who}办理",
            status=403,
            kind="forbidden-role",
        )


# the domain's names of fields that a form names otherwise
FIELD_ALIASES = {"guarantee.value": "guarantee_value", "guarantee.kind": "guarantee_kind"}


def write(
    request: Request,
    user: Principal,
    form: Mapping[str, Any],
    build: Callable[[], Command[Any]],
    done: Callable[[Any], str],
    again: Callable[[FormRefused], Response],
) -> Response:
    """Run the command ``build()`` reads from the form, once per the form's key, and redirect
    to ``done(result)``; ``again(refused)`` (the page with the refusal beside its field) when
    the person's role may not take the duty the route declares (403), a field is wrong or the
    command is refused (nothing written)."""
    try:
        _require(user, duty_of(request))
        try:
            command = build()
        except (DomainError, LedgerError) as exc:
            raise refusal(exc) from exc
        return run_form(request, user, form, command, done)
    except FormRefused as refused:
        if refused.field in FIELD_ALIASES:
            refused.field = FIELD_ALIASES[refused.field]
        return again(refused)
