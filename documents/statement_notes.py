"""附注 (notes to the statements) written from the filled forms: the basis the statements are
made on, and a sentence for each figure a reader of a village's statements asks about (固定资产
原值 and 累计折旧, 内部往来, 专项应付款 and 一事一议资金, a loss, 其他转入, the distributions).
Generated, not typed: the same books give the same notes."""

from __future__ import annotations

from collections.abc import Sequence

from ledger.money import ZERO, format_yuan
from ledger.statement_forms import DISTRIBUTION_LINES, INCOME_ROWS, FormRow, form_amount

BASIS = "本表按《农村集体经济组织会计制度》（财会〔2023〕14号）的报表格式编制，金额单位为元。"


def _amounts(rows: Sequence[FormRow]) -> dict[str, str]:
    return {r.line: format_yuan(r.amount) for r in rows if r.amount is not None}


def sheet_notes(assets: Sequence[FormRow], claims: Sequence[FormRow]) -> list[str]:
    """The 资产负债表's notes, from its two filled sides."""
    notes = [BASIS]
    yuan = _amounts((*assets, *claims))
    if form_amount(assets, "固定资产原值") != ZERO or form_amount(assets, "减：累计折旧") != ZERO:
        notes.append(
            f"固定资产原值 {yuan['固定资产原值']}，累计折旧 {yuan['减：累计折旧']}，"
            f"净值 {yuan['固定资产净值']}。"
        )
    if form_amount(assets, "生产性生物资产原值") != ZERO:
        notes.append(
            f"生产性生物资产原值 {yuan['生产性生物资产原值']}，"
            f"累计折旧 {yuan['减：生产性生物资产累计折旧']}，"
            f"净值 {yuan['生产性生物资产净值']}。"
        )
    if form_amount(assets, "无形资产原值") != ZERO:
        notes.append(
            f"无形资产原值 {yuan['无形资产原值']}，累计摊销 {yuan['减：累计摊销']}，"
            f"净值 {yuan['无形资产净值']}。"
        )
    owed_to = form_amount(assets, "内部往来（借方）")
    if owed_to != ZERO or form_amount(claims, "内部往来（贷方）") != ZERO:
        notes.append(
            f"内部往来（联合体内各单位之间）：应收 {yuan['内部往来（借方）']}，"
            f"应付 {yuan['内部往来（贷方）']}。"
        )
    for line, what in (("专项应付款", "上级拨入、指定用途"), ("一事一议资金", "筹集的一事一议")):
        if form_amount(claims, line) != ZERO:
            notes.append(f"{line} {yuan[line]}：{what}的资金，按规定用途使用。")
    if form_amount(claims, "未分配收益") < ZERO:
        notes.append(f"未分配收益为负（{yuan['未分配收益']}）：累计亏损尚未弥补。")
    return notes


def income_notes(rows: Sequence[FormRow]) -> list[str]:
    """The 收益及收益分配表's notes, from its filled rows (年/期 as the rows say)."""
    notes = [BASIS]
    by_row = {r.row: r for r in rows}
    net, other_in, distributed = (
        by_row[INCOME_ROWS[key]] for key in ("收益", "其他转入", "各项分配合计")
    )
    if net.amount is not None and net.amount < ZERO:
        notes.append(f"{net.line}为亏损 {format_yuan(-net.amount)}。")
    if other_in.amount is not None and other_in.amount != ZERO:
        notes.append(
            f"其他转入 {format_yuan(other_in.amount)}：公积公益金转入未分配收益"
            "（如弥补亏损，借 311 公积公益金、贷 322 收益分配）。"
        )
    if distributed.amount is not None and distributed.amount != ZERO:
        parts = "、".join(
            f"{r.line} {format_yuan(r.amount)}"
            for r in rows
            if r.line in DISTRIBUTION_LINES and r.amount is not None and r.amount != ZERO
        )
        notes.append(f"本期各项分配 {format_yuan(distributed.amount)}：{parts}。")
    return notes
