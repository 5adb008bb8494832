"""People's sessions in the browser: login, logout, password change, CSRF (issue 10 item 1).

INTERFACE (filled in by the people/sessions work; page modules rely on exactly this):

- ``PageUser``: ``Annotated[Principal, Depends(page_user)]``. The person of the request's
  session as an ``api.tokens.Principal`` with ``session=True``, ``person`` = login, ``display`` =
  姓名, ``role`` one of ``domain.roles.PERSON_ROLES``, ``townships``. It also sets
  ``request.state.csrf`` (the session's CSRF token, which ``workbench.render.page`` puts in
  every form). Without a valid session a page answers 303 to ``/login?next=<path>`` (for htmx
  requests 200 with ``HX-Redirect``).
- ``FormUser``: the same for a POST, and the CSRF token (form field ``csrf_token`` or header
  ``X-CSRF-Token``) must equal the session's: otherwise 403 (nothing is written).
- ``require(user, action)``: raises ``workbench.render.FormRefused`` (403) unless
  ``user.may(action)``.
- routes: ``GET/POST /login``, ``POST /logout``, ``GET/POST /password``.
"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
