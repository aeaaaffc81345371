"""Pages of the plans area: list, create, plan page with its trail, transitions, the
consolidated plan (EDU-2..EDU-8, SAL-2, FP-5, FP-6, DNP-3)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from acompana.core.tests.factories import build_world
from acompana.planning.choices import ConsolidatedStatus, PlanStatus
from acompana.planning.models import ConsolidatedPlan, Plan, PlanComment
from acompana.planning.tests.cases_plans import (
    complete_line,
    make_consolidated,
    make_plan,
    use_procedure,
)
from acompana.planning.tests.factories import fiscal_year

pytestmark = pytest.mark.django_db


def test_the_list_filters_and_shows_totals(world, client_for, django_assert_max_num_queries):
    plan = make_plan(world, lines=3)
    make_plan(world, unit=world.sibling_unit, status=PlanStatus.SUBMITTED)
    client = client_for(world.auditor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("planning:plan_list"))
    html = response.content.decode()
    assert response.status_code == 200 and plan.title in html and world.sibling_unit.name in html
    filtered = client.get(
        reverse("planning:plan_list"), {"status": "submitted"}, HTTP_HX_REQUEST="true"
    )
    assert plan.title not in filtered.content.decode()
    assert (
        client_for(world.outsider)
        .get(reverse("planning:plan_list"))
        .content.decode()
        .count(plan.title)
        == 0
    )


def test_an_empty_list_explains_what_a_plan_is(world, client_for):
    html = client_for(world.professional).get(reverse("planning:plan_list")).content.decode()
    assert reverse("planning:plan_create") in html


def test_a_professional_opens_the_plan_of_its_unit(world, client_for):
    """EDU-2/SAL-2: the unit opens its plan for the fiscal year (plan.drafted)."""
    client = client_for(world.professional)
    form = client.get(reverse("planning:plan_create"))
    assert form.status_code == 200
    response = client.post(
        reverse("planning:plan_create"),
        {"unit": world.unit.pk, "fiscal_year": fiscal_year(world.org).pk},
    )
    plan = Plan.objects.get(organization=world.org, unit=world.unit)
    assert response.status_code == 302 and response["Location"].endswith(f"/{plan.pk}/")
    again = client.post(
        reverse("planning:plan_create"),
        {"unit": world.unit.pk, "fiscal_year": fiscal_year(world.org).pk},
    )
    assert again.status_code == 200 and "invalid-feedback" in again.content.decode()
    other_unit = client.post(
        reverse("planning:plan_create"),
        {"unit": world.sibling_unit.pk, "fiscal_year": fiscal_year(world.org).pk},
    )
    assert other_unit.status_code == 200  # not a choice for a unit-scoped role
    assert not Plan.objects.filter(unit=world.sibling_unit).exists()


def test_the_plan_page_shows_the_grid_actions_and_the_trail(world, client_for):
    plan = make_plan(world, lines=2)
    html = (
        client_for(world.professional)
        .get(reverse("planning:plan_detail", args=[plan.pk]))
        .content.decode()
    )
    assert 'id="plan-lines"' in html and "procedure-trail" in html and "SAL-2" in html
    # SAL-2 has no review: one action finalises the plan, no "send to review"
    assert reverse("planning:plan_finalise", args=[plan.pk]) in html
    assert reverse("planning:plan_submit", args=[plan.pk]) not in html
    assert reverse("planning:plan_line_create", args=[plan.pk]) in html
    auditor = (
        client_for(world.auditor)
        .get(reverse("planning:plan_detail", args=[plan.pk]))
        .content.decode()
    )
    assert reverse("planning:plan_finalise", args=[plan.pk]) not in auditor
    assert reverse("planning:plan_line_create", args=[plan.pk]) not in auditor
    assert (
        client_for(world.outsider).get(reverse("planning:plan_detail", args=[plan.pk])).status_code
        == 404
    )


def test_return_and_approval_through_the_pages(world, client_for):
    """EDU-3 in the UI: the unit head returns with comments, the unit resubmits, approved."""
    use_procedure(world, "EDU")
    plan = make_plan(world, status=PlanStatus.SUBMITTED)
    head = client_for(world.unit_head)
    page = head.get(reverse("planning:plan_detail", args=[plan.pk])).content.decode()
    assert reverse("planning:plan_return", args=[plan.pk]) in page
    empty = head.post(reverse("planning:plan_return", args=[plan.pk]), {"comments": ""})
    assert empty.status_code == 200
    head.post(
        reverse("planning:plan_return", args=[plan.pk]), {"comments": "Precise los municipios."}
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    detail = client_for(world.professional).get(reverse("planning:plan_detail", args=[plan.pk]))
    assert "Precise los municipios." in detail.content.decode()
    client_for(world.professional).post(reverse("planning:plan_submit", args=[plan.pk]))
    head.post(
        reverse("planning:plan_approve", args=[plan.pk]),
        {"version": Plan.objects.get(pk=plan.pk).version},
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.UNIT_APPROVED and plan.round == 2
    assert PlanComment.objects.filter(plan=plan).count() == 1


def test_a_stale_transition_form_is_refused_with_a_message(world, client_for):
    use_procedure(world, "EDU")
    plan = make_plan(world, status=PlanStatus.SUBMITTED)
    old_version = plan.version
    client_for(world.unit_head).post(
        reverse("planning:plan_return", args=[plan.pk]),
        {"comments": "Ajuste", "version": old_version},
    )
    client_for(world.professional).post(reverse("planning:plan_submit", args=[plan.pk]))
    response = client_for(world.unit_head).post(
        reverse("planning:plan_approve", args=[plan.pk]), {"version": old_version}, follow=True
    )
    assert Plan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED
    assert 'role="alert"' in response.content.decode()


def test_the_consolidated_plan_pages_drive_edu_4_to_edu_8(client_for):
    """EDU-4..EDU-8 through the pages: consolidate, verify, committee acta, publish."""
    world = build_world(procedure_code="EDU")
    for unit in (world.unit, world.sibling_unit):
        plan = make_plan(world, unit=unit, lines=0, status=PlanStatus.UNIT_APPROVED)
        complete_line(world, plan, activity=f"Visita a {unit.name}")
    planner = client_for(world.planner)
    assert planner.get(reverse("planning:consolidated_list")).status_code == 200
    response = planner.post(
        reverse("planning:consolidated_create"), {"fiscal_year": fiscal_year(world.org).pk}
    )
    consolidated = ConsolidatedPlan.objects.get(organization=world.org)
    assert response.status_code == 302
    page = planner.get(reverse("planning:consolidated_detail", args=[consolidated.pk]))
    html = page.content.decode()
    assert world.sibling_unit.name in html and "EDU-4" in html
    assert reverse("planning:consolidated_verify", args=[consolidated.pk]) in html
    planner.post(reverse("planning:consolidated_verify", args=[consolidated.pk]))
    consolidated.refresh_from_db()
    assert consolidated.status == ConsolidatedStatus.VERIFIED
    # EDU-6: planning sends it; the committee reviews the coverage (its own step) on its page
    send = reverse("planning:consolidated_send_to_committee", args=[consolidated.pk])
    assert (
        send
        in planner.get(
            reverse("planning:consolidated_detail", args=[consolidated.pk])
        ).content.decode()
    )
    planner.post(send)
    consolidated.refresh_from_db()
    assert consolidated.status == ConsolidatedStatus.IN_COMMITTEE
    committee = client_for(world.committee)
    coverage = committee.get(reverse("planning:consolidated_coverage", args=[consolidated.pk]))
    review = reverse("planning:consolidated_committee_review", args=[consolidated.pk])
    assert review in coverage.content.decode()
    assert (
        review
        not in planner.get(
            reverse("planning:consolidated_coverage", args=[consolidated.pk])
        ).content.decode()
    )
    assert planner.post(review).status_code == 403
    committee.post(review, {"comments": "Cubre la cadena de valor."})
    consolidated.refresh_from_db()
    assert consolidated.status == ConsolidatedStatus.COMMITTEE_REVIEWED
    assert (
        committee.get(
            reverse("planning:consolidated_committee", args=[consolidated.pk])
        ).status_code
        == 200
    )
    committee.post(
        reverse("planning:consolidated_committee", args=[consolidated.pk]),
        {
            "acta_number": "03-2026",
            "date": datetime.date.today().isoformat(),
            "attendees": "Secretario\nLíderes de grupo",
            "decision": "approved",
        },
    )
    consolidated.refresh_from_db()
    assert consolidated.status == ConsolidatedStatus.COMMITTEE_APPROVED
    mail.outbox.clear()
    planner.post(reverse("planning:consolidated_publish", args=[consolidated.pk]))
    consolidated.refresh_from_db()
    assert consolidated.status == ConsolidatedStatus.PUBLISHED
    export = planner.get(reverse("planning:consolidated_export", args=[consolidated.pk]))
    assert export.status_code == 200


def test_return_to_units_form_preselects_the_plans(client_for):
    world = build_world(procedure_code="EDU")
    consolidated = make_consolidated(world)
    plan = consolidated.plans.get()
    client = client_for(world.planner)
    form = client.get(reverse("planning:consolidated_return", args=[consolidated.pk]))
    assert f'value="{plan.pk}"' in form.content.decode()
    client.post(
        reverse("planning:consolidated_return", args=[consolidated.pk]),
        {"plans": [plan.pk], "comments": "Revisar duplicidades con Cobertura."},
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.RETURNED
    assert "Cobertura" in plan.comments.get().text


def test_pending_plan_work_for_each_role():
    """Home page items: returned plans (EDU-2), plans to review (EDU-3), plans to
    consolidate (EDU-4), consolidated plans to verify (EDU-5)."""
    from acompana.planning.plans.selectors import pending_plan_work

    world = build_world(procedure_code="EDU")
    make_plan(world, status=PlanStatus.RETURNED)
    make_plan(world, unit=world.sibling_unit, status=PlanStatus.UNIT_APPROVED)
    assert [title for title, _n, _url in pending_plan_work(user=world.professional)] == [
        "Planes devueltos para ajustes"
    ]
    assert pending_plan_work(user=world.unit_head)[0][1] == 1
    planner = {t: n for t, n, _u in pending_plan_work(user=world.planner)}
    assert planner == {"Planes aprobados por consolidar": 1}
    assert pending_plan_work(user=world.outsider) == []


def test_plan_trail_includes_the_needs_it_serves():
    """SAL-1 and SAL-2 on the plan page: the need its line serves completes SAL-1."""
    from django.test import Client

    from acompana.planning.choices import NeedOrigin, NeedSource
    from acompana.planning.models import PlanLineNeed
    from acompana.planning.needs import services as need_services

    world = build_world(procedure_code="SAL")
    need = need_services.need_create(
        actor=world.professional,
        organization=world.org,
        data={
            "title": "Fortalecer la vigilancia",
            "description": "Necesidad identificada por correo",
            "origin": NeedOrigin.OFFER,
            "source": NeedSource.EMAIL,
            "unit": world.unit,
        },
    )
    plan = make_plan(world)
    line = plan.lines.first()
    PlanLineNeed.objects.create(organization=world.org, line=line, need=need)
    client = Client()
    client.force_login(world.professional, backend="django.contrib.auth.backends.ModelBackend")
    trail = client.get(reverse("planning:plan_detail", args=[plan.pk])).context["trail"]
    done = {step.step.id for step in trail if step.done}
    assert "SAL-1" in done
