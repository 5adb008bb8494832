"""What every page module uses: the templates, the form helpers, and running a form's command.

- ``page(request, user, "name.html", **context)``: an HTML response from
  ``workbench/templates/name.html`` (extends ``base.html``, which extends the shared
  ``rendering/templates/skeleton.html``; rendered by ``rendering.environment``, the one Jinja
  environment of the project, whose filters ``yuan`` and ``capitals`` format amounts through
  ``ledger.money`` and ``ledger.capitals``), with ``user`` (the person, a
  ``Principal``), ``csrf`` (their session's CSRF token) and ``may(action)`` in the context;
- in a template, ``{{ form_fields() }}`` inside every ``<form method="post">``: the CSRF token and
  a fresh ``Idempotency-Key`` (a double click sends the same key twice and writes once);
- ``run_form(request, user, form, command, done)``: runs ``command`` (``domain.commands``) as
  the person's through the same adapter as the API's routes (``web.deps.Writer.commit``:
  tenancy, exactly-once per form key, read models caught up), then answers 303 to the
  ``location`` of its answer, ``done(result)`` (``HX-Redirect`` for htmx requests). A refusal
  raises :class:`FormRefused` with the field and a sentence in Chinese; the page module renders
  the form again with it (status 422, or 403 when not allowed; a township the command names in
  Chinese is refused in the workbench's words, :func:`may_write_in`).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from domain.commands import Command
from domain.context import RequestClaim
from domain.errors import DomainError, ForbiddenError
from ledger.errors import LedgerError
from rendering.environment import environment
from web.deps import Writer, reads_of
from web.problems import Problem
from web.tokens import Principal

T = TypeVar("T")

IDEMPOTENCY_FIELD = "idempotency_key"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


# The one environment of every page (rendering.environment): its filters (yuan, capitals,
# minute) and globals (role_label, action_label) serve the workbench's templates as well.
ENV = environment()


def session_csrf(request: Request) -> str:
    """The CSRF token of the request's session ('' without one)."""
    return str(getattr(request.state, "csrf", "") or "")


def page(
    request: Request,
    user: Principal | None,
    template: str,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` for ``user``."""
    csrf = session_csrf(request)

    def form_fields() -> Markup:
        return Markup(
            f'<input type="hidden" name="{CSRF_FIELD}" value="{csrf}">'
            f'<input type="hidden" name="{IDEMPOTENCY_FIELD}" value="{secrets.token_urlsafe(16)}">'
        )

    html = ENV.get_template(template).render(
        request=request,
        user=user,
        csrf=csrf,
        form_fields=form_fields,
        may=(lambda action: user is not None and user.may(action)),
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=dict(headers or {}))


class FormRefused(Exception):
    """A form's command was refused: ``message`` in Chinese, ``field`` the form field at fault
    (None for the form as a whole), ``status`` 403 / 404 / 409 / 422, ``kind`` the problem type
    the API would answer."""

    def __init__(
        self, message: str, *, field: str | None = None, status: int = 422, kind: str = "validation"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.kind = kind


def refusal(exc: Exception) -> FormRefused:
    """A domain, ledger or API refusal as a :class:`FormRefused` (in Chinese where the problem
    catalogue has the sentence)."""
    from web.problems import chinese_detail  # the catalogue of problem types in Chinese

    if isinstance(exc, FormRefused):
        return exc
    if isinstance(exc, Problem):
        return FormRefused(
            chinese_detail(exc.kind, exc.detail, exc.zh, exc.field),
            field=exc.field,
            status=exc.status,
            kind=exc.kind,
        )
    if isinstance(exc, DomainError):
        status = 403 if isinstance(exc, ForbiddenError) else 422
        return FormRefused(
            chinese_detail(exc.kind, exc.message, exc.zh, exc.field),
            field=exc.field,
            status=status,
            kind=exc.kind,
        )
    if isinstance(exc, LedgerError):
        kind = {
            "UnbalancedEntryError": "unbalanced-entry",
            "UnknownAccountError": "unknown-account",
            "InvalidAmountError": "invalid-amount",
        }.get(type(exc).__name__, "invalid-entry")
        field = getattr(exc, "field", None)
        return FormRefused(chinese_detail(kind, str(exc), exc.zh, field), field=field, kind=kind)
    raise exc


def form_hash(form: Mapping[str, Any]) -> str:
    """SHA-256 of the form's fields (without the CSRF token and the key), for the key's claim."""
    fields = {
        k: (v if isinstance(v, str) else repr(v))
        for k, v in sorted(form.items())
        if k not in (CSRF_FIELD, IDEMPOTENCY_FIELD)
    }
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode()).hexdigest()


def may_write_in(user: Principal, township: str, what: str) -> None:
    """Refuse (403, the workbench's words) a write of ``user`` in another township."""
    if not user.may_write_in(township):
        raise FormRefused(
            f"您只能在{('、'.join(sorted(user.townships)) or '（无）')}写入，{what}属于{township}",
            status=403,
            kind="forbidden-township",
        )


class _FormWriter(Writer):
    """The API's adapter, refusing a place its command names in Chinese (``Words.zh``: ``村
    V01``) in the workbench's words (:func:`may_write_in`)."""

    def require_township(self, township: str, what: str) -> None:
        zh = getattr(what, "zh", None)
        if zh is None:
            super().require_township(township, what)
        else:
            may_write_in(self.principal, township, zh)


def form_writer(request: Request, user: Principal, form: Mapping[str, Any]) -> Writer:
    """The adapter a form's commands run through: the person as the caller, the form's
    Idempotency-Key as the claim (a township's run derives one per book: ``web.each``)."""
    key = str(form.get(IDEMPOTENCY_FIELD) or "") or None
    claim = None
    if key is not None:
        claim = RequestClaim(
            token=user.key_owner,
            key=key[:255],
            request=f"POST {request.url.path}",
            body_hash=form_hash(form),
        )
    return _FormWriter(
        principal=user,
        runtime=request.app.state.runtime,
        idempotency=request.app.state.idempotency,
        claim=claim,
        path=request.url.path,
        reads=reads_of(request),
    )


def run_form(
    request: Request,
    user: Principal,
    form: Mapping[str, Any],
    command: Command[T],
    done: Callable[[T], str],
) -> Response:
    """Run ``command`` (``domain.commands``) as ``user``'s, through the runner, at most once
    per the form's Idempotency-Key, and redirect to ``done(result)``. Raises
    :class:`FormRefused` when the command is refused."""
    writer = form_writer(request, user, form)

    def target(result: T) -> tuple[dict[str, Any], str]:
        location = done(result)
        return {"location": location}, location  # the body keeps the shape stored answers had

    try:
        answered = writer.commit(command, target, status=200)
    except (DomainError, LedgerError, Problem) as exc:
        raise refusal(exc) from exc
    # an answer stored for the key before it named its location names it in its body only
    location = answered.location or str(answered.body["location"])
    return redirect(request, location)


def redirect(request: Request, location: str) -> Response:
    """303 to ``location``; for an htmx request, 200 with ``HX-Redirect`` (htmx follows it)."""
    if request.headers.get("HX-Request"):
        return Response(status_code=200, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)
