"""Pages of the needs (SAL-1, EDU-1): list with filters, detail, create and edit, triage,
status, the evidence file behind the permission check, and the export."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from acompana.catalog.tests.factories import TopicFactory
from acompana.core.models import Event
from acompana.planning.choices import NeedOrigin, NeedSource, NeedStatus
from acompana.planning.models import Need, NeedStakeholder
from acompana.planning.tests.factories import NeedFactory, fiscal_year
from acompana.registry.tests.factories import StakeholderFactory, municipality

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
LIST = reverse("planning:need_list")


def _link(need, *stakeholders):
    for s in stakeholders:
        NeedStakeholder.objects.create(organization=need.organization, need=need, stakeholder=s)
    return need


def _titles(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return {n.title for n in response.context["page"].object_list}


@pytest.fixture
def catalogue(world):
    """Needs covering every filter: two topics, two units, two years, stakeholders in two
    departments (Huila 41298 Garzón, Antioquia 05001 Medellín)."""
    salud = TopicFactory(organization=world.org, name="Salud pública")
    vacunas = TopicFactory(organization=world.org, name="Vacunación")
    garzon = StakeholderFactory(organization=world.org, name="Alcaldía de Garzón")
    medellin = StakeholderFactory(
        organization=world.org,
        name="E.S.E. Hospital de Medellín",
        municipality=municipality("05001"),
    )
    old_year = fiscal_year(world.org, 2020)
    a = _link(
        NeedFactory(
            organization=world.org,
            title="Metas del plan territorial",
            description="Ajustar las metas del PTS",
            topic=salud,
            unit=world.unit,
            fiscal_year=fiscal_year(world.org),
            priority="high",
            source=NeedSource.DEVELOPMENT_PLAN,
        ),
        garzon,
    )
    b = _link(
        NeedFactory(
            organization=world.org,
            title="Cadena de frío",
            description="Fallas en la conservación de biológicos",
            topic=vacunas,
            unit=world.sibling_unit,
            fiscal_year=old_year,
            priority="low",
            origin=NeedOrigin.DEMAND,
            source=NeedSource.INSPECTION_VISIT,
        ),
        medellin,
    )
    c = NeedFactory(
        organization=world.org,
        title="Solicitud pública",
        description="Apoyo con el PIC",
        origin=NeedOrigin.DEMAND,
        source=NeedSource.REQUEST,
        status=NeedStatus.TO_TRIAGE,
        reference="SOL-2026-0004",
        requester_entity="Junta de acción comunal",
    )
    NeedFactory(organization=world.other, title="De otra entidad")
    return {
        "salud": salud,
        "vacunas": vacunas,
        "garzon": garzon,
        "medellin": medellin,
        "a": a,
        "b": b,
        "c": c,
        "old_year": old_year,
    }


# --- list ------------------------------------------------------------------------------------


def test_list_shows_only_the_organizations_needs(world, client_for, catalogue):
    assert _titles(client_for(world.auditor)) == {
        "Metas del plan territorial",
        "Cadena de frío",
        "Solicitud pública",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "territorial"}, {"Metas del plan territorial"}),
        ({"q": "biológicos"}, {"Cadena de frío"}),
        ({"q": "garzon"}, {"Metas del plan territorial"}),  # stakeholder, without accents
        ({"q": "SOL-2026-0004"}, {"Solicitud pública"}),
        ({"status": "to_triage"}, {"Solicitud pública"}),
        ({"origin": "demand"}, {"Cadena de frío", "Solicitud pública"}),
        ({"source": "inspection_visit"}, {"Cadena de frío"}),
        ({"priority": "high"}, {"Metas del plan territorial"}),
        ({"fiscal_year": 2020}, {"Cadena de frío"}),
        ({"department": "05"}, {"Cadena de frío"}),
        ({"department": "41", "municipality": "41298"}, {"Metas del plan territorial"}),
        ({"municipality": "05001"}, {"Cadena de frío"}),
    ],
)
def test_list_filters(world, client_for, catalogue, params, expected):
    assert _titles(client_for(world.planner), **params) == expected


def test_list_filters_by_topic_unit_and_stakeholder(world, client_for, catalogue):
    client = client_for(world.planner)
    assert _titles(client, topic=catalogue["vacunas"].pk) == {"Cadena de frío"}
    assert _titles(client, unit=world.unit.pk) == {"Metas del plan territorial"}
    assert _titles(client, stakeholder=catalogue["medellin"].pk) == {"Cadena de frío"}
    response = client.get(LIST, {"stakeholder": catalogue["medellin"].pk})
    assert "E.S.E. Hospital de Medellín" in response.content.decode()


def test_invalid_filter_shows_the_error_and_no_rows(world, client_for, catalogue):
    response = client_for(world.planner).get(LIST, {"status": "nope"})
    assert response.status_code == 200
    assert not response.context["page"].object_list
    assert response.context["form"].errors


def test_htmx_request_returns_only_the_results(world, client_for, catalogue):
    response = client_for(world.planner).get(LIST, {"q": "frío"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "Cadena de frío" in body
    assert 'hx-swap-oob="true"' in body  # the municipality select follows the department


def test_to_triage_tab_shows_the_waiting_requests(world, client_for, catalogue):
    response = client_for(world.unit_head).get(LIST)
    assert response.context["to_triage_count"] == 1
    assert reverse("planning:need_list") + "?status=to_triage" in response.content.decode()


def test_list_queries_do_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    topic = TopicFactory(organization=world.org)
    stakeholders = StakeholderFactory.create_batch(3, organization=world.org)
    client = client_for(world.planner)

    def add(count):
        for _ in range(count):
            _link(
                NeedFactory(organization=world.org, topic=topic, unit=world.unit),
                *stakeholders,
            )

    add(2)
    client.get(LIST)  # warm caches (content types, profile)
    with django_assert_max_num_queries(14) as few:
        client.get(LIST)
    add(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 42


# --- detail, evidence ------------------------------------------------------------------------


def test_detail_shows_the_trail_history_and_similar_needs(world, client_for, catalogue):
    duplicate = _link(
        NeedFactory(organization=world.org, title="Otra sobre metas", topic=catalogue["salud"]),
        catalogue["garzon"],
    )
    response = client_for(world.admin).get(
        reverse("planning:need_detail", args=[catalogue["a"].pk])
    )
    body = response.content.decode()
    assert "SAL-1" in body  # the procedure trail
    assert reverse("core:audit_object", args=["planning", "need", catalogue["a"].pk]) in body
    assert [n.pk for n in response.context["similar"]] == [duplicate.pk]


def test_detail_of_another_organization_is_404(world, client_for, catalogue):
    other = Need.objects.get(title="De otra entidad")
    response = client_for(world.admin).get(reverse("planning:need_detail", args=[other.pk]))
    assert response.status_code == 404


def _with_evidence(world, name="pantallazo.png", content=PNG):
    need = NeedFactory(organization=world.org, unit=world.unit)
    need.evidence.save(f"aleatorio{name[-4:]}", ContentFile(content), save=False)
    need.evidence_filename = name
    need.save()
    return need


def test_evidence_is_served_to_users_of_the_organization(world, client_for):
    need = _with_evidence(world)
    response = client_for(world.auditor).get(reverse("planning:need_evidence", args=[need.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert 'inline; filename="pantallazo.png"' in response["Content-Disposition"]


def test_evidence_of_an_email_file_is_an_attachment(world, client_for):
    need = _with_evidence(world, name="correo.eml", content=b"From: a@b.co\n\nHola")
    response = client_for(world.planner).get(reverse("planning:need_evidence", args=[need.pk]))
    assert response["Content-Disposition"].startswith("attachment")


def test_evidence_is_404_for_outsiders_and_anonymous_go_to_login(world, client, client_for):
    need = _with_evidence(world)
    url = reverse("planning:need_evidence", args=[need.pk])
    assert client_for(world.outsider).get(url).status_code == 404
    assert client.get(url).status_code == 302
    # never linked through the public media URL
    detail = client_for(world.planner).get(reverse("planning:need_detail", args=[need.pk]))
    assert need.evidence.name not in detail.content.decode()
    assert "/media/" not in detail.content.decode()


def test_need_without_evidence_is_404(world, client_for):
    need = NeedFactory(organization=world.org)
    response = client_for(world.planner).get(reverse("planning:need_evidence", args=[need.pk]))
    assert response.status_code == 404


# --- create, edit ----------------------------------------------------------------------------


def _form(world, **extra):
    return {
        "title": "Necesidad desde la página",
        "description": "Correo de la alcaldía pidiendo asistencia.",
        "origin": "demand",
        "source": "email",
        "priority": "medium",
        "unit": world.unit.pk,
        **extra,
    }


def test_sal1_create_through_the_page_with_stakeholders_and_evidence(world, client_for):
    """SAL-1: the coordinator registers the need from the e-mail, attaching its screenshot."""
    a, b = StakeholderFactory.create_batch(2, organization=world.org)
    response = client_for(world.unit_head).post(
        reverse("planning:need_create"),
        {
            **_form(world),
            "stakeholders": [a.pk, b.pk],
            "evidence": SimpleUploadedFile("pantallazo.png", PNG, "image/png"),
        },
    )
    need = Need.objects.get(title="Necesidad desde la página")
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:need_detail", args=[need.pk])
    assert need.created_by == world.unit_head
    assert need.evidence_filename == "pantallazo.png"
    assert set(need.stakeholder_links.values_list("stakeholder_id", flat=True)) == {a.pk, b.pk}


def test_create_refuses_a_stakeholder_of_another_organization(world, client_for):
    foreign = StakeholderFactory(organization=world.other)
    response = client_for(world.planner).post(
        reverse("planning:need_create"), {**_form(world), "stakeholders": [foreign.pk]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["stakeholders"]
    assert not Need.objects.exists()


def test_create_refuses_a_bad_evidence_file(world, client_for):
    response = client_for(world.planner).post(
        reverse("planning:need_create"),
        {**_form(world), "evidence": SimpleUploadedFile("virus.exe", b"MZ")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["evidence"]
    assert not Need.objects.exists()


def test_the_professional_form_offers_only_its_unit(world, client_for):
    response = client_for(world.professional).get(reverse("planning:need_create"))
    units = list(response.context["form"].fields["unit"].queryset)
    assert units == [world.unit]
    response = client_for(world.professional).post(
        reverse("planning:need_create"), _form(world, unit=world.sibling_unit.pk)
    )
    assert response.context["form"].errors["unit"]


def test_a_professional_cannot_edit_a_need_of_another_unit(world, client_for):
    need = NeedFactory(organization=world.org, unit=world.sibling_unit)
    response = client_for(world.professional).get(reverse("planning:need_edit", args=[need.pk]))
    assert response.status_code == 404


def test_stale_edit_through_the_page_shows_a_message(world, client_for):
    need = NeedFactory(organization=world.org, unit=world.unit, version=3)
    response = client_for(world.planner).post(
        reverse("planning:need_edit", args=[need.pk]), {**_form(world), "version": 2}
    )
    assert response.status_code == 200
    assert "Otra persona modificó este registro" in response.content.decode()
    need.refresh_from_db()
    assert need.title != "Necesidad desde la página"


def test_edit_keeps_and_changes_stakeholders(world, client_for):
    a, b = StakeholderFactory.create_batch(2, organization=world.org)
    need = _link(NeedFactory(organization=world.org, unit=world.unit), a)
    client = client_for(world.unit_head)
    page = client.get(reverse("planning:need_edit", args=[need.pk]))
    assert a.name in page.content.decode()  # the chosen one is shown ticked
    client.post(
        reverse("planning:need_edit", args=[need.pk]),
        {**_form(world), "stakeholders": [b.pk], "version": need.version},
    )
    assert list(need.stakeholder_links.values_list("stakeholder_id", flat=True)) == [b.pk]


def test_stakeholder_picker_searches_the_registry(world, client_for):
    garzon = StakeholderFactory(organization=world.org, name="Alcaldía de Garzón")
    chosen = StakeholderFactory(organization=world.org, name="Hospital de Garzón")
    StakeholderFactory(organization=world.org, name="Garzón inactivo", is_active=False)
    StakeholderFactory(organization=world.other, name="Garzón de otra entidad")
    response = client_for(world.professional).get(
        reverse("planning:need_stakeholder_options"),
        {"stakeholder_q": "garzon", "stakeholders": [chosen.pk]},
    )
    assert [s.pk for s in response.context["options"]] == [garzon.pk]
    by_nit = client_for(world.professional).get(
        reverse("planning:need_stakeholder_options"), {"stakeholder_q": garzon.nit[:9]}
    )
    assert garzon in by_nit.context["options"]


# --- triage and status -----------------------------------------------------------------------


def test_triage_page_accepts_a_request(world, client_for, catalogue):
    need = catalogue["c"]
    response = client_for(world.planner).post(
        reverse("planning:need_triage", args=[need.pk]),
        {
            "decision": "accept",
            "priority": "high",
            "unit": world.unit.pk,
            "topic": catalogue["salud"].pk,
            "stakeholders": [catalogue["garzon"].pk],
            "version": need.version,
        },
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.status, need.unit, need.priority) == ("open", world.unit, "high")


def test_triage_page_requires_a_reason_to_discard(world, client_for, catalogue):
    need = catalogue["c"]
    url = reverse("planning:need_triage", args=[need.pk])
    response = client_for(world.planner).post(
        url, {"decision": "discard", "priority": "medium", "version": need.version}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert Need.objects.get(pk=need.pk).status == "to_triage"


def test_triage_page_offers_the_alcaldia_of_the_requesters_municipality(world, client_for):
    """Issue 11 §8: the request's municipality is matched to its alcaldía in the registry,
    chosen by default; title and vigencia can be set; SAL-1 is then done by that person."""
    from acompana.core.models import Event
    from acompana.geo.models import Municipality
    from acompana.planning.tests.factories import fiscal_year
    from acompana.registry.tests.factories import StakeholderFactory

    garzon = Municipality.objects.get(code="41298")
    alcaldia = StakeholderFactory(
        organization=world.org,
        kind="municipality",
        name="Alcaldía de Garzón",
        dane_code="41298",
        municipality=garzon,
    )
    need = NeedFactory(
        organization=world.org,
        status="to_triage",
        origin="demand",
        source="request",
        unit=None,
        requester_entity="Alcaldía de Garzón",
        requester_municipality=garzon,
        requester_position="Secretario de Salud",
    )
    url = reverse("planning:need_triage", args=[need.pk])
    client = client_for(world.unit_head)
    page = client.get(url)
    form = page.context["form"]
    assert form["requester_stakeholder"].value() == str(alcaldia.pk)
    assert form["title"].value() == need.title
    assert "Secretario de Salud" in page.content.decode()
    year = fiscal_year(world.org, 2099)
    response = client.post(
        url,
        {
            "decision": "accept",
            "priority": "medium",
            "unit": world.unit.pk,
            "title": "Vigilancia epidemiológica en Garzón",
            "fiscal_year": year.pk,
            "requester_stakeholder": str(alcaldia.pk),
            "version": need.version,
        },
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert (need.status, need.title, need.fiscal_year) == (
        "open",
        "Vigilancia epidemiológica en Garzón",
        year,
    )
    assert list(need.stakeholder_links.values_list("stakeholder_id", flat=True)) == [alcaldia.pk]
    event = Event.objects.get(step_key="need.registered", object_id=str(need.pk))
    assert event.actor == world.unit_head
    detail = client.get(reverse("planning:need_detail", args=[need.pk])).content.decode()
    assert "Secretario de Salud" in detail  # what the form asked stays on the need's page


def test_triage_page_offers_but_does_not_choose_the_alcaldia_for_another_entity(world, client_for):
    from acompana.geo.models import Municipality
    from acompana.registry.tests.factories import StakeholderFactory

    garzon = Municipality.objects.get(code="41298")
    alcaldia = StakeholderFactory(
        organization=world.org, kind="municipality", dane_code="41298", municipality=garzon
    )
    hospital = StakeholderFactory(organization=world.org, kind="other", nit="891180084-1")
    need = NeedFactory(
        organization=world.org,
        status="to_triage",
        requester_entity="E.S.E. Hospital San Antonio",
        requester_municipality=garzon,
    )
    url = reverse("planning:need_triage", args=[need.pk])
    form = client_for(world.planner).get(url).context["form"]
    assert str(alcaldia.pk) in dict(form.fields["requester_stakeholder"].choices)
    assert form["requester_stakeholder"].value() == ""
    # the NIT the requester gave chooses its entity
    need.requester_identifier = "891180084"
    need.save()
    form = client_for(world.planner).get(url).context["form"]
    assert form["requester_stakeholder"].value() == str(hospital.pk)


def test_triage_page_registers_a_new_stakeholder(world, client_for):
    from acompana.geo.models import Municipality
    from acompana.registry.models import Stakeholder

    need = NeedFactory(
        organization=world.org,
        status="to_triage",
        origin="demand",
        source="request",
        requester_entity="Alcaldía de Garzón",
        requester_municipality=Municipality.objects.get(code="41298"),
    )
    url = reverse("planning:need_triage", args=[need.pk])
    client = client_for(world.planner)
    assert client.get(url).context["form"]["new_kind"].value() == "municipality"
    response = client.post(
        url,
        {
            "decision": "accept",
            "priority": "medium",
            "requester_stakeholder": "new",
            "new_kind": "municipality",
            "new_name": "Alcaldía Municipal de Garzón",
            "version": need.version,
        },
    )
    assert response.status_code == 302
    created = Stakeholder.objects.get(organization=world.org, dane_code="41298")
    assert created.name == "Alcaldía Municipal de Garzón"
    assert need.stakeholder_links.get().stakeholder == created


def test_triage_of_an_already_triaged_need_redirects(world, client_for, catalogue):
    response = client_for(world.planner).get(
        reverse("planning:need_triage", args=[catalogue["a"].pk])
    )
    assert response.status_code == 302


def test_status_form_moves_the_need(world, client_for, catalogue):
    need = catalogue["a"]
    client = client_for(world.planner)
    client.post(
        reverse("planning:need_set_status", args=[need.pk]),
        {"status": "planned", "version": need.version},
    )
    need.refresh_from_db()
    assert need.status == "planned"
    response = client.post(
        reverse("planning:need_set_status", args=[need.pk]),
        {"status": "discarded", "version": need.version},
        follow=True,
    )
    assert Need.objects.get(pk=need.pk).status == "planned"
    assert list(response.context["messages"])


# --- export ----------------------------------------------------------------------------------


def test_export_csv_escapes_formulas_and_follows_the_filters(world, client_for, catalogue):
    NeedFactory(
        organization=world.org,
        title='=HYPERLINK("http://malo")',
        description="+cmd|' /C calc'!A0",
        priority="high",
    )
    response = client_for(world.auditor).get(
        reverse("planning:need_export"), {"priority": "high", "format": "csv"}
    )
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:4] == ["Título", "Descripción", "Tipo de origen", "Fuente"]
    titles = {row[0] for row in rows[1:]}
    assert titles == {"Metas del plan territorial", '\'=HYPERLINK("http://malo")'}
    bad = next(row for row in rows if row[0].startswith("'="))
    assert bad[1].startswith("'+")
    event = Event.objects.get(step_key="need.exported")
    assert event.after["count"] == 2 and event.after["personal_data"] is True


def test_export_xlsx_escapes_formulas(world, client_for):
    NeedFactory(organization=world.org, title="@SUM(1+1)", requester_name="-2+3")
    response = client_for(world.planner).get(reverse("planning:need_export"), {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    values = [cell.value for cell in sheet[2]]
    assert values[0] == "'@SUM(1+1)"
    assert "'-2+3" in values


def test_export_rows_can_be_imported_again(world, client_for, catalogue):
    from acompana.planning.needs.imports import parse_need_file

    response = client_for(world.planner).get(
        reverse("planning:need_export"), {"format": "csv", "q": "territorial"}
    )
    content = b"".join(response.streaming_content)
    preview = parse_need_file(organization=world.org, content=content, filename="export.csv")
    assert preview.ok, (preview.file_errors, preview.row_errors)
    values = preview.rows[0].values
    assert values["stakeholder_ids"] == [catalogue["garzon"].pk]
    assert values["topic_id"] == catalogue["salud"].pk


def test_export_with_a_bad_format_is_404(world, client_for):
    response = client_for(world.planner).get(reverse("planning:need_export"), {"format": "pdf"})
    assert response.status_code == 404
