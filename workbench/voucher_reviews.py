"""批量审核 (``/review``): many vouchers reviewed or posted in one action — an imported
file's vouchers, or every voucher waiting — with their totals.

- ``GET /review?step=review|post&import=&entity=``: the vouchers waiting for 审核
  (submitted; ``step=review``) or for 记账 (reviewed; ``step=post``) in the person's townships,
  oldest first, at most 1,000 shown; filtered by the import that made them and by the books;
  their count, 借方合计 and 贷方合计 (added from each voucher's own lines), and the imports
  still waiting with how many of their vouchers wait for each step. Each voucher has a box,
  ticked when the person may act on it: not one they prepared (审核), not one they reviewed
  (记账); the person unticks what they do not take.
- ``POST /review`` (``step``, ``draft`` repeated): the ticked vouchers in ONE command
  (``ReviewVouchers`` or ``PostVouchers``, ``domain.vouchers.batches``: all or none, one save)
  through ``run_form``; a refusal lists every voucher that cannot, and why, and writes nothing.

Reviewing marks them 已审核 (or posts them where the township chose 审核即记账); posting gives
them their numbers, in date order.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from domain.vouchers import person_of
from domain.vouchers.batches import MAX_BATCH, BatchOutcome, VouchersNotReviewedError
from domain.vouchers.commands import PostVouchers, ReviewVouchers
from projections.voucher_batches import batch_totals, imports_waiting
from projections.voucher_view import voucher_list
from web.tokens import Principal
from workbench.accounts import SEES_EVERYTHING, books_engine, visible_entities
from workbench.render import CSRF_FIELD, IDEMPOTENCY_FIELD, FormRefused, page, run_form
from workbench.session import FormUser, PageUser, require

router = APIRouter()

STEPS = {
    "review": {"status": "submitted", "action": "voucher.review", "label": "审核"},
    "post": {"status": "reviewed", "action": "voucher.post", "label": "记账"},
}


def _townships(user: Principal) -> Any:
    return None if user.role in SEES_EVERYTHING else sorted(user.townships)


def _step(user: Principal, step: str) -> str:
    if step in STEPS:
        return step
    return "review" if user.may("voucher.review") or not user.may("voucher.post") else "post"


def _mine(user: Principal, actor: str | None) -> bool:
    return bool(user.person) and bool(actor) and person_of(str(actor)) == user.person


def review_page(
    request: Request,
    user: Principal,
    *,
    step: str,
    import_id: str = "",
    entity: str = "",
    done: str = "",
    numbers: str = "",
    refused: FormRefused | None = None,
    problems: list[dict[str, Any]] | None = None,
    status: int = 200,
) -> Response:
    engine = books_engine(request)
    with engine.connect() as conn:
        entities = visible_entities(conn, user)
    if entity and entity not in {e["code"] for e in entities}:
        entity = ""  # another township's books are not shown (nor said to exist)
    wanted = STEPS[step]
    townships = _townships(user)
    listed = voucher_list(
        engine,
        townships=townships,
        status=wanted["status"],
        entity=entity or None,
        import_id=import_id or None,
        limit=MAX_BATCH,
        oldest_first=True,
    )
    who = "preparer" if step == "review" else "reviewer"
    for voucher in listed:
        voucher["mine"] = _mine(user, voucher.get(who))
    totals = batch_totals(
        engine,
        townships=townships,
        status=wanted["status"],
        import_id=import_id or None,
        entity=entity or None,
    )
    app = request.app.state.runtime.app
    review_posts = sorted(
        {v["township"] for v in listed if app.township.choices(v["township"]).review_posts}
    )
    query = {"import": import_id, "entity": entity}
    return page(
        request,
        user,
        "voucher_review.html",
        step=step,
        steps=STEPS,
        may_act=user.may(wanted["action"]),
        vouchers=listed,
        actionable=sum(1 for v in listed if not v["mine"]),
        totals=totals,
        imports=imports_waiting(engine, townships=townships),
        import_id=import_id,
        entity=entity,
        entities=entities,
        kept=urlencode({k: v for k, v in query.items() if v}),
        review_posts=review_posts,
        done=done,
        numbers=numbers,
        refused=refused,
        problems=problems or [],
        most=MAX_BATCH,
        status=status,
    )


@router.get("/review")
def batch_review(
    request: Request,
    user: PageUser,
    step: str = "",
    entity: str = "",
    done: str = "",
    numbers: str = "",
) -> Response:
    import_id = str(request.query_params.get("import") or "")
    return review_page(
        request,
        user,
        step=_step(user, step),
        import_id=import_id if len(import_id) == 64 and import_id.isalnum() else "",
        entity=entity,
        done=done if done.isdigit() else "",
        numbers=numbers[:200],
    )


@router.post("/review")
async def review_chosen(request: Request, user: FormUser) -> Response:
    form = await request.form()
    step = _step(user, str(form.get("step") or ""))
    import_id = str(form.get("import") or "")
    entity = str(form.get("entity") or "")
    drafts = [str(d) for d in form.getlist("draft") if str(d).strip()]
    claimed = {  # what the form's Idempotency-Key answers for: every voucher ticked
        "step": step,
        "drafts": ",".join(drafts),
        IDEMPOTENCY_FIELD: str(form.get(IDEMPOTENCY_FIELD) or ""),
        CSRF_FIELD: str(form.get(CSRF_FIELD) or ""),
    }

    def done(outcome: BatchOutcome) -> str:
        kept = {"step": step, "import": import_id, "entity": entity}
        shown = {k: v for k, v in kept.items() if v}
        shown["done"] = str(len(outcome.drafts))
        if outcome.numbers:
            first, last = outcome.numbers[0], outcome.numbers[-1]
            shown["numbers"] = first if first == last else f"{first} 至 {last}"
        return "/review?" + urlencode(shown)

    try:
        require(user, STEPS[step]["action"])
        if not drafts:
            raise FormRefused(f"请至少勾选一张要{STEPS[step]['label']}的凭证", field="draft")
        if len(drafts) > MAX_BATCH:
            raise FormRefused(f"一次最多{STEPS[step]['label']} {MAX_BATCH} 张凭证", field="draft")
        command = ReviewVouchers(tuple(drafts)) if step == "review" else PostVouchers(tuple(drafts))
        return run_form(request, user, claimed, command, done)
    except FormRefused as exc:
        found = exc.__cause__
        problems = []
        if isinstance(found, VouchersNotReviewedError):
            problems = [{"draft": p.draft, "zh": p.zh} for p in found.problems]
        return review_page(
            request,
            user,
            step=step,
            import_id=import_id,
            entity=entity,
            refused=exc,
            problems=problems,
            status=exc.status,
        )


# What this page family's paths read (web.views)
READ_MODELS = ("ledger", "vouchers")
DUTIES: dict[tuple[str, str], str] = {}
