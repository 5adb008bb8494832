"""Which duty (``domain.roles.ACTIONS``) each write of the HTTP API needs
(no write without the duty it takes).

Every write goes through ``web.deps.get_writer``, which looks up the route's path template here
and refuses with 403 ``forbidden-role`` (in Chinese by default) a caller whose role — for a
person's token, the token's role and the person's both (``domain.roles.may_both``) — does not
allow it, before the route runs. A write not listed needs ``books.write`` (直接记账, a
bookkeeper's duty): the default is the strongest duty, so a new route is closed to preparers and
reviewers until its router lists it. Each router module lists its writes' duties beside its
routes (``DUTIES = {("POST", "/v1/..."): "voucher.prepare"}`` at the end of the module); the
composition root declares them here (:func:`declare`, through ``web.routers``) as it includes
the routers. The workbench
checks the same duties on its own forms (``workbench.session.require``).
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request

from domain.roles import ACTION_LABELS, ACTIONS, role_label
from web.problems import Problem
from web.tokens import Principal

DEFAULT = "books.write"

# (method, path template) -> action, as the routers declared them
WRITE_DUTIES: dict[tuple[str, str], str] = {}


def declare(router: APIRouter, duties: Mapping[tuple[str, str], str]) -> None:
    """The duties of ``router``'s writes (the composition root, as it includes the router:
    ``web.routers``; again is a no-op). A key no route of the router answers, or an unknown
    action, is an error: it would silently leave the write at the default."""
    routes = {
        (method, route.path)
        for route in router.routes
        for method in getattr(route, "methods", None) or ()
    }
    for key, action in duties.items():
        if key not in routes:
            raise ValueError(f"no route of this router answers {key[0]} {key[1]}")
        if action not in ACTIONS:
            raise ValueError(f"{action!r} is not an action of domain.roles.ACTIONS")
        known = WRITE_DUTIES.setdefault(key, action)
        if known != action:
            raise ValueError(f"{key[0]} {key[1]} is declared to need {known!r} and {action!r}")


def duty_of(request: Request) -> str:
    """The action the write ``request`` needs (see the module)."""
    route = request.scope.get("route")
    template = getattr(route, "path", None) or request.url.path
    return WRITE_DUTIES.get((request.method, template), DEFAULT)


def require_duty(principal: Principal, action: str) -> None:
    """403 ``forbidden-role`` unless ``principal`` may take ``action``."""
    if principal.may(action):
        return
    role = principal.role
    whose = f"{role_label(role)}"
    if principal.person_role is not None:
        whose = f"{role_label(role)}令牌，其所属人员为{role_label(principal.person_role)}"
    raise Problem(
        403,
        "forbidden-role",
        f"{principal.actor!r} (role {role!r}"
        + (f", of a {principal.person_role}" if principal.person_role else "")
        + f") may not take the action {action!r}: a person's token acts with at most the "
        "person's role",
        zh=f"{principal.display or principal.actor}（{whose}）不能"
        f"{ACTION_LABELS.get(action, action)}",
    )
