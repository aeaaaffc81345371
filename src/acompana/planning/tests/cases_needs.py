"""Permission cases (ViewCase) and API cases (ApiCase) of planning's needs area.

Objects are built in ``world.org``, needs of ``world.unit`` (the unit of the unit head and
the professional), so a granted role (the admin first) gets through and the outsider,
who holds every role in another organization, gets a 404.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from acompana.core.tests.api_case import ApiCase
from acompana.core.tests.cases import ViewCase
from acompana.planning.choices import NeedOrigin, NeedSource, NeedStatus
from acompana.planning.tests.factories import NeedFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PERM_VIEW, PERM_CHANGE = "planning.view", "planning.change_needs"


def _need(world):
    return NeedFactory(organization=world.org, unit=world.unit, title="Necesidad del caso")


def _need_to_triage(world):
    return NeedFactory(
        organization=world.org,
        title="Solicitud del caso",
        origin=NeedOrigin.DEMAND,
        source=NeedSource.REQUEST,
        status=NeedStatus.TO_TRIAGE,
        requester_name="Ana Pérez",
        requester_email="ana@example.gov.co",
        requester_entity="Alcaldía del caso",
        reference="SOL-2026-0001",
    )


def _need_with_evidence(world):
    need = _need(world)
    need.evidence.save("pantallazo.png", ContentFile(PNG), save=False)
    need.evidence_filename = "pantallazo.png"
    need.save()
    return need


def _need_data(world, obj):
    return {
        "title": "Necesidad registrada en el caso",
        "description": "Acompañar la actualización del plan territorial.",
        "origin": NeedOrigin.OFFER,
        "source": NeedSource.EMAIL,
        "priority": "high",
        "unit": world.unit.pk,
        **({"version": obj.version} if obj is not None else {}),
    }


def _import_file(world, obj):
    content = "Título,Descripción,Tipo de origen,Fuente\nNecesidad,Detalle,oferta,correo\n"
    return {"file": SimpleUploadedFile("necesidades.csv", content.encode(), "text/csv")}


CASES = [
    ViewCase("planning:need_list"),
    ViewCase("planning:need_create"),
    ViewCase("planning:need_create", method="post", data=lambda w, o: _need_data(w, None)),
    ViewCase("planning:need_detail", obj=_need),
    ViewCase("planning:need_edit", obj=_need),
    ViewCase("planning:need_edit", obj=_need, method="post", data=_need_data),
    ViewCase("planning:need_triage", obj=_need_to_triage),
    ViewCase(
        "planning:need_triage",
        obj=_need_to_triage,
        method="post",
        data=lambda w, o: {"decision": "accept", "priority": "medium", "version": o.version},
    ),
    ViewCase(
        "planning:need_set_status",
        obj=_need,
        method="post",
        data=lambda w, o: {"status": NeedStatus.PLANNED, "version": o.version},
    ),
    ViewCase("planning:need_evidence", obj=_need_with_evidence),
    ViewCase("planning:need_export"),
    ViewCase("planning:need_stakeholder_options"),
    ViewCase("planning:need_import"),
    ViewCase("planning:need_import", method="post", data=_import_file),
    ViewCase("planning:need_import_preview"),
    ViewCase("planning:need_import_confirm", method="post"),
    ViewCase("planning:need_import_template"),
]


def _api_need_payload(world, obj):
    return {
        "title": "Necesidad del API",
        "description": "Fortalecer la gestión del riesgo.",
        "origin": "offer",
        "source": "action_plan",
        "unit_id": world.unit.pk,
    }


def _need_kwargs(obj):
    return {"need_id": obj.pk}


API_CASES = [
    ApiCase("planning_need_list", perm=PERM_VIEW),
    ApiCase("planning_need_create", "post", perm=PERM_CHANGE, payload=_api_need_payload),
    ApiCase("planning_need_detail", perm=PERM_VIEW, obj=_need, kwargs=_need_kwargs),
    ApiCase(
        "planning_need_update",
        "patch",
        perm=PERM_CHANGE,
        obj=_need,
        kwargs=_need_kwargs,
        payload=lambda w, o: {"version": o.version, "title": "Título cambiado por el API"},
    ),
    ApiCase(
        "planning_need_triage",
        "post",
        perm=PERM_CHANGE,
        obj=_need_to_triage,
        kwargs=_need_kwargs,
        payload=lambda w, o: {"version": o.version, "decision": "accept"},
    ),
    ApiCase(
        "planning_need_set_status",
        "post",
        perm=PERM_CHANGE,
        obj=_need,
        kwargs=_need_kwargs,
        payload=lambda w, o: {"version": o.version, "status": "planned"},
    ),
]
