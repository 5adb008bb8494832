"""People's passwords and sessions: two side tables beside the log (issue 10 item 1).

Not read models: they have their own ``MetaData`` (like ``lz_api_tokens`` in ``api.tokens``),
so a rebuild of the read models never drops them. The person (login, 姓名, role, townships,
disabled) is in the log (``domain.people``); only what must never be there is here.

- ``lz_credentials``: one row per login: the password's Argon2id hash (pwdlib's
  ``PasswordHash.recommended()``, the string starts ``$argon2id$``), the count of failed
  logins, and until when the login is locked. After :data:`MAX_FAILURES` failures in a row
  the login is locked for :data:`LOCKOUT` (15 minutes): every attempt until then is refused,
  with the right password too, and the refusal says when the lock ends without saying whether
  the password was right.
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
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from pwdlib import PasswordHash
from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

MIN_PASSWORD = 8
MAX_PASSWORD = 128
MAX_FAILURES = 5
LOCKOUT = datetime.timedelta(minutes=15)
IDLE = datetime.timedelta(hours=12)
ABSOLUTE = datetime.timedelta(days=7)
# the last-used time is written at most this often (not on every page)
TOUCH_EVERY = datetime.timedelta(minutes=1)
CHINA = datetime.timezone(datetime.timedelta(hours=8), "CST")

# Not a read model: kept out of the projections' metadata so a rebuild never drops it.
users_metadata = MetaData()

credentials = Table(
    "lz_credentials",
    users_metadata,
    Column("login", String(64), primary_key=True),
    Column("password_hash", Text, nullable=False),
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", DateTime(timezone=True)),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "lz_sessions",
    users_metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("login", String(64), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_seen", DateTime(timezone=True), nullable=False),
)

_hasher = PasswordHash.recommended()
# verified against when the login is unknown, so an unknown login takes as long as a known one
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


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


WRONG = "登录名或密码不正确"


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    """SQLite gives back naive datetimes: they were written in UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    return moment


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def locked_message(until: datetime.datetime) -> str:
    """The refusal of a locked login, in Chinese, with when the lock ends (Beijing time)."""
    local = until.astimezone(CHINA)
    return (
        f"连续 {MAX_FAILURES} 次登录失败，该账户已锁定 {int(LOCKOUT.total_seconds() // 60)} "
        f"分钟，请于 {local:%H:%M}（北京时间）以后再试"
    )


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

    def __init__(self, engine: Engine, *, now: Callable[[], datetime.datetime] = utcnow) -> None:
        self.engine = engine
        self.now = now
        users_metadata.create_all(engine)

    # -- passwords ---------------------------------------------------------------------------

    def set_password(self, login: str, password: str) -> None:
        """Set (or reset) ``login``'s password, and lift any lock-out; an administrator's act
        (the command line, a new person). Checks the password first."""
        check_new_password(password)
        hashed = _hasher.hash(password)
        now = self.now()
        with self.engine.begin() as conn:
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

    def verify(self, login: str, password: str) -> None:
        """Check ``login``'s password, counting failures: returns when it is right, else
        raises :class:`LoginRefused` (locked: says until when, right password or not)."""
        now = self.now()
        with self.engine.connect() as conn:
            row = conn.execute(select(credentials).where(credentials.c.login == login)).first()
        if row is None:
            _hasher.verify(password, _DUMMY_HASH)  # the same time as a known login
            raise LoginRefused(WRONG)
        locked_until = _aware(row.locked_until)
        if locked_until is not None and locked_until > now:
            raise LoginRefused(locked_message(locked_until), locked_until=locked_until)
        try:
            right, rehashed = _hasher.verify_and_update(password, row.password_hash)
        except Exception:  # a hash pwdlib does not know: never a login
            right, rehashed = False, None
        if right:
            values: dict[str, object] = {"failures": 0, "locked_until": None}
            if rehashed:
                values["password_hash"] = rehashed
            with self.engine.begin() as conn:
                conn.execute(
                    update(credentials).where(credentials.c.login == login).values(**values)
                )
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(credentials)
                .where(credentials.c.login == login)
                .values(failures=credentials.c.failures + 1)
            )
            failures = conn.execute(
                select(credentials.c.failures).where(credentials.c.login == login)
            ).scalar_one()
            until = None
            if failures >= MAX_FAILURES:
                until = now + LOCKOUT
                conn.execute(
                    update(credentials)
                    .where(credentials.c.login == login)
                    .values(failures=0, locked_until=until)
                )
        if until is not None:  # raised after the commit (inside, it would roll the lock back)
            raise LoginRefused(locked_message(until), locked_until=until)
        raise LoginRefused(WRONG)

    def change_password(self, login: str, old: str, new: str) -> None:
        """The person's own change: the old password is needed (a wrong one counts as a failed
        login, so the lock-out also guards this form)."""
        check_new_password(new)
        try:
            self.verify(login, old)
        except LoginRefused as refused:
            if refused.locked_until is not None:
                raise PasswordError(refused.message, "old_password") from None
            raise PasswordError("原密码不正确", "old_password") from None
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
