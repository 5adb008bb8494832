"""People's passwords and sessions: two side tables beside the log.

Not read models: they have their own ``MetaData`` (like ``lz_api_tokens`` in ``web.tokens``),
so a rebuild of the read models never drops them. The person (login, 姓名, role, townships,
disabled) is in the log (``domain.people``); only what must never be there is here.

- ``lz_credentials``: one row per login: the password's Argon2id hash (pwdlib's
  ``PasswordHash.recommended()``, the string starts ``$argon2id$``), and the login's failures
  from every address. Failed logins are counted by login and client address
  (``web.lockout``: five from one address make that address wait 15 minutes, then twice as
  long after each further failure; no address can lock the login for another). Attempts at one
  login are checked one after another (a lock per login in the process, and each attempt
  counted in the database before its check), and Argon2 work is bounded for the process
  (``web.hash_slots``). Unknown logins, wrong passwords and locked addresses get the same
  answer (:data:`WRONG`, 401), each after one Argon2 check (a dummy one when there is nothing
  to check), so neither the text nor the time tells which logins exist.
- ``lz_sessions``: one row per browser session: the SHA-256 of its id (the id itself is only
  in the person's cookie), the login, its CSRF token, and when it was made and last used. A
  session ends after :data:`IDLE` (12 hours) without a request, and :data:`ABSOLUTE` (7 days)
  after login whatever happens; at logout; and when the person is disabled
  (:meth:`UserStore.end_sessions`).

Decision: sessions are opaque random ids looked up on the server, not self-contained signed
cookies, so a logout or a disabled person takes effect at once, on every device.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from pwdlib import PasswordHash
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import IntegrityError

from web import lockout
from web.hash_slots import SLOTS, Busy, HashSlots
from web.lockout import LOCKOUT, MAX_FAILURES
from web.user_tables import credentials, sessions, users_metadata

MIN_PASSWORD = 8
MAX_PASSWORD = 128
IDLE = datetime.timedelta(hours=12)
ABSOLUTE = datetime.timedelta(days=7)
# the last-used time is written at most this often (not on every page)
TOUCH_EVERY = datetime.timedelta(minutes=1)

_hasher = PasswordHash.recommended()
# verified against when the login is unknown, so an unknown login takes as long as a known one


@functools.cache
def _dummy_hash() -> str:
    """A hash of no one's password, verified for an unknown login so that it takes the time a
    known one does; made at the first login attempt, not when the module is imported (every
    command of the command line imports it, and a hash is ~0.1 s of start-up)."""
    return _hasher.hash(secrets.token_urlsafe(16))


class PasswordError(ValueError):
    """A password cannot be set or changed; the message (Chinese) says why."""

    def __init__(self, message: str, field: str = "password") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class LoginRefused(Exception):
    """A login is refused; ``message`` (Chinese) is what the login page says."""

    def __init__(self, message: str, *, locked_until: datetime.datetime | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.locked_until = locked_until


class LoginBusy(LoginRefused):
    """Too many password checks at once in this process: 429 with ``Retry-After``."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"登录的人太多，请 {retry_after} 秒后再试")
        self.retry_after = retry_after


# the one answer to an unknown login, a wrong password and a locked address alike
WRONG = "登录名或密码不正确（多次输错后须等候一段时间才能再试，或请管理员解锁）"

# attempts at one login are checked one after another in a process
_login_locks: dict[str, threading.Lock] = {}
_login_locks_guard = threading.Lock()


