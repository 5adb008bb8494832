"""Scenario A of docs/scenario-a.md as data: the one place its figures and dates are written.

The demo loader (``scripts.demo``) drives the application with it; the end-to-end test drives
the HTTP API with it; both must come out to the fen of docs/scenario-a.md. Names of people are
invented; ID numbers are made valid (GB 11643) from the 高青县 area code 370322.
"""

from __future__ import annotations

import datetime
from typing import Any

from domain.privacy import with_check_digit

D = datetime.date

ALLIANCE = "HNHM"
JOINT = "J01"
ENTERPRISE = "NLD"
AGREEMENT = "NLD-2025"
ALLIANCE_PLAN = "P2025-HNHM"
HOUSEHOLD_PLAN = "P2025-V03"
PROGRAMME = "CZFC"  # 财政扶持壮大村级集体经济资金

CONTRIBUTED_ON = D(2025, 1, 15)
# village → (capital, land mu)
CONTRIBUTIONS = {
    "V01": ("600000.00", "500"),
    "V02": ("400000.00", "120"),
    "V03": ("500000.00", "300"),
}
LAND_VALUE_PER_MU = "20000.00"
LAND_TERM_YEARS = 10

AGREEMENT_TERMS: dict[str, Any] = {
    "code": AGREEMENT,
    "alliance": ALLIANCE,
    "enterprise": ENTERPRISE,
    "signed_on": D(2025, 1, 20),
    "start_year": 2025,
    "years": 5,
    "invested_capital": "1500000.00",
    "guarantee": {"kind": "percent", "value": "8"},
    "profit_share_percent": "10",
    "payment_due": "12-31",
}
INVESTED_ON = D(2025, 1, 20)
DIVIDEND = "186000.00"
DECLARED_ON = D(2025, 12, 20)
RECEIVED_ON = D(2025, 12, 28)

ALLIANCE_RULE: dict[str, Any] = {
    "deductions": [{"name": "管理费", "percent": "2"}],
    "tiers": [
        {"name": "保底收益", "kind": "rate", "basis": "capital", "percent": "6"},
        {
            "name": "按权重分配",
            "kind": "weighted",
            "weights": {"capital": "50", "land": "30", "population": "20"},
        },
    ],
}
ALLIANCE_PLAN_BODY: dict[str, Any] = {
    "code": ALLIANCE_PLAN,
    "title": "黑牛盒马联村2025年度纽澜地分红分配方案",
    "scope": {"kind": "alliance", "code": ALLIANCE},
    "period": "2025",
    "as_of": D(2025, 12, 31),
    "amount": DIVIDEND,
    "rule": ALLIANCE_RULE,
}
ALLIANCE_STEPS: list[dict[str, Any]] = [
    {"step": "提议", "date": D(2026, 1, 5), "body": "黑牛盒马联村党委"},
    {
        "step": "商议",
        "date": D(2026, 1, 6),
        "body": "联村党委与各村两委联席会议",
        "expected": 15,
        "present": 13,
        "votes_for": 12,
        "votes_against": 1,
        "abstentions": 0,
    },
    {
        "step": "审议",
        "date": D(2026, 1, 8),
        "body": "联村党员大会",
        "expected": 90,
        "present": 75,
        "votes_for": 70,
        "votes_against": 3,
        "abstentions": 2,
    },
    {
        "step": "决议",
        "date": D(2026, 1, 10),
        "body": "三村村民代表联席会议",
        "assembly": "representatives",
        "expected": 45,
        "present": 41,
        "votes_for": 39,
        "votes_against": 1,
        "abstentions": 1,
    },
    {
        "step": "决议公开",
        "date": D(2026, 1, 11),
        "body": "联村党委",
        "place": "三村村务公开栏及联村微信群",
    },
]
ALLIANCE_EXECUTED_ON = D(2026, 1, 15)
ALLIANCE_RESULT_STEP: dict[str, Any] = {
    "step": "实施结果公开",
    "date": D(2026, 1, 16),
    "body": "联村党委",
    "place": "三村村务公开栏",
}

# 李孟德村 (V03): households, members (人口股 one each, 劳龄股 on the head) and shares
SHARE_KINDS = ["人口股", "劳龄股"]
REGISTERED_ON = D(2025, 1, 1)
# household → (members, 劳龄股 of the head); totals 4, 3, 5, 2, 6, 3.5, 4, 1, 2.5, 3 = 34
HOUSEHOLDS = {
    "H01": (4, "0"), "H02": (3, "0"), "H03": (4, "1"), "H04": (2, "0"), "H05": (5, "1"),
    "H06": (3, "0.5"), "H07": (4, "0"), "H08": (1, "0"), "H09": (2, "0.5"), "H10": (3, "0"),
}  # fmt: skip
SURNAMES = "李王张刘陈杨赵黄周吴"
GIVEN = ("建国", "秀英", "志强", "桂兰", "明亮", "春华", "德胜", "玉梅", "振华", "小红")


