"""Importing a member register file (成员名册): every household and member of
the file in ONE save, or nothing.

Decision:

1. **Everything is checked first.** Each household and member of the file is checked against
   the register as it stands (and the rules a single ``register_household`` /
   ``register_member`` applies: the head's name, the ID number's check digit, no current member
   of the village with the same ID number, share kinds of the register, nothing dated after
   today). Every problem of every row is collected (:class:`RegisterRowProblem`, in Chinese,
   with the file's row); if there is any, :class:`RegisterRefusedError` lists them all and
   nothing is written — not even a member's key in the vault (ID numbers are sealed only once
   the whole file is known good).
2. **One save.** The register's head (opened with the file's share kinds when the village has
   none yet), every new household and every member-number claim are saved together
   (``save(*aggregates)``: one transaction), so a file is in the register entirely or not at
   all. A legacy one-aggregate register (``MemberRegister``) takes the rows in memory and is
   saved once as well.
3. **A second run registers nothing twice: rows already in the register are skipped.** A
   household whose number is registered with the same head, and a member whose number is
   registered in the same household with the same name and the same ID number (the vault's
   keyed digest), are counted as skipped; the same number with different content is a problem
   of that row (nothing is changed by an import: a change of shares is its own dated command).
   Running the same file twice writes nothing the second time and says so; a file extended by
   new rows registers only them.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from domain.errors import DomainError, InvalidRequestError, RegisterNotFoundError
from domain.members import (
    Household,
    MemberNumber,
    MemberRegister,
    VillageRegister,
    household_id,
    member_number_id,
    share_kinds_checked,
)
from domain.port import Port
from domain.privacy import id_number_problem, member_subject


class Registers(Protocol):
    """The register lookups an import uses (``domain.members.service.MembersService``)."""

    def get_register(self, village: str) -> MemberRegister | VillageRegister: ...
    def household(self, village: str, number: str) -> Household: ...
    def household_of(self, village: str, member: str) -> Household: ...


MAX_ROWS = 20_000


class HouseholdLike(Protocol):
    number: str
    head: str
    registered_on: datetime.date
    row: int


class MemberLike(Protocol):
    number: str
    household: str
    name: str
    id_number: str
    joined_on: datetime.date
    shares: dict[str, Decimal]
    row: int


@dataclass(frozen=True)
class RegisterRowProblem:
    """What is wrong with one row of the file: its row, the field at fault (``household``,
    ``head``, ``registered_on``, ``member``, ``name``, ``id_number``, ``joined_on``,
    ``share:人口股``) and a sentence in Chinese."""

    row: int
    field: str | None
    message: str


class RegisterRefusedError(InvalidRequestError):
    """One or more rows cannot be registered; nothing was written. ``problems`` lists all."""

    kind = "invalid-register-file"

    def __init__(self, problems: Sequence[RegisterRowProblem]) -> None:
        rows = sorted({p.row for p in problems})
        first = problems[0]
        super().__init__(
            f"{len(rows)} row(s) of the register file cannot be registered and nothing was "
            f"written; the first: row {first.row}: {first.message}",
            field=first.field,
            zh=f"成员名册文件有{len(rows)}行不能登记，什么也没有写入；第一处：第{first.row}行："
            f"{first.message}",
        )
        self.problems = list(problems)


@dataclass
class RegisterImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    village: str
    households_added: list[str] = field(default_factory=list)
    members_added: list[str] = field(default_factory=list)
    households_skipped: list[str] = field(default_factory=list)
    members_skipped: list[str] = field(default_factory=list)
    opened: bool = False
    dry_run: bool = False

    @property
    def written(self) -> bool:
        return not self.dry_run and bool(self.households_added or self.members_added)


class RegisterImport:
    """Import a member register file: one import, with the application's port
    (``domain.port``) and the members' service (its register and household lookups)."""

    def __init__(self, port: Port, members: Registers) -> None:
        self.port = port
        self.members = members

    def import_register(
        self,
        *,
        village: str,
        households: Sequence[HouseholdLike],
        members: Sequence[MemberLike],
        share_kinds: Sequence[str],
        actor: str,
        dry_run: bool = False,
    ) -> RegisterImportResult:
        """Check every row of a register file, then register every new household and member
        in one save (or, with ``dry_run``, say what it would register).

        Raises:
            RegisterRefusedError: every problem of every row; nothing was written.
        """
        self.port.get_village(village)
        if not members and not households:
            raise InvalidRequestError(
                "the register file has no members", field="members", zh="文件里没有成员"
            )
        if len(members) > MAX_ROWS:
            raise InvalidRequestError(
                f"at most {MAX_ROWS} members in one file",
                field="members",
                zh=f"一个文件最多{MAX_ROWS}名成员，请分成几个文件",
            )

        def command() -> RegisterImportResult:
            return self._import_register(
                village, list(households), list(members), list(share_kinds), actor, dry_run
            )

        if dry_run:
            return command()
        return self.port.retrying(command)

    # -- the check, then the save ----------------------------------------------------------------

    def _import_register(
        self,
        village: str,
        households: list[HouseholdLike],
        members: list[MemberLike],
        share_kinds: list[str],
        actor: str,
        dry_run: bool,
    ) -> RegisterImportResult:
        result = RegisterImportResult(village=village, dry_run=dry_run)
        problems: list[RegisterRowProblem] = []
        today = self.port.today()
        register: MemberRegister | VillageRegister | None
        try:
            register = self.members.get_register(village)
        except RegisterNotFoundError:
            register = None
        if register is None:
            try:
                kinds = share_kinds_checked(list(share_kinds))
            except InvalidRequestError:
                raise InvalidRequestError(
                    f"village {village} has no member register yet; the file needs share "
                    "columns to open it with",
                    field="share_kinds",
                    zh="本村还没有成员名册，文件要有股份列（列名以“股”结尾）才能开设名册",
                ) from None
            result.opened = True
        else:
            kinds = list(register.share_kinds)
        legacy = isinstance(register, MemberRegister)

        # households: new, already registered (skipped), or in conflict
        loaded: dict[str, Household] = {}
        new_households: list[HouseholdLike] = []
        known: set[str] = set()
        for h in households:
            head = self._registered_head(register, village, h.number, loaded)
            if head is not None:
                if head != h.head.strip():
                    problems.append(
                        RegisterRowProblem(
                            h.row,
                            "head",
                            f"户号 {h.number} 已经登记，户主是“{head}”，文件里写的是“{h.head}”；"
                            "导入不修改已登记的户",
                        )
                    )
                else:
                    result.households_skipped.append(h.number)
                known.add(h.number)
                continue
            if not h.head.strip():
                problems.append(RegisterRowProblem(h.row, "head", "缺少户主姓名"))
            if h.registered_on > today:
                problems.append(
                    RegisterRowProblem(
                        h.row, "registered_on", f"登记日期 {h.registered_on} 在今天（{today}）之后"
                    )
                )
            new_households.append(h)
            known.add(h.number)

        # members: new, already registered (skipped), or in conflict
        new_members: list[MemberLike] = []
        prefix = member_subject(village, "")
        for m in members:
            holders = (
                self.port.vault.holders(m.id_number)
                if id_number_problem(m.id_number) is None
                else set()
            )
            record = self._registered_member(register, village, m.number)
            if record is not None:
                same = (
                    record["household"] == m.household
                    and record["name"] == m.name.strip()
                    and (
                        member_subject(village, m.number) in holders
                        or record["id_number"] == m.id_number
                    )
                )
                if same:
                    result.members_skipped.append(m.number)
                else:
                    problems.append(
                        RegisterRowProblem(
                            m.row,
                            "member",
                            f"成员编号 {m.number} 已经登记"
                            f"（{record['household']}户，{record['name']}），与文件里的户号、姓名或身份证号不同；导入不修改已登记的成员",
                        )
                    )
                continue
            if m.household not in known:
                problems.append(
                    RegisterRowProblem(
                        m.row, "household", f"户号 {m.household} 不在名册里，也不在文件里"
                    )
                )
            if not m.name.strip():
                problems.append(RegisterRowProblem(m.row, "name", "缺少成员姓名"))
            id_problem = id_number_problem(m.id_number)
            if id_problem is not None:
                problems.append(RegisterRowProblem(m.row, "id_number", "身份证号不对（GB 11643）"))
            for subject in sorted(holders):
                if subject.startswith(prefix) and self._is_current(
                    register, village, subject[len(prefix) :]
                ):
                    problems.append(
                        RegisterRowProblem(
                            m.row,
                            "id_number",
                            f"这个身份证号已经是本村现有成员 {subject[len(prefix) :]} 的，"
                            "同一个人不能登记两次",
                        )
                    )
                    break
            for kind, units in m.shares.items():
                if kind not in kinds:
                    problems.append(
                        RegisterRowProblem(
                            m.row,
                            f"share:{kind}",
                            f"本村名册没有“{kind}”；股份种类是 " + "、".join(kinds),
                        )
                    )
                elif not units.is_finite() or units < 0:
                    problems.append(RegisterRowProblem(m.row, f"share:{kind}", "股数要大于等于0"))
            if m.joined_on > today:
                problems.append(
                    RegisterRowProblem(
                        m.row, "joined_on", f"入社日期 {m.joined_on} 在今天（{today}）之后"
                    )
                )
            new_members.append(m)

        if problems:
            raise RegisterRefusedError(sorted(problems, key=lambda p: p.row))
        result.households_added = [h.number for h in new_households]
        result.members_added = [m.number for m in new_members]
        if dry_run or not (new_households or new_members):
            return result
        if legacy:
            assert isinstance(register, MemberRegister)
            self._save_legacy(register, new_households, new_members, actor)
            return result
        self._save_bounded(village, register, kinds, new_households, new_members, loaded, actor)
        return result

    def _save_bounded(
        self,
        village: str,
        register: MemberRegister | VillageRegister | None,
        kinds: list[str],
        new_households: list[HouseholdLike],
        new_members: list[MemberLike],
        loaded: dict[str, Household],
        actor: str,
    ) -> None:
        head = register or VillageRegister.open(village=village, share_kinds=kinds, actor=actor)
        assert isinstance(head, VillageRegister)
        touched: dict[str, Household] = {}
        for h in new_households:
            touched[h.number] = Household.register(
                village=village,
                number=h.number,
                head=h.head,
                registered_on=h.registered_on,
                actor=actor,
            )
            head.add_household(number=h.number, actor=actor)
        claims: list[MemberNumber] = []
        for m in new_members:
            target = touched.get(m.household)
            if target is None:
                target = loaded.get(m.household) or self.members.household(village, m.household)
                touched[m.household] = target
            try:
                claims.append(
                    target.register_member(
                        number=m.number,
                        name=m.name,
                        id_number=m.id_number,
                        joined_on=m.joined_on,
                        shares=dict(m.shares),
                        share_kinds=kinds,
                        actor=actor,
                        vault=self.port.vault,
                        is_current=lambda other: self._is_current(head, village, other),
                    )
                )
            except DomainError as error:  # pragma: no cover - checked above
                raise RegisterRefusedError(
                    [RegisterRowProblem(m.row, error.field, error.message)]
                ) from None
        self.port.save(head, *touched.values(), *claims)

    def _save_legacy(
        self,
        register: MemberRegister,
        new_households: list[HouseholdLike],
        new_members: list[MemberLike],
        actor: str,
    ) -> None:
        problems: list[RegisterRowProblem] = []
        for h in new_households:
            try:
                register.register_household(
                    number=h.number, head=h.head, registered_on=h.registered_on, actor=actor
                )
            except DomainError as error:
                problems.append(RegisterRowProblem(h.row, error.field, error.message))
        for m in new_members:
            try:
                register.register_member(
                    number=m.number,
                    household=m.household,
                    name=m.name,
                    id_number=m.id_number,
                    joined_on=m.joined_on,
                    shares=dict(m.shares),
                    actor=actor,
                    vault=self.port.vault,
                )
            except DomainError as error:
                problems.append(RegisterRowProblem(m.row, error.field, error.message))
        if problems:
            raise RegisterRefusedError(problems)
        self.port.save(register)

    # -- what the register holds -----------------------------------------------------------------

    def _registered_head(
        self,
        register: MemberRegister | VillageRegister | None,
        village: str,
        number: str,
        loaded: dict[str, Household],
    ) -> str | None:
        if register is None:
            return None
        if isinstance(register, MemberRegister):
            found = register.households.get(number)
            return None if found is None else str(found["head"])
        if not self.port.exists(household_id(village, number)):
            return None
        loaded[number] = self.members.household(village, number)
        return loaded[number].head

    def _registered_member(
        self, register: MemberRegister | VillageRegister | None, village: str, number: str
    ) -> dict[str, Any] | None:
        if register is None:
            return None
        if isinstance(register, MemberRegister):
            return register.members.get(number)
        if not self.port.exists(member_number_id(village, number)):
            return None
        return self.members.household_of(village, number).member(number)

    def _is_current(
        self, register: MemberRegister | VillageRegister | None, village: str, number: str
    ) -> bool:
        record = self._registered_member(register, village, number)
        return record is not None and record["left"] is None
