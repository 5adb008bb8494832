"""Correcting a posted voucher: the rules of a red-ink voucher (红字冲销) and of a correcting
voucher (更正凭证); ``VoucherService`` loads and saves (``domain.vouchers.service``).

- A red-ink voucher reverses a posted voucher in full: the same lines with the amounts negated,
  摘要 ``冲销 2025-0003 号凭证: <reason>``, dated in an open month, not before the original. It is
  a draft like any voucher and goes through review (提交 → 审核); its approval posts the books'
  red-ink reversal of the original's entry (``Books.reverse_entry``). It is not edited: to
  change its date or reason it is voided and the original reversed again.
- An original is reversed once: the original records its red-ink voucher (``ReversalDrafted``,
  in the same save, so two clerks reversing at once conflict and the second is refused), and a
  second is refused unless the first was voided; the books refuse a second reversal of the
  entry as well, whoever asks.
- A correcting voucher is a new draft with the original's lines to change, citing the
  original (``Cited``); it is reviewed like any voucher.
"""

from __future__ import annotations

import datetime

from domain.bounds import MAX_TEXT, check_text
from domain.errors import AlreadyReversedError, InvalidRequestError
from domain.vouchers import STATUS_LABELS, Voucher, VoucherStateError
from domain.vouchers.lines import red_ink_lines
from ledger.voucher_numbers import number_cited

REVERSAL = "reversal"
CORRECTION = "correction"


def red_ink_summary(number: str, reason: str) -> str:
    """The 摘要 of the red-ink voucher of entry ``number``."""
    return f"冲销 {number_cited(number)}: {reason}"


def reversal_reason(reason: object) -> str:
    """The reason of a red-ink voucher: one line of text, not empty, short enough for its 摘要."""
    text = check_text(reason, field="reason", max_length=MAX_TEXT - 20).strip()
    if not text:
        raise InvalidRequestError(
            "a red-ink reversal needs its reason: what was wrong with the original",
            field="reason",
            zh="红字冲销需要写明原因：原凭证错在哪里",
        )
    return text


def refuse_second_reversal(original: Voucher, pending: Voucher | None) -> None:
    """Refuse a red-ink voucher of ``original`` while its red-ink voucher ``pending`` (the one it
    names) is not voided."""
    if pending is None or pending.status == "voided":
        return
    number = original.posted_number
    posted = pending.status == "posted"
    state = "已记账" if posted else f"现为{STATUS_LABELS[pending.status]}"
    again = "" if posted else "；如要重新冲销，请先作废那张红字凭证"
    raise AlreadyReversedError(
        f"voucher {number} of {original.entity} already has its red-ink voucher "
        f"{pending.draft} ({pending.status}); a voucher is reversed once",
        field="draft",
        zh=f"{number} 号凭证已有红字冲销凭证（{state}），一张凭证只能冲销一次{again}",
        details={"reversal": pending.draft},
    )


def red_ink_voucher(
    original: Voucher,
    pending: Voucher | None,
    *,
    reversed_by: str | None,
    date: datetime.date,
    reason: object,
    actor: str,
) -> Voucher:
    """A draft red-ink voucher of the posted ``original`` (``pending``: the red-ink voucher the
    original names, if any; ``reversed_by``: the entry that reversed the original's in the
    books, if one did), recorded on the original too; the caller saves both."""
    number = original.check_correctable("红字冲销")
    refuse_second_reversal(original, pending)
    if reversed_by is not None:
        raise AlreadyReversedError(
            f"entry {number} of {original.entity} was already reversed by {reversed_by}; an "
            "entry can be reversed once",
            field="draft",
            zh=f"{number} 号凭证已被 {reversed_by} 号凭证冲销，一张凭证只能冲销一次",
        )
    text = reversal_reason(reason)
    if date < original.date:
        raise InvalidRequestError(
            f"the red-ink voucher of {number} cannot be dated {date}, before the original "
            f"({original.date})",
            field="date",
            zh=f"红字冲销凭证的日期 {date} 早于原凭证（{original.date}），"
            "请填写原凭证日期以后的日期",
        )
    voucher = Voucher(
        entity=original.entity,
        township=original.township,
        date=date,
        summary=red_ink_summary(number, text),
        lines=red_ink_lines(original.lines),
        actor=actor,
    )
    voucher._cited(kind=REVERSAL, original=original.draft, number=number, reason=text, actor=actor)
    original._reversal_drafted(reversal=voucher.draft, actor=actor)
    return voucher


def cite_original(voucher: Voucher, original: Voucher, *, actor: str) -> None:
    """Record that the new draft ``voucher`` corrects the posted ``original`` (same books)."""
    number = original.check_correctable("更正")
    if voucher.entity != original.entity:
        raise VoucherStateError(
            f"a correcting voucher is in the books of its original ({original.entity}), "
            f"not {voucher.entity}",
            field="entity",
            zh=f"更正凭证应与原凭证在同一单位（{original.entity}）的账上",
        )
    voucher._cited(kind=CORRECTION, original=original.draft, number=number, reason="", actor=actor)
