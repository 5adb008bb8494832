"""The demo alliance of SCENARIOS.md: 黑牛盒马联村党委 (唐坊镇, 高青县), its three villages,
the joint entity 黑牛养殖联合社 and the enterprise 纽澜地, with opening balances.

Loading is idempotent: every step first asks whether it already happened (ids are uuid5 of the
codes), so running the demo again writes nothing new. The population figures are those of
Scenario A; households and opening balances are illustrative, chosen to balance.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from domain.application import LianzhangApplication
from domain.books import VillageCollective
from domain.ids import alliance_id, entity_id

ACTOR = "demo-loader"
TOWNSHIP = "唐坊镇"
COUNTY = "高青县"
ALLIANCE = "HNHM"
JOINT_ENTITY = "J01"
ENTERPRISE = "NLD"
OPENING = datetime.date(2025, 1, 1)

VILLAGES = (
    # code, name, population, households, opening balances (account, side, amount)
    (
        "V01",
        "仉家村",
        1200,
        400,
        (
            ("101", "debit", "2000.00"),
            ("102", "debit", "850000.00"),
            ("151", "debit", "1200000.00"),
            ("152", "credit", "180000.00"),
            ("301", "credit", "1500000.00"),
            ("311", "credit", "372000.00"),
        ),
    ),
    (
        "V02",
        "和店村",
        800,
        260,
        (
            ("101", "debit", "1500.00"),
            ("102", "debit", "600000.00"),
            ("151", "debit", "800000.00"),
            ("152", "credit", "120000.00"),
            ("301", "credit", "1000000.00"),
            ("311", "credit", "281500.00"),
        ),
    ),
    (
        "V03",
        "李孟德村",
        1000,
        330,
        (
            ("101", "debit", "1800.00"),
            ("102", "debit", "720000.00"),
            ("151", "debit", "950000.00"),
            ("152", "credit", "150000.00"),
            ("301", "credit", "1200000.00"),
            ("311", "credit", "321800.00"),
        ),
    ),
)


def load_demo(app: LianzhangApplication, say: Callable[[str], None] = print) -> int:
    """Load whatever part of the demo alliance is missing; returns how many steps wrote."""
    wrote = 0
    if not app.exists(alliance_id(ALLIANCE)):
        app.form_alliance(
            code=ALLIANCE,
            name="黑牛盒马联村党委",
            township=TOWNSHIP,
            county=COUNTY,
            model="村企联建",
            formed_on=OPENING,
            actor=ACTOR,
        )
        wrote += 1
    for code, name, population, households, balances in VILLAGES:
        if not app.exists(entity_id(code)):
            app.register_village(
                code=code,
                name=name,
                township=TOWNSHIP,
                county=COUNTY,
                population=population,
                households=households,
                actor=ACTOR,
            )
            wrote += 1
        village = app.get_books(code)
        assert isinstance(village, VillageCollective)
        if village.opening_date is None:
            app.set_opening_balances(
                entity=code,
                as_of=OPENING,
                balances=[{"account": a, "side": s, "amount": m} for a, s, m in balances],
                actor=ACTOR,
            )
            wrote += 1
        if app.get_alliance(ALLIANCE).current_spell(code) is None:
            app.join_village(alliance=ALLIANCE, village=code, joined_on=OPENING, actor=ACTOR)
            wrote += 1
    alliance = app.get_alliance(ALLIANCE)
    if ENTERPRISE not in alliance.enterprises:
        app.join_enterprise(
            alliance=ALLIANCE, code=ENTERPRISE, name="纽澜地", joined_on=OPENING, actor=ACTOR
        )
        wrote += 1
    if alliance.joint_entity_code is None:
        app.register_joint_entity(
            alliance=ALLIANCE, code=JOINT_ENTITY, name="黑牛养殖联合社", actor=ACTOR
        )
        wrote += 1
    if app.get_books(JOINT_ENTITY).opening_date is None:
        app.set_opening_balances(entity=JOINT_ENTITY, as_of=OPENING, balances=[], actor=ACTOR)
        wrote += 1
    say(
        "demo alliance 黑牛盒马联村党委 is loaded"
        + (f" ({wrote} steps written)" if wrote else " (nothing new to write)")
    )
    return wrote
