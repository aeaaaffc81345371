"""Catalogue pages: list with filters (and its query count), unit-scoped editing, stale
edits, milestones edited inline with htmx, vocabulary pages, exports."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from acompana.catalog.models import (
    Mechanism,
    MilestoneTemplate,
    Modality,
    Service,
    ServiceType,
    Topic,
)
from acompana.catalog.seeds import seed_organization
from acompana.catalog.tests.factories import MilestoneTemplateFactory, ServiceFactory
from acompana.core.models import Event

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def seeded(world):
    seed_organization(world.org)
    return world


def value(world, model, code):
    return model.objects.get(organization=world.org, code=code)


def make_service(world, unit=None, **kwargs):
    service = ServiceFactory(
        organization=world.org,
        unit=unit or world.unit,
        service_type=kwargs.pop("service_type", None) or value(world, ServiceType, "asesoria"),
        **kwargs,
    )
    return service


def form_data(world, service=None, **overrides):
    data = {
        "unit": world.unit.pk,
        "name": "Asistencia técnica en el Plan Territorial de Salud",
        "description": "Talleres con los municipios.",
        "service_type": value(world, ServiceType, "asistencia_tecnica").pk,
        "origin": "offer",
        "topics": [value(world, Topic, "pts").pk],
        "mechanisms": [],
        "modalities": [value(world, Modality, "presencial").pk],
        "target_stakeholder_kinds": ["municipality"],
        "duration_days": "30",
        "estimated_hours": "",
        "version": service.version if service else 1,
    }
    data.update(overrides)
    return data


# --- list --------------------------------------------------------------------------------------


def test_empty_catalogue_shows_an_empty_state(client_for, seeded):
    html = client_for(seeded.admin).get(reverse("catalog:home")).content.decode()
    assert 'href="/catalogo/servicios/nuevo/"' in html
    assert "El portafolio aún no tiene servicios." in html  # Spanish through gettext
    # a professional reads but is not offered to create
    html = client_for(seeded.professional).get(reverse("catalog:home")).content.decode()
    assert 'href="/catalogo/servicios/nuevo/"' not in html


def test_list_groups_services_by_unit(client_for, seeded):
    world = seeded
    make_service(world, name="Servicio A")
    make_service(world, unit=world.sibling_unit, name="Servicio B")
    response = client_for(world.professional).get(reverse("catalog:home"))
    html = response.content.decode()
    assert f'id="unit-{world.unit.pk}"' in html and f'id="unit-{world.sibling_unit.pk}"' in html
    # units are ordered by name: Aseguramiento (sibling) before Salud Pública
    assert html.index("Servicio B") < html.index("Servicio A")


def test_list_filters(client_for, seeded):
    world = seeded
    pts = value(world, Topic, "pts")
    pdsp = value(world, Topic, "pdsp")
    virtual = value(world, Modality, "virtual")
    a = make_service(world, name="Plan territorial", origin="offer")
    a.topics.set([pts], through_defaults={"organization": world.org})
    b = make_service(
        world,
        unit=world.sibling_unit,
        name="Flujo de recursos",
        origin="demand",
        service_type=value(world, ServiceType, "capacitacion"),
    )
    b.modalities.set([virtual], through_defaults={"organization": world.org})
    c = make_service(world, name="Retirado", is_active=False)

    def names(**params):
        response = client_for(world.auditor).get(reverse("catalog:home"), params)
        return {s.name for s in response.context["page"].object_list}

    assert names() == {a.name, b.name}  # active only by default
    assert names(active="all") == {a.name, b.name, c.name}
    assert names(active="0") == {c.name}
    assert names(q="recursos") == {b.name}
    assert names(unit=world.sibling_unit.pk) == {b.name}
    assert names(service_type=b.service_type_id) == {b.name}
    assert names(topic=pts.pk) == {a.name}
    assert names(topic=pdsp.pk) == {a.name}  # sub-topics count for their parent
    assert names(modality=virtual.pk) == {b.name}
    assert names(origin="demand") == {b.name}
    assert names(unit="nonsense") == {a.name, b.name}  # malformed filters are ignored


def test_filter_options_carry_raw_ids(client_for, seeded):
    """es-CO groups thousands ("1.234"): ids in forms must not be localized."""
    world = seeded
    big = Topic.objects.create(organization=world.org, pk=1234567, name="Temática grande")
    service = make_service(world, name="Con temática grande")
    service.topics.set([big], through_defaults={"organization": world.org})
    html = client_for(world.admin).get(reverse("catalog:home")).content.decode()
    assert 'value="1234567"' in html
    response = client_for(world.admin).get(reverse("catalog:home"), {"topic": "1234567"})
    assert [s.name for s in response.context["page"].object_list] == [service.name]


def test_list_query_count_does_not_grow_with_rows(client_for, seeded):
    world = seeded
    c = client_for(world.admin)
    c.get(reverse("catalog:home"))  # warm caches (session, content types)

    def add(n):
        topics = list(Topic.objects.filter(organization=world.org)[:2])
        modality = value(world, Modality, "virtual")
        for i in range(n):
            service = make_service(world, name=f"Servicio {Service.objects.count()} {i}")
            service.topics.set(topics, through_defaults={"organization": world.org})
            service.modalities.set([modality], through_defaults={"organization": world.org})
            MilestoneTemplateFactory(service=service)

    add(2)
    with CaptureQueriesContext(connection) as few:
        assert c.get(reverse("catalog:home")).status_code == 200
    add(20)
    with CaptureQueriesContext(connection) as many:
        assert c.get(reverse("catalog:home")).status_code == 200
    assert len(many) == len(few)


def test_htmx_filter_request_renders_only_the_results(client_for, seeded):
    world = seeded
    make_service(world, name="Servicio visible")
    response = client_for(world.admin).get(
        reverse("catalog:home"), {"q": "visible"}, HTTP_HX_TARGET="service-results", **HTMX
    )
    html = response.content.decode()
    assert "<html" not in html
    assert html.strip().startswith('<div id="service-results">')
    assert "Servicio visible" in html
    assert "formato=csv&amp;q=visible" in html  # the export keeps the filters


# --- one service -------------------------------------------------------------------------------


def test_unit_head_creates_a_service_for_its_unit(client_for, seeded):
    world = seeded
    c = client_for(world.unit_head)
    page = c.get(reverse("catalog:service_create"))
    assert list(page.context["form"].fields["unit"].queryset) == [world.unit]
    response = c.post(reverse("catalog:service_create"), form_data(world))
    service = Service.objects.get(organization=world.org)
    assert response["Location"] == reverse("catalog:service_detail", args=[service.pk])
    assert service.unit == world.unit
    assert [t.code for t in service.topics.all()] == ["pts"]
    # another unit is not even a valid choice
    response = c.post(
        reverse("catalog:service_create"),
        form_data(world, name="Otro", unit=world.sibling_unit.pk),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    assert Service.objects.filter(organization=world.org).count() == 1


def test_unit_head_edits_own_unit_service_and_gets_404_on_another_unit(client_for, seeded):
    world = seeded
    own = make_service(world, name="Propio")
    other = make_service(world, unit=world.sibling_unit, name="Ajeno")
    c = client_for(world.unit_head)
    response = c.post(
        reverse("catalog:service_edit", args=[own.pk]),
        form_data(world, own, name="Propio editado"),
    )
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.name == "Propio editado"

    assert c.get(reverse("catalog:service_edit", args=[other.pk])).status_code == 404
    response = c.post(
        reverse("catalog:service_edit", args=[other.pk]),
        form_data(world, other, unit=world.sibling_unit.pk, name="Robado"),
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name == "Ajeno"
    # reading it works, without an edit button
    detail = c.get(reverse("catalog:service_detail", args=[other.pk]))
    assert detail.status_code == 200
    assert reverse("catalog:service_edit", args=[other.pk]) not in detail.content.decode()
    assert c.post(reverse("catalog:service_deactivate", args=[other.pk])).status_code == 404
    milestone = MilestoneTemplateFactory(service=other)
    assert c.get(reverse("catalog:milestone_edit", args=[milestone.pk])).status_code == 404
    assert (
        c.post(reverse("catalog:milestone_delete", args=[milestone.pk]), HTTP_HX_REQUEST="true")
    ).status_code == 404
    assert MilestoneTemplate.objects.filter(pk=milestone.pk).exists()


def test_admin_edits_any_service(client_for, seeded):
    world = seeded
    other = make_service(world, unit=world.sibling_unit, name="Ajeno")
    response = client_for(world.admin).post(
        reverse("catalog:service_edit", args=[other.pk]),
        form_data(world, other, unit=world.sibling_unit.pk, name="Editado por admin"),
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.name == "Editado por admin"
    assert Event.objects.filter(step_key="service.updated", object_id=str(other.pk)).exists()


def test_stale_edit_is_refused_with_a_message(client_for, seeded):
    world = seeded
    service = make_service(world, name="Original")
    c = client_for(world.admin)
    old_version = service.version
    c.post(
        reverse("catalog:service_edit", args=[service.pk]),
        form_data(world, service, name="Primero"),
    )
    response = c.post(
        reverse("catalog:service_edit", args=[service.pk]),
        form_data(world, service, name="Segundo", version=old_version),
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    service.refresh_from_db()
    assert service.name == "Primero"


def test_deactivate_and_reactivate_from_the_detail_page(client_for, seeded):
    world = seeded
    service = make_service(world)
    c = client_for(world.unit_head)
    c.post(reverse("catalog:service_deactivate", args=[service.pk]), {"version": service.version})
    service.refresh_from_db()
    assert not service.is_active
    c.post(reverse("catalog:service_reactivate", args=[service.pk]), {"version": service.version})
    service.refresh_from_db()
    assert service.is_active


def test_detail_shows_milestones_and_warns_without_them(client_for, seeded):
    world = seeded
    service = make_service(world)
    c = client_for(world.professional)
    html = c.get(reverse("catalog:service_detail", args=[service.pk])).content.decode()
    assert 'role="note"' in html  # no milestones yet
    assert "alert-warning" not in html  # SAL: milestones are not a switch of the procedure
    world.org.procedure_code = "FP"
    world.org.save(update_fields=["procedure_code"])
    html = c.get(reverse("catalog:service_detail", args=[service.pk])).content.decode()
    assert "Su procedimiento los exige" in html  # FP-2: every service has milestones
    MilestoneTemplateFactory(service=service, name="Acta firmada", order=1)
    html = c.get(reverse("catalog:service_detail", args=[service.pk])).content.decode()
    assert "Acta firmada" in html
    assert reverse("catalog:milestone_create", args=[service.pk]) not in html  # read-only


# --- milestones with htmx ----------------------------------------------------------------------


def test_milestones_inline_editing_with_htmx(client_for, seeded):
    world = seeded
    service = make_service(world)
    c = client_for(world.unit_head)
    create = reverse("catalog:milestone_create", args=[service.pk])

    response = c.post(create, {"name": "", "version": 1}, **HTMX)
    html = response.content.decode()
    assert html.startswith('<section id="milestones"')
    assert "invalid-feedback" in html
    assert not service.milestones.exists()

    for name in ("Convocatoria", "Ejecución", "Encuesta"):
        response = c.post(create, {"name": name, "required": "on", "version": 1}, **HTMX)
        assert response.status_code == 200
    first, second, third = service.milestones.order_by("order")
    assert "Encuesta" in response.content.decode()

    # edit: the row turns into a form, then saves
    response = c.get(reverse("catalog:milestone_edit", args=[second.pk]), **HTMX)
    assert (
        f'hx-post="{reverse("catalog:milestone_edit", args=[second.pk])}"'
        in response.content.decode()
    )
    c.post(
        reverse("catalog:milestone_edit", args=[second.pk]),
        {"name": "Ejecución de la asistencia", "expected_evidence": "Acta", "version": 1},
        **HTMX,
    )
    second.refresh_from_db()
    assert (second.name, second.required) == ("Ejecución de la asistencia", False)

    # move up / down
    c.post(reverse("catalog:milestone_move", args=[third.pk]), {"direction": "up"}, **HTMX)
    assert list(service.milestones.order_by("order").values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]
    c.post(reverse("catalog:milestone_move", args=[first.pk]), {"direction": "down"}, **HTMX)
    assert list(service.milestones.order_by("order").values_list("pk", flat=True)) == [
        third.pk,
        first.pk,
        second.pk,
    ]

    # delete (stale version refused, current accepted)
    response = c.post(reverse("catalog:milestone_delete", args=[second.pk]), {"version": 1}, **HTMX)
    assert "alert-danger" in response.content.decode()
    second.refresh_from_db()
    response = c.post(
        reverse("catalog:milestone_delete", args=[second.pk]), {"version": second.version}, **HTMX
    )
    assert "alert-success" in response.content.decode()
    assert list(service.milestones.order_by("order").values_list("order", flat=True)) == [1, 2]


def test_milestones_work_without_javascript(client_for, seeded):
    world = seeded
    service = make_service(world)
    c = client_for(world.admin)
    page = c.get(reverse("catalog:milestone_create", args=[service.pk]))
    assert "<html" in page.content.decode()
    response = c.post(
        reverse("catalog:milestone_create", args=[service.pk]),
        {"name": "Informe final", "required": "on", "version": 1},
    )
    assert response["Location"] == reverse("catalog:service_detail", args=[service.pk])
    milestone = service.milestones.get()
    page = c.get(reverse("catalog:milestone_edit", args=[milestone.pk]))
    assert "<html" in page.content.decode()


# --- vocabularies ------------------------------------------------------------------------------


def test_admin_manages_vocabularies_and_others_read(client_for, seeded):
    world = seeded
    c = client_for(world.admin)
    response = c.post(
        reverse("catalog:mechanism_create"),
        {"name": "Mesa técnica regional", "sort_order": "5", "is_active": "on", "version": 1},
    )
    assert response.status_code == 302
    mechanism = Mechanism.objects.get(organization=world.org, name="Mesa técnica regional")
    assert mechanism.code == "mesa_tecnica_regional"
    duplicate = c.post(
        reverse("catalog:mechanism_create"),
        {"name": "mesa técnica regional", "is_active": "on", "version": 1},
    )
    assert duplicate.status_code == 200 and duplicate.context["form"].errors["name"]

    pdsp = value(world, Topic, "pdsp")
    c.post(
        reverse("catalog:topic_create"),
        {"name": "Salud mental", "parent": pdsp.pk, "is_active": "on", "version": 1},
    )
    assert Topic.objects.get(organization=world.org, name="Salud mental").parent == pdsp

    listing = client_for(world.professional).get(reverse("catalog:topic_list"))
    html = listing.content.decode()
    assert "Salud mental" in html
    assert reverse("catalog:topic_create") not in html
    assert client_for(world.unit_head).get(reverse("catalog:topic_create")).status_code == 403


# --- export ------------------------------------------------------------------------------------


def test_export_escapes_formula_cells(client_for, seeded):
    world = seeded
    make_service(world, name='=HYPERLINK("http://x")', description="+1+2", code="@SUM(A1)")
    make_service(world, name="-10 servicios", description="Normal")
    c = client_for(world.auditor)

    response = c.get(reverse("catalog:service_export"), {"formato": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    cells = {cell for row in rows[1:] for cell in row}
    assert '\'=HYPERLINK("http://x")' in cells
    assert "'+1+2" in cells and "'@SUM(A1)" in cells and "'-10 servicios" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)

    response = c.get(reverse("catalog:service_export"), {"formato": "xlsx", "q": "HYPERLINK"})
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    values = [cell.value for row in sheet.iter_rows(min_row=2) for cell in row]
    assert '\'=HYPERLINK("http://x")' in values
    assert sheet.max_row == 2  # the filters apply to the export
    assert c.get(reverse("catalog:service_export"), {"formato": "pdf"}).status_code == 404
