"""Whether this server is ready to answer (``GET /readyz``): each check by name, with what it
found in English and in Chinese.

- ``database``: the database answers (the log's head is read); when it does not, the other
  checks are not made.
- ``chain``: the read models do not stop before an event the signed chain does not cover
  (``audit.chain_gate``: every view would answer 503 ``chain-broken``).
- ``read-models-stuck``: no read model is stuck on an event (``projections.runner``), as this
  process found it or, in worker mode, as the youngest worker's heartbeat says.
- ``read-models-lag``: the read models are at most ``LIANZHANG_READY_LAG_EVENTS`` events behind
  the log, and the oldest event they have not applied was recorded at most
  ``LIANZHANG_READY_LAG_SECONDS`` ago. In request mode the check first catches them up, as
  any request would.
- ``worker`` (worker mode): a ``lianzhang worker`` wrote its heartbeat at most
  ``LIANZHANG_WORKER_SILENCE_SECONDS`` ago (``runtime.heartbeat``).
- ``replica`` (with ``LIANZHANG_READ_URL``): the replica answers and is within its lag budget
  (measured now; ``projections.reads.Replica``). When it fails, public pages and statements are
  still answered, from the primary: the server is not ready as configured, and says so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from projections.reads import all_positions, event_time
from runtime.bootstrap import Runtime
from runtime.heartbeat import Heartbeats
from web.deps import Reads
from web.read_from import DATABASE_DOWN, probe
from web.settings import Settings


@dataclass(frozen=True)
class Check:
    """One check: its machine name, whether it passed, and what it found."""

    name: str
    ok: bool
    detail: str
    zh: str
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "zh": self.zh}


@dataclass
class Readiness:
    """Every check made, and what the answer carries beside them."""

    checks: list[Check] = field(default_factory=list)
    body: dict[str, Any] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)

    def answer(self) -> dict[str, Any]:
        failing = [c for c in self.checks if not c.ok]
        out: dict[str, Any] = {"status": "ok" if not failing else "degraded", **self.body}
        out["checks"] = [c.as_dict() for c in self.checks]
        out["failing"] = [c.name for c in failing]
        if failing:
            out["detail"] = "; ".join(c.detail for c in failing)
            out["zh"] = "；".join(c.zh for c in failing)
        return out


def readiness(runtime: Runtime, reads: Reads, settings: Settings, heartbeats: Any) -> Readiness:
    """Make every check (see the module). ``heartbeats``: a callable giving the store's
    :class:`Heartbeats` (made when first needed)."""
    found = Readiness()
    worker_mode = not reads.catch_up_in_request
    found.body["mode"] = "worker" if worker_mode else "request"
    try:
        probe(runtime.engine)  # fails at once where the event store's pool would retry
        if reads.catch_up_in_request:
            runtime.views.catch_up()
        head = runtime.views.head()
        at = all_positions(runtime.engine)
    except DATABASE_DOWN as error:
        found.checks.append(
            Check(
                "database",
                False,
                f"the database does not answer ({_first_line(error)})",
                "数据库连不上",
            )
        )
        return found
    found.checks.append(Check("database", True, "the database answers", "数据库正常"))
    names = [p.name for p in runtime.views.projections]
    tracked = {name: at.get(name, 0) for name in names}
    found.body.update(events=head, read_models=tracked)
    broken = runtime.gate.broken
    if broken is None:
        found.checks.append(Check("chain", True, "the signed chain covers the log", "事件链完整"))
    else:
        found.body["chain"] = broken.as_dict()
        found.checks.append(Check("chain", False, broken.sentence(), broken.sentence_zh()))
    beat = None
    if worker_mode:
        try:
            beat = heartbeats().youngest()
        except SQLAlchemyError as error:
            found.checks.append(
                Check(
                    "worker",
                    False,
                    f"cannot read the workers' heartbeats ({_first_line(error)})",
                    "无法读取后台更新进程的心跳",
                )
            )
    found.checks.append(_stuck(runtime, beat, found.body))
    found.checks.append(_lag(runtime, head, tracked, settings))
    if worker_mode and not any(c.name == "worker" for c in found.checks):
        found.checks.append(_worker(beat, settings, found.body))
    if reads.replica is not None:
        state = reads.replica.state(runtime.engine, fresh=True)
        found.body["replica"] = state.as_dict()
        found.checks.append(Check("replica", state.usable, state.sentence(), state.sentence_zh()))
    return found


def _stuck(runtime: Runtime, beat: Any, body: dict[str, Any]) -> Check:
    stuck = {s.projection: s.as_dict() for s in runtime.views.stuck.values()}
    for item in beat.stuck if beat is not None else []:
        stuck.setdefault(str(item["projection"]), item)
    if not stuck:
        return Check("read-models-stuck", True, "no read model is stuck", "查询数据正常更新")
    items = [stuck[name] for name in sorted(stuck)]
    body["stuck"] = items
    detail = "; ".join(
        f"read model {s['projection']!r} is stuck at event {s['position']} ({s['error']})"
        for s in items
    )
    zh = "、".join(f"{s['projection']}（第 {s['position']} 号事件）" for s in items)
    return Check("read-models-stuck", False, detail, f"查询数据卡在某个事件上：{zh}，请联系管理员")


def _lag(runtime: Runtime, head: int, tracked: dict[str, int], settings: Settings) -> Check:
    lowest = min(tracked.values(), default=head)
    behind = max(head - lowest, 0)
    age = None
    if behind:
        moment = event_time(runtime.app, lowest + 1)
        if moment is not None:
            age = (datetime.datetime.now(datetime.UTC) - moment).total_seconds()
    over_events = behind > settings.ready_lag_events
    over_seconds = age is not None and age > settings.ready_lag_seconds
    words = f"{behind} events behind the log" + (
        f", the oldest not applied recorded {age:.0f} s ago" if age is not None else ""
    )
    if not over_events and not over_seconds:
        return Check("read-models-lag", True, f"the read models are {words}", "查询数据是最新的")
    budget = f"{settings.ready_lag_events} events, {settings.ready_lag_seconds:g} s"
    zh = f"查询数据落后 {behind} 个事件"
    if age is not None:
        zh += f"（最早的已等 {age:.0f} 秒）"
    return Check(
        "read-models-lag",
        False,
        f"the read models are {words} (budget {budget})",
        zh + "，后台更新可能停了",
    )


def _worker(beat: Any, settings: Settings, body: dict[str, Any]) -> Check:
    budget = settings.worker_silence_seconds
    if beat is None:
        return Check(
            "worker",
            False,
            "no `lianzhang worker` is running on this database (no heartbeat)",
            "后台更新进程（lianzhang worker）没有运行",
        )
    silence = beat.silence_seconds()
    body["worker"] = {"host": beat.host, "pid": beat.pid, "silence_seconds": round(silence, 1)}
    if silence > budget:
        return Check(
            "worker",
            False,
            f"the youngest worker ({beat.host} pid {beat.pid}) was last seen {silence:.0f} s ago "
            f"(budget {budget:g} s)",
            f"后台更新进程已 {silence:.0f} 秒没有响应",
        )
    return Check(
        "worker",
        True,
        f"worker {beat.host} pid {beat.pid} seen {silence:.1f} s ago",
        "后台更新进程正常",
    )


def make_heartbeats(runtime: Runtime) -> Heartbeats:
    return Heartbeats(runtime.engine)


def _first_line(error: BaseException) -> str:
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return f"{type(original).__name__}: {lines[0]}" if lines else type(original).__name__
