"""How a router module joins the app: its routes, what they read (``web.views``) and the duties
of its writes (``web.duties``), all declared in the module itself. ``server.main`` includes the
API's modules (``api.routes.ROUTES``) and ``workbench.install`` the pages' through here, so a new
capability's routes need one line in one of those lists.

A router module has ``router`` (an ``APIRouter``) and ``READ_MODELS`` (what every path of it
reads); optionally ``READ_MODELS_OF_PATHS`` (path template → read models, for the paths that
read something else) and ``DUTIES`` ((method, path template) → action of ``domain.roles``, for
the writes that need less than ``books.write``).
"""

from __future__ import annotations

from types import ModuleType

from fastapi import FastAPI

from web import duties, views


def include(app: FastAPI, module: ModuleType, *, include_in_schema: bool = True) -> None:
    """Include ``module.router`` in ``app`` with its declarations (see the module)."""
    views.declare(module.router, module.READ_MODELS, getattr(module, "READ_MODELS_OF_PATHS", None))
    duties.declare(module.router, getattr(module, "DUTIES", {}))
    app.include_router(module.router, include_in_schema=include_in_schema)
