"""The codes that name aggregates in URLs and ids."""

from __future__ import annotations

from domain.errors import InvalidRequestError


def require_code(code: str) -> None:
    """Codes name aggregates in URLs and ids: ASCII letters, digits, ``-`` and ``_``."""
    if (
        not isinstance(code, str)
        or not 1 <= len(code) <= 32
        or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code)
    ):
        raise InvalidRequestError(
            f"code {code!r} is not allowed; use 1 to 32 ASCII letters, digits, '-' or '_' "
            "(for example an official 区划代码 or V01)",
            field="code",
        )
