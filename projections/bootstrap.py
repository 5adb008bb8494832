"""Wiring: the write-side application, the read-model engine and the pull loop, built from a
database URL. ``api`` and ``scripts`` both start here (configuration stays at the edge)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from domain.application import LianzhangApplication
from projections.audit import AuditProjection, ChainProjection
from projections.database import event_store_env, make_engine
from projections.economy_view import EconomyProjection
from projections.ledger_view import LedgerProjection
from projections.people_view import PeopleProjection
from projections.runner import PullLoop
from projections.signing import KEY_ENV, Signer, seal_existing, store_identity
from projections.store_keys import KeyLocations, StoreKeys, load_data_key
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
        keys: KeyLocations | None = None,
    ) -> None:
        self.database_url = database_url
        self.schema = schema
        # where the keys are (absolute, never the working directory) and the check that they
        # are this store's keys, before anything is written (projections/store_keys.py)
        self.keys = keys or KeyLocations.from_env(database_url, schema)
        if signing_key is not None:
            self.keys = dataclasses.replace(self.keys, signing=signing_key.resolve())
        self.key_path = self.keys.signing
        self.engine: Engine = make_engine(database_url, schema)
        try:
            self.store_keys = StoreKeys(self.engine, self.keys, "")
            self.store_keys.prepare()
            self.vault = open_vault(database_url, self.engine, self.keys.data)
        except BaseException:
            self.engine.dispose()
            raise
        try:
            self.app = LianzhangApplication(
                {**event_store_env(database_url, schema), KEY_ENV: str(self.key_path)},
                today=today,
                vault=self.vault,
            )
        except BaseException:
            self.vault.keys.close()
            self.engine.dispose()
            raise
        self.signer: Signer = self.app.recorder.signer  # type: ignore[attr-defined]
        try:
            self.store_keys.confirm(self.app.recorder, self.signer, load_data_key(self.keys.data))
        except BaseException:
            self.close()
            raise
        # a store written before the signed chain: its events are chained once, now
        self.sealed_at_upgrade = seal_existing(
            self.engine,
            self.app.recorder,
            self.signer,
            register=self.key_path.with_name(self.key_path.name + ".sealed"),
            store=store_identity(database_url, schema),
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
        )
        self.views.create_tables()

    def close(self) -> None:
        self.app.close()
        self.vault.keys.close()
        self.engine.dispose()
