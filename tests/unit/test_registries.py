"""The registries each capability extends from its own package answer as the central tables they
replaced: the read models every route path needs (``web.views``), the duty of every write
(``web.duties``), every aggregate's township (``domain.owned``) and the read models the runtime
keeps (``projections.registry``)."""

from __future__ import annotations

import importlib
import re

from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import BigInteger, Column, String, Table, create_engine, select

import workbench
from api.routes import ROUTES
from web import routers
from web.duties import DEFAULT, WRITE_DUTIES
from web.views import needed

# -- the central tables as they were, the reference --------------------------------------------


def old_needed(path: str) -> tuple[str, ...]:
    if path.startswith("/asset-reports"):  # 报表 › 资产 (new, issue 21): the books and 三资
        return ("ledger", "assets")
    # issue 21: the balance sheet's 资产核对表 reads the cards; a sheet's 三资 parts the assets
    # and resources read models
    if path == "/statements" or path.startswith("/statements/"):
        return ("ledger", "economy", "assets")
    if path.startswith("/v1/entities/") and "/statements/" in path:
        return ("ledger", "economy", "assets")
    if path.startswith("/disclosure") or (
        path.startswith(("/v1/villages/", "/v1/joint-entities/"))
        and (path.endswith("/disclosures") or path.endswith("/draft"))
    ):
        return ("ledger", "economy", "assets", "resources")
    if path.startswith(("/v1/budgets", "/budgets")):  # 财务计划 (new): the plans and the books
        return ("ledger", "budget")
    if (  # 三资: projects, asset cards, the monthly run, an asset's public page (new, issue 21)
        path.startswith(("/v1/projects", "/projects", "/assets", "/depreciation"))
        or path.startswith("/public/assets/")
        or (path.startswith("/v1/townships/") and path.endswith("/depreciation-runs"))
        or (
            path.startswith("/v1/entities/")
            and path.split("/")[4:5]
            in (["assets"], ["depreciation-runs"], ["depreciation-preview"], ["depreciation"])
        )
    ):
        return ("ledger", "assets")
    if "/bank-accounts" in path or "/cash-counts" in path or path == "/v1/bank-formats":
        return ("ledger", "bank")  # the bank and the cash counts (new, issue 22)
    if path.startswith(("/bank", "/cash")):  # their pages (new, issue 22)
        return ("ledger", "bank")  # the bank and the cash counts (new, issue 22)
    if path.startswith("/periods"):  # the 结账 page (new): its log is the audit trail's
        return ("ledger", "economy", "vouchers", "audit", "bank")  # and the bank's (issue 22)
    if path.startswith("/v1/townships"):  # a township's settings (new): the aggregate itself
        return ()
    if path.startswith("/settings"):  # the 设置 page (new)
        return ("ledger",)
    if path == "/":  # the 工作台 (issue 20's dashboard) counts the vouchers waiting, per book
        return ("ledger", "economy", "vouchers", "resources")  # and warns of contracts (issue 21)
    if (  # the 资源 and 经济合同 registers and a resource's public page (new, issue 21)
        path.startswith(("/resources", "/contracts", "/public/resources/"))
        or (
            path.startswith("/v1/entities/")
            and path.split("/")[4:5] in (["resources"], ["contracts"], ["contract-reminders"])
        )
    ):
        return ("ledger", "resources")
    if path.startswith("/registers/joint/"):  # the equity page names its land's resources
        return ("ledger", "economy", "resources")
    if path.startswith("/v1/") and path.endswith(("/number", "/next-number")):
        return ()  # 凭证号 at entry (new): the books and the voucher themselves
    if path.startswith("/numbers/"):  # the voucher form's 凭证号 (new): the entity's township
        return ("ledger",)
    if path.startswith(("/v1/voucher-reviews", "/v1/voucher-postings", "/review")):
        return ("ledger", "vouchers")  # 审核 and 记账 of many vouchers (new, issue 20)
    if path.startswith("/v1/audit"):
        return ("chain", "audit")
    if "/vouchers" in path or path.startswith("/v1/attachments") or path.endswith("/print.pdf"):
        return ("ledger", "vouchers")
    if (
        path.startswith("/v1/alliances")
        or path == "/v1/villages"
        or (path.startswith("/v1/entities") and "/statements/" not in path)
    ):
        return ("ledger",)
    return ("ledger", "economy")