def members() -> list[dict[str, Any]]:
    """The members of 李孟德村's register, household by household (deterministic)."""
    out = []
    for h, (number, (count, labour)) in enumerate(HOUSEHOLDS.items()):
        for m in range(count):
            shares = {"人口股": "1"}
            if m == 0 and labour != "0":
                shares["劳龄股"] = labour
            born = D(1950 + (h * 7 + m * 11) % 60, 1 + (h + m) % 12, 1 + (h * 3 + m) % 28)
            first17 = f"370322{born:%Y%m%d}{(h * 10 + m) % 1000:03d}"
            out.append(
                {
                    "number": f"{number}-{m + 1}",
                    "household": number,
                    "name": SURNAMES[h] + GIVEN[(h + m * 3) % len(GIVEN)],
                    "id_number": with_check_digit(first17),
                    "joined_on": REGISTERED_ON,
                    "shares": shares,
                }
            )
    return out


def household_head(number: str) -> str:
    return next(m["name"] for m in members() if m["household"] == number)


HOUSEHOLD_RULE: dict[str, Any] = {
    "deductions": [{"name": "公积公益金", "percent": "10"}, {"name": "福利费", "percent": "5"}],
    "tiers": [{"name": "按股分配", "kind": "proportional", "basis": "shares"}],
}
HOUSEHOLD_PLAN_BODY: dict[str, Any] = {
    "code": HOUSEHOLD_PLAN,
    "title": "李孟德村2025年度联村分红成员分配方案",
    "scope": {"kind": "village", "code": "V03"},
    "period": "2025",
    "as_of": D(2026, 1, 15),
    "amount": "60559.39",
    "rule": HOUSEHOLD_RULE,
}
HOUSEHOLD_STEPS: list[dict[str, Any]] = [
    {"step": "提议", "date": D(2026, 1, 18), "body": "李孟德村党支部"},
    {
        "step": "商议",
        "date": D(2026, 1, 19),
        "body": "李孟德村两委联席会议",
        "expected": 7,
        "present": 7,
        "votes_for": 7,
        "votes_against": 0,
        "abstentions": 0,
    },
    {
        "step": "审议",
        "date": D(2026, 1, 20),
        "body": "李孟德村党员大会",
        "expected": 32,
        "present": 28,
        "votes_for": 27,
        "votes_against": 0,
        "abstentions": 1,
    },
    {
        "step": "决议",
        "date": D(2026, 1, 22),
        "body": "李孟德村村民代表会议",
        "assembly": "representatives",
        "expected": 25,
        "present": 23,
        "votes_for": 22,
        "votes_against": 1,
        "abstentions": 0,
    },
    {
        "step": "决议公开",
        "date": D(2026, 1, 23),
        "body": "李孟德村两委",
        "place": "李孟德村村务公开栏",
    },
]
HOUSEHOLD_EXECUTED_ON = D(2026, 1, 28)
HOUSEHOLD_RESULT_STEP: dict[str, Any] = {
    "step": "实施结果公开",
    "date": D(2026, 1, 29),
    "body": "李孟德村两委",
    "place": "李孟德村村务公开栏",
}

# The figures docs/scenario-a.md gives, to the fen.
EXPECTED_VILLAGE_TOTALS = {"V01": "76884.05", "V02": "44836.56", "V03": "60559.39"}
EXPECTED_TIERS = {
    "保底收益": {"V01": "36000.00", "V02": "24000.00", "V03": "30000.00"},
    "按权重分配": {"V01": "40884.05", "V02": "20836.56", "V03": "30559.39"},
}
EXPECTED_HOUSEHOLDS = {
    "H01": "6055.94", "H02": "4541.95", "H03": "7569.92", "H04": "3027.97", "H05": "9083.91",
    "H06": "5298.95", "H07": "6055.94", "H08": "1513.99", "H09": "3784.96", "H10": "4541.95",
}  # fmt: skip

# The alternatives shown to the 审议 of the alliance plan (the fairness workbench).
ALTERNATIVES: list[dict[str, Any]] = [
    {"name": "按资金比例", "rule": {"tiers": [{"kind": "proportional", "basis": "capital"}]}},
    {"name": "各村平均", "rule": {"tiers": [{"kind": "equal"}]}},
    {"name": "按人口", "rule": {"tiers": [{"kind": "proportional", "basis": "population"}]}},
]
