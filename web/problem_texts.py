"""Problem details in Chinese for clerks, in English for integrators.

The language: ``Accept-Language`` picks it — English when the caller's most preferred language
is English (``en``, ``en-US``, ``en;q=1, zh;q=0.5``), Chinese otherwise, and Chinese when the
header is absent (township staff are the first readers). The answer says which with
``Content-Language``. The ``type`` URNs and every other member are the same in both languages;
only ``title`` and ``detail`` (and the messages of ``errors``) change.

The Chinese ``detail``: the sentence the refusal was raised with in Chinese (``zh=`` on a domain
or ledger error or a ``Problem``), which names the object, the amounts and what to do; for a
refusal raised only in English, this catalogue's sentence for its type (what is wrong and what to
do) after the field at fault in Chinese (``第1行分录的科目``). The English sentence stays in the
English answer: a Chinese reader never meets field paths, English words or API addresses
(``tests/unit/test_chinese_texts.py`` holds every Chinese text to that).
"""

from __future__ import annotations

import re

TITLES_ZH = {
    400: "请求有误",
    401: "未登录或令牌无效",
    403: "无权操作",
    404: "找不到",
    405: "不支持的请求方法",
    409: "与已有记录冲突",
    413: "文件过大",
    415: "不支持的文件类型",
    422: "填写有误",
    500: "内部错误",
    503: "暂时无法提供",
}

