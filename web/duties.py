"""Which duty (``domain.roles.ACTIONS``) each write of the HTTP API needs
(no write without the duty it takes).

Every write goes through ``web.deps.get_writer``, which looks up the route's path template here
and refuses with 403 ``forbidden-role`` (in Chinese by default) a caller whose role — for a
person's token, the token's role and the person's both (``domain.roles.may_both``) — does not
allow it, before the route runs. A write not listed needs ``books.write`` (直接记账, a
bookkeeper's duty): the default is the strongest duty, so a new route is closed to preparers and
reviewers until it is listed here. The workbench checks the same duties on its own forms
(``workbench.session.require``).
"""

from __future__ import annotations

from fastapi import Request

from domain.roles import ACTION_LABELS, role_label
from web.problems import Problem
from web.tokens import Principal

DEFAULT = "books.write"

# (method, path template) -> action
WRITE_DUTIES: dict[tuple[str, str], str] = {
    # 制单: vouchers and their source documents
    ("POST", "/v1/entities/{code}/vouchers"): "voucher.prepare",
    ("PUT", "/v1/vouchers/{draft}"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/submit"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/withdraw"): "voucher.prepare",
    ("POST", "/v1/vouchers/{draft}/attachments"): "voucher.prepare",
    # 审核
    ("POST", "/v1/vouchers/{draft}/approve"): "voucher.review",
    ("POST", "/v1/vouchers/{draft}/return"): "voucher.review",
    # member registers
    ("POST", "/v1/villages/{village}/register"): "register.edit",
    ("POST", "/v1/villages/{village}/households"): "register.edit",
    ("POST", "/v1/villages/{village}/members"): "register.edit",
    ("POST", "/v1/villages/{village}/members/{member}/shares"): "register.edit",
    ("POST", "/v1/villages/{village}/members/{member}/leave"): "register.edit",
    ("POST", "/v1/villages/{village}/members/{member}/forget"): "register.edit",
    # plans: drafts and 四议两公开 steps; execution is a bookkeeper's
    ("POST", "/v1/plans"): "plan.prepare",
    ("POST", "/v1/plans/{code}/steps"): "plan.prepare",
    ("POST", "/v1/plans/{code}/comparisons"): "plan.prepare",
    ("POST", "/v1/plans/{code}/execution"): "plan.execute",
    # 结账 and the year's closing
    ("POST", "/v1/entities/{code}/closed-months"): "period.close",
    ("POST", "/v1/entities/{code}/year-end-closings"): "period.close",
    ("POST", "/v1/entities/{code}/year-end-closings/{year}/reopening"): "period.close",
    # files of vouchers, 三公开
    ("POST", "/v1/entities/{code}/voucher-batches"): "vouchers.import",
    ("POST", "/v1/villages/{village}/disclosures"): "sheet.publish",
    ("POST", "/v1/joint-entities/{joint}/disclosures"): "sheet.publish",
}


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
