"""Dependencies as ``Annotated`` aliases: the runtime, the caller, and the command wrapper that
gives every POST its idempotency, authorisation and read-your-writes.

Read-your-writes has two modes (``web.settings``, ``LIANZHANG_PROJECTIONS``). ``request``, the
default: a request catches the read models up itself (a write after its save) before it reads.
``worker``: ``lianzhang worker`` keeps them up, and a write waits only until the read models its
answer comes from have reached the log position of its own save (``projections.reads``), at most
``LIANZHANG_WAIT_SECONDS``, then 503 with ``Retry-After`` (the write is committed; a retry with
the same Idempotency-Key answers it). Every write answers ``Lianzhang-Position: N``; a later read
that sends it back (header, or ``?min_position=N``) waits the same way for that position, on the
database it reads (the primary, or the replica of ``LIANZHANG_READ_URL`` for public pages and
statements).

The replica fails soft (:func:`choose_engine`): a public page or statement is read there only
while it answers, is within its lag budget and, for a read that names a position, has reached
it; else on the primary. Such a read says where it was read, and as of which position, in
``Lianzhang-Read-From`` (``replica; position=N``, ``primary; reason=replica-unreachable;
position=N``; ``web.read_from`` adds the header, and the line of a public page that says as of
when its figures are).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from domain.bounds import MAX_POSITION
from domain.commands import Command
from domain.context import RequestClaim
from domain.errors import NotFoundError
from domain.runner import Caller, Outcome, Runner
from projections.reads import BEHIND_POSITION, UNREACHABLE, Replica, positions, wait_for
from runtime.bootstrap import Runtime
from web.duties import duty_of, require_duty
from web.idempotency import IdempotencyStore, StoredResponse, body_hash, checked_key
from web.metrics import replayed
from web.observability import command_ran, current_request_id, note_caller
from web.problems import Problem
from web.tokens import Principal, TokenStore
from web.views import answer_reads, needed, require_views

T = TypeVar("T")

# A route's answer to a write: read back from the read models, from the command's result ...
Read = Callable[[T], tuple[dict[str, Any], str | None]]
# ... or built from the result and the events the command saved, without a read (None: this
# result needs the read models after all, e.g. a sub-account's name; ``read`` answers then)
FromResult = Callable[[T, tuple[Any, ...]], tuple[dict[str, Any], str | None] | None]

_bearer = HTTPBearer(auto_error=False, description="an API token from `lianzhang token create`")


async def get_runtime(request: Request) -> Runtime:
    # async: no I/O, so FastAPI runs it on the event loop instead of handing it to a thread
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

POSITION_HEADER = "Lianzhang-Position"


@dataclass(frozen=True)
class Reads:
    """How this app's requests reach read models that show what they ask for (``app.state``)."""

    catch_up_in_request: bool = True
    wait_seconds: float = 10.0
    replica: Replica | None = None  # LIANZHANG_READ_URL: public pages and statements read here


READ_FROM_HEADER = "Lianzhang-Read-From"


@dataclass(frozen=True)
class ReadFrom:
    """Where a public page or statement was read: ``replica`` or ``primary`` (with the reason
    when a replica is configured but was not used), and the position of the read models it read
    there (the lowest of those it needs), set on ``request.state.read_from``."""

    source: str
    reason: str | None = None
    position: int | None = None

    def header(self) -> str:
        parts = [self.source]
        if self.reason:
            parts.append(f"reason={self.reason}")
        if self.position is not None:
            parts.append(f"position={self.position}")
        return "; ".join(parts)


def choose_engine(
    reads: Reads, path: str, runtime: Runtime, position: int | None
) -> tuple[Engine, ReadFrom | None]:
    """The database a read of ``path`` reads, and where it says it read (None for a path that
    is never read on the replica): the replica for public pages and statements while it answers,
    is within its lag budget and has reached ``position`` (when the read names one); else the
    primary, with the reason."""
    if not on_replica(path):
        return runtime.engine, None
    replica = reads.replica
    if replica is None:
        return runtime.engine, ReadFrom("primary")
    state = replica.state(runtime.engine)
    if not state.usable:
        return runtime.engine, ReadFrom("primary", state.reason)
    if position is not None:
        try:
            behind = wait_for(replica.engine, position, needed(path), 0)
        except SQLAlchemyError as error:
            replica.unreachable(error)
            return runtime.engine, ReadFrom("primary", UNREACHABLE)
        if behind is not None:
            return runtime.engine, ReadFrom("primary", BEHIND_POSITION)
    return replica.engine, ReadFrom("replica")