# the type of a problem → what it means and what to do, in Chinese
KINDS_ZH = {
    "validation": "填写的内容不符合要求，请按提示修改后重新提交",
    "invalid": "请求不符合规则，请按提示修改",
    "invalid-period": "期间写法有误：年写 2025，季度写 2025-Q1，月份写 2025-03（1950 至 2100 年）",
    "invalid-position": "日志位置应为 0 到 2^62 之间的整数（取自写入时返回的日志位置）",
    "invalid-amount": '金额有误：写成最多两位小数的数字字符串，如 "1200.00"，且在允许范围内',
    "invalid-entry": "凭证填写有误，请检查借贷方向、金额和分录行数",
    "unbalanced-entry": "借贷不平衡：借方合计必须等于贷方合计，请核对金额",
    "unknown-account": "科目不存在：请从本单位科目表中选择科目，或先开设明细科目",
    "account-not-open": "该明细科目尚未开设：请先开设科目再记账",
    "nonsense-entry": "这笔分录不能反映任何实际业务（如同一科目借贷互转），请改用正确的对方科目",
    "cash-overdraft": "库存现金或银行存款不能为负数：请先登记收入，或减少支出金额",
    "earmarked-cash": "这笔钱是专项资金（241 专项应付款），只能用于该项目：请通过专项科目支出",
    "over-distribution": "分配或支付的金额超过了可用资金，请核对可分配金额",
    "closed-period": "该月份或年度已结账，不能再记账：请把日期改到未结账的月份",
    "future-date": "日期不能晚于今天，请填写实际发生的日期",
    "already-exists": "该记录已经存在，不能重复登记",
    "already-reversed": "该凭证已经冲销过，不能重复冲销",
    "cross-book-entry": "这笔凭证由跨账簿业务生成，只能通过原业务更正，不能在单个账簿中冲销",
    "membership": "成员关系有误：请先确认该村或企业在联合组织中的状态",
    "concurrent-update": "同一账簿正被他人同时修改，请稍后重试",
    "conflict": "与已记录的内容冲突",
    "declared": "分红已宣告，不能重复宣告",
    "not-found": "找不到所请求的内容，请检查地址或编号",
    "entity-not-found": "找不到该村集体或联合社，请检查单位代码",
    "alliance-not-found": "找不到该联村组织，请检查代码",
    "entry-not-found": "找不到该凭证，请检查凭证号",
    "voucher-not-found": "找不到该凭证，请检查凭证号",
    "voucher-state": "凭证现在的状态不能做这项操作",
    "not-preparer": "只有制单人才能修改、提交、撤回凭证或添加附件",
    "same-person": "同一个人只能有一个启用的账户",
    "person-exists": "该登录名已被使用，请换一个",
    "person-not-found": "找不到该用户，请检查登录名",
    "invalid-attachment": "附件不能使用：只接受 PDF、JPEG、PNG 文件，且不能为空或过大",
    "invalid-register-file": "成员名册文件有不能登记的行，什么也没有写入：请按提示修改后重新导入",
    "plan-not-found": "找不到该分配方案，请检查方案编号",
    "project-not-found": "找不到该项目，请检查项目编号",
    "financial-plan-not-found": "找不到该单位该年度的财务计划，请先编制",
    "asset-not-found": "找不到该资产卡片，请检查单位代码和资产编号",
    "bank-account-not-found": "找不到该银行账户：请先在“银行”页登记银行账户，或检查科目代码",
    "match-not-found": "找不到该勾对记录，请检查勾对编号",
    "cash-count-not-found": "找不到该现金盘点记录，请检查盘点编号",
    "bank-not-reconciled": "银行存款尚未对账，本乡镇设置为不能结账：请先确认余额调节表",
    "agreement-not-found": "找不到该合作协议，请检查协议编号",
    "register-not-found": "该村尚未建立成员名册，请先建立名册",
    "sheet-not-found": "找不到该公开表",
    "statement-not-found": "找不到该报表",
    "comparison-not-found": "找不到该方案比较",
    "not-public": "该内容尚未公开",
    "joint": "该单位是联合社，不能做只适用于村集体的操作",
    "village": "该单位是村集体，不能做只适用于联合社的操作",
    "forbidden": "无权进行此操作",
    "forbidden-township": "无权在该乡镇记账：只能修改本人负责乡镇的账簿",
    "forbidden-role": "您的角色无权进行此操作，请联系主管或管理员",
    "own-voucher": "不能审核自己制单的凭证：制单与审核须由不同的人完成",
    "own-review": "不能记账自己审核的凭证：审核与记账须由不同的人完成",
    "not-reviewer": "只有审核人才能取消自己的审核；如发现问题，请退回制单人",
    "own-request": "不能执行自己提请执行的分配方案：提请与执行须由不同的人完成",
    "batch-refused": "所选凭证中有不能处理的，已全部未处理：请按每张凭证的提示处理后重试",
    "read-only": "审计账号只能查看，不能修改",
    "unauthenticated": "请先登录，或在请求中附上 API 令牌",
    "invalid-token": "API 令牌无效或已被吊销，请向管理员申请新的令牌",
    "idempotency-key-reused": "同一个幂等键已用于另一个请求，请为新请求换一个新的键",
    "invalid-vouchers": "导入的凭证中有错误，已全部未写入：请按每行的提示修改文件后重新导入",
    "invalid-rule": "分配规则有误，请按提示修改",
    "invalid-comparison": "方案比较有误，请按提示修改",
    "chain-broken": "事件链校验失败：账簿记录可能被篡改，请联系审计人员",
    "projection-stuck": "部分查询数据暂时无法更新，请联系管理员；记账等操作不受影响",
    "read-models-behind": "写入已成功，但查询数据尚未更新完毕，请稍后刷新",
    "database-unavailable": "数据库暂时连不上，请稍后再试",
    "method-not-allowed": "该地址不支持这种请求方法",
    "unsupported-media-type": "不支持的文件类型",
    "too-large": "文件过大",
    "http": "请求有误",
    "domain-error": "请求不符合规则",
}

