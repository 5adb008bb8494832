"""An asset's QR 身份证: the public page a label's QR code opens (no login), and the code that
makes its address unguessable.

**The address.** ``/public/assets/{entity}/{number}?code=XXXXXXXXXX``: the code (10 characters
of ``ALPHABET``, 31^10 ≈ 8×10^14) is a keyed digest of the card's entity and number under the
store's data key (``PersonalDataVault.index``: HMAC-SHA256 under a key derived from it, with a
label of its own), the same idea as the household codes of the public plans: nobody without
the key can compute it, so nobody can list a township's assets by trying numbers, and nothing
is stored. A wrong code and a card that does not exist get the same answer (404). Unlike the
household codes (derived from the signing key), it survives a rotation of the signing key
(``lianzhang keys rotate``) and a restore: a label glued to a barn is meant to last its
twenty years. Whoever holds a label may share its page; a label that must stop working needs
a new card number (not provided).

**What it shows** (``public_asset``): what the asset is (name, category, location, how and
when it came, the project that built it), who owns what share (the villages and joint
entities by name), its leases (资产出租) with the lessee — a natural person masked as the
other public pages mask people (张*明), an enterprise or a collective by name —, the term, the
rent, what is due to date, received and outstanding, and its depreciation to date (原值,
累计折旧, 净值, by year). Its user (使用人) is masked the same way. No ID number is ever
recorded on a card.
"""

from __future__ import annotations

import datetime
import hmac
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, select

from domain.privacy import mask_name
from projections import queries
from projections.assets_queries import asset_detail
from projections.assets_view import projects
from projections.tables import enterprises

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
LENGTH = 10
LABEL = "lianzhang asset label v1"

# words of a name that is not a natural person's (an enterprise, a cooperative, a collective)
ORGANISATION_WORDS = (
    "公司",
    "合作社",
    "联合社",
    "经济社",
    "集团",
    "企业",
    "厂",
    "场",
    "店",
    "中心",
    "委员会",
    "村",
    "社",
    "站",
    "协会",
    "学校",
    "医院",
    "银行",
    "政府",
    "有限",
    "商行",
    "基地",
)


def label_code(index: Callable[[str], str], entity: str, number: str) -> str:
    """The code printed on card ``number``'s label (``index``: the store's keyed digest,
    ``runtime.vault.index``)."""
    digest = index(f"{LABEL}\0{entity}\0{number}")
    value = int(digest[:32], 16)
    out = []
    for _ in range(LENGTH):
        value, digit = divmod(value, len(ALPHABET))
        out.append(ALPHABET[digit])
    return "".join(out)


def code_matches(index: Callable[[str], str], entity: str, number: str, given: str) -> bool:
    expected = label_code(index, entity, number)
    typed = given.strip().upper().replace(" ", "").replace("-", "")
    return hmac.compare_digest(expected.encode(), typed.encode())


def public_path(index: Callable[[str], str], entity: str, number: str) -> str:
    """The public page's path with its code (the QR code holds the origin before it)."""
    code = label_code(index, entity, number)
    return f"/public/assets/{quote(entity, safe='')}/{quote(number, safe='')}?code={code}"


def is_organisation(name: str, known: Iterable[str] = ()) -> bool:
    """Whether ``name`` names an enterprise or a collective (shown as it is) rather than a
    natural person (masked): a name the books know (an entity, an enterprise), or one with a
    word such names have. When in doubt, a person."""
    text = name.strip()
    if not text:
        return True
    if text in set(known):
        return True
    return len(text) >= 4 and any(word in text for word in ORGANISATION_WORDS)


def shown_name(name: str, known: Iterable[str]) -> str:
    """``name`` as a public page prints it: an organisation's as it is, a person's masked."""
    return name.strip() if is_organisation(name, known) else mask_name(name)


def _known_names(conn: Connection) -> set[str]:
    names = {str(e["name"]) for e in queries.list_entities(conn)}
    names |= {str(e["code"]) for e in queries.list_entities(conn)}
    for code, name in conn.execute(select(enterprises.c.code, enterprises.c.name)):
        names |= {str(code), str(name)}
    return names


def _percent(share: str) -> str:
    value = (Decimal(share) * 100).normalize()
    return f"{value:f}%"


def public_asset(
    conn: Connection, entity: str, number: str, today: datetime.date
) -> dict[str, Any] | None:
    """What card ``number`` of ``entity``'s books shows the public (see the module), or None
    when there is no such card."""
    card = asset_detail(conn, entity, number, today=today)
    if card is None:
        return None
    known = _known_names(conn)
    book = queries.entity(conn, entity) or {}

    def name_of(code: str) -> str:
        found = queries.entity(conn, code)
        return str(found["name"]) if found else code

    project = None
    if card["project"]:
        row = conn.execute(
            select(projects.c.code, projects.c.name).where(projects.c.code == card["project"])
        ).first()
        project = {"code": row.code, "name": row.name} if row else None
    by_year: dict[str, int] = {}
    for m in card["months"]:
        fen = int(Decimal(m["amount"]) * 100)
        by_year[m["month"][:4]] = by_year.get(m["month"][:4], 0) + fen
    leases = [
        {
            "lease": lease["lease"],
            "lessee": shown_name(lease["lessee"], known),
            "contract": lease["contract"],
            "start": lease["start"],
            "end": lease["end"],
            "rent": lease["rent"],
            "every_months": lease["every_months"],
            "due": lease["due"],
            "received": lease["received"],
            "outstanding": lease["outstanding"],
            "overdue": len(lease["overdue"]),
            "ended": bool(lease["ended_reason"]),
            "current": str(lease["start"]) <= today.isoformat() <= str(lease["end"]),
        }
        for lease in card["leases"]
    ]
    return {
        "entity": entity,
        "entity_name": book.get("name", entity),
        "township": book.get("township", ""),
        "number": card["number"],
        "name": card["name"],
        "category_zh": card["category_zh"],
        "location": card["location"],
        "user": shown_name(card["user"], known) if card["user"] else "",
        "acquisition_zh": card["acquisition_zh"],
        "acquired_on": card["acquired_on"],
        "project": project,
        "life_months": card["life_months"],
        "method_zh": card["method_zh"],
        "original": card["original"],
        "accumulated": card["accumulated"],
        "net": card["net"],
        "status_zh": card["status_zh"],
        "disposed_on": card["disposed_on"],
        "depreciated": card["contra"] is not None,
        "owners": [
            {"code": o["owner"], "name": name_of(o["owner"]), "share": _percent(o["share"])}
            for o in card["owners"]
        ],
        "by_year": [
            {"year": year, "amount": f"{Decimal(fen) / 100:.2f}"}
            for year, fen in sorted(by_year.items())
        ],
        "last_month": card["months"][-1]["month"] if card["months"] else None,
        "leases": leases,
        "today": today,
    }