def on_replica(path: str) -> bool:
    """Public pages, entity statements and distribution statements (read-only, no token needed
    or never written from the answer of a write)."""
    return (
        path.startswith("/public")
        or "/statements/" in path
        or (path.startswith("/v1/plans/") and path.endswith("/statement"))
    )


def reads_of(request: Request) -> Reads:
    reads: Reads = getattr(request.app.state, "reads", None) or Reads()
    return reads


def await_position(
    engine: Engine, position: int, names: tuple[str, ...], seconds: float, *, wrote: bool
) -> None:
    """Return once the read models ``names`` behind ``engine`` have applied the log up to
    ``position``; 503 with ``Retry-After`` when they have not within ``seconds``."""
    behind = wait_for(engine, position, names, seconds)
    if behind is None:
        return
    where = ", ".join(f"{name} at {at}" for name, at in sorted(behind.items()))
    if wrote:
        detail = (
            f"the write is committed at log position {position}, but the read models this "
            f"answer comes from have not reached it within {seconds:g} s ({where}); is "
            "`lianzhang worker` running? Retry with the same Idempotency-Key, or read later "
            f"with the {POSITION_HEADER} header"
        )
        zh = None  # the kind's sentence: 写入已成功，但查询数据尚未更新完毕，请稍后刷新
    else:  # a reader wrote nothing: no word of writes or of the worker
        detail = (
            f"log position {position} was asked for, but the read models this answer comes "
            f"from have not reached it within {seconds:g} s ({where}); retry shortly"
        )
        zh = f"所查的数据（第 {position} 号事件）尚未更新完毕，请稍后刷新"
    raise Problem(
        503,
        "read-models-behind",
        detail,
        headers={"Retry-After": "1", POSITION_HEADER: str(position)},
        zh=zh,
        position=position,
        behind=behind,
    )


def wanted_position(request: Request) -> int | None:
    """The position a read asks for: ``?min_position=N`` or the ``Lianzhang-Position`` header
    (the one a write answered); 422 when it is not a whole number from 0 to 2^62."""
    for where, value in (
        ("min_position", request.query_params.get("min_position")),
        (POSITION_HEADER, request.headers.get(POSITION_HEADER)),
    ):
        if value is None:
            continue
        text = value.strip()
        if not text.isascii() or not text.isdigit() or int(text) > MAX_POSITION:
            raise Problem(
                422,
                "invalid-position",
                f"{where} must be a log position, a whole number from 0 to 2^62 (the "
                f"{POSITION_HEADER} header a write answered), not {value[:40]!r}",
                field=where,
            )
        return int(text)
    return None


def read_models(request: Request, runtime: Runtime) -> Engine:
    """Bring the read models a read needs to what it asks for, and say where to read them:
    caught up in the request (default mode), then, when the request names a position, waited
    for on the database it reads (the replica may lag the primary)."""
    reads = reads_of(request)
    if reads.catch_up_in_request:
        runtime.views.catch_up()
    require_views(request, runtime)
    path = request.url.path
    position = wanted_position(request)
    if position is not None:
        head = runtime.views.head()
        if position > head:
            raise Problem(
                422,
                "invalid-position",
                f"log position {position} has not been written (the log ends at {head})",
                field="min_position",
            )
    engine, read_from = choose_engine(reads, path, runtime, position)
    if position is not None:
        await_position(engine, position, needed(path), reads.wait_seconds, wrote=False)
    if read_from is None:
        return engine
    # the answer says where it was read, and as of which position (web.read_from)
    try:
        at = min(positions(engine, needed(path)).values(), default=0)
    except SQLAlchemyError as error:
        if reads.replica is None or engine is not reads.replica.engine:
            raise
        reads.replica.unreachable(error)  # it failed between the look and the read
        engine, read_from = runtime.engine, ReadFrom("primary", UNREACHABLE)
        at = min(positions(engine, needed(path)).values(), default=0)
    request.state.read_from = dataclasses.replace(read_from, position=at)
    return engine


class OnReplica:
    """A runtime whose read-model engine is the replica's (public pages hand it to the
    ``projections`` functions that read ``runtime.engine``); everything else is the runtime's."""

    def __init__(self, runtime: Runtime, engine: Engine) -> None:
        self._runtime = runtime
        self.engine = engine

    def __getattr__(self, name: str) -> Any:
        return getattr(self._runtime, name)


def public_runtime(request: Request) -> Any:
    """The runtime a public page reads from: its read models brought up as for any read, on the
    replica when one is configured."""
    runtime: Runtime = request.app.state.runtime
    engine = read_models(request, runtime)
    return runtime if engine is runtime.engine else OnReplica(runtime, engine)


