"""Every Chinese message is complete Chinese: no developer text reaches a clerk or a villager.

What is scanned:

- every problem type: each ``kind`` of a :class:`DomainError` subclass in ``domain/`` and every
  type the API gives a :class:`LedgerError` has its Chinese sentence in
  ``web.problem_texts.KINDS_ZH``;
- every Chinese text of ``web.problem_texts`` (titles, sentences of the types, field names) and
  what ``detail_zh`` says for an error raised with English only (the fallback);
- the literal parts of every ``zh=`` message in ``domain/`` and ``ledger/`` (read from the
  source, so a message is scanned whether or not a test raises it; what an f-string puts in
  between is data: a code, a name, an amount, a date).

The rule for ASCII in a Chinese text: a run of ASCII letters, digits and punctuation is data and
allowed when it has no lowercase letter, no underscore, no ``[index]`` and is not a path or an
HTTP method — account and entity codes (141, 113V02, 102ICBC, V02), periods (2025-Q1), units
and amounts (¥, 10 MB, 2^62), and the names of formats a clerk meets (PDF, XLSX, SHA-256). A run
with a lowercase letter is an English word, a field name or an identifier (``account``,
``postings[0].account``, ``Authorization``), and is refused, except the few proper names in
``NAMES`` that a clerk reads as they are (Excel).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import domain
import ledger
from domain.errors import DomainError
from ledger.errors import LedgerError
from web.problem_texts import FIELDS_ZH, KINDS_ZH, TITLES_ZH, detail_zh, field_zh

ROOT = Path(__file__).resolve().parents[2]

# proper names a clerk reads as they are
NAMES = {"Excel"}
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}
_ASCII_RUN = re.compile(r"[!-~]+")


def developer_text(text: str) -> list[str]:
    """The ASCII runs of ``text`` that are not data under the rule of this module."""
    found = []
    for run in _ASCII_RUN.findall(text):
        word = run.strip("()[]{}<>,.;:!?'\"“”")
        if not word or word in NAMES:
            continue
        if (
            re.search(r"[a-z_]", word)
            or re.search(r"\[\d*\]", run)
            or re.match(r"/[A-Za-z]", word)
            or word in HTTP_METHODS
        ):
            found.append(run)
    return found


def test_the_rule_tells_data_from_developer_text() -> None:
    assert developer_text("科目 141 和 113V02、102ICBC，V02 的 2025-Q1，¥1,200.00，10 MB") == []
    assert developer_text("附件为 PDF、JPEG 或 XLSX，SHA-256 摘要，在 Excel 中打开") == []
    assert developer_text("postings[0].account: account '999' is not in the chart") != []
    assert developer_text("请先开设（POST /v1/entities/V02/accounts …）") == [
        "POST",
        "/v1/entities/V02/accounts",
    ]
    assert developer_text("附上 Authorization: Bearer 令牌") == ["Authorization:", "Bearer"]


def _modules(package: object) -> Iterator[object]:
    path = package.__path__  # type: ignore[attr-defined]
    for info in pkgutil.walk_packages(path, package.__name__ + "."):  # type: ignore[attr-defined]
        yield importlib.import_module(info.name)


def _subclasses(root: type) -> set[type]:
    found: set[type] = set()
    todo = [root]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def _problem_kinds() -> set[str]:
    for package in (domain, ledger):
        list(_modules(package))  # every error class of domain/ and ledger/ is defined
    kinds = {DomainError.kind}
    kinds |= {
        cls.kind
        for cls in _subclasses(DomainError)
        if cls.__module__.startswith(("domain.", "ledger."))
    }
    # the types a LedgerError answers (web.problems): its own per class, else invalid-entry
    kinds |= {"unbalanced-entry", "unknown-account", "invalid-amount", "invalid-rule"}
    kinds |= {"invalid-comparison", "invalid-entry"}
    assert _subclasses(LedgerError), "ledger errors are found"
    return kinds


def test_every_problem_type_has_its_chinese_sentence() -> None:
    missing = sorted(kind for kind in _problem_kinds() if kind not in KINDS_ZH)
    assert missing == [], f"problem types without a Chinese sentence in KINDS_ZH: {missing}"


@pytest.mark.parametrize("table", ["TITLES_ZH", "KINDS_ZH", "FIELDS_ZH"])
def test_the_catalogue_is_chinese(table: str) -> None:
    texts = {"TITLES_ZH": TITLES_ZH, "KINDS_ZH": KINDS_ZH, "FIELDS_ZH": FIELDS_ZH}[table]
    bad = {key: developer_text(str(text)) for key, text in texts.items()}
    assert {k: v for k, v in bad.items() if v} == {}


def test_an_error_raised_in_english_only_reads_in_chinese() -> None:
    """The fallback for a refusal with no Chinese sentence: its type's sentence and the field
    in Chinese, never the English (the clerk reads ``第1行分录的科目``, not ``postings[0]``)."""
    english = "postings[0].account: account '999' is not in the chart of accounts (2023)"
    for kind in sorted(KINDS_ZH):
        for field in (None, "postings[0].account", "lines[2].memo", "media_type", "x_y[3].z"):
            text = detail_zh(kind, english, None, field)
            assert developer_text(text) == [], (kind, field, text)
    assert detail_zh("unknown-account", english, None, "postings[0].account").startswith(
        "第1行分录的科目："
    )
    assert field_zh("postings[1].amount") == "第2行分录的金额"


def _zh_texts(path: Path) -> Iterator[tuple[int, str]]:
    """The literal parts of every ``zh=`` argument in the module at ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg != "zh":
                continue
            for part in ast.walk(keyword.value):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    # a format spec or a conversion is not text (``{x!r}``, ``{n:,}``)
                    yield part.lineno, part.value


def _sources() -> list[Path]:
    return sorted(p for d in ("domain", "ledger") for p in (ROOT / d).rglob("*.py"))


def test_every_zh_message_in_domain_and_ledger_is_chinese() -> None:
    found = []
    count = 0
    for path in _sources():
        for line, text in _zh_texts(path):
            count += 1
            for run in developer_text(text):
                found.append(f"{path.relative_to(ROOT)}:{line}: {run!r} in {text!r}")
    assert count > 40, "the zh= messages are found"
    assert found == [], "developer text in Chinese messages:\n" + "\n".join(found)


def test_the_earmarked_cash_sentence_gives_both_treatments() -> None:
    """Grant money spent: 借 241 / 贷 102 for an expense, and for an asset bought with it
    借 153 / 贷 102 with 借 241 / 贷 311, as the English sentence says."""
    from domain.books import rules

    source = inspect.getsource(rules)
    zh = source[source.index("zh=", source.index("EarmarkedCashError(")) :]
    zh = zh[: zh.index("details=")]
    for words in ("借 241 / 贷 102", "借 153 / 贷 102", "借 241 / 贷 311"):
        assert words in zh
