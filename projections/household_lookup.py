"""Find my household: a villager gives the village, the household number and
the short code printed on the household's notice, and sees the household's lines across the
public plans and years, still masked.

The short code is derived from the server's signing key (Ed25519 signatures are deterministic):
nobody without the key can compute it, so household numbers cannot be enumerated, and nothing
has to be stored. A wrong code and a household that does not exist get the same answer."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from sqlalchemy import Connection

from audit.keys import Signer
from documents.distribution_statement import distribution_statement
from projections import economy_queries

# no 0/O, 1/I/L: read off paper and typed on a phone without mistakes; 31^6 ≈ 8.9×10^8
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 6


def household_code(signer: Signer, village: str, number: str) -> str:
    """The short code of a household, printed on its notice (分配到户通知单)."""
    signature = signer.sign(f"lianzhang household code\0{village}\0{number}".encode())
    value = int.from_bytes(hashlib.sha256(bytes.fromhex(signature)).digest()[:8], "big")
    out = []
    for _ in range(LENGTH):
        value, digit = divmod(value, len(ALPHABET))
        out.append(ALPHABET[digit])
    return "".join(out)


def code_matches(signer: Signer, village: str, number: str, given: str) -> bool:
    expected = household_code(signer, village.strip(), number.strip().upper())
    typed = given.strip().upper().replace(" ", "")
    return hmac.compare_digest(expected.encode(), typed.encode())


def household_lines(conn: Connection, village: str, number: str) -> list[dict[str, Any]]:
    """The household's line of every public plan of its village, newest plan first."""
    public = economy_queries.public_plan_codes(conn)
    out = []
    for plan in economy_queries.list_plans(conn):
        if plan["code"] not in public or plan["payer"] != village:
            continue
        statement = distribution_statement(conn, plan["code"])
        if statement is None:
            continue
        for line in statement["lines"]:
            if line["code"] == number:
                out.append(
                    {
                        "plan": statement["code"],
                        "title": statement["title"],
                        "period": statement["period"],
                        "executed_on": statement["executed_on"],
                        "state_name": statement["state_name"],
                        "superseded_by": statement["superseded_by"],
                        "name": line["name"],
                        "bases": {
                            b["name"]: line["bases"].get(b["key"]) for b in statement["bases"]
                        },
                        "fractions": line.get("fractions", {}),
                        "total": line["total"],
                    }
                )
    return sorted(out, key=lambda x: (x["period"], x["plan"]), reverse=True)
