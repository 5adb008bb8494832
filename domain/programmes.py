"""Fund programmes money can come from (资金来源). Each has a short code, used in sub-account
codes and URLs, and its full name, printed on statements. Kept here, in one place, so a
township can add its own programme by adding a line."""

from __future__ import annotations

from domain.errors import InvalidRequestError

PROGRAMMES: dict[str, str] = {
    "CZFC": "财政扶持壮大村级集体经济资金",
    "XCZX": "乡村振兴示范片区奖补资金",
    "FPZJ": "扶贫资金",
    "SHZB": "社会资本",
    "ZYZJ": "村集体自有资金",
    "XMFZ": "畜牧业发展专项资金",
}


def programme_name(code: str, *, field: str = "programme") -> str:
    """The full name of a programme code, or a clear error listing the known codes."""
    try:
        return PROGRAMMES[code]
    except KeyError:
        known = ", ".join(f"{c} ({n})" for c, n in PROGRAMMES.items())
        raise InvalidRequestError(
            f"fund programme {code!r} is not known; use one of {known}", field=field
        ) from None
