"""A small 三资 world on a store that holds Scenario A (the demo, or the HTTP run of it): the
cold store XM-T of 黑牛养殖联合社 J01 built in 2026 with a ¥40,000.00 grant (below the amount
that needs 四议两公开), its card GZ-T owned 50/30/20 by V01, V02, V03, leased to 张三明 (a
natural person) and to 纽澜地 (the enterprise) after him, April's rent received and April's
depreciation run; and V01's tractor JQ-T bought for ¥12,000.00. Through the one runner, as a
front end would. No tests here: the front ends' tests share it.

Hand figures: GZ-T: 40,000.00 × (1 − 5%) / 120 = 316.67 a month (half-up), split 158.34 /
95.00 / 63.33 (0.5 / 0.3 / 0.2 of 316.67: 158.335, 95.001, 63.334 → down to the fen 158.33,
95.00, 63.33 and the odd fen to the largest remainder, V01). JQ-T: 12,000.00 × 95% / 60 =
190.00 a month from May 2026.
"""

from __future__ import annotations

import datetime
from typing import Any

from domain.assets.commands import LeaseAsset, ReceiveRent, RegisterAsset, RunDepreciation
from domain.assets.service import CardTerms
from domain.pooling.commands import ReceiveGrant
from domain.projects.commands import CompleteProject, PlanProject, RecordProjectCost
from domain.runner import Caller, Runner

D = datetime.date
JOINT, PROJECT, CARD, LEASE, TRACTOR = "J01", "XM-T", "GZ-T", "ZL-T", "JQ-T"
PERSON = "张三明"
OWNERS = {"V01": "0.5", "V02": "0.3", "V03": "0.2"}


def run(app: Any, command: Any) -> Any:
    return Runner(app).run(command, Caller("zhuguan")).result


def cold_store(app: Any, *, rent_and_run: bool = True) -> None:
    """The world of the module docstring, in ``app`` (Scenario A already there)."""
    run(app, ReceiveGrant(joint=JOINT, programme="XMFZ", amount="40000.00", date=D(2026, 3, 2)))
    run(
        app,
        PlanProject(
            code=PROJECT,
            entity=JOINT,
            name="冷库",
            kind="building",
            budget={"土建工程": "40000.00"},
            funding=[{"kind": "grant", "source": "XMFZ", "amount": "40000.00"}],
            planned_on=D(2026, 3, 3),
        ),
    )
    run(
        app,
        RecordProjectCost(
            project=PROJECT, date=D(2026, 3, 10), item="土建工程", amount="40000.00", grant="XMFZ"
        ),
    )
    run(
        app,
        CompleteProject(
            project=PROJECT,
            date=D(2026, 3, 31),
            assets=[CardTerms(number=CARD, name="冷库", life_months=120, location="仉家村东")],
            owners=OWNERS,
        ),
    )
    run(
        app,
        LeaseAsset(
            entity=JOINT,
            number=CARD,
            lease=LEASE,
            lessee=PERSON,
            rent="500.00",
            start=D(2026, 4, 1),
            end=D(2026, 6, 30),
        ),
    )
    run(
        app,
        LeaseAsset(
            entity=JOINT,
            number=CARD,
            lease="ZL-N",
            lessee="纽澜地",
            rent="1500.00",
            start=D(2026, 7, 1),
            end=D(2027, 6, 30),
            every_months=3,
        ),
    )
    run(
        app,
        RegisterAsset(
            entity="V01",
            terms=CardTerms(number=TRACTOR, name="拖拉机", life_months=60, original="12000.00"),
            acquisition="bought",
            acquired_on=D(2026, 4, 15),
        ),
    )
    if rent_and_run:
        run(
            app,
            ReceiveRent(
                entity=JOINT, number=CARD, lease=LEASE, period="2026-04", date=D(2026, 4, 5)
            ),
        )
        run(app, RunDepreciation(entity=JOINT, month="2026-04"))
