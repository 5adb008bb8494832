"""The one Jinja environment of every HTML page the project renders: the public pages (三公开
sheets, plans, the household lookup, comparisons), the printed voucher and statements, and
the workbench's pages.

Templates are looked up in ``rendering/templates`` (the public pages, the printed voucher,
their macros and ``skeleton.html``, the document both base layouts extend) and then in
``workbench/templates`` (the workbench's pages, its ``base.html`` and its macros). The
workbench keeps its own folder so that its pages and their templates stay side by side; a
template name found in both folders would make one of them unreachable, so building the
environment refuses it.

One set of filters and globals, the same everywhere:

- ``yuan`` (filter and function): an amount as figures, ``"60559.39"`` → ``¥60,559.39``, blank
  for None or ``""`` (``ledger.money.yuan_text``);
- ``capitals`` (filter): the amount in 大写 (``ledger.capitals``), 负 in front of a negative;
- ``minute`` (filter): a datetime as ``2025-03-01 14:05``; anything else as it is;
- ``chart`` (function): the bar chart of a distribution; ``month_chart`` (function): 收入 and
  支出 month by month on the 工作台 (both ``rendering.charts``);
- ``role_label``, ``action_label`` (functions): the Chinese names of roles and actions.
"""

from __future__ import annotations

import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape
from moneyed import Money

from domain.roles import ACTION_LABELS, role_label
from ledger.capitals import to_capitals
from ledger.money import money, yuan_text
from ledger.voucher_numbers import number_cited, number_label, voucher_title
from rendering.charts import bar_chart, month_chart

TEMPLATES = Path(__file__).parent / "templates"
WORKBENCH_TEMPLATES = Path(__file__).parent.parent / "workbench" / "templates"
FOLDERS = (TEMPLATES, WORKBENCH_TEMPLATES)


def capitals(amount: Any) -> str:
    """The amount (text, int, Decimal or Money) in 大写: ``壹仟贰佰元整``; ``负`` in front of a
    negative amount."""
    return to_capitals(
        money(amount if isinstance(amount, Money) else str(amount), allow_negative=True)
    )


def minute(value: Any) -> Any:
    """A datetime to the minute (``2025-03-01 14:05``; a date as its midnight); a value of
    another kind (text a read model already wrote, None) unchanged."""
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def loaders(folders: tuple[Path, ...] = FOLDERS) -> list[FileSystemLoader]:
    """A loader per folder, in order; refuses a template name found in two of them (the
    second could never be rendered)."""
    found: dict[str, Path] = {}
    out = []
    for folder in folders:
        loader = FileSystemLoader(folder)
        for name in loader.list_templates():
            if name in found:
                raise RuntimeError(
                    f"template {name!r} is in both {found[name]} and {folder}; the second could "
                    "never be rendered: rename one"
                )
            found[name] = folder
        out.append(loader)
    return out


@cache
def environment() -> Environment:
    """The environment (built once): autoescaped HTML, ``trim_blocks`` and ``lstrip_blocks``."""
    env = Environment(
        loader=ChoiceLoader(loaders()),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        yuan=yuan_text,
        capitals=capitals,
        minute=minute,
        # a voucher number as a clerk reads it (2026年7月 记字第3号; a yearly one as written),
        # as a sentence cites it (… 号凭证) and its voucher's title (收款凭证 …)
        voucher_no=number_label,
        voucher_cited=lambda number: number_cited(number) if number else "",
        voucher_title=voucher_title,
    )
    env.globals.update(
        yuan=yuan_text,
        chart=bar_chart,
        month_chart=month_chart,
        role_label=role_label,
        action_label=ACTION_LABELS.get,
    )
    return env
