"""Declarations for the generic API permission/tenancy test: one ``ApiCase`` per operation.

``API_CASES`` lists every operation of ``acompana.catalog.api`` (its ``url_name`` in the
``api`` namespace). A generic test can then check, for each case:

* no credentials → 401;
* every role the permission the operation declares (``core.api.api_permission`` on its
  handler) does not grant → 403, and nothing changed;
* the outsider (every role, in another organization) → 404 when the case has an ``obj``
  (the path points at an object of ``world.org``), and nothing changed;
* a granted role (the admin first) → 2xx.

Shape of an entry (all keyword arguments)::

    ApiCase(
        url_name="catalog_service_update",   # ninja url_name; reverse("api:" + url_name)
        method="put",                         # lower-case HTTP method
        path=lambda obj: "/api/v1/...",       # absolute path, from the object (None: no object)
        obj=lambda world: service,            # builds the object in world.org (optional)
        payload=lambda world, obj: {...},     # JSON body for POST/PUT/PATCH (optional)
    )

Payloads are valid for the admin of ``world.org``, so the granted role gets a 2xx.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from acompana.catalog.models import ServiceType
from acompana.catalog.tests.factories import MilestoneTemplateFactory, ServiceFactory
from acompana.core.tests.factories import World


@dataclass(frozen=True, kw_only=True)
class ApiCase:
    url_name: str
    method: str
    path: Callable[[Any], str]
    obj: Callable[[World], Any] | None = None
    payload: Callable[[World, Any], dict[str, Any]] | None = None

    @property
    def id(self) -> str:
        return f"{self.url_name}[{self.method}]"


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"api:{name}", kwargs=kwargs or None)


def _service(world: World) -> Any:
    return ServiceFactory(organization=world.org, unit=world.unit, name="Servicio API")


def _milestone(world: World) -> Any:
    service = _service(world)
    MilestoneTemplateFactory(service=service, order=1, name="Primero")
    return MilestoneTemplateFactory(service=service, order=2, name="Segundo")


def _service_payload(world: World, obj: Any) -> dict[str, Any]:
    service_type, _ = ServiceType.objects.get_or_create(
        organization=world.org, code="api", defaults={"name": "Tipo API"}
    )
    payload = {
        "unit_id": world.unit.pk,
        "name": "Servicio por API",
        "service_type_id": service_type.pk,
        "origin": "offer",
        "target_stakeholder_kinds": ["municipality"],
    }
    if obj is not None:
        payload["version"] = obj.version
    return payload


API_CASES = [
    ApiCase(
        url_name="catalog_service_type_list",
        method="get",
        path=lambda o: _url("catalog_service_type_list"),
    ),
    ApiCase(
        url_name="catalog_topic_list",
        method="get",
        path=lambda o: _url("catalog_topic_list"),
    ),
    ApiCase(
        url_name="catalog_mechanism_list",
        method="get",
        path=lambda o: _url("catalog_mechanism_list"),
    ),
    ApiCase(
        url_name="catalog_modality_list",
        method="get",
        path=lambda o: _url("catalog_modality_list"),
    ),
    ApiCase(
        url_name="catalog_service_list",
        method="get",
        path=lambda o: _url("catalog_service_list"),
    ),
    ApiCase(
        url_name="catalog_service_detail",
        method="get",
        path=lambda o: _url("catalog_service_detail", service_id=o.pk),
        obj=_service,
    ),
    ApiCase(
        url_name="catalog_service_create",
        method="post",
        path=lambda o: _url("catalog_service_create"),
        payload=_service_payload,
    ),
    ApiCase(
        url_name="catalog_service_update",
        method="put",
        path=lambda o: _url("catalog_service_update", service_id=o.pk),
        obj=_service,
        payload=_service_payload,
    ),
    ApiCase(
        url_name="catalog_service_deactivate",
        method="post",
        path=lambda o: _url("catalog_service_deactivate", service_id=o.pk),
        obj=_service,
        payload=lambda w, o: {"version": o.version},
    ),
    ApiCase(
        url_name="catalog_service_reactivate",
        method="post",
        path=lambda o: _url("catalog_service_reactivate", service_id=o.pk),
        obj=lambda w: ServiceFactory(
            organization=w.org, unit=w.unit, name="Servicio retirado", is_active=False
        ),
        payload=lambda w, o: {"version": o.version},
    ),
    ApiCase(
        url_name="catalog_milestone_create",
        method="post",
        path=lambda o: _url("catalog_milestone_create", service_id=o.pk),
        obj=_service,
        payload=lambda w, o: {"name": "Hito por API", "expected_evidence": "Acta"},
    ),
    ApiCase(
        url_name="catalog_milestone_reorder",
        method="post",
        path=lambda o: _url("catalog_milestone_reorder", service_id=o.service_id),
        obj=_milestone,
        payload=lambda w, o: {
            "ordered_ids": list(
                o.service.milestones.order_by("-order").values_list("pk", flat=True)
            )
        },
    ),
    ApiCase(
        url_name="catalog_milestone_update",
        method="put",
        path=lambda o: _url("catalog_milestone_update", milestone_id=o.pk),
        obj=_milestone,
        payload=lambda w, o: {"name": "Hito editado", "version": o.version},
    ),
    ApiCase(
        url_name="catalog_milestone_delete",
        method="delete",
        path=lambda o: _url("catalog_milestone_delete", milestone_id=o.pk),
        obj=_milestone,
    ),
]
