"""The API against its own OpenAPI description (issue 12.4): schemathesis generates requests for every
operation, sends them to the API on a free port, and checks status codes, content types and bodies."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings

from exchange.api import openapi

from tests.apiserver import serve


@pytest.fixture(scope="module")
def api_base(demo_db):
    with serve(demo_db) as base:
        yield base


# Loaded from the document the route serves (exchange.api.openapi); schemathesis' pytest fixture loader does
# not run under pytest 9, so each operation is its own parametrized test driving Hypothesis directly.
SCHEMA = schemathesis.openapi.from_dict(openapi.document())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_every_operation_answers_as_its_openapi_description_says(api_base, operation):
    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.call_and_validate(base_url=api_base)

    check()


def test_the_description_names_every_route_the_api_serves(api_base):
    document = requests.get(f"{api_base}/api/v1/openapi.json", timeout=10).json()
    assert set(document["paths"]) == {"/api/v1/lessons", "/api/v1/lessons/{ref}", "/api/v1/taxonomy", "/api/v1/adoption",
                                      "/api/v1/open-data/lessons.csv", "/api/v1/open-data/lessons.json",
                                      "/api/v1/openapi.json"}
    for path in document["paths"]:
        concrete = path.replace("{ref}", "L-0000000000")
        answer = requests.get(api_base + concrete, timeout=30)
        assert answer.status_code in (200, 401, 404), (path, answer.status_code)
        assert str(answer.status_code) in document["paths"][path]["get"]["responses"]
