"""Property test over the OpenAPI description: no GET operation answers 5xx.

Schemathesis generates requests (path and query parameters, valid and not) from
``/api/v1/openapi.json`` and sends them in-process to the WSGI application, with a token
of the organization admin of a fresh ``world``. Skipped when schemathesis is not installed.
"""

from __future__ import annotations

import json

import pytest

schemathesis = pytest.importorskip("schemathesis")

from django.core.signals import request_finished, request_started  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import positive_data_acceptance  # noqa: E402

from acompana.api.router import api  # noqa: E402
from acompana.core.tests.api_utils import make_token  # noqa: E402
from acompana.core.tests.factories import build_world  # noqa: E402


def _schema():
    loaded = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
    loaded.app = get_wsgi_application()
    loaded.location = "/api/v1/openapi.json"
    return loaded.include(method="GET")


schema = _schema()


@pytest.fixture
def admin_token(db):
    """A token of the admin of a fresh world; connections stay open between requests.

    Django closes "old" connections at the start and end of each request; in a test that
    would end the test's transaction, so (like Django's test client) the handlers are
    disconnected while the test runs.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        world = build_world()
        yield make_token(world.admin)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_get_operations_never_answer_5xx(case, admin_token):
    response = case.call(headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    # the description tells the truth: a request valid by the schema is not refused (400/422)
    case.validate_response(response, checks=[positive_data_acceptance])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, body
        assert {"code", "message", "fields"} <= set(body["error"]), body
