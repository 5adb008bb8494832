"""Wiring: the write-side application, the read-model engine and the pull loop, built from a
database URL. ``api`` and ``scripts`` both start here (configuration stays at the edge)."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, cast

from sqlalchemy import Engine

from adapters.database import event_store_env, make_engine
from adapters.vault import open_vault
from audit.chain_gate import ChainGate
from audit.keys import PublicKey, Signer
from audit.sealing import seal_existing, store_identity
from audit.signing import KEY_ENV
from audit.store_keys import (
    KeyLocations,
    StoreKeys,
    load_data_key,
    recorded,
    trusted_keys,
)
from domain.store import StoreApplication
from projections.registry import read_models
from projections.runner import PullLoop

if TYPE_CHECKING:
    from domain.application import LianzhangApplication


class Runtime:
    """Everything a process needs to write commands and read views of one database.

    ``commands=False``: a process that only reads the log into the read models (``lianzhang
    rebuild``): ``app`` is the store alone (``domain.store``), the same recorder, mapper, keys
    and chain gate, without the services (and without importing every aggregate first)."""

    def __init__(
        self,
        database_url: str,
        *,
        schema: str | None = None,
        today: Callable[[], datetime.date] = datetime.date.today,
        signing_key: Path | None = None,
        keys: KeyLocations | None = None,
        commands: bool = True,
    ) -> None:
        self.database_url = database_url
        self.schema = schema
        # where the keys are (absolute, never the working directory) and the check that they
        # are this store's keys, before anything is written (audit/store_keys.py); the server
        # and the commands pass ``web.settings.Settings.key_locations()``
        self.keys = keys or KeyLocations.from_env(database_url, schema)
        if signing_key is not None:
            self.keys = dataclasses.replace(self.keys, signing=signing_key.resolve())
        self.key_path = self.keys.signing
        self.engine: Engine = make_engine(database_url, schema)
        try:
            self.store_keys = StoreKeys(self.engine, self.keys, "")
            self.store_keys.prepare()
            with self.engine.connect() as conn:
                keyed_before = bool(recorded(conn, "signing", None))
            self.vault = open_vault(database_url, self.engine, self.keys.data)
        except BaseException:
            self.engine.dispose()
            raise
        env = {**event_store_env(database_url, schema), KEY_ENV: str(self.key_path)}
        try:
            if commands:
                from domain.application import LianzhangApplication

                self.app = LianzhangApplication(env, today=today, vault=self.vault)
            else:
                # only the log is read: the services are never reached (typed as the whole)
                self.app = cast("LianzhangApplication", StoreApplication(env))
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
        # a store written before the signed chain: its events are chained once, now; never a
        # store that had recorded its key (its chain emptied is a tampering, not an upgrade)
        self.sealed_at_upgrade = (
            0
            if keyed_before
            else seal_existing(
                self.engine,
                self.app.recorder,
                self.signer,
                register=self.key_path.with_name(self.key_path.name + ".sealed"),
                store=store_identity(database_url, schema),
            )
        )
        # the read models show only what the signed chain covers (audit.chain_gate)
        self.gate = ChainGate(
            self.engine,
            self.app.recorder.events_table_name,  # type: ignore[attr-defined]
            self.public_keys(),
            final=self.signer.key_id,
            signer=self.signer,  # writes the gate's checkpoints (audit.gate_checkpoints)
        )
        self.views = PullLoop(
            self.app,
            self.engine,
            read_models(self.vault),  # every registered read model (projections.registry)
            gate=self.gate,
        )
        self.views.create_tables()
        if commands:
            # the one-login-per-person rule of people's commands reads the active people here
            self.app.people.directory = self.active_people

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
        """Every key the signed chain of this store may be signed with, by key id: the keys
        the store recorded (``lz_store_keys``, rotations included) and the present one. The
        chain gate checks each save with the key valid at its place, following rotations."""
        with self.engine.connect() as conn:
            keys = trusted_keys(conn)
        keys[self.signer.key_id] = self.signer.public
        return keys

    def close(self) -> None:
        self.app.close()
        self.vault.keys.close()
        self.engine.dispose()
