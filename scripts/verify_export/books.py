"""What the export's events say about the books: each entity's balances from the events alone,
and the pairs of books checked against each other (the same checks as
``audit/book_reconcile.py``). Standard library only."""

from __future__ import annotations

from decimal import Decimal

INTERNAL = ("112", "113", "201", "211", "221")  # 内部往来: sub-accounts named after the other


def new_facts() -> dict:
    """Where :func:`collect` keeps what it remembers of the events."""
    return {"codes": {}, "opening": {}, "moves": {}, "kinds": {}, "sources": {}, "lines": []}


def collect(facts: dict, event: dict) -> None:
    """Remember what the balances and the pair checks need from one event: the code and kind
    of each set of books, its latest opening balances, and every entry's postings, number,
    source, reversed entry and lines."""
    topic, owner, state = event["topic"], event["originator_id"], event["state"]
    if topic.startswith("domain.books:") and topic.endswith(".Registered"):
        facts["codes"][owner] = state["code"]
        facts["kinds"][owner] = "joint" if "JointEntity" in topic else "village"
    if topic.endswith(".OpeningBalancesSet"):
        facts["opening"][owner] = {}
        add_postings(facts["opening"][owner], unwrap(state["postings"]))  # type: ignore[arg-type]
    if topic.endswith(".VouchersPosted"):  # many vouchers, amounts in fen: [account, dr, cr]
        moves = facts["moves"].setdefault(owner, {})
        for number, _day, _memo, lines in state["vouchers"]:
            facts["sources"][(owner, number)] = (None, None)
            for line in lines:
                account, debit, credit = line[0], line[1], line[2]
                moves[account] = moves.get(account, Decimal(0)) + Decimal(debit - credit).scaleb(-2)
                side = "debit" if debit else "credit"
                facts["lines"].append((owner, number, account, side, debit or credit))
        return
    entry = unwrap(state.get("entry"))
    if not isinstance(entry, dict) or "postings" not in entry:
        return  # no entry posted (a 三资 event names its voucher by number only)
    add_postings(facts["moves"].setdefault(owner, {}), entry["postings"])
    name = topic.rsplit(".", 1)[-1]
    source = state.get("source")
    if not source and name == "CapitalContributed":
        source = f"capital:{state['village']}"
    if not source and name == "GrantReceived":
        source = f"grant:{state['programme']}"
    facts["sources"][(owner, entry["number"])] = (source, entry.get("reverses"))
    for posting in entry["postings"]:
        facts["lines"].append(
            (owner, entry["number"], posting["account"], posting["side"], _fen(posting["amount"]))
        )


def unwrap(value: object) -> object:
    """Stored values are wrapped as {"_type_": name, "_data_": data}; take the data out."""
    if isinstance(value, dict) and set(value) == {"_type_", "_data_"}:
        return unwrap(value["_data_"])
    if isinstance(value, dict):
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def add_postings(balances: dict, postings: list) -> None:
    """Add ``postings`` to ``balances`` (account → yuan, debit positive)."""
    for posting in postings:
        sign = 1 if posting["side"] == "debit" else -1
        account = posting["account"]
        balances[account] = balances.get(account, Decimal(0)) + sign * Decimal(posting["amount"])


def _fen(amount: object) -> int:
    return int(Decimal(str(amount)) * 100)


def balances(facts: dict) -> dict[str, dict[str, str]]:
    """Each entity's account balances in yuan, debit positive: its latest opening balances
    plus every posted entry, by code."""
    result: dict[str, dict[str, str]] = {}
    for owner, code in sorted(facts["codes"].items(), key=lambda item: item[1]):
        total: dict[str, Decimal] = {}
        for source in (facts["opening"].get(owner, {}), facts["moves"].get(owner, {})):
            for account, amount in source.items():
                total[account] = total.get(account, Decimal(0)) + amount
        result[code] = {a: f"{v:.2f}" for a, v in sorted(total.items()) if v != 0}
    return result


# -- books against each other (the same checks as audit/book_reconcile.py) ----------------------


def _source_key(source: str) -> str:
    kind, _, rest = source.partition(":")
    return f"{kind}:{rest.split(':', 1)[0]}" if kind == "land-rent" else source


