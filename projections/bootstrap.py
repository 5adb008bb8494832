"""Wiring: the write-side application, the read-model engine and the pull loop, built from a
database URL. ``api`` and ``scripts`` both start here (configuration stays at the edge)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from domain.application import LianzhangApplication
from projections.audit import AuditProjection, ChainProjection
from projections.chain_gate import ChainGate
from projections.database import event_store_env, make_engine
from projections.economy_view import EconomyProjection
from projections.ledger_view import LedgerProjection
from projections.people_view import PeopleProjection
from projections.runner import PullLoop
from projections.signing import (
    KEY_ENV,
    PublicKey,
    Signer,
    key_path,
    seal_existing,
    store_identity,
)
from projections.vault import open_vault
from projections.voucher_view import VoucherProjection


class Runtime:
    """Everything a process needs to write commands and read views of one database."""

    def __init__(
        self,
        database_url: str,
        *,
        schema: str | None = None,
        today: Callable[[], datetime.date] = datetime.date.today,
        signing_key: Path | None = None,
    ) -> None:
        self.database_url = database_url
        self.schema = schema
        self.key_path = signing_key or key_path(database_url)
        self.engine: Engine = make_engine(database_url, schema)
        self.vault = open_vault(database_url, self.engine)
        self.app = LianzhangApplication(
            {**event_store_env(database_url, schema), KEY_ENV: str(self.key_path)},
            today=today,
            vault=self.vault,
        )
        self.signer: Signer = self.app.recorder.signer  # type: ignore[attr-defined]
        # a store written before the signed chain: its events are chained once, now
        self.sealed_at_upgrade = seal_existing(
            self.engine,
            self.app.recorder,
            self.signer,
            register=self.key_path.with_name(self.key_path.name + ".sealed"),
            store=store_identity(database_url, schema),
        )
        # the read models show only what the signed chain covers (projections.chain_gate)
        self.gate = ChainGate(
            self.engine,
            self.app.recorder.events_table_name,  # type: ignore[attr-defined]
            self.public_keys(),
        )
        self.views = PullLoop(
            self.app,
            self.engine,
            [
                LedgerProjection(),
                EconomyProjection(self.vault),
                ChainProjection(),
                AuditProjection(),
                PeopleProjection(),
                VoucherProjection(),
            ],
            gate=self.gate,
        )
        self.views.create_tables()
        # the one-login-per-person rule of people's commands reads the active people here
        self.app.people_directory = self.active_people

    def active_people(self) -> list[tuple[str, str, str | None]]:
        """(login, 姓名, 手机号) of every active person, the read model brought up first."""
        from projections.people_view import person_list

        self.views.catch_up()
        return [
            (str(p["login"]), str(p["name"]), p["phone"])
            for p in person_list(self.engine)
            if not p["disabled"]
        ]

    def public_keys(self) -> dict[str, PublicKey]:
        """Every key the signed chain of this store may be signed with, by key id (the chain
        gate checks each save with the key its last row names)."""
        return {self.signer.key_id: self.signer.public}

    def close(self) -> None:
        self.app.close()
        self.vault.keys.close()
        self.engine.dispose()
