"""What the export's events say about the 三资 registers (asset cards and projects), and the
books checked against them: the same checks as ``audit/asset_reconcile.py``. Standard library
only.

From the events alone: a card's terms (``AssetCard.Registered``: its books, accounts, 原值,
what it came with, its owners' shares), every month depreciated with each owner's part
(``Depreciated``) and its disposal (``Disposed``); a project's sub-account (``Project.Planned``),
its costs (``CostRecorded``), its completion and shares (``Completed``) and every income with
each owner's part (``IncomeRecorded``). A card's rent is the project's income, checked there.
"""

from __future__ import annotations

from decimal import Decimal

CARD, PROJECT = "domain.assets:AssetCard.", "domain.projects:Project."


def new_assets() -> dict:
    return {"cards": {}, "projects": {}}


def _fen(amount: object) -> int:
    return int(Decimal(str(amount)) * 100)


def _plain(value: object) -> object:
    """Stored values are wrapped as {"_type_": name, "_data_": data}; take the data out."""
    if isinstance(value, dict) and set(value) == {"_type_", "_data_"}:
        return _plain(value["_data_"])
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def collect_assets(facts: dict, event: dict) -> None:
    """Remember what the 三资 checks need from one event (others are left alone)."""
    topic, owner = event["topic"], event["originator_id"]
    if not topic.startswith((CARD, PROJECT)):
        return
    state = _plain(event["state"])
    assert isinstance(state, dict)
    name = topic.rsplit(".", 1)[-1]
    if topic.startswith(CARD):
        if name == "Registered":
            facts["cards"][owner] = {
                "entity": state["entity"],
                "number": state["number"],
                "account": state["account"],
                "contra": state.get("contra"),
                "original": _fen(state["original"]),
                "opening": _fen(state["accumulated"]),
                "disposed": False,
                "shares": dict(state["owners"]),
                "months": {},
                "owners": {},
            }
        card = facts["cards"].get(owner)
        if card is None:
            return
        if name == "Depreciated":
            card["months"][state["month"]] = _fen(state["amount"])
            card["owners"][state["month"]] = {o: int(f) for o, f in state["owners"].items()}
        elif name == "Disposed":
            card["disposed"] = True
        return
    if name == "Planned":
        facts["projects"][owner] = {
            "entity": state["entity"],
            "code": state["code"],
            "account": state["account"],
            "costs": 0,
            "completed": False,
            "shares": {},
            "income": [],
        }
    project = facts["projects"].get(owner)
    if project is None:
        return
    if name == "CostRecorded":
        project["costs"] += _fen(state["amount"])
    elif name == "Completed":
        project["completed"] = True
        project["shares"] = dict(state["owners"])
    elif name == "IncomeRecorded":
        parts = {o: int(f) for o, f in state["owners"].items()}
        project["income"].append((f"income {state['entry']}", _fen(state["amount"]), parts))


def _yuan(fen: int) -> str:
    return f"{'-' if fen < 0 else ''}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def _problem(pair: str, mine: tuple, theirs: tuple, what: str) -> dict:
    """A disagreement: ``mine`` and ``theirs`` are (entity, account, fen)."""
    one, two = ({"entity": e, "account": a, "figure": _yuan(f)} for e, a, f in (mine, theirs))
    detail = f"{what}: {' '.join(one.values())}, {' '.join(two.values())}"
    return {"check": "pair", "pair": pair, **one, "counterpart": two, "detail": detail}


def asset_problems(facts: dict, balances_yuan: dict) -> list:
    """The books against the 三资 registers, first first: each project's 153 sub-account against
    its costs; 151/132/134/161 against the 原值 of the cards held, 152/133/162 against their
    accumulated depreciation (books with such cards only); each owner's parts against the whole.
    ``balances_yuan``: each entity's balances in yuan, debit positive (``books.balances``)."""
    balances = {c: {a: _fen(v) for a, v in b.items()} for c, b in balances_yuan.items()}

    def under(entity: str, prefix: str) -> int:
        return sum(f for a, f in balances.get(entity, {}).items() if a.startswith(prefix))

    projects = sorted(facts["projects"].values(), key=lambda p: (p["entity"], p["code"]))
    cards = sorted(facts["cards"].values(), key=lambda c: (c["entity"], c["number"]))
    problems: list = []
    for p in projects:
        held = balances.get(p["entity"], {}).get(p["account"], 0)
        expected = 0 if p["completed"] else p["costs"]
        if held != expected:
            what = "its recorded costs less what its completion moved to the asset"
            problems.append(
                _problem(
                    "project-cost",
                    (p["entity"], p["account"], held),
                    (p["entity"], f"project {p['code']}", expected),
                    f"project {p['code']}: the books' {p['account']} is not {what}",
                )
            )
    for entity in sorted({c["entity"] for c in cards}):
        mine = [c for c in cards if c["entity"] == entity]
        held = [c for c in mine if not c["disposed"]]
        for account in sorted({c["account"] for c in mine}):
            books = under(entity, account)
            carded = sum(c["original"] for c in held if c["account"] == account)
            if books != carded:
                what = f"{entity}'s {account} is not the 原值 of its cards held"
                problems.append(
                    _problem(
                        "asset-original",
                        (entity, account, books),
                        (entity, f"cards on {account}", carded),
                        what,
                    )
                )
        for contra in sorted({c["contra"] for c in mine if c["contra"]}):
            books = -under(entity, contra)
            carded = sum(
                c["opening"] + sum(c["months"].values()) for c in held if c["contra"] == contra
            )
            if books != carded:
                what = f"{entity}'s {contra} is not the depreciation of its cards held"
                problems.append(
                    _problem(
                        "asset-depreciation",
                        (entity, contra, books),
                        (entity, f"cards on {contra}", carded),
                        what,
                    )
                )
    for card in cards:
        amounts = [(m, f, card["owners"].get(m, {})) for m, f in sorted(card["months"].items())]
        problems += _shares(card["entity"], f"card {card['number']}", card["shares"], amounts)
    for p in projects:
        if p["shares"]:
            problems += _shares(p["entity"], f"project {p['code']}", p["shares"], p["income"])
    return problems


def _shares(entity: str, what: str, shares: dict, amounts: list) -> list:
    found = []
    owners = "+".join(sorted(shares))
    total = sum((Decimal(s) for s in shares.values()), Decimal(0))
    if shares and total != 1:
        found.append(
            {
                "check": "pair",
                "pair": "owner-shares",
                "entity": entity,
                "account": what,
                "figure": "1",
                "counterpart": {"entity": owners, "account": "shares", "figure": f"{total}"},
                "detail": f"{what} of {entity}: its owners' shares add up to {total}, not 1",
            }
        )
    for label, fen, parts in amounts:
        if len(shares) > 1 and sum(parts.values()) != fen:
            what_now = f"{what} of {entity}, {label}: the owners' parts do not add up to the amount"
            found.append(
                _problem(
                    "owner-shares",
                    (entity, f"{what} {label}", fen),
                    (owners, "owners' parts", sum(parts.values())),
                    what_now,
                )
            )
    return found