# the field names of the API in Chinese, for messages about a field
FIELDS_ZH = {
    "date": "日期",
    "memo": "摘要",
    "summary": "摘要",
    "amount": "金额",
    "account": "科目",
    "postings": "分录",
    "lines": "分录",
    "side": "借贷方向",
    "reason": "原因",
    "period": "期间",
    "month": "月份",
    "name": "名称",
    "code": "代码",
    "township": "乡镇",
    "number": "编号",
    "head": "户主",
    "entity": "单位",
    "village": "村",
    "member": "成员",
    "household": "户",
    "vouchers": "凭证",
    "balances": "期初余额",
    "debit": "借方金额",
    "credit": "贷方金额",
    "draft": "凭证",
    "voucher": "凭证",
    "status": "凭证状态",
    "actor": "经办人",
    "file": "附件",
    "sha256": "附件摘要",
    "media_type": "附件类型",
    "size": "附件大小",
    "login": "登录名",
    "phone": "手机号",
    "role": "角色",
    "townships": "乡镇",
    "members": "成员",
    "share_kinds": "股份类别",
    "plan": "分配方案",
    "reverses": "被冲销的凭证",
    "programme": "资金项目",
    "agreement": "合作协议",
    "enterprise": "企业",
    "version": "版本",
    "alliance": "联村组织",
    "joint": "联合社",
    "year": "年度",
    "parent": "上级科目",
    "kind": "类别",
    "rule": "分配规则",
    "as_of": "基准日",
    "opinion": "审核意见",
    "checked_by": "民主理财小组成员",
    "word": "凭证字",
    "words": "凭证字",
    "numbering": "凭证编号方式",
    "Idempotency-Key": "幂等键",
    # the 资源 and 经济合同 registers
    "resource": "资源",
    "contract": "合同",
    "area": "面积",
    "unit": "面积单位",
    "use": "用途",
    "location": "坐落",
    "boundaries": "四至",
    "certificates": "权属证明",
    "title": "名称",
    "party": "对方",
    "party_id": "身份证号",
    "party_code": "统一社会信用代码",
    "subject": "合同标的",
    "subject_code": "标的编号",
    "start": "起日",
    "end": "止日",
    "signed_on": "签订日期",
    "instalments": "款项计划",
    "instalment": "所收（付）的一期",
    "due_on": "应付日",
    "entry": "凭证号",
    "within": "天数",
}

_INDEXED = re.compile(r"^(?P<name>[a-z_]+)\[(?P<index>\d+)\](?:\.(?P<leaf>[a-z_]+))?$")


def field_zh(field: str | None) -> str | None:
    """``postings[1].account`` → ``第2行分录的科目``; a plain name → its Chinese. A name without
    Chinese is left out (``第2行``), and a field that is none of these gives None: the field's
    path is for programs, never shown to a Chinese reader."""
    if not field:
        return None
    match = _INDEXED.match(field)
    if match:
        where = f"第{int(match['index']) + 1}行{FIELDS_ZH.get(match['name'], '')}"
        leaf = FIELDS_ZH.get(match["leaf"] or "")
        return where + (f"的{leaf}" if leaf else "")
    return FIELDS_ZH.get(field)


def wants_english(accept_language: str | None) -> bool:
    """Whether the caller's most preferred language (RFC 9110 weights) is English."""
    if not accept_language:
        return False
    best: tuple[float, int, str] | None = None
    for order, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        if not tag:
            continue
        weight = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight <= 0:
            continue
        candidate = (-weight, order, tag)
        if best is None or candidate < best:
            best = candidate
    return best is not None and (best[2] == "en" or best[2].startswith("en-"))


def title_zh(status: int) -> str:
    return TITLES_ZH.get(status, "错误")


def detail_zh(kind: str, detail: str, zh: str | None = None, field: str | None = None) -> str:
    """The refusal in Chinese: its own Chinese sentence, or the catalogue's sentence for its type
    with the field named in Chinese and the values the English quoted (``account '999'`` → 999)
    when they are data (codes, amounts, names); the English words themselves are left out."""
    if zh:
        return zh
    sentence = KINDS_ZH.get(kind, "请求未被接受")
    where = field_zh(field)
    if where:
        sentence = f"{where}：{sentence}"
    values = list(dict.fromkeys(v for v in _QUOTED.findall(detail or "") if _is_data(v)))
    return f"{sentence}（{'、'.join(values)}）" if values else sentence


_QUOTED = re.compile(r"'([^'\n]{1,40})'")


def _is_data(value: str) -> bool:
    """A quoted value a Chinese reader may see as it is: not empty, and no lowercase ASCII
    letter, underscore or path in it (a code such as 999 or 113V02, an amount, a name)."""
    text = value.strip()
    return bool(text) and not re.search(r"[a-z_/\\]", text)
