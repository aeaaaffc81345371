"""Declarations for a generic API permission/tenancy test, one ``ApiCase`` per operation.

Shape (consumed by the integrator's generic API test)::

    ApiCase(
        name="stakeholder_update",   # url_name of the operation in the "api" namespace
        method="patch",              # get | post | patch (lower case, a Django test client method)
        obj=lambda world: ...,       # builds an object of world.org the path points at, or None
        path=lambda obj: "/api/v1/registro/...",  # full path, from the object (None if no object)
        payload=lambda world, obj: {...},         # request body (JSON), or None
        multipart=False,             # True: send ``payload`` as multipart form data (uploads)
    )

Expected by a generic test, for each case: no credentials → 401; a role without the
permission the operation declares (``core.api.api_permission`` on its handler) → 403 and
nothing changed; the outsider (other organization) → 404 when ``obj`` is set; a role with
it → a 2xx (or 400/409 for payloads that are only meant to reach the service, never
401/403/404).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from acompana.registry.tests.factories import ConsentFactory, PersonFactory, StakeholderFactory


@dataclass
class ApiCase:
    name: str
    method: str
    obj: Callable[[Any], Any] | None = None
    path: Callable[[Any], str] | None = None
    payload: Callable[[Any, Any], dict[str, Any]] | None = None
    multipart: bool = False

    @property
    def id(self) -> str:
        return f"api:{self.name}[{self.method}]"

    def url(self, obj: Any) -> str:
        if self.path is not None:
            return self.path(obj)
        return reverse(f"api:{self.name}")


def _stakeholder(world: Any) -> Any:
    return StakeholderFactory(organization=world.org, name="Grupo del caso API")


def _inactive(world: Any) -> Any:
    return StakeholderFactory(organization=world.org, name="Grupo inactivo API", is_active=False)


def _person(world: Any) -> Any:
    return PersonFactory(organization=world.org)


def _consent(world: Any) -> Any:
    return ConsentFactory(person=PersonFactory(organization=world.org), collected_by=world.admin)


def _stakeholder_path(name: str) -> Callable[[Any], str]:
    return lambda obj: reverse(f"api:{name}", kwargs={"stakeholder_id": obj.pk})


def _person_path(name: str) -> Callable[[Any], str]:
    return lambda obj: reverse(f"api:{name}", kwargs={"person_id": obj.pk})


def _upload(world: Any, obj: Any) -> dict[str, Any]:
    content = "Tipo,Nombre,Municipio\notro,Fundación del caso API,41298\n".encode()
    return {"file": SimpleUploadedFile("grupos.csv", content, content_type="text/csv")}


API_CASES = [
    ApiCase("stakeholder_list", "get"),
    ApiCase(
        "stakeholder_create",
        "post",
        payload=lambda w, o: {"kind": "other", "name": "Fundación creada por API"},
    ),
    ApiCase(
        "stakeholder_detail",
        "get",
        obj=_stakeholder,
        path=_stakeholder_path("stakeholder_detail"),
    ),
    ApiCase(
        "stakeholder_update",
        "patch",
        obj=_stakeholder,
        path=_stakeholder_path("stakeholder_update"),
        payload=lambda w, o: {"version": o.version, "phone": "608 000 0000"},
    ),
    ApiCase(
        "stakeholder_deactivate",
        "post",
        obj=_stakeholder,
        path=_stakeholder_path("stakeholder_deactivate"),
    ),
    ApiCase(
        "stakeholder_reactivate",
        "post",
        obj=_inactive,
        path=_stakeholder_path("stakeholder_reactivate"),
    ),
    ApiCase("stakeholder_import", "post", payload=_upload, multipart=True),
    ApiCase("person_list", "get"),
    ApiCase(
        "person_create",
        "post",
        payload=lambda w, o: {
            "document_type": "CC",
            "document_number": "79555333",
            "first_name": "Ana",
            "last_name": "Caso",
        },
    ),
    ApiCase("person_detail", "get", obj=_person, path=_person_path("person_detail")),
    ApiCase(
        "person_update",
        "patch",
        obj=_person,
        path=_person_path("person_update"),
        payload=lambda w, o: {"version": o.version, "position": "Rectora"},
    ),
    ApiCase("consent_list", "get", obj=_person, path=_person_path("consent_list")),
    ApiCase(
        "consent_create",
        "post",
        obj=_person,
        path=_person_path("consent_create"),
        payload=lambda w, o: {"purposes": ["contact"], "channel": "paper"},
    ),
    ApiCase(
        "consent_revoke",
        "post",
        obj=_consent,
        path=lambda o: reverse("api:consent_revoke", kwargs={"consent_id": o.pk}),
        payload=lambda w, o: {"reason": "Solicitud de la persona"},
    ),
    ApiCase("department_list", "get"),
    ApiCase("municipality_list", "get"),
]
