"""Every error leaves the API in one JSON shape, ninja's own errors included."""

import json

import pytest
from django.urls import reverse

from acompana.core.tests.api_utils import assert_error, make_token
from acompana.core.tests.factories import UserFactory


@pytest.fixture
def token(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {make_token(world.admin)}"}


@pytest.mark.django_db
def test_401(client, world):
    error = assert_error(client.get(reverse("api:organization")), 401, "unauthenticated")
    assert "token" in error["message"]


@pytest.mark.django_db
def test_403_without_organization(client):
    raw = make_token(UserFactory())
    response = client.get(reverse("api:organization"), HTTP_AUTHORIZATION=f"Bearer {raw}")
    error = assert_error(response, 403, "no_organization")
    assert "entidad" in error["message"]


@pytest.mark.django_db
def test_404_for_another_organization(client, world, token):
    response = client.post(
        reverse("api:switch_organization"),
        json.dumps({"organization_id": world.other.pk}),
        content_type="application/json",
        **token,
    )
    assert_error(response, 404, "not_found")


@pytest.mark.django_db
def test_404_for_an_unknown_api_path(client, token):
    error = assert_error(client.get("/api/v1/no-existe/", **token), 404, "not_found")
    assert error["message"]
    assert_error(client.get("/api/v1/yo/", **token), 404, "not_found")


@pytest.mark.django_db
def test_405_method_not_allowed(client, token):
    response = client.delete(reverse("api:me"), **token)
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


@pytest.mark.django_db
def test_400_malformed_json(client, token):
    response = client.post(
        reverse("api:switch_organization"), "{no es json", content_type="application/json", **token
    )
    error = assert_error(response, 400, "malformed_body")
    assert "JSON" in error["message"]


@pytest.mark.django_db
def test_422_schema_mismatch_lists_the_fields(client, token):
    response = client.post(
        reverse("api:switch_organization"),
        json.dumps({"organization_id": "uno"}),
        content_type="application/json",
        **token,
    )
    error = assert_error(response, 422, "invalid_request")
    assert error["fields"] == {"organization_id": ["Ingrese un número entero."]}

    response = client.post(
        reverse("api:switch_organization"), "{}", content_type="application/json", **token
    )
    error = assert_error(response, 422, "invalid_request")
    assert error["fields"] == {"organization_id": ["Este campo es obligatorio."]}

    response = client.post(
        reverse("api:switch_organization"), "", content_type="application/json", **token
    )  # no body at all
    error = assert_error(response, 422, "invalid_request")
    assert error["fields"] == {"body": ["Este campo es obligatorio."]}


@pytest.mark.django_db
def test_403_not_422_for_a_role_without_the_right(client, world):
    """The permission is checked before the body is read: an invalid body does not turn a
    refusal into a 422 (and tells nothing about the schema to who may not call)."""
    url = reverse("api:stakeholder_create")
    invalid = json.dumps({"kind": 1})  # no name, kind not a text

    def post(user):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {make_token(user)}"} if user else {}
        return client.post(url, invalid, content_type="application/json", **headers)

    assert_error(post(None), 401, "unauthenticated")
    assert_error(post(world.auditor), 403, "forbidden")
    assert_error(post(UserFactory()), 403, "no_organization")
    error = assert_error(post(world.admin), 422, "invalid_request")
    assert set(error["fields"]) == {"kind", "name"}


def test_schema_error_locations_become_field_names():
    from acompana.api.router import _field_name

    assert _field_name(("body", "payload", "unit_id")) == "unit_id"
    assert _field_name(("body", "payload", "topics", 0)) == "topics.0"
    assert _field_name(("body", "payload")) == "body"
    assert _field_name(("query", "limit")) == "limit"
    assert _field_name(("path", "pk")) == "pk"
    assert _field_name(()) == "body"


@pytest.mark.django_db
def test_400_and_409_from_services(rf, world):
    """Service errors map to 400 (validation, with fields) and 409 (stale, transition)."""
    from django.core.exceptions import ValidationError

    from acompana.api.router import on_validation_error
    from acompana.core.errors import StaleObjectError, TransitionError

    request = rf.get("/api/v1/")
    error = assert_error(
        on_validation_error(request, ValidationError({"name": ["Obligatorio."]})),
        400,
        "validation_error",
    )
    assert error["fields"] == {"name": ["Obligatorio."]}
    assert_error(on_validation_error(request, ValidationError("Mal.")), 400, "validation_error")
    assert_error(on_validation_error(request, StaleObjectError()), 409, "stale")
    assert_error(on_validation_error(request, TransitionError("No.")), 409, "transition")


@pytest.mark.django_db
def test_ninja_http_errors_get_spanish_messages(rf):
    from ninja.errors import HttpError

    from acompana.api.router import on_http_error
    from acompana.core.api import ApiError

    request = rf.get("/api/v1/")
    error = assert_error(on_http_error(request, HttpError(403, "Forbidden")), 403, "forbidden")
    assert error["message"] != "Forbidden"
    error = assert_error(on_http_error(request, HttpError(409, "Ya existe.")), 409, "conflict")
    assert error["message"] == "Ya existe."
    error = assert_error(
        on_http_error(request, ApiError(409, "duplicate", "Duplicado.", {"nit": ["Ya existe."]})),
        409,
        "duplicate",
    )
    assert error["fields"] == {"nit": ["Ya existe."]}


@pytest.mark.django_db
def test_unexpected_errors_are_json_500_and_signalled(rf, settings):
    from django.core.signals import got_request_exception

    from acompana.api.router import on_unexpected_error

    settings.DEBUG = False
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    got_request_exception.connect(receiver)
    try:
        response = on_unexpected_error(rf.get("/api/v1/yo"), RuntimeError("fallo"))
    finally:
        got_request_exception.disconnect(receiver)
    assert_error(response, 500, "server_error")
    assert received


@pytest.mark.django_db
def test_api_root_points_to_the_description_and_the_docs(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        "title": "Acompaña API",
        "version": "1",
        "openapi": "/api/v1/openapi.json",
        "docs": "/api/v1/docs",
    }
    assert_error(client.post("/api/v1/"), 405, "method_not_allowed")


@pytest.mark.django_db
def test_call_helper_sends_multipart_when_there_are_files(client_for, world):
    """The helper the generic test uses: files go as multipart (here to a JSON-only operation)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from acompana.core.tests.api_utils import call

    response = call(
        client_for(world.admin),
        "post",
        reverse("api:switch_organization"),
        payload={"organization_id": world.org.pk},
        files={"file": SimpleUploadedFile("a.csv", b"x,y\n")},
    )
    # the operation expects JSON, so the multipart body is a malformed body
    assert_error(response, 400, "malformed_body")
