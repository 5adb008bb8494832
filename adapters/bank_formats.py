"""The formats of bank statements (``adapters.bank_files``): the fields a statement's columns are
mapped to, and the named templates of the common exports (农商银行, 农信社, 工行, 农行, 中行,
建行), each its headings as the bank writes them. A bank's 借方 is money out and its 贷方 money
in (the bank keeps the account as its liability): the templates say which column is which."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FIELDS: dict[str, str] = {
    "date": "交易日期",
    "amount_in": "收入金额（存入、贷方）",
    "amount_out": "支出金额（支取、借方）",
    "amount": "交易金额（收入为正、支出为负）",
    "direction": "借贷方向（借＝支出，贷＝收入）",
    "balance": "余额",
    "counterparty": "对方户名",
    "reference": "凭证号 / 流水号",
    "memo": "摘要 / 用途",
}


@dataclass(frozen=True)
class Template:
    """A bank's export: its name, label, the banks that use it, and field → heading."""

    name: str
    label: str
    columns: Mapping[str, str]


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "nongshang",
            "农村商业银行（农商银行）企业网银对账单",
            {
                "date": "交易日期",
                "amount_out": "借方发生额",
                "amount_in": "贷方发生额",
                "balance": "余额",
                "counterparty": "对方户名",
                "reference": "凭证号",
                "memo": "摘要",
            },
        ),
        Template(
            "nongxin",
            "农村信用社（农信社）账户明细",
            {
                "date": "记账日期",
                "amount_out": "支出金额",
                "amount_in": "存入金额",
                "balance": "账户余额",
                "counterparty": "对方户名",
                "reference": "凭证号码",
                "memo": "摘要",
            },
        ),
        Template(
            "icbc",
            "中国工商银行 企业网银 账户明细",
            {
                "date": "交易时间",
                "amount_in": "转入金额",
                "amount_out": "转出金额",
                "balance": "余额",
                "counterparty": "对方单位名称",
                "reference": "凭证号",
                "memo": "用途",
            },
        ),
        Template(
            "abc",
            "中国农业银行 企业网银 账户明细",
            {
                "date": "交易日期",
                "amount_in": "收入金额",
                "amount_out": "支出金额",
                "balance": "本次余额",
                "counterparty": "对方户名",
                "reference": "交易流水号",
                "memo": "交易用途",
            },
        ),
        Template(
            "boc",
            "中国银行 企业网银 交易明细（交易金额带正负号）",
            {
                "date": "交易日期",
                "amount": "交易金额",
                "balance": "交易后余额",
                "counterparty": "对方户名",
                "reference": "交易流水号",
                "memo": "摘要",
            },
        ),
        Template(
            "ccb",
            "中国建设银行 企业网银 账户明细（借贷方向）",
            {
                "date": "交易时间",
                "amount": "发生额",
                "direction": "借贷方向",
                "balance": "余额",
                "counterparty": "对方户名",
                "reference": "交易流水号",
                "memo": "摘要",
            },
        ),
    )
}


def columns_problem(columns: Mapping[str, str]) -> str | None:
    """What a mapping lacks (Chinese), None when it can read a statement."""
    unknown = sorted(set(columns) - set(FIELDS))
    if unknown:
        return f"不认识的字段：{'、'.join(unknown)}"
    if not columns.get("date"):
        return "请指定“交易日期”所在的列"
    split = columns.get("amount_in") and columns.get("amount_out")
    if not split and not columns.get("amount"):
        return "请指定收入和支出两列，或一列带正负号的交易金额（可另加借贷方向列）"
    headings = [h for h in columns.values() if h]
    if len(headings) != len(set(headings)):
        return "同一列不能用作两个字段"
    return None
