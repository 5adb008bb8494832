"""An asset's QR code and what its public page shows of people (``documents.asset_identity``)."""

from __future__ import annotations

from documents.asset_identity import (
    ALPHABET,
    LENGTH,
    code_matches,
    label_code,
    public_path,
    shown_name,
)
from domain.privacy import PersonalDataVault


def test_the_code_is_the_stores_own_and_typed_forgivingly() -> None:
    vault, other = PersonalDataVault.in_memory(), PersonalDataVault.in_memory()
    code = label_code(vault.index, "J01", "GZ-001")
    assert len(code) == LENGTH and set(code) <= set(ALPHABET)
    assert code == label_code(vault.index, "J01", "GZ-001")  # nothing stored: derived again
    assert code != label_code(vault.index, "J01", "GZ-002")
    assert code != label_code(vault.index, "J02", "GZ-001")
    assert code != label_code(other.index, "J01", "GZ-001")  # another store, another key
    spaced = f" {code[:5].lower()} {code[5:]} "
    assert code_matches(vault.index, "J01", "GZ-001", spaced)
    assert not code_matches(vault.index, "J01", "GZ-002", code)
    assert public_path(vault.index, "J01", "GZ-001") == f"/public/assets/J01/GZ-001?code={code}"


def test_a_natural_person_is_masked_an_organisation_is_not() -> None:
    known = {"纽澜地", "黑牛养殖联合社"}
    assert shown_name("张三明", known) == "张*明"
    assert shown_name("欧阳小明", known) == "欧**明"
    assert shown_name("纽澜地", known) == "纽澜地"  # an enterprise the books know
    assert shown_name("高青县某某农业有限公司", known) == "高青县某某农业有限公司"
    assert shown_name("李店村", known) == "李*村"  # too short to tell: a person's, masked
    assert shown_name("", known) == ""
