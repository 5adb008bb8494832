"""Property (issue 9): random sequences of cross-book commands, corrections included, never leave
an unbalanced book, a pair of books that disagree, or a view that errors; ``verify`` passes
after each sequence on a real SQLite store, and fails, naming the pair, once one book of a pair
is edited by hand.

Every command either saves or is refused with a domain error (nothing else may escape); a
generic red-ink reversal of an entry a cross-book operation posted is always refused.
"""

from __future__ import annotations

import datetime
import tempfile
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from audit.verify import verify
from documents import publishing
from documents.distribution_statement import distribution_statement
from documents.statements import parse_period, statement
from domain.errors import CrossBookEntryError, DomainError
from domain.sources import correcting_operation
from ledger.errors import LedgerError
from projections import economy_queries, queries
from runtime.bootstrap import Runtime
from scripts import scenario_a as A
from tests import builders
from tests.conftest import TODAY

START = datetime.date(2025, 2, 1)
RULE = {"tiers": [{"name": "按人口", "kind": "weighted", "weights": {"population": "100"}}]}

day = st.integers(min_value=0, max_value=300).map(lambda n: START + datetime.timedelta(days=n))
fen = st.integers(min_value=1, max_value=3_000_000)
who = st.integers(min_value=0, max_value=1)
pick = st.integers(min_value=0, max_value=50)
programme = st.sampled_from(["CZFC", "ZYZJ"])

commands = st.lists(
    st.one_of(
        st.tuples(st.just("contribute"), who, programme, fen, day),
        st.tuples(st.just("refund"), who, st.none() | programme, st.none() | fen, day),
        st.tuples(st.just("rent"), who, st.integers(1, 30), st.integers(100, 600), day),
        st.tuples(st.just("correct-rent"), pick, st.none() | st.integers(1, 30), day),
        st.tuples(st.just("declare"), fen, day),
        st.tuples(st.just("receive"), fen, day),
        st.tuples(st.just("dividend"), fen, day),
        st.tuples(st.just("correct-dividend"), pick, st.integers(0, 3_000_000), day),
        st.tuples(st.just("reverse"), st.integers(0, 2), pick, day),
        st.tuples(st.just("plan"), st.integers(1, 100)),
        st.tuples(st.just("supersede"), st.integers(1, 100)),
    ),
    min_size=3,
    max_size=12,
)


def yuan(amount: int) -> str:
    return f"{Decimal(amount) / 100:.2f}"


class Skipped(Exception):
    """The command had nothing to act on."""


