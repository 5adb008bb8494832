"""Who may do what: the roles of the people who use Lianzhang, and the roles of API tokens.

People (who log in to the workbench) have one of five roles; separation of duties (nobody reviews a
voucher they prepared) is a rule of the voucher itself (``domain.vouchers``), not of a role.

===========  ==========  ==============================================================
role         in Chinese  may
===========  ==========  ==============================================================
preparer     制单        draft, edit, submit and withdraw vouchers; attach source
                         documents; keep the member registers; draft plans and record
                         their 四议两公开 steps
reviewer     审核        approve (which posts the voucher into the books) or return
                         vouchers someone else prepared
bookkeeper   记账/主管   all of the above, and: close months, post directly, import a
                         file of vouchers, execute plans, publish sheets, the registers of
                         alliances, villages, joint entities and agreements
auditor      审计        read everything, write nothing
admin        管理员      everything in every township, and manage people and tokens
===========  ==========  ==============================================================

Decision: a reviewer's approval posts the voucher (审核即记账). The books hold only reviewed
vouchers; a separate 记账 click after 审核 would add a step and no check. The printed voucher's
记账 is the person whose approval posted it.

API tokens keep their three roles (``admin``, ``clerk``, ``auditor``): an integration's ``clerk``
token may do every write a bookkeeper may (its direct posts are marked in the audit trail by the
actor ``login@token``), in its townships.

A token that belongs to a person acts with **at most the person's role** (a token never does
more than its owner could):
an action is allowed when both the token's role and the person's role allow it
(:func:`may_both`), in the townships both have. So a preparer's ``clerk`` token prepares
vouchers, keeps member registers and drafts plans, and nothing else: it does not approve, post
directly, close months, import vouchers, execute plans or publish sheets. Which token roles a
person may be given (:data:`TOKEN_ROLES_OF_PERSON`, checked by ``lianzhang token create
--user``): an administrator any; a preparer, reviewer or bookkeeper ``clerk`` or ``auditor``;
an auditor ``auditor`` only. The person's role is read at every request, so a person's later
change of role changes what their tokens may do at once.

People and clerk tokens write only in their townships (``townships``); admins everywhere.
"""

from __future__ import annotations

PERSON_ROLES: dict[str, str] = {
    "preparer": "制单",
    "reviewer": "审核",
    "bookkeeper": "记账/主管",
    "auditor": "审计",
    "admin": "管理员",
}
TOKEN_ROLES: tuple[str, ...] = ("admin", "clerk", "auditor")

# action -> the roles that may take it (people's and tokens')
ACTIONS: dict[str, frozenset[str]] = {
    "voucher.prepare": frozenset({"preparer", "bookkeeper", "admin", "clerk"}),
    "voucher.review": frozenset({"reviewer", "bookkeeper", "admin", "clerk"}),
    "register.edit": frozenset({"preparer", "bookkeeper", "admin", "clerk"}),
    "plan.prepare": frozenset({"preparer", "bookkeeper", "admin", "clerk"}),
    "books.write": frozenset({"bookkeeper", "admin", "clerk"}),
    "period.close": frozenset({"bookkeeper", "admin", "clerk"}),
    "vouchers.import": frozenset({"bookkeeper", "admin", "clerk"}),
    "plan.execute": frozenset({"bookkeeper", "admin", "clerk"}),
    "sheet.publish": frozenset({"bookkeeper", "admin", "clerk"}),
    "settings.choose": frozenset({"bookkeeper", "admin", "clerk"}),
    "people.manage": frozenset({"admin"}),
}
ACTION_LABELS: dict[str, str] = {
    "voucher.prepare": "制单（录入、修改、提交凭证）",
    "voucher.review": "审核凭证",
    "register.edit": "维护成员名册",
    "plan.prepare": "起草分配方案、记录四议两公开",
    "books.write": "直接记账",
    "period.close": "结账",
    "vouchers.import": "导入凭证文件",
    "plan.execute": "执行分配方案",
    "sheet.publish": "发布公开表",
    "settings.choose": "修改乡镇设置（凭证编号、审核记账）",
    "people.manage": "管理用户",
}
WRITING_ROLES = frozenset(r for roles in ACTIONS.values() for r in roles)

# person role -> the token roles a token of theirs may have (never more than the person)
TOKEN_ROLES_OF_PERSON: dict[str, tuple[str, ...]] = {
    "admin": ("admin", "clerk", "auditor"),
    "bookkeeper": ("clerk", "auditor"),
    "reviewer": ("clerk", "auditor"),
    "preparer": ("clerk", "auditor"),
    "auditor": ("auditor",),
}


def may(role: str, action: str) -> bool:
    """Whether ``role`` may take ``action`` (a key of :data:`ACTIONS`)."""
    return role in ACTIONS[action]


def may_both(role: str, person_role: str | None, action: str) -> bool:
    """Whether a caller of ``role`` acting for a person of ``person_role`` (None: no person, a
    token without owner) may take ``action``: both roles must allow it."""
    return may(role, action) and (person_role is None or may(person_role, action))


def token_role_allowed(token_role: str, person_role: str) -> bool:
    """Whether a person of ``person_role`` may be given a token of ``token_role``."""
    return token_role in TOKEN_ROLES_OF_PERSON.get(person_role, ())


def role_label(role: str) -> str:
    """The role in Chinese (a token's role as itself)."""
    return PERSON_ROLES.get(
        role, {"clerk": "接口", "admin": "管理员", "auditor": "审计"}.get(role, role)
    )
