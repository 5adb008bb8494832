"""Every read model the pull loop keeps, in the order it applies a page: the one list a new
capability's read model joins (one line here). Its tables are defined beside it on the shared
``projections.tables.metadata``, so creating the tables, the rebuild's replay and ``lianzhang
verify`` (every read-model table against a replay) include them without further edits.

``runtime.bootstrap`` builds its pull loop from :func:`read_models`; ``audit.verify`` builds its
scratch loop the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import Table

from audit.chain import AuditProjection, ChainProjection
from domain.privacy import PersonalDataVault
from projections.assets_view import AssetsProjection
from projections.bank_view import BankProjection
from projections.budget_view import BudgetProjection
from projections.economy_view import EconomyProjection
from projections.ledger_view import LedgerProjection
from projections.people_view import PeopleProjection
from projections.positions import Projection
from projections.resources_view import ResourcesProjection
from projections.voucher_view import VoucherProjection

# Each read model as a factory of the store's vault (the views that show sealed personal data
# open it; the others ignore it). Order matters only as the order of a page's work.
PROJECTIONS: tuple[Callable[[PersonalDataVault], Projection], ...] = (
    lambda vault: LedgerProjection(),
    EconomyProjection,
    lambda vault: ChainProjection(),
    lambda vault: AuditProjection(),
    lambda vault: PeopleProjection(),
    lambda vault: VoucherProjection(),
    lambda vault: AssetsProjection(),
    ResourcesProjection,
    lambda vault: BudgetProjection(),
    lambda vault: BankProjection(),
)


def read_models(vault: PersonalDataVault) -> list[Projection]:
    """A fresh instance of every registered read model."""
    return [make(vault) for make in PROJECTIONS]


def read_model_tables(projections: Sequence[Projection]) -> tuple[Table, ...]:
    """The tables of ``projections``, in their order."""
    return tuple(table for projection in projections for table in projection.tables)
