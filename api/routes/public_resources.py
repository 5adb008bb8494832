"""The public page of a resource (its QR 身份证, no login): what it is, its area and location,
its 权属 documents, and its contracts with the counterparty (a natural person masked), the
term, and the rent due to date, received and overdue (``documents.registers_resources.
public_resource``).

The page is named only by the resource's label token (``/public/resources/{label}``: 12
characters drawn at random when the resource was registered, printed as a QR code on its label
by the workbench's label page): no code, book or township is in the URL, so nobody can list
the resources of a township by trying addresses, and a wrong label and a resource that does not
exist get the same answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from documents.registers_resources import public_resource
from domain.resources import LABEL_LENGTH
from rendering.environment import environment
from web.deps import public_runtime
from web.problems import Problem

router = APIRouter(prefix="/public/resources", tags=["public pages (三公开)"])

LabelPath = Annotated[
    str,
    Path(
        min_length=LABEL_LENGTH,
        max_length=LABEL_LENGTH,
        pattern="^[0-9A-Za-z]+$",
        description="the resource's label token, as its QR code carries it",
        examples=["7KQ3MZ8W2HXA"],
    ),
]


@router.get(
    "/{label}",
    response_class=HTMLResponse,
    responses={404: {"description": "no resource has this label"}},
    summary="A resource's public page (its QR 身份证), private data masked",
)
def resource_page(label: LabelPath, request: Request) -> HTMLResponse:
    runtime = public_runtime(request)
    with runtime.engine.connect() as conn:
        card = public_resource(conn, label.upper(), runtime.app.today())
    if card is None:
        raise Problem(
            404,
            "not-found",
            "no resource has this label",
            zh="找不到这个资源：请核对标签上的二维码",
        )
    html = (
        environment()
        .get_template("public_resource.html")
        .render(title=f"{card['name']} · 集体资源", r=card)
    )
    return HTMLResponse(html)


# What this router's paths read (web.views)
READ_MODELS = ("ledger", "resources")
