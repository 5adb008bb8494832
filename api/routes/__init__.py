"""The API's routers, one module a capability, in the order the app includes them (``server.main``
through ``web.routers``). Each module ends with what its paths read (``READ_MODELS``) and the
duties of its writes (``DUTIES``); a new capability's router is one more line here."""

from __future__ import annotations

from types import ModuleType

from api.routes import (
    agreements,
    alliances,
    assets,
    audit,
    bank,
    book_setup,
    budgets,
    contracts,
    entities,
    fairness,
    joint,
    members,
    plans,
    projects,
    public,
    public_assets,
    public_resources,
    resources,
    service,
    statements,
    townships,
    voucher_batches,
    voucher_corrections,
    voucher_numbers,
    voucher_reviews,
    vouchers,
)

ROUTES: tuple[ModuleType, ...] = (
    service,
    alliances,
    entities,
    book_setup,
    voucher_batches,
    joint,
    agreements,
    members,
    plans,
    statements,
    public,
    audit,
    fairness,
    vouchers,
    voucher_numbers,
    voucher_reviews,
    townships,
    voucher_corrections,
    resources,
    contracts,
    public_resources,
    projects,
    assets,
    public_assets,
    budgets,
    bank,
)
