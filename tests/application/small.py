"""A small alliance on the in-memory store, for the application tests of agreements,
corrections and disclosure (no tests here)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from domain.application import LianzhangApplication
from tests import builders

D = datetime.date


def application() -> LianzhangApplication:
    return LianzhangApplication(
        {"PERSISTENCE_MODULE": "eventsourcing.popo"}, today=lambda: D(2026, 11, 23)
    )


def small_alliance(app: LianzhangApplication) -> tuple[str, str, str, str]:
    """An alliance of two villages and a joint entity holding their capital: V1 100,000.00
    CZFC and 20,000.00 ZYZJ, V2 50,000.00 CZFC. Returns (alliance, joint, V1, V2)."""
    alliance = builders.alliance(app)
    v1, v2 = builders.village(app), builders.village(app)
    joint = builders.code("J")
    app.alliances.register_joint_entity(alliance=alliance, code=joint, name="测试联合社", actor="t")
    app.books.set_opening_balances(entity=joint, as_of=builders.OPENING, balances=[], actor="t")
    for village in (v1, v2):
        app.alliances.join_village(
            alliance=alliance, village=village, joined_on=builders.OPENING, actor="t"
        )
    for village, programme, amount in (
        (v1, "CZFC", "100000.00"),
        (v1, "ZYZJ", "20000.00"),
        (v2, "CZFC", "50000.00"),
    ):
        app.pooling.contribute_capital(
            joint=joint,
            village=village,
            programme=programme,
            amount=amount,
            date=D(2025, 2, 1),
            actor="t",
        )
    return alliance, joint, v1, v2


def agreement(
    app: LianzhangApplication,
    alliance: str,
    *,
    guarantee: str = "5000.00",
    payment_due: str = "12-31",
    years: int = 3,
) -> tuple[str, str]:
    """An enterprise joined to ``alliance`` and its agreement from 2025 (guarantee an amount a
    year). Returns (enterprise, agreement)."""
    enterprise, code = builders.code("E"), builders.code("AG")
    app.alliances.join_enterprise(
        alliance=alliance, code=enterprise, name="企业", joined_on=builders.OPENING, actor="t"
    )
    app.agreements.sign_agreement(
        code=code,
        alliance=alliance,
        enterprise=enterprise,
        signed_on=builders.OPENING,
        start_year=2025,
        years=years,
        invested_capital="100000.00",
        guarantee_kind="amount",
        guarantee_value=Decimal(guarantee),
        profit_share_percent=Decimal("10"),
        payment_due=payment_due,
        actor="t",
    )
    return enterprise, code


def events(app: LianzhangApplication) -> int:
    """How many events the store holds (a refusal writes none)."""
    return int(app.recorder.max_notification_id() or 0)