class World:
    """A two-village alliance with a joint entity and an agreement, on a fresh SQLite store."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        app = runtime.app
        self.alliance, self.joint, self.v1, self.v2 = self._alliance(app)
        self.enterprise, self.agreement = builders.code("E"), builders.code("AG")
        app.alliances.join_enterprise(
            alliance=self.alliance,
            code=self.enterprise,
            name="企业",
            joined_on=builders.OPENING,
            actor="t",
        )
        app.agreements.sign_agreement(
            code=self.agreement,
            alliance=self.alliance,
            enterprise=self.enterprise,
            signed_on=builders.OPENING,
            start_year=2025,
            years=2,
            invested_capital="100000.00",
            guarantee_kind="amount",
            guarantee_value=Decimal("5000.00"),
            profit_share_percent=Decimal("10"),
            payment_due="12-31",
            actor="t",
        )
        self.plans: list[str] = []

    @staticmethod
    def _alliance(app: Any) -> tuple[str, str, str, str]:
        alliance = builders.alliance(app)
        v1, v2 = builders.village(app), builders.village(app, population=400)
        joint = builders.code("J")
        app.alliances.register_joint_entity(alliance=alliance, code=joint, name="联合社", actor="t")
        app.books.set_opening_balances(entity=joint, as_of=builders.OPENING, balances=[], actor="t")
        for village in (v1, v2):
            app.alliances.join_village(
                alliance=alliance, village=village, joined_on=builders.OPENING, actor="t"
            )
        return alliance, joint, v1, v2

    def entries(self, entity: str, source: str = "") -> list[str]:
        """The entry numbers of a book (posted with a source starting ``source``); a command
        that picks one is skipped when there is none."""
        app = self.runtime.app
        numbers = app.get_books(entity).entry_numbers()
        if source:
            numbers = [
                n for n in numbers if (app.books.find_posted(entity, n)[1] or "").startswith(source)
            ]
        if not numbers:
            raise Skipped
        return numbers

    def run(self, command: tuple[Any, ...]) -> None:
        app, name = self.runtime.app, command[0]
        villages = (self.v1, self.v2)
        if name == "contribute":
            _, i, prog, amount, on = command
            app.pooling.contribute_capital(
                joint=self.joint,
                village=villages[i],
                programme=prog,
                amount=yuan(amount),
                date=on,
                actor="t",
            )
        elif name == "refund":
            _, i, prog, amount, on = command
            app.pooling.refund_capital(
                joint=self.joint,
                village=villages[i],
                programme=prog,
                amount=None if amount is None else yuan(amount),
                date=on,
                reason="退还",
                actor="t",
            )
        elif name == "rent":
            _, i, mu, rate, on = command
            app.pooling.pay_land_rent(
                joint=self.joint,
                village=villages[i],
                mu=Decimal(mu),
                rate_per_mu=f"{rate}.00",
                year=on.year,
                date=on,
                actor="t",
            )
        elif name == "correct-rent":
            _, index, mu, on = command
            numbers = self.entries(self.joint, "land-rent:")
            app.pooling.correct_land_rent(
                joint=self.joint,
                entry=numbers[index % len(numbers)],
                date=on,
                reason="更正",
                mu=None if mu is None else Decimal(mu),
                rate_per_mu=None if mu is None else "300.00",
                year=None if mu is None else on.year,
                actor="t",
            )
        elif name in ("declare", "receive", "dividend"):
            _, amount, on = command
            if name in ("declare", "dividend"):
                app.agreements.declare_dividend(
                    agreement=self.agreement, year=2025, amount=yuan(amount), date=on, actor="t"
                )
            if name in ("receive", "dividend"):
                app.agreements.receive_dividend(
                    agreement=self.agreement, year=2025, amount=yuan(amount), date=on, actor="t"
                )
        elif name == "correct-dividend":
            _, index, amount, on = command
            numbers = self.entries(self.joint, "agreement:")
            app.agreements.correct_dividend(
                agreement=self.agreement,
                entry=numbers[index % len(numbers)],
                year=2025,
                amount=yuan(amount),
                date=on,
                reason="更正",
                actor="t",
            )
        elif name == "reverse":
            _, which, index, on = command
            entity = (self.joint, self.v1, self.v2)[which]
            numbers = self.entries(entity)
            number = numbers[index % len(numbers)]
            source = app.books.find_posted(entity, number)[1]
            must_refuse = correcting_operation(
                source, entity, number, joint_books=entity == self.joint
            )
            try:
                app.books.reverse_entry(
                    entity=entity, number=number, date=on, reason="冲销", actor="t"
                )
            except CrossBookEntryError:
                assert must_refuse is not None, (entity, number, source)
                return
            assert must_refuse is None, (entity, number, source)
        elif name in ("plan", "supersede"):
            self.plan(command[1], supersede=name == "supersede")

    def plan(self, percent: int, *, supersede: bool) -> None:
        """Draft, approve and execute a plan of ``percent`` of the joint entity's undistributed
        income (a superseding one corrects the last executed plan)."""
        app = self.runtime.app
        supersedes = None
        if supersede:
            executed = [p for p in self.plans if app.plans.get_plan(p).state == "executed"]
            if not executed:
                raise Skipped
            supersedes = executed[-1]
        income = app.get_joint(self.joint).available_income().amount
        amount = int(income * percent)  # fen: yuan × 100 × percent / 100
        if amount <= 0:
            raise Skipped
        code = builders.code("P")
        app.plans.draft_plan(
            code=code,
            title="分配方案",
            scope="alliance",
            target=self.alliance,
            period="2025",
            as_of=datetime.date(2025, 12, 31),
            amount=yuan(amount),
            rule=RULE,
            supersedes=supersedes,
            actor="t",
        )
        self.plans.append(code)
        for step in A.ALLIANCE_STEPS:
            app.plans.record_plan_step(code=code, actor="t", **step)
        app.plans.request_execution(code=code, date=A.ALLIANCE_EXECUTED_ON, actor="asker")
        app.plans.execute_plan(code=code, date=A.ALLIANCE_EXECUTED_ON, actor="t")

    def check_views(self) -> None:
        """Every book balances and every view answers; the books' running summaries (issue
        13) are what their accounts add up to."""
        from domain.books.rules import summaries as _summaries

        for entity in (self.joint, self.v1, self.v2):
            books = self.runtime.app.get_books(entity)
            assert (books.totals, books.sub_accounts) == _summaries(
                books.balances, books.account_names
            )
        self.runtime.views.catch_up()
        with self.runtime.engine.connect() as conn:
            for entity in (self.joint, self.v1, self.v2):
                assert queries.trial_balance_for(
                    conn, entity, "2026-01", cumulative=True
                ).is_balanced
                for kind in ("trial-balance", "balance-sheet", "income"):
                    for period in ("2025", "2026-Q1"):
                        statement(conn, entity, kind, parse_period(period), None)
            economy_queries.equity_register(conn, self.joint, TODAY)
            assert economy_queries.agreement_status(conn, self.agreement, TODAY) is not None
            for plan in self.plans:
                assert distribution_statement(conn, plan) is not None
        for village in (self.v1, self.v2):
            publishing.draft_sheet(
                self.runtime, village, "2025", checked_by=[], checked_on=TODAY, opinion=""
            )


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    opening=st.lists(st.tuples(who, programme, fen), min_size=1, max_size=3),
    sequence=commands,
)
def test_random_cross_book_commands_keep_every_pair_of_books_true(
    opening: list[tuple[int, str, int]], sequence: list[tuple[Any, ...]]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        runtime = Runtime(f"sqlite:///{directory}/lz.sqlite3", today=lambda: TODAY)
        try:
            world = World(runtime)
            for i, prog, amount in opening:
                world.run(("contribute", i, prog, amount, START))
            for command in sequence:
                try:
                    world.run(command)
                    event(f"{command[0]} saved")
                except (DomainError, LedgerError, Skipped) as refused:
                    event(f"{command[0]} refused ({type(refused).__name__})")
            world.check_views()
            report = verify(runtime)
            assert report["ok"] is True, report["problems"]

            # one book of a pair edited by hand: verify names the pair
            investment = f"141{world.joint}"
            if investment not in runtime.app.get_books(world.v1).open_accounts:
                runtime.app.books.open_account(
                    entity=world.v1, code=investment, name="长期投资", parent="141", actor="t"
                )
            runtime.app.books.post_entry(
                entity=world.v1,
                date=datetime.date(2025, 12, 31),
                memo="手工补记",
                postings=[
                    {"account": investment, "side": "debit", "amount": "0.01"},
                    {"account": "301", "side": "credit", "amount": "0.01"},
                ],
                actor="t",
            )
            report = verify(runtime)
            assert report["ok"] is False
            assert report["problems"][0]["check"] == "pair"
            assert report["problems"][0]["entity"] == world.v1
            assert report["problems"][0]["account"] == f"141{world.joint}"
        finally:
            runtime.close()
