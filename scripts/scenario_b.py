"""Scenario B of docs/scenario-b.md as data: the one place the demo's 牛舍 is written.

黑牛养殖联合社 (J01) builds the cattle barn XM2025-NC with capital its three villages contribute in
March 2025 and designate to it (财政扶持壮大村级集体经济资金) and a ¥300,000.00 grant (畜牧业发展
专项资金), approved through 四议两公开, completed on 2025-08-31, depreciated monthly from
September 2025 and leased to 纽澜地 at ¥8,000.00 a month; its 2025 result is divided by
ownership in January 2026. The demo loader (``scripts.demo_assets``) drives the application with
it; tests/application/scenario_b.py tells the same story on a fresh alliance.
"""

from __future__ import annotations

import datetime
from typing import Any

D = datetime.date

PROJECT = "XM2025-NC"
CARD = "GZ-001"
LEASE = "ZL-2025-NC"
PLAN = "P2025-NC"
PROGRAMME = "CZFC"  # the villages' capital designated to the barn
GRANT = "XMFZ"  # 畜牧业发展专项资金
# each village receives the programme's money (借 102 / 贷 503 补助收入) before it pays it in
FUNDS_ON = D(2025, 3, 1)
CONTRIBUTED_ON = D(2025, 3, 3)
CAPITAL = {"V01": "270000.00", "V02": "150000.00", "V03": "180000.00"}  # 45% / 25% / 30%
GRANT_ON = D(2025, 3, 5)
GRANT_AMOUNT = "300000.00"
PLANNED_ON = D(2025, 3, 10)
BUDGET = {"土建工程": "770000.00", "设备安装": "130000.00"}
COSTS = [  # date, item, amount, the part paid from the grant
    (D(2025, 4, 10), "土建工程", "350000.00", "300000.00"),
    (D(2025, 6, 15), "土建工程", "420000.00", None),
    (D(2025, 8, 20), "设备安装", "130000.00", None),
]
COMPLETED_ON = D(2025, 8, 31)
CARD_TERMS: dict[str, Any] = {
    "number": CARD,
    "name": "牛舍",
    "life_months": 240,
    "residual_rate": "0.05",
    "use": "productive",
    "location": "唐坊镇仉家村北",
    "user": "纽澜地",
}
LESSEE = "纽澜地"
RENT = "8000.00"  # a month, due on the 1st, received on the 5th
LEASE_START, LEASE_END = D(2025, 9, 1), D(2030, 8, 31)
RENT_DAY = 5
FIRST_MONTH = "2025-09"  # the first month depreciated (当月增加，下月计提)

_VOTE = {"expected": 9, "present": 9, "votes_for": 9, "votes_against": 0, "abstentions": 0}
PROJECT_STEPS: list[tuple[str, datetime.date, dict[str, Any]]] = [
    ("提议", D(2025, 3, 12), {"body": "黑牛盒马联村党委"}),
    ("商议", D(2025, 3, 13), {"body": "联合社理事会", **_VOTE}),
    ("审议", D(2025, 3, 15), {"body": "联村党员大会", **_VOTE}),
    (
        "决议",
        D(2025, 3, 20),
        {"body": "三村村民代表联席会议", "assembly": "representatives", **_VOTE},
    ),
    ("决议公开", D(2025, 3, 21), {"body": "联村党委", "place": "三村村务公开栏"}),
]

PLAN_TITLE = "牛舍2025年收益按所有权份额分配方案"
PLAN_STEPS: list[tuple[str, datetime.date, dict[str, Any]]] = [
    ("提议", D(2026, 1, 19), {"body": "黑牛盒马联村党委"}),
    ("商议", D(2026, 1, 20), {"body": "联合社理事会", **_VOTE}),
    ("审议", D(2026, 1, 21), {"body": "联村党员大会", **_VOTE}),
    (
        "决议",
        D(2026, 1, 23),
        {"body": "三村村民代表联席会议", "assembly": "representatives", **_VOTE},
    ),
    ("决议公开", D(2026, 1, 24), {"body": "联村党委", "place": "三村村务公开栏"}),
]
PLAN_EXECUTED_ON = D(2026, 1, 25)
PLAN_RESULT_STEP = ("实施结果公开", D(2026, 1, 26), {"body": "联村党委", "place": "三村村务公开栏"})

# the hand figures (docs/scenario-b.md)
MONTHLY_DEPRECIATION = "3562.50"  # 900,000.00 × 95% / 240
RESULT_2025 = "17750.00"  # 4 × 8,000.00 − 4 × 3,562.50
DISTRIBUTED = {"V01": "7987.50", "V02": "4437.50", "V03": "5325.00"}
