"""Failed logins, by login AND client address, in the database (guessing passwords is slowed
without letting anyone lock another person out).

Nobody can lock another person out: failures count per (login, client address) in
``lz_login_failures``, a table beside ``lz_credentials`` (never a read model, so never dropped by
a rebuild; in the database, so every server process sees the same counts).

- After :data:`MAX_FAILURES` (5) failures in a row from one address, that address may not try
  that login for :data:`LOCKOUT` (15 minutes); each further failure from it after a lock doubles
  the wait (30 min, 1 h, … at most :data:`MAX_LOCK`, 24 h). Other addresses are not touched:
  five anonymous requests lock only the sender out.
- Across all addresses a login is only **slowed**, never locked: after :data:`GLOBAL_SLOW` (50)
  failures since its last good login, it is checked at most once every :data:`GLOBAL_INTERVAL`
  (5 s), whoever asks (``lz_credentials.failures`` and ``locked_until`` hold this count and the
  next moment a check is allowed).
- Every attempt is counted *before* its password is checked (:func:`reserve`, one short
  transaction that first locks the login's credentials row, ``SELECT … FOR UPDATE``), and the
  attempt that may be the fifth failure holds the address for :data:`PENDING` until its check is
  done. So thirty guesses sent at once meet the lock-out between them, in one process or many:
  five are checked, the rest are refused without a check.
- A good login clears its address's failures and the login's count; ``lianzhang user unlock
  LOGIN`` and an administrator's new password (:func:`unlock`) clear every address.

Behind a reverse proxy the client address is the proxy's unless the server is told to trust its
``X-Forwarded-For`` (uvicorn's ``--proxy-headers``, trusted from 127.0.0.1 by default); then all
clerks behind one proxy would share one address.
"""

from __future__ import annotations

import datetime

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    delete,
    select,
    update,
)

from web.user_tables import credentials, users_metadata

MAX_FAILURES = 5
LOCKOUT = datetime.timedelta(minutes=15)
MAX_LOCK = datetime.timedelta(hours=24)
PENDING = datetime.timedelta(seconds=60)  # the address held while its fifth attempt is checked
GLOBAL_SLOW = 50
GLOBAL_INTERVAL = datetime.timedelta(seconds=5)
MAX_ADDRESS = 64

login_failures = Table(
    "lz_login_failures",
    users_metadata,
    Column("login", String(64), nullable=False),
    Column("address", String(MAX_ADDRESS), nullable=False),
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("last_failure", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("login", "address"),
)


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """SQLite gives back naive datetimes: they were written in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    return moment


def lock_for(failures: int) -> datetime.timedelta:
    """How long an address waits after its ``failures``-th failure in a row (≥ 5)."""
    doubling = min(max(failures - MAX_FAILURES, 0), 16)
    wait: datetime.timedelta = LOCKOUT * (2**doubling)
    return min(wait, MAX_LOCK)


def clean_address(address: str | None) -> str:
    return (address or "unknown")[:MAX_ADDRESS]


def reserve(conn: Connection, login: str, address: str, now: datetime.datetime) -> bool:
    """Count an attempt at ``login`` from ``address`` before its check; False when it may not be
    checked now (the address is locked, or the login is being slowed). Runs in the caller's
    transaction, which it begins by locking the login's credentials row."""
    cred = conn.execute(
        select(credentials.c.failures, credentials.c.locked_until)
        .where(credentials.c.login == login)
        .with_for_update()
    ).first()
    if cred is None:
        return False
    total = int(cred.failures or 0)
    slowed_until = _aware(cred.locked_until)
    if total >= GLOBAL_SLOW and slowed_until is not None and slowed_until > now:
        return False
    key = (login_failures.c.login == login) & (login_failures.c.address == address)
    row = conn.execute(
        select(login_failures.c.failures, login_failures.c.locked_until).where(key)
    ).first()
    locked_until = _aware(row.locked_until) if row is not None else None
    if locked_until is not None and locked_until > now:
        return False
    failures = (int(row.failures) if row is not None else 0) + 1
    hold = now + PENDING if failures >= MAX_FAILURES else None
    if row is None:
        # rows of addresses that gave up long ago go when a new one comes
        conn.execute(
            delete(login_failures).where(
                (login_failures.c.login == login)
                & (login_failures.c.last_failure < now - MAX_LOCK)
                & (login_failures.c.locked_until.is_(None) | (login_failures.c.locked_until < now))
            )
        )
        conn.execute(
            login_failures.insert().values(
                login=login, address=address, failures=failures, locked_until=hold, last_failure=now
            )
        )
    else:
        conn.execute(
            update(login_failures)
            .where(key)
            .values(failures=failures, locked_until=hold, last_failure=now)
        )
    total += 1
    conn.execute(
        update(credentials)
        .where(credentials.c.login == login)
        .values(
            failures=total,
            locked_until=now + GLOBAL_INTERVAL if total >= GLOBAL_SLOW else None,
        )
    )
    return True


def failed(conn: Connection, login: str, address: str, now: datetime.datetime) -> None:
    """The reserved attempt was wrong: from the fifth failure on, the address waits."""
    key = (login_failures.c.login == login) & (login_failures.c.address == address)
    row = conn.execute(select(login_failures.c.failures).where(key).with_for_update()).first()
    if row is None or int(row.failures) < MAX_FAILURES:
        return
    conn.execute(
        update(login_failures).where(key).values(locked_until=now + lock_for(int(row.failures)))
    )


def succeeded(conn: Connection, login: str, address: str) -> None:
    """A good login: its address starts afresh, and the login is no longer slowed."""
    conn.execute(
        delete(login_failures).where(
            (login_failures.c.login == login) & (login_failures.c.address == address)
        )
    )
    conn.execute(
        update(credentials)
        .where(credentials.c.login == login)
        .values(failures=0, locked_until=None)
    )


def unlock(conn: Connection, login: str) -> int:
    """Lift every lock of ``login`` (``lianzhang user unlock``, a new password); how many
    addresses were counting."""
    done = conn.execute(delete(login_failures).where(login_failures.c.login == login))
    conn.execute(
        update(credentials)
        .where(credentials.c.login == login)
        .values(failures=0, locked_until=None)
    )
    return int(done.rowcount or 0)
