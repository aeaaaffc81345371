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


# --- the description tells the truth (issue 11, section 9) ------------------------------------


def _parameter(schema, path, name, method="get"):
    for parameter in schema["paths"][path][method].get("parameters", []):
        if parameter["name"] == name:
            return parameter["schema"]
    raise AssertionError(f"{path} has no parameter {name}")


def _options(parameter_schema):
    """The allowed values of an optional enum parameter (``anyOf`` with null)."""
    for option in parameter_schema.get("anyOf", [parameter_schema]):
        if "enum" in option:
            return set(option["enum"])
    return None


def _numeric(parameter_schema):
    for option in parameter_schema.get("anyOf", [parameter_schema]):
        if option.get("type") == "integer":
            return option
    return None


def test_ids_in_paths_are_positive(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                assert parameter["schema"].get("minimum") == 1, (method, path, parameter["name"])


def test_choice_filters_list_their_values_and_ids_their_minimum(schema):
    needs = "/api/v1/planificacion/necesidades"
    assert _options(_parameter(schema, needs, "status")) == {
        "to_triage",
        "open",
        "planned",
        "addressed",
        "discarded",
    }
    assert _options(_parameter(schema, needs, "priority")) == {"high", "medium", "low"}
    for name in ("unit", "topic", "stakeholder"):
        assert _numeric(_parameter(schema, needs, name))["minimum"] == 1, name
    stakeholders = "/api/v1/registro/grupos-de-valor"
    assert "school" in _options(_parameter(schema, stakeholders, "kind"))


def test_every_list_describes_its_cursor_and_limit(schema):
    for path, _method, operation in operations(schema):
        names = {p["name"]: p["schema"] for p in operation.get("parameters", [])}
        if "cursor" not in names:
            continue
        cursor = next(o for o in names["cursor"].get("anyOf", [names["cursor"]]) if "pattern" in o)
        assert cursor["pattern"].startswith("^eyJhZnRlciI6"), path
        assert names["limit"]["minimum"] == 1 and names["limit"]["maximum"] >= 50, path


def test_the_cursor_pattern_is_what_the_api_emits():
    from acompana.core.api import CURSOR_PATTERN, decode_cursor, encode_cursor

    pattern = re.compile(CURSOR_PATTERN)
    for pk in (0, 1, 9, 10, 99, 100, 12345, 10**16 + 7):
        assert pattern.fullmatch(encode_cursor(pk)), pk
    assert not pattern.fullmatch("no-es-un-cursor")
    assert not pattern.fullmatch(encode_cursor("texto"))
    assert decode_cursor(encode_cursor(4321)) == 4321


def test_every_operation_documents_409_and_the_one_error_shape(schema):
    for path, method, operation in operations(schema):
        if method == "get":
            continue
        response = operation["responses"].get("409")
        assert response, f"{method.upper()} {path} does not document 409"
        assert response["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/ErrorOut"
        }


@pytest.mark.django_db
def test_a_filter_naming_another_organizations_unit_is_404(world):
    from acompana.core.tests.api_utils import assert_error, token_client

    client = token_client(world.admin)
    response = client.get("/api/v1/planificacion/necesidades", {"unit": 987654})
    assert_error(response, 404, "not_found")
    assert "unit" in response.json()["error"]["fields"]
    assert client.get("/api/v1/planificacion/necesidades", {"status": "x"}).status_code == 422


@pytest.mark.django_db
def test_a_value_outside_the_stated_pattern_is_refused_in_spanish(world):
    from acompana.core.tests.api_utils import assert_error, token_client

    response = token_client(world.admin).get(
        "/api/v1/registro/grupos-de-valor", {"municipality": "123"}
    )
    error = assert_error(response, 422, "invalid_request")
    assert "should match" not in str(error["fields"])  # pydantic's English never leaks
