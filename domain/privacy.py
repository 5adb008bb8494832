"""Masked forms of personal data for anything public (三公开 sheets, public pages).

Names keep their first and last character (张*明, 李*); ID numbers never leave in full."""

from __future__ import annotations

import re

_ID = re.compile(r"^[0-9]{17}[0-9X]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def mask_name(name: str) -> str:
    """张三明 → 张*明, 张三 → 张*, 欧阳小明 → 欧**明."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_number(id_number: str) -> str:
    """370321199001011234 → 3703**********1234 (for staff screens; public sheets show none)."""
    return id_number[:4] + "*" * (len(id_number) - 8) + id_number[-4:]


def id_number_problem(id_number: str) -> str | None:
    """Why an 18-digit resident ID number (GB 11643) is invalid, or None when it is valid."""
    if not _ID.match(id_number):
        return "an ID number has 17 digits and a final digit or X"
    total = sum(int(d) * w for d, w in zip(id_number[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != id_number[17]:
        return "the check digit of the ID number does not match (GB 11643)"
    return None


def with_check_digit(first17: str) -> str:
    """Complete 17 digits into a valid ID number (for demo data and tests)."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return first17 + _CHECK[total % 11]
