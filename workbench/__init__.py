"""The clerk's workbench: server-rendered Jinja2 pages at ``/`` for township finance
staff, on the same FastAPI app and the same domain as the API.

Layout (one module a page family, templates and static files beside them):

- ``workbench.session``: people's sessions (HttpOnly SameSite cookies), CSRF, the current person
  as an ``web.tokens.Principal`` (``PageUser``), login, logout, password change;
- ``workbench.users``: the administrators' people pages (``/users``: register, change,
  disable, enable, set a password);
- ``workbench.render``: the Jinja2 environment, ``page()``, the form helpers (CSRF token and a
  fresh ``Idempotency-Key`` in every form), ``run_form()`` (a command through ``web.deps.Writer``
  with the person as actor: tenancy, exactly-once and read-your-writes as for the API);
- ``workbench.scope``: what of which township the person sees (a page naming another
  township's object is 404; lists leave it out);
- the page modules (``home``, ``vouchers`` and ``voucher_steps`` (its forms' writes),
  ``voucher_numbers`` (the 凭证号 a voucher form shows, and its 凭证字),
  ``voucher_reviews`` (批量审核: many vouchers reviewed or posted at once, an import's),
  ``corrections`` (作废, 红字冲销, 更正凭证 and the cross-book corrections), ``chart`` (科目:
  the chart of the books; opening, renaming and retiring 明细科目), ``ledgers`` and
  ``ledger_books``, ``statements`` and ``statement_summaries``, ``asset_reports`` (报表 › 资产:
  折旧表, 在建工程, 资产清单), ``registers`` and its register
  forms by capability (``register_alliances``: alliances, villages and their books, members
  joining and leaving, enterprises, the joint entity; ``register_pooling``: capital and land
  contributions; ``register_agreements``: agreements and their dividends; ``register_members``:
  a member leaving or forgotten; the fields they read in ``register_forms``), ``distribution``,
  ``budgets`` (财务计划: the plans, 四议两公开, revisions, the plan against the books),
  ``disclosure``, ``imports``, ``book_setup`` (建账 from a 科目余额表), ``periods`` (结账,
  反结账, 年终结转), ``settings`` (a township's 设置), and 三资: ``projects`` (联建项目),
  ``assets`` (资产卡片, leases, disposal, a card's QR label), ``depreciation`` (the monthly
  run of a book or a township, a book's 折旧表), ``resources`` (资源登记簿, a resource's QR
  label) and ``contracts`` (经济合同登记簿)),
  反结账, 年终结转), ``settings`` (a township's 设置), ``bank`` (银行: accounts, statement
  imports with preview and confirm), ``bank_matching`` (勾对, the 银行存款余额调节表 and its print
  and XLSX), ``cash`` (现金盘点 and its printed sheet)),
  each an ``APIRouter`` without the OpenAPI document (pages are not the API);
- ``static/``: htmx 2 (vendored, Zero-Clause BSD, ``htmx.LICENSE``), the stylesheet and the small
  scripts of the voucher form. No page loads anything from outside the app; fonts are the
  system's (no web fonts).

Pages are in Chinese; they render the same read models as the API and write through the same
application commands.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"

# page modules, each with ``router``; added to as they are written
PAGE_MODULES: tuple[str, ...] = (
    "session",
    "users",
    "accounts",
    "chart",
    "home",
    "ledgers",
    "ledger_books",
    "statements",
    "statement_summaries",
    "asset_reports",
    "vouchers",
    "voucher_steps",
    "voucher_numbers",
    "voucher_reviews",
    "corrections",
    "registers",
    "register_alliances",
    "register_pooling",
    "register_agreements",
    "register_members",
    "distribution",
    "budgets",
    "disclosure",
    "imports",
    "book_setup",
    "periods",
    "settings",
    "resources",
    "contracts",
    "projects",
    "assets",
    "depreciation",
    "bank",
    "bank_matching",
    "cash",
)


def install(app: FastAPI) -> None:
    """Mount the static files and every page module's router on ``app`` (each module ends with
    what its pages read, ``READ_MODELS``; a new page family is one more name in
    :data:`PAGE_MODULES`)."""
    import importlib

    from web import routers

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for name in PAGE_MODULES:
        module = importlib.import_module(f"workbench.{name}")
        routers.include(app, module, include_in_schema=False)  # with what its pages read
    importlib.import_module("workbench.session").install(app)  # login redirects, CSRF 403