OLD_WRITE_DUTIES = {
    ("POST", "/v1/entities/{code}/vouchers"): "voucher.prepare",
    ("PUT", "/v1/vouchers/{draft}"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/submit"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/withdraw"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/attachments"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/approve"): "voucher.review",
    ("POST", "/v1/vouchers/{draft}/return"): "voucher.review",
    # issue 20: a voucher's corrections, the preparer's as in the workbench
    ("POST", "/v1/vouchers/{draft}/void"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/reversal"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/correction"): "voucher.prepare",
    # 审核 and 记账 apart (new, issue 20): 记账 is its own duty
    ("POST", "/v1/vouchers/{draft}/post"): "voucher.post",
    ("POST", "/v1/vouchers/{draft}/unreview"): "voucher.review",
    ("POST", "/v1/voucher-reviews"): "voucher.review",
    ("POST", "/v1/voucher-postings"): "voucher.post",
    ("POST", "/v1/villages/{village}/register"): "register.edit",
    ("POST", "/v1/villages/{village}/households"): "register.edit",
    ("POST", "/v1/villages/{village}/members"): "register.edit",
    ("POST", "/v1/villages/{village}/members/{member}/shares"): "register.edit",
    ("POST", "/v1/villages/{village}/members/{member}/leave"): "register.edit",
    ("POST", "/v1/villages/{village}/members/{member}/forget"): "register.edit",
    ("POST", "/v1/plans"): "plan.prepare",
    ("POST", "/v1/plans/{code}/steps"): "plan.prepare",
    ("POST", "/v1/plans/{code}/comparisons"): "plan.prepare",
    ("POST", "/v1/plans/{code}/execution"): "plan.execute",
    # a plan's execution asked for by one person, executed by another (new, issue 20)
    ("POST", "/v1/plans/{code}/execution-request"): "plan.prepare",
    ("POST", "/v1/plans/{code}/execution-request/cancellation"): "plan.prepare",
    ("POST", "/v1/entities/{code}/accounts"): "books.write",
    ("POST", "/v1/entities/{code}/accounts/{account}/name"): "books.write",
    ("POST", "/v1/entities/{code}/accounts/{account}/retirement"): "books.write",
    ("POST", "/v1/entities/{code}/closed-months"): "period.close",
    ("POST", "/v1/entities/{code}/closed-months/{month}/reopening"): "period.close",
    ("POST", "/v1/entities/{code}/year-end-closings"): "period.close",
    ("POST", "/v1/entities/{code}/year-end-closings/{year}/reopening"): "period.close",
    ("POST", "/v1/entities/{code}/voucher-batches"): "vouchers.import",
    ("POST", "/v1/villages/{village}/disclosures"): "sheet.publish",
    ("POST", "/v1/joint-entities/{joint}/disclosures"): "sheet.publish",
    ("POST", "/v1/townships/{township}/settings"): "settings.choose",  # new
    ("POST", "/v1/townships/{township}/signers"): "settings.choose",  # new (issue 20)
    # the 资源 and 经济合同 registers (new, issue 21): a bookkeeper's, as the other registers
    ("POST", "/v1/entities/{code}/resources"): "books.write",
    ("POST", "/v1/entities/{code}/resources/{resource}/changes"): "books.write",
    ("POST", "/v1/entities/{code}/resources/{resource}/retirement"): "books.write",
    ("POST", "/v1/entities/{code}/resources/{resource}/land-shares"): "books.write",
    ("POST", "/v1/entities/{code}/contracts"): "books.write",
    ("POST", "/v1/entities/{code}/contracts/{contract}/payments"): "books.write",
    ("POST", "/v1/entities/{code}/contracts/{contract}/payments/{number}/reversal"): "books.write",
    ("POST", "/v1/entities/{code}/contracts/{contract}/end"): "books.write",
    ("POST", "/v1/entities/{code}/contracts/{contract}/termination"): "books.write",
    # 三资 (new, issue 21): the steps of 四议两公开 as a plan's; every other write of projects
    # and assets posts or changes the books' cards: books.write, the default
    ("POST", "/v1/projects/{code}/steps"): "plan.prepare",
    # 财务计划 (new, issue 22): drawn up and approved as a distribution plan is
    ("POST", "/v1/budgets"): "plan.prepare",
    ("POST", "/v1/budgets/{entity}/{year}/revisions"): "plan.prepare",
    ("POST", "/v1/budgets/{entity}/{year}/steps"): "plan.prepare",
    # the bank (new, issue 22): statements, matches and the 调节表 by whoever reconciles
    ("POST", "/v1/entities/{code}/bank-accounts/{account}/statements"): "bank.reconcile",
    ("POST", "/v1/entities/{code}/bank-accounts/{account}/matches"): "bank.reconcile",
    ("POST", "/v1/entities/{code}/bank-accounts/{account}/matches/{match}/undo"): "bank.reconcile",
    ("POST", "/v1/entities/{code}/bank-accounts/{account}/reconciliations"): "bank.reconcile",
}
# the workbench's register forms declare theirs as the API's routes building the same commands
# need them (workbench.register_alliances, register_pooling, register_agreements,
# register_members), and are checked by them (workbench.register_forms.write)
PAGE_DUTIES = {
    ("POST", "/registers/alliances"): "books.write",
    ("POST", "/registers/villages"): "books.write",
    ("POST", "/registers/alliances/{code}/villages"): "books.write",
    ("POST", "/registers/alliances/{code}/villages/{village}/leave"): "books.write",
    ("POST", "/registers/alliances/{code}/enterprises"): "books.write",
    ("POST", "/registers/alliances/{code}/joint-entity"): "books.write",
    ("POST", "/registers/alliances/{code}/agreements"): "books.write",
    ("POST", "/registers/agreements/{code}/dividends"): "books.write",
    ("POST", "/registers/agreements/{code}/dividend-receipts"): "books.write",
    ("POST", "/registers/agreements/{code}/guarantee-shortfalls"): "books.write",
    ("POST", "/registers/joint/{code}/capital"): "books.write",
    ("POST", "/registers/joint/{code}/land"): "books.write",
    ("POST", "/registers/villages/{village}/members/{member}/leave"): "register.edit",
    ("POST", "/registers/villages/{village}/members/{member}/forget"): "register.edit",
    ("POST", "/resources/{entity}"): "books.write",
    ("POST", "/resources/{entity}/{code}/change"): "books.write",
    ("POST", "/resources/{entity}/{code}/land-shares"): "books.write",
    ("POST", "/resources/{entity}/{code}/retirement"): "books.write",
    ("POST", "/contracts/{entity}"): "books.write",
    ("POST", "/contracts/{entity}/{code}/payments"): "books.write",
    ("POST", "/contracts/{entity}/{code}/payments/{number}/reversal"): "books.write",
    ("POST", "/contracts/{entity}/{code}/end"): "books.write",
    ("POST", "/contracts/{entity}/{code}/termination"): "books.write",
    # 三资 (issue 21), as the API's routes building the same commands
    ("POST", "/projects"): "books.write",
    ("POST", "/projects/{code}/steps"): "plan.prepare",
    ("POST", "/projects/{code}/costs"): "books.write",
    ("POST", "/projects/{code}/completion"): "books.write",
    ("POST", "/projects/{code}/income"): "books.write",
    ("POST", "/assets"): "books.write",
    ("POST", "/assets/{entity}/{number}/disposal"): "books.write",
    ("POST", "/assets/{entity}/{number}/leases"): "books.write",
    ("POST", "/assets/{entity}/{number}/leases/{lease}/rent"): "books.write",
    ("POST", "/assets/{entity}/{number}/leases/{lease}/end"): "books.write",
    ("POST", "/depreciation/{entity}"): "books.write",
    ("POST", "/depreciation/townships/{township}"): "books.write",
}


