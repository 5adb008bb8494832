"""The 资源 register of a set of books (资源登记簿): its collective land, forest, water and 四荒
with area, location, 四至 and 权属 documents; registered, changed, retired, and linked to the land
shares (土地入股) of its village (``domain.resources``). Each resource has a public page, its QR
身份证 (``api.routes.public_resources``), named by ``public_path``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.routes.entities import PROBLEMS, described
from api.schemas.resources import (
    LandShareLink,
    ResourceChange,
    ResourceCreate,
    ResourceFacts,
    ResourcePublic,
    ResourceRetirement,
)
from documents.registers_resources import resource_card, resource_register
from domain.resources.commands import (
    ChangeResource,
    LinkLandShare,
    RegisterResource,
    RetireResource,
)
from projections import queries
from web.deps import ReaderDep, WriterDep
from web.problems import Problem

router = APIRouter(prefix="/v1/entities", tags=["resources (资源)"])


def public_path(label: str) -> str:
    """The public page of the resource with label ``label`` (its QR 身份证)."""
    return f"/public/resources/{label}"


def resource_public(card: dict[str, Any], *, whole: bool = False) -> dict[str, Any]:
    body = {
        "entity": card["entity"],
        "code": card["code"],
        "name": card["name"],
        "kind": card["kind"],
        "kind_name": card["kind_name"],
        "group": card["group"],
        "area": card["area"],
        "unit": card["unit"],
        "location": card["location"],
        "boundaries": card["boundaries"],
        "certificates": card["certificates"],
        "use": card["use"],
        "use_name": card["use_name"],
        "status": card["status"],
        "registered_on": card["registered_on"],
        "retired_on": card["retired_on"],
        "retired_reason": card["retired_reason"],
        "public_path": public_path(card["label"]),
        "idle": card["idle"],
        "contracts": [c["code"] for c in card["contracts"]],
    }
    if whole:
        body["land_shares"] = [
            {"joint": s["joint_code"], "date": s["date"], "mu": s["mu"]}
            for s in card["land_shares"]
        ]
        body["history"] = [
            {k: h[k] for k in ("date", "what", "area", "reason", "actor")} for h in card["history"]
        ]
    answer = ResourcePublic.model_validate(body).model_dump(mode="json")
    if not whole:  # a list names each resource's contracts, not its land shares and history
        del answer["land_shares"], answer["history"]
    return answer


def require_entity(holder: Any, code: str) -> None:
    with holder.runtime.engine.connect() as conn:
        found = queries.entity(conn, code)
    if found is None:
        raise Problem(
            404,
            "entity-not-found",
            f"accounting entity {code} does not exist",
            field="code",
            zh=f"找不到单位 {code}",
        )


def resource_body(holder: Any, entity: str, code: str) -> tuple[dict[str, Any], str]:
    with holder.runtime.engine.connect() as conn:
        card = resource_card(conn, entity, code, holder.runtime.app.today())
    if card is None:
        raise Problem(
            404,
            "not-found",
            f"resource {code} is not in the register of {entity}",
            field="resource",
            zh=f"{entity} 的资源登记簿里没有资源 {code}",
        )
    return resource_public(card, whole=True), f"/v1/entities/{entity}/resources/{code}"


def _facts(body: ResourceFacts) -> dict[str, Any]:
    return {
        "name": body.name,
        "kind": body.kind,
        "area": body.area,
        "unit": body.unit,
        "location": body.location,
        "boundaries": tuple((k, v) for k, v in body.boundaries.model_dump().items() if v),
        "certificates": tuple(
            (
                ("name", c.name),
                ("number", c.number),
                ("issuer", c.issuer),
                ("issued_on", c.issued_on.isoformat() if c.issued_on else ""),
            )
            for c in body.certificates
        ),
        "use": body.use,
    }


@router.post(
    "/{code}/resources",
    status_code=201,
    response_model=ResourcePublic,
    responses=PROBLEMS,
    summary="Register a collective resource (资源登记)",
)
def register(code: str, body: ResourceCreate, cmd: WriterDep) -> JSONResponse:
    command = RegisterResource(entity=code, code=body.code, date=body.date, **_facts(body))
    return cmd.run(command, lambda found: resource_body(cmd, code, found))


@router.get(
    "/{code}/resources",
    responses=described(list[ResourcePublic]),
    summary="The 资源 register of the books",
)
def list_resources(code: str, reader: ReaderDep) -> list[dict[str, Any]]:
    require_entity(reader, code)
    with reader.runtime.engine.connect() as conn:
        cards = resource_register(conn, [code], reader.runtime.app.today())
    return [resource_public(card) for card in cards]


@router.get(
    "/{code}/resources/{resource}",
    responses=described(ResourcePublic),
    summary="One resource, with its land shares and history",
)
def get_resource(code: str, resource: str, reader: ReaderDep) -> dict[str, Any]:
    return resource_body(reader, code, resource)[0]


@router.post(
    "/{code}/resources/{resource}/changes",
    status_code=200,
    response_model=ResourcePublic,
    responses=PROBLEMS,
    summary="Record a resource's description as it now is (资源变更)",
)
def change(code: str, resource: str, body: ResourceChange, cmd: WriterDep) -> JSONResponse:
    command = ChangeResource(
        entity=code, code=resource, reason=body.reason, date=body.date, **_facts(body)
    )
    return cmd.run(command, lambda found: resource_body(cmd, code, found), status=200)


@router.post(
    "/{code}/resources/{resource}/retirement",
    status_code=200,
    response_model=ResourcePublic,
    responses=PROBLEMS,
    summary="Take a resource off the register (资源注销)",
)
def retire(code: str, resource: str, body: ResourceRetirement, cmd: WriterDep) -> JSONResponse:
    command = RetireResource(entity=code, code=resource, reason=body.reason, date=body.date)
    return cmd.run(command, lambda found: resource_body(cmd, code, found), status=200)


@router.post(
    "/{code}/resources/{resource}/land-shares",
    status_code=200,
    response_model=ResourcePublic,
    responses=PROBLEMS,
    summary="Link a land share (土地入股) of the village to the resource",
)
def link_land_share(code: str, resource: str, body: LandShareLink, cmd: WriterDep) -> JSONResponse:
    command = LinkLandShare(
        entity=code, code=resource, joint=body.joint, date=body.date, mu=body.mu
    )
    return cmd.run(command, lambda found: resource_body(cmd, code, found), status=200)


# What this router's paths read (web.views) and the duties of its writes (web.duties)
READ_MODELS = ("ledger", "resources")
DUTIES = {
    ("POST", "/v1/entities/{code}/resources"): "books.write",
    ("POST", "/v1/entities/{code}/resources/{resource}/changes"): "books.write",
    ("POST", "/v1/entities/{code}/resources/{resource}/retirement"): "books.write",
    ("POST", "/v1/entities/{code}/resources/{resource}/land-shares"): "books.write",
}
