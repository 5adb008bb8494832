"""The contract tests use the e2e fixtures (a Scenario A store copied per test)."""

from tests.e2e.conftest import scenario_a_api, scenario_a_template  # noqa: F401
