"""The contract of ``api.routes.public_assets``: an asset's public page (its QR 身份证)."""

import pytest

from api.routes.public_assets import router
from documents.asset_identity import label_code
from tests.assets_world import CARD, JOINT, cold_store
from tests.contract.contract import Call, check_router
from tests.e2e.conftest import Api

pytestmark = pytest.mark.one_store


def test_public_assets_router_keeps_its_openapi_contract(scenario_a_api: Api) -> None:
    cold_store(scenario_a_api.runtime.app)
    scenario_a_api.runtime.views.catch_up()
    names = {"entity": JOINT, "number": CARD}
    code = label_code(scenario_a_api.runtime.vault.index, JOINT, CARD)
    valid = [Call("GET", "/public/assets/{entity}/{number}", names, query={"code": code})]
    assert check_router(scenario_a_api, router, names=names, valid=valid, public=True) == 1