def every_route() -> list[APIRoute]:
    """The routes of the app, included the way ``server.main`` and ``workbench`` include them."""
    app = FastAPI()
    for module in ROUTES:
        routers.include(app, module)
    workbench.install(app)
    pages = [importlib.import_module(f"workbench.{name}") for name in workbench.PAGE_MODULES]
    found = [r for m in (*ROUTES, *pages) for r in m.router.routes if isinstance(r, APIRoute)]
    assert len(found) >= 149
    return found


def test_every_route_path_reads_what_the_old_map_said() -> None:
    routes = every_route()
    for route in routes:
        for value in ("X1", "V01", "2024", "abc"):
            path = re.sub(r"\{[^}]*\}", value, route.path)
            assert needed(path) == old_needed(path), route.path
        assert needed(route.path) == old_needed(route.path), route.path


def test_every_write_needs_the_duty_the_old_table_gave() -> None:
    routes = every_route()
    expected = {**OLD_WRITE_DUTIES, **PAGE_DUTIES}
    assert WRITE_DUTIES == expected
    for route in routes:
        for method in route.methods:
            key = (method, route.path)
            assert WRITE_DUTIES.get(key, DEFAULT) == expected.get(key, DEFAULT)


def test_a_misdeclared_router_is_refused() -> None:
    from fastapi import APIRouter

    from web import duties, views

    router = APIRouter(prefix="/v1/nowhere")

    @router.post("/things")
    def things() -> None:  # pragma: no cover - never called
        return None

    import pytest

    with pytest.raises(ValueError, match="no route of this router has the path"):
        views.declare(router, ("ledger",), {"/v1/nowhere/thing": ("ledger",)})
    with pytest.raises(ValueError, match="no route of this router answers"):
        duties.declare(router, {("POST", "/v1/nowhere/thing"): "voucher.prepare"})
    with pytest.raises(ValueError, match="is not an action"):
        duties.declare(router, {("POST", "/v1/nowhere/things"): "things.do"})


