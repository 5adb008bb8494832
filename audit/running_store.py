"""What the audit and publishing functions read of a running store, as one Protocol: the
application and its event log, the read-model engine and pull loop, and the key that signs.
The runtime (``runtime.bootstrap.Runtime``) is one; callers pass theirs, so these modules never
import the composition root. A function that needs more extends it (``audit.verify.Verified``,
``audit.restore.Restored``)."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Engine

from audit.keys import Signer
from domain.application import LianzhangApplication
from projections.runner import PullLoop


class RunningStore(Protocol):
    """The application, the engine its read models are in, the pull loop, the signing key."""

    @property
    def app(self) -> LianzhangApplication: ...

    @property
    def engine(self) -> Engine: ...

    @property
    def views(self) -> PullLoop: ...

    @property
    def signer(self) -> Signer: ...
