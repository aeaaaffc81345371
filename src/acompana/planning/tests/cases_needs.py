"""Permission cases (ViewCase) and API cases (ApiCase) of planning's needs area.

Objects are built in ``world.org``, needs of ``world.unit`` (the unit of the unit head and
the professional), so a granted role (the admin first) gets through and the outsider,
who holds every role in another organization, gets a 404.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from acompana.core.tests.api_case import ApiCase
from acompana.core.tests.cases import ApiListCase, ViewCase, unique_text
from acompana.planning.choices import NeedOrigin, NeedSource, NeedStatus
from acompana.planning.tests.factories import NeedFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


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


def _need_rows(world, organization, parent, n):
    return [
        NeedFactory(organization=organization, title=unique_text("Necesidad")) for _ in range(n)
    ]


def _same_pk(world, obj):
    return {"pk": obj.pk}


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
    ViewCase("planning:need_list", rows=_need_rows, marker=lambda need: need.title),
    ViewCase("planning:need_create"),
    ViewCase(
        "planning:need_create",
        method="post",
        data=lambda w, o: _need_data(w, None),
        redirect="planning:need_detail",
    ),
    ViewCase("planning:need_detail", obj=_need),
    ViewCase("planning:need_edit", obj=_need),
    ViewCase(
        "planning:need_edit",
        obj=_need,
        method="post",
        data=_need_data,
        redirect="planning:need_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase("planning:need_triage", obj=_need_to_triage),
    ViewCase(
        "planning:need_triage",
        obj=_need_to_triage,
        method="post",
        data=lambda w, o: {"decision": "accept", "priority": "medium", "version": o.version},
        redirect="planning:need_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase(
        "planning:need_set_status",
        obj=_need,
        method="post",
        data=lambda w, o: {"status": NeedStatus.PLANNED, "version": o.version},
        redirect="planning:need_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase("planning:need_evidence", obj=_need_with_evidence),
    ViewCase("planning:need_export"),
    ViewCase("planning:need_stakeholder_options"),
    ViewCase("planning:need_import"),
    ViewCase(
        "planning:need_import",
        method="post",
        data=_import_file,
        redirect="planning:need_import_preview",
    ),
    # without a pending upload in the session both go back to the upload page
    ViewCase("planning:need_import_preview", redirect="planning:need_import"),
    ViewCase("planning:need_import_confirm", method="post", redirect="planning:need_import"),
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
    ApiCase("planning_need_list"),
    ApiCase("planning_need_create", "post", payload=_api_need_payload),
    ApiCase("planning_need_detail", obj=_need, kwargs=_need_kwargs),
    ApiCase(
        "planning_need_update",
        "patch",
        obj=_need,
        kwargs=_need_kwargs,
        payload=lambda w, o: {"version": o.version, "title": "Título cambiado por el API"},
    ),
    ApiCase(
        "planning_need_triage",
        "post",
        obj=_need_to_triage,
        kwargs=_need_kwargs,
        payload=lambda w, o: {"version": o.version, "decision": "accept"},
    ),
    ApiCase(
        "planning_need_set_status",
        "post",
        obj=_need,
        kwargs=_need_kwargs,
        payload=lambda w, o: {"version": o.version, "status": "planned"},
    ),
]

#: API lists (tests/test_api_lists_generic.py)
API_LISTS = [ApiListCase("planning_need_list", rows=_need_rows)]
