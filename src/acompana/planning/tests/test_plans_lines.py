"""Plan lines (SAL-2, EDU-2, FP-5, DNP-3): validation, the inline grid, optimistic locking."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from acompana.catalog.models import ServiceMechanism, ServiceModality, ServiceTopic
from acompana.catalog.tests.factories import (
    MechanismFactory,
    ModalityFactory,
    ServiceFactory,
    ServiceTypeFactory,
    TopicFactory,
)
from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.models import Event
from acompana.core.tests.factories import UnitFactory, member
from acompana.planning.choices import NeedStatus, PlanStatus
from acompana.planning.models import PlanLine, PlanLineStakeholder
from acompana.planning.plans import services
from acompana.planning.plans.validation import LineInput, parse_budget, parse_months
from acompana.planning.tests.cases_plans import make_plan, use_procedure
from acompana.planning.tests.factories import NeedFactory, PlanLineFactory, fiscal_year
from acompana.registry.choices import StakeholderKind
from acompana.registry.tests.factories import StakeholderFactory, municipality

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _catalogue(world):
    service_type = ServiceTypeFactory(organization=world.org, name="Asistencia técnica")
    topic = TopicFactory(organization=world.org, name="Convivencia escolar")
    mechanism = MechanismFactory(organization=world.org, name="Visita")
    modality = ModalityFactory(organization=world.org, name="Presencial")
    service = ServiceFactory(
        organization=world.org,
        unit=world.unit,
        name="Acompañamiento PEI",
        service_type=service_type,
    )
    ServiceTopic.objects.create(organization=world.org, service=service, topic=topic)
    ServiceMechanism.objects.create(organization=world.org, service=service, mechanism=mechanism)
    ServiceModality.objects.create(organization=world.org, service=service, modality=modality)
    return service


def _data(**values) -> LineInput:
    return LineInput(activity=values.pop("activity", "Taller de convivencia escolar"), **values)


# --- validation -------------------------------------------------------------------------------


def test_a_complete_line_is_created_with_its_links(world):
    """EDU-2: every field the procedure asks for is stored, stakeholders and needs linked."""
    plan = make_plan(world, lines=0)
    service = _catalogue(world)
    school = StakeholderFactory(
        organization=world.org, kind=StakeholderKind.SCHOOL, name="IE La Paz"
    )
    need = NeedFactory(organization=world.org)
    line = services.plan_line_create(
        actor=world.professional,
        plan=plan,
        data=_data(
            programme="Calidad educativa",
            objective="Actualizar el manual de convivencia",
            service=service,
            months=[3, 4],
            start_date=datetime.date(plan.fiscal_year.year, 3, 2),
            end_date=datetime.date(plan.fiscal_year.year, 4, 30),
            place="Sede principal",
            municipality=municipality("41298"),
            responsible=world.professional,
            responsible_team="Equipo de calidad",
            budget=Decimal("1500000"),
            needs_travel=True,
            procurement_notes="Viáticos para dos profesionales",
            stakeholders=[school],
            needs=[need],
        ),
    )
    line.refresh_from_db()
    assert line.position == 1 and line.months == [3, 4] and line.quarters == [1, 2]
    # the service filled its type, and its only topic, mechanism and modality
    assert line.service_type == service.service_type
    assert line.topic.name == "Convivencia escolar"
    assert line.mechanism.name == "Visita" and line.modality.name == "Presencial"
    assert list(line.stakeholder_links.values_list("stakeholder_id", flat=True)) == [school.pk]
    assert list(line.need_links.values_list("need_id", flat=True)) == [need.pk]
    assert Event.objects.filter(step_key="plan.line_added", object_id=str(line.pk)).exists()


@pytest.mark.parametrize(
    "values, field",
    [
        ({"activity": "  "}, "activity"),
        ({"months": [0, 13]}, "months"),
        ({"budget": Decimal("-1")}, "budget"),
    ],
)
def test_bad_values_are_refused_with_spanish_field_errors(world, values, field):
    plan = make_plan(world, lines=0)
    with pytest.raises(ValidationError) as info:
        services.plan_line_create(actor=world.professional, plan=plan, data=_data(**values))
    assert field in info.value.message_dict
    assert not PlanLine.objects.filter(plan=plan).exists()


def test_dates_must_be_ordered_and_inside_the_fiscal_year(world):
    plan = make_plan(world, lines=0)
    year = plan.fiscal_year.year
    with pytest.raises(ValidationError) as info:
        services.plan_line_create(
            actor=world.professional,
            plan=plan,
            data=_data(start_date=datetime.date(year, 5, 1), end_date=datetime.date(year, 4, 1)),
        )
    assert "end_date" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.plan_line_create(
            actor=world.professional,
            plan=plan,
            data=_data(start_date=datetime.date(year + 1, 1, 10)),
        )
    assert str(year) in info.value.message_dict["start_date"][0]


def test_months_follow_from_the_dates_when_not_given(world):
    plan = make_plan(world, lines=0)
    year = plan.fiscal_year.year
    line = services.plan_line_create(
        actor=world.professional,
        plan=plan,
        data=_data(start_date=datetime.date(year, 2, 20), end_date=datetime.date(year, 4, 3)),
    )
    assert line.months == [2, 3, 4]


def test_references_of_other_organizations_or_inactive_are_refused(world):
    plan = make_plan(world, lines=0)
    foreign = StakeholderFactory(organization=world.other)
    inactive = StakeholderFactory(organization=world.org, is_active=False)
    discarded = NeedFactory(organization=world.org, status=NeedStatus.DISCARDED)
    other_unit_service = ServiceFactory(organization=world.org, unit=world.sibling_unit)
    outsider_topic = TopicFactory(organization=world.other)
    with pytest.raises(ValidationError) as info:
        services.plan_line_create(
            actor=world.professional,
            plan=plan,
            data=_data(
                stakeholders=[foreign, inactive],
                needs=[discarded],
                service=other_unit_service,
                topic=outsider_topic,
                responsible=world.outsider,
            ),
        )
    errors = info.value.message_dict
    assert len(errors["stakeholders"]) == 2
    assert set(errors) >= {"needs", "service", "topic", "responsible"}


def test_an_inactive_stakeholder_already_on_the_line_may_stay(world):
    line = make_plan(world).lines.get()
    school = StakeholderFactory(organization=world.org)
    PlanLineStakeholder.objects.create(organization=world.org, line=line, stakeholder=school)
    school.is_active = False
    school.save(update_fields=["is_active"])
    line = PlanLine.objects.get(pk=line.pk)
    data = LineInput.from_line(line)
    data.activity = "Taller ajustado"
    services.plan_line_update(actor=world.professional, line=line, expected_version=1, data=data)
    assert line.stakeholder_links.get().stakeholder == school


def test_legal_obligation_needs_a_national_entity(world):
    """FP-5: the legal obligation is recorded for national entities."""
    use_procedure(world, "FP")
    plan = make_plan(world, lines=0)
    territorial = StakeholderFactory(organization=world.org)
    with pytest.raises(ValidationError) as info:
        services.plan_line_create(
            actor=world.professional,
            plan=plan,
            data=_data(legal_obligation=True, stakeholders=[territorial]),
        )
    assert "legal_obligation" in info.value.message_dict
    national = StakeholderFactory(organization=world.org, kind=StakeholderKind.NATIONAL_ENTITY)
    line = services.plan_line_create(
        actor=world.professional,
        plan=plan,
        data=_data(
            legal_obligation=True, stakeholders=[national], territorial_manager="Gestor Huila"
        ),
    )
    assert line.legal_obligation and line.territorial_manager == "Gestor Huila"


def test_parsers_of_months_and_budgets():
    assert parse_months("1, 2; 3") == [1, 2, 3]
    assert parse_months("ene, mar-abr") == [1, 3, 4]
    assert parse_months("2-4") == [2, 3, 4]
    with pytest.raises(ValueError):
        parse_months("13")
    assert parse_budget("1.500.000") == Decimal("1500000")
    assert parse_budget("1.500.000,50") == Decimal("1500000.50")
    assert parse_budget("$ 2500000") == Decimal("2500000")
    assert parse_budget("1500000.5") == Decimal("1500000.5")
    with pytest.raises(ValueError):
        parse_budget("mucho")


# --- state and scope --------------------------------------------------------------------------


@pytest.mark.parametrize("status", [PlanStatus.SUBMITTED, PlanStatus.PUBLISHED])
def test_lines_only_change_while_the_plan_is_a_draft_or_returned(world, status):
    plan = make_plan(world, status=status)
    line = plan.lines.get()
    with pytest.raises(TransitionError):
        services.plan_line_create(actor=world.professional, plan=plan, data=_data())
    with pytest.raises(TransitionError):
        services.plan_line_update(
            actor=world.professional, line=line, expected_version=1, data=_data(activity="x")
        )
    with pytest.raises(TransitionError):
        services.plan_line_delete(actor=world.professional, line=line, expected_version=1)
    returned = make_plan(world, status=PlanStatus.RETURNED, unit=world.sibling_unit)
    services.plan_line_create(actor=world.planner, plan=returned, data=_data())


def test_unit_members_write_only_their_unit_plans(world):
    other_plan = make_plan(world, unit=world.sibling_unit, lines=0)
    with pytest.raises(PermissionDenied):
        services.plan_line_create(actor=world.professional, plan=other_plan, data=_data())
    with pytest.raises(PermissionDenied):
        services.plan_line_create(actor=world.auditor, plan=other_plan, data=_data())
    services.plan_line_create(actor=world.planner, plan=other_plan, data=_data())


# --- optimistic locking, duplicate, reorder ------------------------------------------------------


def test_a_stale_line_update_is_refused(world):
    line = make_plan(world).lines.get()
    services.plan_line_update(
        actor=world.professional, line=line, expected_version=1, data=_data(activity="Primera")
    )
    stale = PlanLine.objects.get(pk=line.pk)
    with pytest.raises(StaleObjectError):
        services.plan_line_update(
            actor=world.unit_head, line=stale, expected_version=1, data=_data(activity="Segunda")
        )
    line.refresh_from_db()
    assert line.activity == "Primera" and line.version == 2


def test_duplicate_copies_the_line_below_with_its_links(world):
    plan = make_plan(world, lines=3)
    first, second, third = plan.lines.order_by("position")
    school = StakeholderFactory(organization=world.org)
    PlanLineStakeholder.objects.create(organization=world.org, line=first, stakeholder=school)
    copy = services.plan_line_duplicate(
        actor=world.professional, line=PlanLine.objects.get(pk=first.pk)
    )
    order = list(plan.lines.order_by("position").values_list("pk", "position"))
    assert order == [(first.pk, 1), (copy.pk, 2), (second.pk, 3), (third.pk, 4)]
    assert copy.activity == first.activity
    assert list(copy.stakeholder_links.values_list("stakeholder_id", flat=True)) == [school.pk]


def test_move_and_delete_keep_positions(world):
    plan = make_plan(world, lines=3)
    first, second, third = plan.lines.order_by("position")
    services.plan_line_move(actor=world.professional, line=third, direction="up")
    assert list(plan.lines.order_by("position").values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]
    services.plan_line_move(actor=world.professional, line=first, direction="up")  # no-op
    services.plan_line_delete(actor=world.professional, line=first, expected_version=1)
    assert plan.lines.count() == 2
    with pytest.raises(StaleObjectError):
        services.plan_line_delete(actor=world.professional, line=second, expected_version=7)


# --- the grid (htmx) ----------------------------------------------------------------------------


def test_inline_edit_swaps_the_row_to_a_form_and_back(world, client_for):
    """EDU-2: the professional edits a line in the table without leaving the page."""
    plan = make_plan(world)
    line = plan.lines.get()
    client = client_for(world.professional)
    url = reverse("planning:plan_line_edit", args=[line.pk])
    form_row = client.get(url, **HTMX)
    assert form_row.status_code == 200
    html = form_row.content.decode()
    assert html.startswith("<tr") and 'name="activity"' in html
    assert f'value="{line.activity}"' in html and 'name="version" value="1"' in html
    response = client.post(
        url,
        {
            "activity": "Taller actualizado",
            "months": ["5", "6"],
            "budget": "2.000.000",
            "version": 1,
        },
        **HTMX,
    )
    assert response.status_code == 200
    row = response.content.decode()
    assert f'id="line-{line.pk}"' in row and "Taller actualizado" in row and "<form" in row
    assert response["HX-Trigger"] == "plan-changed"
    line.refresh_from_db()
    assert line.months == [5, 6] and line.budget == Decimal("2000000") and line.version == 2


def test_a_stale_inline_edit_shows_the_fresh_row_and_a_message(world, client_for):
    plan = make_plan(world)
    line = plan.lines.get()
    services.plan_line_update(
        actor=world.unit_head,
        line=line,
        expected_version=1,
        data=_data(activity="Versión del jefe"),
    )
    response = client_for(world.professional).post(
        reverse("planning:plan_line_edit", args=[line.pk]),
        {"activity": "Versión vieja", "version": 1},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "Versión del jefe" in html and 'value="2"' in html
    line.refresh_from_db()
    assert line.activity == "Versión del jefe"


def test_validation_errors_stay_in_the_form_row(world, client_for):
    plan = make_plan(world, lines=0)
    response = client_for(world.professional).post(
        reverse("planning:plan_line_create", args=[plan.pk]),
        {"activity": "Visita", "budget": "-5"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "invalid-feedback" in html and 'id="line-new"' in html
    assert not plan.lines.exists()


def test_add_duplicate_and_delete_through_the_grid(world, client_for):
    plan = make_plan(world, lines=0)
    client = client_for(world.professional)
    blank = client.get(reverse("planning:plan_line_create", args=[plan.pk]), **HTMX)
    assert 'id="line-new"' in blank.content.decode()
    created = client.post(
        reverse("planning:plan_line_create", args=[plan.pk]), {"activity": "Mesa técnica"}, **HTMX
    )
    line = plan.lines.get()
    assert f'id="line-{line.pk}"' in created.content.decode()
    body = client.post(reverse("planning:plan_line_duplicate", args=[line.pk]), **HTMX)
    assert body.content.decode().startswith('<tbody id="plan-lines">')
    assert plan.lines.count() == 2
    copy = plan.lines.exclude(pk=line.pk).get()
    client.post(reverse("planning:plan_line_delete", args=[copy.pk]), {"version": 1}, **HTMX)
    assert list(plan.lines.values_list("pk", flat=True)) == [line.pk]


def test_the_stakeholder_picker_searches_the_registry(world, client_for):
    plan = make_plan(world, lines=0)
    StakeholderFactory(organization=world.org, name="Institución Educativa Garzón")
    StakeholderFactory(organization=world.other, name="Institución Educativa Garzón de otra")
    StakeholderFactory(
        organization=world.org, name="Institución Educativa Inactiva", is_active=False
    )
    response = client_for(world.professional).get(
        reverse("planning:plan_stakeholder_search", args=[plan.pk]), {"q": "garzon"}
    )
    html = response.content.decode()
    assert "Institución Educativa Garzón" in html
    assert "de otra" not in html and "Inactiva" not in html
    need = NeedFactory(organization=world.org, title="Baja cobertura en inglés")
    response = client_for(world.professional).get(
        reverse("planning:plan_need_search", args=[plan.pk]), {"q": "inglés"}
    )
    assert f'value="{need.pk}"' in response.content.decode()


def test_the_plan_page_query_count_does_not_grow_with_lines(
    world, client_for, django_assert_max_num_queries
):
    """The grid of 100 lines costs the same queries as 5 (prefetch)."""
    small = make_plan(world, lines=0)
    big = make_plan(world, unit=world.sibling_unit, lines=0)
    school = StakeholderFactory(organization=world.org)
    need = NeedFactory(organization=world.org)
    service = _catalogue(world)
    for plan, count in ((small, 5), (big, 100)):
        for position in range(1, count + 1):
            line = PlanLineFactory(
                plan=plan,
                position=position,
                service=service,
                service_type=service.service_type,
                municipality=municipality("41298"),
                responsible=world.professional,
            )
            PlanLineStakeholder.objects.create(
                organization=world.org, line=line, stakeholder=school
            )
            line.need_links.create(organization=world.org, need=need)
    client = client_for(world.planner)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(reverse("planning:plan_detail", args=[small.pk])).status_code == 200
    with django_assert_max_num_queries(len(small_queries)):
        response = client.get(reverse("planning:plan_detail", args=[big.pk]))
    # the grid is paginated (issue 11: the page costs the same with 5 or 500 lines): every
    # line is reachable, GRID_PAGE_SIZE per page
    from acompana.planning.plans.views import GRID_PAGE_SIZE

    assert response.status_code == 200
    assert response.content.decode().count('class="plan-line"') == GRID_PAGE_SIZE
    shown = 0
    for number in range(1, 100 // GRID_PAGE_SIZE + 1):
        url = reverse("planning:plan_detail", args=[big.pk]) + f"?page={number}"
        shown += client.get(url).content.decode().count('class="plan-line"')
    assert shown == 100


def test_other_units_members_cannot_open_the_line_editor(world, client_for):
    plan = make_plan(world, unit=UnitFactory(organization=world.org, name="Inspección"))
    line = plan.lines.get()
    head = member(world.org, "unit_head", unit=world.sibling_unit)
    response = client_for(head).get(reverse("planning:plan_line_edit", args=[line.pk]))
    assert response.status_code == 404
    assert client_for(head).get(reverse("planning:plan_detail", args=[plan.pk])).status_code == 200
    assert fiscal_year(world.org) == plan.fiscal_year
