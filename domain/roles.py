"""Who may do what: the roles of the people who use Lianzhang, and the roles of API tokens.

People (who log in to the workbench) have one of five roles; separation of duties (nobody reviews a
voucher they prepared, nobody posts a voucher they reviewed, nobody executes a plan they asked
to be executed) is a rule of the voucher and of the plan themselves (``domain.vouchers``,
``domain.plan``), not of a role.

===========  ==========  ==============================================================
role         in Chinese  may
===========  ==========  ==============================================================
preparer     制单        draft, edit, submit and withdraw vouchers; attach source
                         documents; keep the member registers; draft plans, record
                         their 四议两公开 steps and ask for their execution; import
                         bank statements, match them and confirm the 调节表
reviewer     审核        approve (审核) or return vouchers someone else prepared, take
                         back an approval of their own before it is posted
bookkeeper   记账/主管   all of the above, and: post reviewed vouchers (记账), close
                         months, post directly, import a file of vouchers, execute plans
                         another person asked for, publish sheets, the registers of
                         alliances, villages, joint entities and agreements
auditor      审计        read everything, write nothing
admin        管理员      everything in every township, and manage people and tokens
===========  ==========  ==============================================================

Decision (replacing 审核即记账 for everyone): **审核 and 记账 are two steps by two
people by default.** The reviewer's approval marks a voucher 已审核; a person with the 记账 duty
(``voucher.post``: a bookkeeper, an administrator, an integration's ``clerk`` token) who is not
its reviewer posts it, and the books number it then. The preparer may post it: the two people
are the reviewer and the one who posts, so a township of two (a bookkeeper who prepares and
posts, a reviewer) works, and the reviewer never posts what they approved. A township may choose
审核即记账 (``domain.township``): the approval posts at once, and the printed voucher says so
(its 记账 is the reviewer, ``审核即记账``). Imported vouchers are submitted for review by the
importer and reviewed and posted like any (the batch review page); a plan's execution is asked
for by one person and executed by another with ``plan.execute``.

API tokens keep their three roles (``admin``, ``clerk``, ``auditor``): an integration's ``clerk``
token may do every write a bookkeeper may (its direct posts are marked in the audit trail by the
actor ``login@token``), in its townships.

A token that belongs to a person acts with **at most the person's role** (a token never does
more than its owner could):
an action is allowed when both the token's role and the person's role allow it
(:func:`may_both`), in the townships both have. So a preparer's ``clerk`` token prepares
vouchers, keeps member registers and drafts plans, and nothing else: it does not approve, post,
post directly, close months, import vouchers, execute plans or publish sheets. Which token roles a
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
    "voucher.post": frozenset({"bookkeeper", "admin", "clerk"}),
    "register.edit": frozenset({"preparer", "bookkeeper", "admin", "clerk"}),
    "plan.prepare": frozenset({"preparer", "bookkeeper", "admin", "clerk"}),
    "books.write": frozenset({"bookkeeper", "admin", "clerk"}),
    "period.close": frozenset({"bookkeeper", "admin", "clerk"}),
    "vouchers.import": frozenset({"bookkeeper", "admin", "clerk"}),
    "plan.execute": frozenset({"bookkeeper", "admin", "clerk"}),
    "sheet.publish": frozenset({"bookkeeper", "admin", "clerk"}),
    "settings.choose": frozenset({"bookkeeper", "admin", "clerk"}),
    "bank.reconcile": frozenset({"preparer", "bookkeeper", "admin", "clerk"}),
    "people.manage": frozenset({"admin"}),
}
ACTION_LABELS: dict[str, str] = {
    "voucher.prepare": "制单（录入、修改、提交凭证）",
    "voucher.review": "审核凭证",
    "voucher.post": "记账（已审核的凭证）",
    "register.edit": "维护成员名册",
    "plan.prepare": "起草分配方案和财务计划、记录四议两公开",
    "books.write": "直接记账",
    "period.close": "结账",
    "vouchers.import": "导入凭证文件",
    "plan.execute": "执行分配方案",
    "sheet.publish": "发布公开表",
    "settings.choose": "修改乡镇设置（凭证编号、审核记账）",
    "bank.reconcile": "银行对账（导入对账单、勾对、确认余额调节表）",
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