def _login_lock(login: str) -> threading.Lock:
    with _login_locks_guard:
        lock = _login_locks.get(login)
        if lock is None:
            lock = _login_locks[login] = threading.Lock()
        return lock


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """SQLite gives back naive datetimes: they were written in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    return moment


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def check_new_password(password: str) -> None:
    """Refuse a password that is too short or too long."""
    if len(password) < MIN_PASSWORD:
        raise PasswordError(f"密码至少 {MIN_PASSWORD} 位", "new_password")
    if len(password) > MAX_PASSWORD:
        raise PasswordError(f"密码最多 {MAX_PASSWORD} 位", "new_password")
    if password.strip() != password or not password.isprintable():
        raise PasswordError("密码的首尾不能有空格，也不能有控制字符", "new_password")


@dataclass(frozen=True)
class Session:
    """A live session: whose, and its CSRF token."""

    login: str
    csrf: str
    created_at: datetime.datetime
    last_seen: datetime.datetime


class UserStore:
    """Passwords (hashed), lock-out and sessions of people, on the store's database."""

    def __init__(
        self,
        engine: Engine,
        *,
        now: Callable[[], datetime.datetime] = utcnow,
        slots: HashSlots = SLOTS,
        hasher: PasswordHash | None = None,
    ) -> None:
        """``hasher``: pwdlib's recommended Argon2id unless given (tests give a cheaper
        Argon2id, the same algorithm with less memory and time)."""
        self.engine = engine
        self.now = now
        self.slots = slots
        self.hasher = hasher or _hasher
        self._own_dummy = None if hasher is None else hasher.hash(secrets.token_urlsafe(16))
        users_metadata.create_all(engine)

    def _dummy(self) -> str:
        return self._own_dummy or _dummy_hash()

    # -- passwords ---------------------------------------------------------------------------

    def set_password(self, login: str, password: str) -> None:
        """Set (or reset) ``login``'s password, and lift any lock-out; an administrator's act
        (the command line, a new person). Checks the password first."""
        check_new_password(password)
        hashed = self.hasher.hash(password)
        now = self.now()
        with self.engine.begin() as conn:
            lockout.unlock(conn, login)
            done = conn.execute(
                update(credentials)
                .where(credentials.c.login == login)
                .values(password_hash=hashed, failures=0, locked_until=None, changed_at=now)
            )
            if done.rowcount == 0:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            credentials.insert().values(
                                login=login, password_hash=hashed, failures=0, changed_at=now
                            )
                        )
                except IntegrityError:  # set at the same moment by another: ours wins
                    conn.execute(
                        update(credentials)
                        .where(credentials.c.login == login)
                        .values(password_hash=hashed, failures=0, locked_until=None, changed_at=now)
                    )

    def has_password(self, login: str) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(
                    select(credentials.c.login).where(credentials.c.login == login)
                ).first()
                is not None
            )

    def password_hash(self, login: str) -> str | None:
        """The stored hash (for tests and audits: never the password)."""
        with self.engine.connect() as conn:
            value = conn.execute(
                select(credentials.c.password_hash).where(credentials.c.login == login)
            ).scalar_one_or_none()
        return None if value is None else str(value)

    def unlock(self, login: str) -> int:
        """Lift every lock-out of ``login`` (``lianzhang user unlock``); how many addresses were
        counting failures."""
        with self.engine.begin() as conn:
            return lockout.unlock(conn, login)

    def verify(self, login: str, password: str, address: str | None = None) -> None:
        """Check ``login``'s password from client ``address``: returns when it is right, else
        raises :class:`LoginRefused` with :data:`WRONG` (unknown, wrong or locked alike), or
        :class:`LoginBusy` when the process has no slot for the check."""
        where = lockout.clean_address(address)
        try:
            self._verify(login, password, where)
        except Busy as busy:
            raise LoginBusy(busy.retry_after) from None

    def _verify(self, login: str, password: str, address: str) -> None:
        with self.engine.connect() as conn:
            stored = conn.execute(
                select(credentials.c.password_hash).where(credentials.c.login == login)
            ).scalar_one_or_none()
        if stored is None:
            with self.slots.slot():
                self.hasher.verify(password, self._dummy())  # the same time as a known login
            raise LoginRefused(WRONG)
        # a slot first (a full queue answers at once), then this login's turn: attempts at one
        # login are checked one after another, each counted before its check
        with self.slots.slot():
            with _login_lock(login):
                with self.engine.begin() as conn:
                    allowed = lockout.reserve(conn, login, address, self.now())
                right = False
                if allowed:
                    right = self._check(login, password, stored, address)
            if not allowed:  # outside the login's turn, the same time as a check
                self.hasher.verify(password, self._dummy())
        if not right:
            raise LoginRefused(WRONG)

    def _check(self, login: str, password: str, stored: str, address: str) -> bool:
        """Check a reserved attempt and record its outcome."""
        try:
            right, rehashed = self.hasher.verify_and_update(password, stored)
        except Exception:  # a hash pwdlib does not know: never a login
            right, rehashed = False, None
        with self.engine.begin() as conn:
            if not right:
                lockout.failed(conn, login, address, self.now())
                return False
            lockout.succeeded(conn, login, address)
            if rehashed:
                conn.execute(
                    update(credentials)
                    .where(credentials.c.login == login)
                    .values(password_hash=rehashed)
                )
        return True

    def change_password(self, login: str, old: str, new: str, address: str | None = None) -> None:
        """The person's own change: the old password is needed (a wrong one counts as a failed
        login from ``address``, so the lock-out also guards this form)."""
        check_new_password(new)
        try:
            self.verify(login, old, address)
        except LoginBusy as busy:
            raise PasswordError(busy.message, "old_password") from None
        except LoginRefused:
            raise PasswordError(
                "原密码不正确（多次输错后须等候一段时间才能再试）", "old_password"
            ) from None
        if new == old:
            raise PasswordError("新密码不能与原密码相同", "new_password")
        self.set_password(login, new)

    # -- sessions ----------------------------------------------------------------------------

    def start_session(self, login: str) -> tuple[str, str]:
        """A new session for ``login``: (session id for the cookie, CSRF token)."""
        session_id = secrets.token_urlsafe(32)  # 256 random bits
        csrf = secrets.token_urlsafe(32)
        now = self.now()
        with self.engine.begin() as conn:
            # sessions nobody came back to are deleted here (a live one is checked when used)
            conn.execute(
                delete(sessions).where(
                    (sessions.c.last_seen < now - IDLE) | (sessions.c.created_at < now - ABSOLUTE)
                )
            )
            conn.execute(
                sessions.insert().values(
                    id_hash=_digest(session_id),
                    login=login,
                    csrf=csrf,
                    created_at=now,
                    last_seen=now,
                )
            )
        return session_id, csrf

    def session(self, session_id: str | None) -> Session | None:
        """The live session of ``session_id``, or None (unknown, idle too long, too old: an
        expired one is deleted). Notes that it was used now."""
        if not session_id or len(session_id) > 100:
            return None
        key = _digest(session_id)
        now = self.now()
        with self.engine.connect() as conn:
            row = conn.execute(select(sessions).where(sessions.c.id_hash == key)).first()
        if row is None:
            return None
        created, seen = _aware(row.created_at), _aware(row.last_seen)
        assert created is not None and seen is not None
        if now - seen > IDLE or now - created > ABSOLUTE:
            self.end_session(session_id)
            return None
        if now - seen > TOUCH_EVERY:
            with self.engine.begin() as conn:
                conn.execute(
                    update(sessions).where(sessions.c.id_hash == key).values(last_seen=now)
                )
            seen = now
        return Session(login=row.login, csrf=row.csrf, created_at=created, last_seen=seen)

    def end_session(self, session_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions).where(sessions.c.id_hash == _digest(session_id)))

    def end_sessions(self, login: str, *, keep: str | None = None) -> int:
        """End every session of ``login`` (but ``keep``'s); returns how many ended."""
        statement = delete(sessions).where(sessions.c.login == login)
        if keep is not None:
            statement = statement.where(sessions.c.id_hash != _digest(keep))
        with self.engine.begin() as conn:
            return int(conn.execute(statement).rowcount or 0)

    def count_sessions(self, login: str) -> int:
        with self.engine.connect() as conn:
            return len(
                conn.execute(select(sessions.c.id_hash).where(sessions.c.login == login)).all()
            )


__all__ = [
    "ABSOLUTE",
    "IDLE",
    "LOCKOUT",
    "MAX_FAILURES",
    "WRONG",
    "LoginBusy",
    "LoginRefused",
    "PasswordError",
    "Session",
    "UserStore",
    "check_new_password",
    "credentials",
    "sessions",
    "users_metadata",
]