def _yuan(fen: int) -> str:
    return f"{'-' if fen < 0 else ''}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def pair_problems(facts: dict, codes: dict, balances_yuan: dict) -> list:
    """Pairs of books that disagree, first first: a village's 141{J} against the joint entity's
    301{V}; each plan's payer (211{payee} paid and declared) against each payee (cash, income);
    land rent paid against received; 内部往来 (112/113/201/211/221 named after the other)."""
    kinds = {codes[o]: k for o, k in facts["kinds"].items() if o in codes}
    balances = {c: {a: _fen(v) for a, v in b.items()} for c, b in balances_yuan.items()}
    by_source: dict = {}
    for owner, number, account, side, fen in facts["lines"]:
        source, reverses = facts["sources"][(owner, number)]
        if not source and reverses:
            source = facts["sources"].get((owner, reverses), (None, None))[0]
        if not source or owner not in codes:
            continue
        lines = by_source.setdefault((codes[owner], _source_key(source)), {})
        lines.setdefault(account, [0, 0])[0 if side == "debit" else 1] += fen
    problems: list = []

    def add(pair: str, mine: tuple, theirs: tuple, what: str) -> None:
        """A pair that disagrees: ``mine`` and ``theirs`` are (entity, account, fen)."""
        one, two = ({"entity": e, "account": a, "figure": _yuan(f)} for e, a, f in (mine, theirs))
        detail = f"{what}: {' '.join(one.values())}, {' '.join(two.values())}"
        problems.append(
            {"check": "pair", "pair": pair, **one, "counterpart": two, "detail": detail}
        )

    def balance(entity: str, account: str) -> int:
        return balances.get(entity, {}).get(account, 0)

    def moved(entity: str, key: str, prefixes: tuple, column: int) -> int:
        lines = by_source.get((entity, key), {})
        return sum(v[column] for a, v in lines.items() if a.startswith(prefixes))

    villages = sorted(c for c, k in kinds.items() if k == "village")
    joints = sorted(c for c, k in kinds.items() if k == "joint")
    for v in villages:
        for j in joints:
            invested, capital = balance(v, f"141{j}"), -balance(j, f"301{v}")
            if invested != capital:
                what = f"{v}'s investment in {j} is not {j}'s capital from {v}"
                add("investment", (v, f"141{j}", invested), (j, f"301{v}", capital), what)
    # a plan and the plans that correct it are one fact: summed per payer and payee
    totals: dict = {}
    named: dict = {}
    for key in sorted({k for _, k in by_source if k.startswith("plan:")}):
        holders = sorted({e for e, k in by_source if k == key})
        payers = [e for e in holders if any(a.startswith("32201") for a in by_source[(e, key)])]
        for payer in payers:
            in_211 = {a[3:] for a in by_source[(payer, key)] if a.startswith("211")}
            payees = {p for p in in_211 if p in kinds and p != payer}
            for payee in sorted(payees | {e for e in holders if e != payer}):
                row = totals.setdefault((payer, payee), [0, 0, 0, 0])
                row[0] += moved(payer, key, (f"211{payee}",), 0)
                row[1] += moved(payee, key, ("101", "102"), 0)
                row[2] += moved(payer, key, (f"211{payee}",), 1)
                row[3] += moved(payee, key, ("5",), 1)
                named.setdefault((payer, payee), []).append(key[5:])
    for (payer, payee), (paid, cash, declared, income) in sorted(totals.items()):
        plans = ", ".join(named[(payer, payee)])
        if paid != cash:
            what = f"{plans}: cash {payee} booked is not what {payer} paid it"
            add("plan", (payee, "102", cash), (payer, f"211{payee}", paid), what)
        if declared != income:
            what = f"{plans}: income {payee} booked is not what {payer} declared"
            add("plan", (payee, "5xx", income), (payer, f"211{payee}", declared), what)
    for j in joints:
        for v in villages:
            paid = moved(j, f"land-rent:{v}", ("102",), 1)
            received = moved(v, f"land-rent:{j}", ("102",), 0)
            if paid != received:
                what = f"land rent {v} booked from {j} is not what {j} paid"
                add("land-rent", (v, "102", received), (j, "102", paid), what)

    def held(entity: str, other: str) -> str:
        names = [p + other for p in INTERNAL if balance(entity, p + other)]
        return "+".join(names) or f"113{other}"

    ordered = sorted(kinds)
    for i, first in enumerate(ordered):
        for second in ordered[i + 1 :]:
            claim = sum(balance(first, p + second) for p in INTERNAL)
            debt = sum(balance(second, p + first) for p in INTERNAL)
            if claim + debt != 0:
                what = (
                    f"内部往来 between {first} and {second} do not agree (what {first} is owed, "
                    f"debit positive; what {second} owes, credit positive)"
                )
                mine, theirs = (first, held(first, second)), (second, held(second, first))
                add("internal", (*mine, claim), (*theirs, -debt), what)
    return problems