def people_of(request: Request) -> Callable[[str], Any | None]:
    """login -> the person's aggregate (None when there is none), read from the log at each
    call (the repository fast-forwards a cached aggregate with newer events first), so a
    person disabled by another process stops their tokens at the next request."""
    app = request.app.state.runtime.app

    def person(login: str) -> Any | None:
        try:
            return app.people.get_person(login)
        except NotFoundError:
            return None

    return person


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller of the request's token: a cached one on the event loop, else looked up in a
    worker thread (the database and the person's aggregate), as a sync dependency would be."""
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
    principal = tokens.cached(credentials.credentials)
    if principal is None:
        principal = await run_in_threadpool(
            tokens.authenticate, credentials.credentials, people_of(request)
        )
    if principal is None:
        raise Problem(
            401,
            "invalid-token",
            "the API token is unknown or revoked; ask an administrator for a valid one",
            headers=challenge,
        )
    note_caller(request.scope, principal.actor, principal.townships)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


@dataclass
class Reader:
    """A caller allowed to read, with the read models brought up to date first."""

    principal: Principal
    runtime: Runtime
    read_engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """Where this request's read models are read (the replica for statements when
        ``LIANZHANG_READ_URL`` is set)."""
        return self.read_engine or self.runtime.engine


def get_reader(
    request: Request,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    _position_header: Annotated[
        int | None,
        Header(
            alias=POSITION_HEADER,
            description="read-your-writes: the position a write answered; the read waits "
            "until the read models reach it (503 with Retry-After if they do not in time)",
        ),
    ] = None,
    _min_position: Annotated[
        int | None,
        Query(
            alias="min_position",
            ge=0,
            le=MAX_POSITION,
            description=f"the same as the {POSITION_HEADER} header",
        ),
    ] = None,
) -> Reader:
    engine = read_models(request, runtime)
    return Reader(principal, runtime, None if engine is runtime.engine else engine)


ReaderDep = Annotated[Reader, Depends(get_reader)]


@dataclass(frozen=True)
class Answer:
    """What a command answers, whichever front end asked: the body its read built (or the one
    stored for its key), the ``Location`` it names, its status and headers (``Lianzhang-Position``,
    ``Idempotent-Replayed``). The API sends it as JSON (``response()``); the workbench redirects
    to ``location``."""

    status: int
    body: Any
    location: str | None
    headers: dict[str, str]

    @property
    def replayed(self) -> bool:
        return self.headers.get("Idempotent-Replayed") == "true"

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


@dataclass
class Writer:
    """A caller allowed to write somewhere, and the request's idempotency key if any."""

    principal: Principal
    runtime: Runtime
    idempotency: IdempotencyStore
    claim: RequestClaim | None
    path: str = ""  # the request's path: which read models its answer comes from
    reads: Reads = Reads()

    @property
    def actor(self) -> str:
        return self.principal.actor

    @property
    def key(self) -> str | None:
        return self.claim.key if self.claim else None

    def require_township(self, township: str, what: str) -> None:
        if not self.principal.may_write_in(township):
            allowed = ", ".join(sorted(self.principal.townships)) or "none"
            zh_what = getattr(what, "zh", what)  # a place's Chinese words (domain.commands.Words)
            raise Problem(
                403,
                "forbidden-township",
                f"token {self.principal.actor!r} may not write in {township} ({what}); it may "
                f"write in: {allowed}",
                zh=f"{self.principal.display or self.principal.actor} 无权修改{township}的账簿"
                f"（{zh_what}）；只能修改：{'、'.join(sorted(self.principal.townships)) or '无'}",
            )

    def caller(self) -> Caller:
        """The caller as the runner sees it: a place outside the token's townships is refused
        with the token's name (:meth:`require_township`)."""
        townships = None if self.principal.writes_everywhere else self.principal.townships
        return Caller(
            self.actor, townships, self.claim, self.require_township, current_request_id()
        )

    def run(
        self,
        command: Command[T],
        read: Read[T],
        *,
        status: int = 201,
        answer: FromResult[T] | None = None,
    ) -> JSONResponse:
        """:meth:`commit`, answered as JSON (the API's routes)."""
        return self.commit(command, read, status=status, answer=answer).response()

    def commit(
        self,
        command: Command[T],
        read: Read[T],
        *,
        status: int = 201,
        answer: FromResult[T] | None = None,
    ) -> Answer:
        """Run ``command`` through the runner (``domain.runner``: at most once per idempotency
        key, in the caller's tenancy context), then answer: with the body ``answer`` builds
        from its result and the events it saved, when it gives one (no read model is read:
        in request mode nothing is caught up, the next read does it), else with the one
        ``read`` builds from its result once the read models it reads show the log up to its
        save; or with the answer stored for its key. In worker mode either waits until the
        read models of the route reach the save, so a read right after the answer sees it."""
        outcome = Runner(self.runtime.app, observe=command_ran).run(command, self.caller())
        if outcome.recorded is not None:
            return self._replayed(outcome, read, status)
        # the log position of this command's own save (the head when it saved nothing)
        position = outcome.position or self.runtime.views.head()
        built = answer(outcome.result, outcome.saved) if answer is not None else None
        if built is None:
            stored = self._answer(outcome, read, status, position, outcome.key_version)
        else:
            if not self.reads.catch_up_in_request:
                self._reach(position)
            stored = self._remember(status, built[0], built[1], outcome.key_version)
        headers = {POSITION_HEADER: str(position)}
        if stored.location:
            headers["Location"] = stored.location
        return Answer(status, stored.body, stored.location, headers)

    def _answer(
        self,
        outcome: Outcome[T],
        read: Read[T],
        status: int,
        position: int,
        key_version: int | None,
    ) -> StoredResponse:
        """The body ``read`` builds from the command's result once the read models show
        ``position``, remembered for the request's key (when its save recorded one)."""
        self._reach(position)
        found, location = read(outcome.result)
        return self._remember(status, found, location, key_version)

    def _remember(
        self, status: int, found: Any, location: str | None, key_version: int | None
    ) -> StoredResponse:
        """The answer as JSON, remembered for the request's key (when its save recorded one)."""
        body = jsonable_encoder(found)
        if self.claim is not None and key_version is not None:
            self.idempotency.remember(
                self.claim.token, self.claim.key, key_version, status, body, location
            )
        return StoredResponse(status, body, location)

    def _reach(self, position: int) -> None:
        """The read models this answer comes from show the log up to ``position``: in request
        mode those its route reads are caught up (``web.views.answer_reads``), the others
        left to the next read."""
        if self.reads.catch_up_in_request:
            self.runtime.views.catch_up(only=answer_reads(self.path))
            # the catch-up after the write may be the one that finds a read model stuck: the
            # write is committed, the answer is a 503 (a retry with the same key answers once
            # it is fixed)
            self.runtime.views.require(needed(self.path))
            return
        await_position(
            self.runtime.engine, position, needed(self.path), self.reads.wait_seconds, wrote=True
        )

    def current(self) -> None:
        """Bring every read model up before a write reads them to decide (a write answered
        from its result, or catching up only its route's, leaves the others behind; request
        mode; in worker mode they are as the worker left them)."""
        if self.reads.catch_up_in_request:
            self.runtime.views.catch_up()

    def _replayed(
        self,
        outcome: Outcome[T],
        read: Read[T],
        status: int,
    ) -> Answer:
        """The answer to a key already committed: the one stored for it, else rebuilt from
        what the command recorded."""
        claim = self.claim
        recorded = outcome.recorded
        assert claim is not None and recorded is not None
        stored = self.idempotency.response(claim.token, claim.key, recorded.version)
        replayed(stored=stored is not None)  # counted (web.metrics)
        # the recorded write is at or before the head (an upper bound, read once)
        position = self.runtime.views.head()
        if stored is None:
            stored = self._answer(outcome, read, status, position, recorded.version)
        headers = {"Idempotent-Replayed": "true", POSITION_HEADER: str(position)}
        if stored.location:
            headers["Location"] = stored.location
        return Answer(stored.status_code, stored.body, stored.location, headers)


async def get_writer(
    request: Request,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=255,
            description="retry-safe key, kept 24 hours: the same key and body (as canonical "
            "JSON) return the first result",
        ),
    ] = None,
) -> Writer:
    if not principal.writes_anything:
        raise Problem(
            403,
            "read-only",
            f"token {principal.name!r} is an auditor token (or a token of an auditor) and may "
            "only read",
        )
    require_duty(principal, duty_of(request))
    require_views(request, runtime)
    claim = None
    if idempotency_key is not None:
        claim = RequestClaim(
            token=principal.key_owner,
            key=checked_key(idempotency_key),  # 422 when empty, too long, control characters
            request=f"{request.method} {request.url.path}",
            body_hash=body_hash(await request.body()),
        )
    return Writer(
        principal=principal,
        runtime=runtime,
        idempotency=request.app.state.idempotency,
        claim=claim,
        path=request.url.path,
        reads=reads_of(request),
    )


WriterDep = Annotated[Writer, Depends(get_writer)]
