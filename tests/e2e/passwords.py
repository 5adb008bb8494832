"""Passwords for the tests whose point is not the cost of a password check (pages, forms,
sessions, lock-out): Argon2id all the same, through the same code (pwdlib, ``web.users``), with
less memory and time than pwdlib's recommended parameters (a few milliseconds a check instead of
about a fifth of a second of a core). The app takes its store from ``app.state.users``
(``workbench.session.users_of``), so its logins check with the same cheap parameters and do not
rehash. The production parameters are pinned by ``test_sessions.py``
(``test_password_is_stored_as_argon2id``), the command line's people (``test_people.py``) and
the demo."""

from __future__ import annotations

from typing import Any

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from web.users import UserStore

CHEAP = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192, parallelism=1),))


def cheap_users(app: Any) -> UserStore:
    """The app's user store, with the cheap parameters (made once per app)."""
    users = getattr(app.state, "users", None)
    if users is None or users.hasher is not CHEAP:
        users = UserStore(app.state.runtime.engine, hasher=CHEAP)
        app.state.users = users
    return users
