"""Dependencies as ``Annotated`` aliases: the runtime, the caller, and the command wrapper that
gives every POST its idempotency, authorisation and read-your-writes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.idempotency import IdempotencyStore, KeyInFlightError, KeyReusedError
from api.problems import Problem
from api.tokens import Principal, TokenStore
from api.views import require_views
from projections.bootstrap import Runtime

T = TypeVar("T")

_bearer = HTTPBearer(auto_error=False, description="an API token from `lianzhang token create`")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Problem(
            401,
            "unauthenticated",
            "this request needs an API token: send 'Authorization: Bearer <token>' "
            "(create one with `lianzhang token create`)",
            headers=challenge,
        )
    tokens: TokenStore = request.app.state.tokens
    principal = tokens.authenticate(credentials.credentials)
    if principal is None:
        raise Problem(
            401,
            "invalid-token",
            "the API token is unknown or revoked; ask an administrator for a valid one",
            headers=challenge,
        )
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


@dataclass
class Reader:
    """A caller allowed to read, with the read models brought up to date first."""

    principal: Principal
    runtime: Runtime


def get_reader(request: Request, principal: PrincipalDep, runtime: RuntimeDep) -> Reader:
    runtime.views.catch_up()
    require_views(request, runtime)
    return Reader(principal, runtime)


ReaderDep = Annotated[Reader, Depends(get_reader)]


@dataclass
class Writer:
    """A caller allowed to write somewhere, and the request's idempotency key if any."""

    principal: Principal
    runtime: Runtime
    idempotency: IdempotencyStore
    key: str | None
    request_line: str
    body_hash: str

    @property
    def actor(self) -> str:
        return self.principal.name

    def require_township(self, township: str, what: str) -> None:
        if not self.principal.may_write_in(township):
            allowed = ", ".join(sorted(self.principal.townships)) or "none"
            raise Problem(
                403,
                "forbidden-township",
                f"token {self.principal.name!r} may not write in {township} ({what}); it may "
                f"write in: {allowed}",
            )

    def run(
        self,
        write: Callable[[], T],
        read: Callable[[T], tuple[dict[str, Any], str | None]],
        *,
        status: int = 201,
    ) -> JSONResponse:
        """Run a command once per idempotency key, then answer from the updated read models."""
        if self.key is not None:
            try:
                stored = self.idempotency.claim(
                    self.principal.name, self.key, self.request_line, self.body_hash
                )
            except KeyReusedError:
                raise Problem(
                    409,
                    "idempotency-key-reused",
                    f"Idempotency-Key {self.key!r} was already used for a different request; "
                    "use a new key for a new request",
                    field="Idempotency-Key",
                ) from None
            except KeyInFlightError:
                raise Problem(
                    409,
                    "idempotency-key-in-flight",
                    f"a request with Idempotency-Key {self.key!r} is still being processed; "
                    "retry in a moment",
                    field="Idempotency-Key",
                ) from None
            if stored is not None:
                headers = {"Idempotent-Replayed": "true"}
                if stored.location:
                    headers["Location"] = stored.location
                return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)
        try:
            result = write()
        except BaseException:
            if self.key is not None:
                self.idempotency.release(self.principal.name, self.key)
            raise
        self.runtime.views.catch_up()
        found, location = read(result)
        body = jsonable_encoder(found)
        if self.key is not None:
            self.idempotency.complete(self.principal.name, self.key, status, body, location)
        headers = {"Location": location} if location else None
        return JSONResponse(body, status_code=status, headers=headers)


async def get_writer(
    request: Request,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="retry-safe key: the same key and body return the first result",
        ),
    ] = None,
) -> Writer:
    if principal.role == "auditor":
        raise Problem(
            403,
            "read-only",
            f"token {principal.name!r} is an auditor token and may only read",
        )
    require_views(request, runtime)
    body = await request.body()
    return Writer(
        principal=principal,
        runtime=runtime,
        idempotency=request.app.state.idempotency,
        key=idempotency_key,
        request_line=f"{request.method} {request.url.path}",
        body_hash=hashlib.sha256(body).hexdigest(),
    )


WriterDep = Annotated[Writer, Depends(get_writer)]
