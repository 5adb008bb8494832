"""The public page of an asset (its QR 身份证, no login): what it is, who owns what share, its
leases with the rent due and received, its depreciation to date; a natural person masked
(``documents.asset_identity``).

``/public/assets/{entity}/{number}?code=…``: the code printed on the label (the workbench's
label page, ``/assets/{entity}/{number}/label``) is a keyed digest under the store's data key,
so nobody can list another township's assets by trying numbers; a wrong code and a card that
does not exist get the same 404 page (as a resource's wrong label)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from documents.asset_identity import LENGTH, code_matches, public_asset
from rendering.environment import environment
from web.deps import public_runtime

router = APIRouter(prefix="/public/assets", tags=["public pages (三公开)"])

HTML = {"text/html": {"schema": {"type": "string"}}}


@router.get(
    "/{entity}/{number}",
    response_class=HTMLResponse,
    responses={
        200: {"description": "the asset's public page", "content": HTML},
        404: {
            "description": "a wrong code, or no such asset (the same answer)",
            "content": HTML,
        },
    },
    summary="An asset's public page (its QR 身份证), private data masked; needs its code",
)
def asset_page(
    entity: str,
    number: str,
    request: Request,
    code: Annotated[
        str,
        Query(
            max_length=2 * LENGTH,
            description="the code printed on the asset's label (in its QR code)",
        ),
    ] = "",
) -> HTMLResponse:
    runtime = public_runtime(request)
    card = None
    if code and code_matches(runtime.vault.index, entity, number, code):
        with runtime.engine.connect() as conn:
            card = public_asset(conn, entity, number, runtime.app.today())
    template = environment().get_template("public_asset.html")
    if card is None:
        html = template.render(title="资产身份证", a=None)
        return HTMLResponse(html, status_code=404)
    return HTMLResponse(template.render(title=f"{card['name']} · 资产身份证", a=card))


# What this router's paths read (web.views)
READ_MODELS = ("ledger", "assets")