def test_every_aggregate_class_says_its_township() -> None:
    import pkgutil

    from eventsourcing.domain import Aggregate

    import domain

    for info in pkgutil.walk_packages(domain.__path__, "domain."):
        importlib.import_module(info.name)
    pending = [Aggregate]
    found = []
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            pending.append(sub)
            if sub.__module__.startswith("domain."):
                found.append(sub)
    assert len(found) >= 14
    for cls in found:
        assert callable(getattr(cls, "township_in", None)), cls


def test_the_runtime_keeps_every_registered_read_model() -> None:
    from domain.privacy import PersonalDataVault
    from projections.registry import read_model_tables, read_models

    views = read_models(PersonalDataVault.in_memory())
    assert [v.name for v in views] == [
        "ledger",
        "economy",
        "chain",
        "audit",
        "people",
        "vouchers",
        "assets",
        "resources",
        "budget",
        "bank",
    ]
    names = [t.name for t in read_model_tables(views)]
    assert len(names) == len(set(names))
    assert {"lz_entries", "lz_vouchers", "lz_people", "lz_asset_cards", "lz_bank_lines"} <= set(
        names
    )


def test_a_read_model_table_defined_late_is_written_by_the_page_writer() -> None:
    from projections.pages import PageWriter
    from projections.tables import metadata

    late = Table(
        "lz_test_late_assets",
        metadata,
        Column("code", String(16), primary_key=True),
        Column("cost_fen", BigInteger, nullable=False),
    )
    try:
        engine = create_engine("sqlite://")
        late.create(engine)
        with engine.begin() as conn:
            writer = PageWriter(conn)
            writer.insert(late, {"code": "A1", "cost_fen": 150000})
            writer.flush()
        with engine.connect() as conn:
            assert conn.execute(select(late.c.code, late.c.cost_fen)).all() == [("A1", 150000)]
    finally:
        metadata.remove(late)
