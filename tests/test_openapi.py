"""The OpenAPI description at /api/v1/openapi.json and the local docs page at /api/v1/docs."""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse

HTTP_METHODS = {"get", "post", "put", "patch", "delete"}
ERRORS_EVERY_OPERATION_DOCUMENTS = {"401", "403", "404"}


@pytest.fixture
def schema(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


def test_schema_is_openapi_3_with_paths(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Acompaña API"
    assert schema["info"]["version"] == "1"
    assert schema["paths"]
    assert all(path.startswith("/api/v1/") for path in schema["paths"])


def test_schema_is_valid_openapi(schema):
    validators = pytest.importorskip("openapi_spec_validator")
    validator = (
        validators.OpenAPIV31SpecValidator
        if schema["openapi"].startswith("3.1")
        else validators.OpenAPIV30SpecValidator
    )
    errors = [f"{list(e.path)}: {e.message}" for e in validator(schema).iter_errors()]
    assert errors == []


def test_every_operation_id_is_its_url_name(schema):
    seen = []
    for path, method, operation in operations(schema):
        operation_id = operation.get("operationId")
        assert operation_id, f"{method.upper()} {path} has no operationId"
        seen.append(operation_id)
        try:
            url = reverse(f"api:{operation_id}", kwargs=_sample_kwargs(path))
        except NoReverseMatch:
            pytest.fail(f"operationId {operation_id!r} of {path} is not an API url_name")
        assert _matches(path, url), (path, url)
    assert len(seen) == len(set(seen)), "operationIds must be unique"


def test_every_operation_has_tags_a_summary_and_security(schema):
    for path, method, operation in operations(schema):
        where = f"{method.upper()} {path}"
        assert operation.get("tags"), f"{where} has no tags"
        assert operation.get("summary") or operation.get("description"), f"{where} undocumented"
        assert operation.get("security"), f"{where} declares no authentication"


def test_every_operation_documents_its_errors(schema):
    error_ref = "#/components/schemas/ErrorOut"
    for path, method, operation in operations(schema):
        where = f"{method.upper()} {path}"
        responses = operation["responses"]
        assert any(code.startswith("2") for code in responses), f"{where}: no success response"
        expected = set(ERRORS_EVERY_OPERATION_DOCUMENTS)
        if operation.get("requestBody") or operation.get("parameters"):
            expected |= {"400", "422"}
        missing = expected - set(responses)
        assert not missing, f"{where} does not document {sorted(missing)}"
        for code in expected:
            content = responses[code]["content"]["application/json"]["schema"]
            assert content == {"$ref": error_ref}, f"{where} {code} is not ErrorOut"


def test_security_schemes_are_token_and_session(schema):
    schemes = schema["components"]["securitySchemes"]
    assert schemes["TokenAuth"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"


@pytest.mark.django_db
def test_docs_page_loads_only_local_assets(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    assert all(a.startswith("/static/") for a in assets), assets
    assert "//" not in "".join(a.removeprefix("/static/") for a in assets)
    # no inline script the CSP would block (the settings block is JSON, never executed)
    for attributes in re.findall(r"<script([^>]*)>", html):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert "<style" not in html and " style=" not in html
    assert "validator.swagger.io" not in html


@pytest.mark.django_db
def test_docs_page_is_served_with_the_sites_csp(client):
    response = client.get("/api/v1/docs")
    policy = response.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', response.content.decode()):
        assert client.get(asset).status_code == 200, asset


def _sample_kwargs(path):
    return dict.fromkeys(re.findall(r"{(\w+)}", path), 1)


def _matches(path, url):
    pattern = re.sub(r"{\w+}", r"[^/]+", re.escape(path).replace(r"\{", "{").replace(r"\}", "}"))
    return re.fullmatch(pattern, url) is not None
