"""Every refusal as RFC 9457 problem details (``application/problem+json``).

The ``type`` is a stable URN per kind of problem (``urn:lianzhang:problem:closed-period``), so a
client can branch on it; ``field`` names the input at fault; ``detail`` is a sentence a clerk
understands. Domain and ledger errors become problems here and nowhere else.

Under ``/public`` (the pages villagers open from a notice board or a QR code) a refusal is a page
in Chinese (``rendering/templates/public_error.html``) with the same status, unless the request's
``Accept`` asks for JSON: then it is the problem details, as everywhere else.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.bounds import MULTI_LINE_PATTERN, ONE_LINE_PATTERN
from domain.errors import (
    ConflictError,
    DomainError,
    ForbiddenError,
    InvalidRequestError,
    NotFoundError,
)
from ledger.errors import LedgerError
from rendering.environment import environment
from web.problem_texts import KINDS_ZH, detail_zh, field_zh, title_zh, wants_english

MEDIA_TYPE = "application/problem+json"
# where a refusal's kind is noted in the request's scope, for the counters (``web.metrics``)
PROBLEM_KEY = "lianzhang.problem"

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    415: "Unsupported media type",
    422: "Invalid request",
    500: "Internal error",
    503: "Service unavailable",
}


class Problem(Exception):
    """An HTTP refusal raised by the API layer itself (auth, idempotency, lookups)."""

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        zh: str | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.field = field
        self.headers = headers
        self.zh = zh
        self.extra = extra


def problem_response(
    request: Request,
    status: int,
    kind: str,
    detail: str,
    *,
    field: str | None = None,
    headers: dict[str, str] | None = None,
    zh: str | None = None,
    **extra: Any,
) -> Response:
    """The problem in the caller's language (``web.problem_texts``: Chinese unless
    ``Accept-Language`` prefers English); ``zh`` is the detail's own Chinese sentence. Under
    ``/public``, a page in Chinese unless JSON is asked for."""
    request.scope[PROBLEM_KEY] = kind
    if public_page(request):
        page = environment().get_template("public_error.html")
        text = page.render(title=title_zh(status), detail=detail_zh(kind, detail, zh, field))
        headers = {**(headers or {}), "Content-Language": "zh-CN"}
        return HTMLResponse(text, status_code=status, headers=headers)
    english = wants_english(request.headers.get("accept-language"))
    body: dict[str, Any] = {
        "type": f"urn:lianzhang:problem:{kind}",
        "title": TITLES.get(status, "Error") if english else title_zh(status),
        "status": status,
        "detail": detail if english else detail_zh(kind, detail, zh, field),
        "instance": request.url.path,
    }
    if field is not None:
        body["field"] = field
    body.update(extra)
    if isinstance(body.get("errors"), list):
        body["errors"] = (
            [
                {k: v for k, v in e.items() if k != "message_zh"} if isinstance(e, dict) else e
                for e in body["errors"]
            ]
            if english
            else [_error_zh(e) for e in body["errors"]]
        )
    headers = {**(headers or {}), "Content-Language": "en" if english else "zh-CN"}
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def public_page(request: Request) -> bool:
    """Whether a refusal is answered as a Chinese page: a path under ``/public`` and an
    ``Accept`` that does not ask for JSON (``application/json``, ``application/problem+json``)."""
    path = request.url.path
    if path != "/public" and not path.startswith("/public/"):
        return False
    for part in request.headers.get("accept", "").lower().split(","):
        media, *params = (p.strip() for p in part.split(";"))
        weight = next((p[2:] for p in params if p.startswith("q=")), "1")
        try:
            wanted = float(weight) > 0
        except ValueError:
            wanted = False
        if wanted and media.endswith("json"):  # application/json, application/problem+json
            return False
    return True


def _error_zh(error: Any) -> Any:
    """One item of ``errors`` with its message in Chinese (its ``message_zh`` when it carries
    one, else the field and the English message under the Chinese sentence of its type)."""
    if not isinstance(error, dict) or "message" not in error:
        return error
    translated = dict(error)
    zh = translated.pop("message_zh", None)
    kind = str(translated.get("type", "")).rpartition(":")[2] or "validation"
    translated["message"] = zh or detail_zh(kind, str(error["message"]), None, error.get("field"))
    return translated


def _status_of(error: DomainError) -> int:
    if isinstance(error, ForbiddenError):
        return 403
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, ConflictError):
        return 409
    if isinstance(error, InvalidRequestError):
        return 422
    return 422


def _path(loc: tuple[Any, ...]) -> str:
    """``("body", "postings", 0, "amount")`` → ``postings[0].amount``."""
    parts = list(loc[1:] if loc and loc[0] in ("body", "query", "path", "header") else loc)
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "body"


def _message(error: dict[str, Any]) -> str:
    field = _path(tuple(error.get("loc", ())))
    leaf = str(error.get("loc", ("",))[-1])
    if leaf in {"amount"} or leaf.endswith("_amount"):
        if error.get("type") == "string_type":
            return (
                f'{field}: amounts are written as strings with two decimals, e.g. "1200.00"; '
                "a JSON number is not accepted"
            )
        if error.get("type") == "string_pattern_mismatch":
            return f'{field}: {error.get("input")!r} is not an amount; write it like "1200.00"'
    if error.get("type") == "string_pattern_mismatch" and error.get("ctx", {}).get("pattern") in (
        ONE_LINE_PATTERN,
        MULTI_LINE_PATTERN,
    ):
        multi = error["ctx"]["pattern"] == MULTI_LINE_PATTERN
        return (
            f"{field}: contains a control character"
            + ("" if multi else " or a line break")
            + "; write the text without them"
        )
    return f"{field}: {error.get('msg', 'invalid')}"


def _message_zh(error: dict[str, Any]) -> str:
    """The same message in Chinese, naming the field (``第2行分录的金额``) and what to write."""
    field = _path(tuple(error.get("loc", ())))
    where = field_zh(field) or "请求内容"
    leaf = str(error.get("loc", ("",))[-1])
    kind = str(error.get("type", ""))
    ctx = error.get("ctx", {}) or {}
    if leaf == "amount" or leaf.endswith("_amount"):
        if kind in ("string_type", "string_pattern_mismatch"):
            return f'{where}：金额写成两位小数的字符串，如 "1200.00"'
    if kind == "missing":
        return f"{where}：必须填写"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in (
        ONE_LINE_PATTERN,
        MULTI_LINE_PATTERN,
    ):
        return (
            f"{where}：含有控制字符"
            + ("" if ctx["pattern"] == MULTI_LINE_PATTERN else "或换行")
            + "，请删去"
        )
    if kind == "string_too_long":
        return f"{where}：太长，最多 {ctx.get('max_length')} 个字"
    if kind == "string_too_short":
        return f"{where}：太短，至少 {ctx.get('min_length')} 个字"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return f"{where}：日期写成 2025-03-01 的形式"
    if kind in ("int_parsing", "int_type"):
        return f"{where}：应为整数"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{where}：不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{where}：不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind in ("literal_error", "enum"):
        return f"{where}：只能是 {str(ctx.get('expected')).replace(' or ', ' 或 ')}"
    if kind == "extra_forbidden":
        return f"{where}：不认识这个字段，请删去"
    if kind in ("json_invalid", "model_attributes_type", "dict_type", "list_type"):
        return f"{where}：格式有误"
    return f"{where}：{KINDS_ZH['validation']}"


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        return problem_response(
            request,
            exc.status,
            exc.kind,
            exc.detail,
            field=exc.field,
            headers=exc.headers,
            zh=exc.zh,
            **exc.extra,
        )

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return problem_response(
            request,
            _status_of(exc),
            exc.kind,
            exc.message,
            field=exc.field,
            zh=exc.zh,
            **exc.details,
        )

    @app.exception_handler(LedgerError)
    async def _ledger(request: Request, exc: LedgerError) -> Response:
        errors = [
            {"field": field, "message": message}
            for field, message in getattr(exc, "errors", ()) or ()
        ]
        extra: dict[str, Any] = {"errors": errors} if errors else {}
        kind = {
            "UnbalancedEntryError": "unbalanced-entry",
            "UnknownAccountError": "unknown-account",
            "InvalidAmountError": "invalid-amount",
            "RuleError": "invalid-rule",
            "ComparisonError": "invalid-comparison",
            "FairnessError": "invalid-comparison",
            "AllocationError": "invalid-rule",
        }.get(type(exc).__name__, "invalid-entry")
        return problem_response(
            request, 422, kind, str(exc), field=getattr(exc, "field", None), zh=exc.zh, **extra
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": _path(tuple(e.get("loc", ()))),
                "message": _message(e),
                "message_zh": _message_zh(e),
            }
            for e in exc.errors()
        ]
        # a period label is refused with one type wherever it comes from (the schema's pattern
        # or domain.periods.parse_period): invalid-period, with what to write instead
        period = bool(errors) and errors[0]["field"] == "period"
        detail = "; ".join(e["message"] for e in errors)
        zh = "；".join(e["message_zh"] for e in errors)
        if period:
            detail = (
                f"{detail}: write 2025 (a year), 2025-Q1 (a quarter) or 2025-03 (a month), "
                "1950 to 2100"
            )
        return problem_response(
            request,
            422,
            "invalid-period" if period else "validation",
            detail,
            field=errors[0]["field"] if errors else None,
            zh=None if period else zh,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http")
        return problem_response(
            request, exc.status_code, kind, str(exc.detail), headers=getattr(exc, "headers", None)
        )


def chinese_detail(kind: str, detail: str, zh: str | None = None, field: str | None = None) -> str:
    """A refusal in Chinese for a workbench page (``web.problem_texts.detail_zh``)."""
    return detail_zh(kind, detail, zh, field)
