"""The procedure trail: official steps done or pending for an object, from its events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from acompana.core.choices import ProcedureCode
from acompana.core.events import event_record
from acompana.core.procedures.trail import procedure_trail
from acompana.core.tests.factories import UnitFactory, build_world

pytestmark = pytest.mark.django_db


def _trail_url(obj) -> str:
    ct = ContentType.objects.get_for_model(obj)
    return reverse(
        "core:procedure_trail",
        kwargs={"app_label": ct.app_label, "model": ct.model, "object_id": obj.pk},
    )


def _by_id(trail):
    return {item.step.id: item for item in trail}


def test_trail_lists_every_official_step_in_order():
    world = build_world()
    unit = UnitFactory(organization=world.org)
    trail = procedure_trail(user=world.professional, obj=unit)
    assert [item.id for item in trail] == [f"SAL-{n}" for n in range(1, 9)]
    assert not any(item.done for item in trail)
    assert trail.done_count == 0
    assert trail.profile.code == "SAL"


def test_stakeholder_created_completes_sal_1_with_actor_and_time():
    """SAL-1 (identify the need, registering the actors) is done by stakeholder.created;
    SAL-2..SAL-8 stay pending."""
    world = build_world()
    unit = UnitFactory(organization=world.org)
    event = event_record(
        actor=world.professional,
        organization=world.org,
        step_key="stakeholder.created",
        obj=unit,
        summary="Registrado",
        record="MI-GS-RG-867 nº 12",
    )
    steps = _by_id(procedure_trail(user=world.auditor, obj=unit))
    sal1 = steps["SAL-1"]
    assert sal1.done
    assert sal1.actor == world.professional
    assert sal1.when == event.created_at
    assert sal1.events == [event]
    assert sal1.event_records == ["MI-GS-RG-867 nº 12"]
    assert [r.code for r in sal1.records] == [None, "MI-GS-RG-867"]
    assert [i for i, s in steps.items() if s.done] == ["SAL-1"]


def test_dnp_steps_from_several_keys_and_related_objects():
    """DNP-1 by stakeholder.created, DNP-2 by stakeholder.contacted on a related object,
    DNP-6 by assistance.registered; keys of no DNP step (plan.consolidated) are ignored."""
    world = build_world(procedure_code=ProcedureCode.DNP)
    main = UnitFactory(organization=world.org)
    related = UnitFactory(organization=world.org)
    t0 = timezone.now() - timedelta(days=3)
    event_record(
        actor=world.professional, organization=world.org, step_key="stakeholder.created", obj=main
    )
    event_record(
        actor=world.unit_head,
        organization=world.org,
        step_key="stakeholder.contacted",
        obj=related,
    )
    event_record(
        actor=world.professional,
        organization=world.org,
        step_key="assistance.registered",
        obj=main,
    )
    event_record(
        actor=world.planner, organization=world.org, step_key="plan.consolidated", obj=main
    )
    trail = procedure_trail(user=world.professional, obj=main, related=[related])
    steps = _by_id(trail)
    assert [i for i, s in steps.items() if s.done] == ["DNP-1", "DNP-2", "DNP-6"]
    assert steps["DNP-2"].actor == world.unit_head
    assert steps["DNP-1"].when >= t0
    without_related = _by_id(procedure_trail(user=world.professional, obj=main))
    assert not without_related["DNP-2"].done


def test_opening_a_draft_completes_no_step_submitting_does():
    """SAL-2 is done when the plan is submitted (its control point), by who submitted it:
    opening an empty draft (plan.drafted) completes nothing (issue 11)."""
    world = build_world()
    unit = UnitFactory(organization=world.org)
    event_record(
        actor=world.professional, organization=world.org, step_key="plan.drafted", obj=unit
    )
    sal2 = _by_id(procedure_trail(user=world.admin, obj=unit))["SAL-2"]
    assert not sal2.done and sal2.status == "pending" and sal2.rounds == []
    submitted = event_record(
        actor=world.unit_head, organization=world.org, step_key="plan.submitted", obj=unit
    )
    approved = event_record(
        actor=world.unit_head, organization=world.org, step_key="plan.unit_approved", obj=unit
    )
    sal2 = _by_id(procedure_trail(user=world.admin, obj=unit))["SAL-2"]
    assert sal2.events == [submitted, approved]
    assert sal2.actor == world.unit_head
    assert sal2.last_event == approved


def test_events_of_another_organization_never_appear():
    world = build_world()
    unit = UnitFactory(organization=world.org)
    # an event about this object written in the other organization (should not happen,
    # but scoping must hold anyway)
    event_record(
        actor=world.outsider, organization=world.other, step_key="need.registered", obj=unit
    )
    assert not _by_id(procedure_trail(user=world.admin, obj=unit))["SAL-1"].done
    assert procedure_trail(user=None, obj=unit) == []


def test_trail_uses_one_query_for_events_whatever_their_number():
    world = build_world()
    unit = UnitFactory(organization=world.org)
    user = world.professional
    procedure_trail(user=user, obj=unit)  # warm caches (membership, content types)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            procedure_trail(user=user, obj=unit)
        return len(ctx.captured_queries)

    event_record(actor=user, organization=world.org, step_key="need.registered", obj=unit)
    few = count()
    for key in ["plan.submitted", "plan.returned", "session.recorded"] * 10:
        event_record(actor=user, organization=world.org, step_key=key, obj=unit)
    assert count() == few == 1


# --- the trail page --------------------------------------------------------------------------


def test_trail_page_shows_done_and_pending_steps(client_for):
    """SAL-1 done by the professional; SAL-5 pending with its responsible."""
    world = build_world()
    unit = UnitFactory(organization=world.org, name="Grupo de Salud Pública Municipal")
    event_record(
        actor=world.professional,
        organization=world.org,
        step_key="stakeholder.created",
        obj=unit,
        record="Radicado 2026-001",
    )
    response = client_for(world.auditor).get(_trail_url(unit))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Grupo de Salud Pública Municipal" in html
    assert "SAL-1" in html and "SAL-8" in html
    assert world.professional.full_name in html
    assert "Radicado 2026-001" in html
    assert "MI-GS-RG-867" in html
    assert "MI-GS-RG-869" in html  # SAL-2's record, pending


def test_trail_page_of_the_own_organization(client_for):
    world = build_world()
    response = client_for(world.professional).get(_trail_url(world.org))
    assert response.status_code == 200
    assert client_for(world.professional).get(_trail_url(world.other)).status_code == 404


def test_trail_page_refuses_objects_out_of_scope(client_for):
    world = build_world()
    client = client_for(world.admin)
    foreign = UnitFactory(organization=world.other)
    assert client.get(_trail_url(foreign)).status_code == 404
    assert client.get(_trail_url(world.admin)).status_code == 404  # users are not tenant data
    membership = world.admin.memberships.get()
    assert client.get(_trail_url(membership)).status_code == 404
    bad = [
        {"app_label": "core", "model": "unit", "object_id": "no-es-numero"},
        {"app_label": "core", "model": "nomodel", "object_id": "1"},
        {"app_label": "core", "model": "unit", "object_id": "999999"},
    ]
    for kwargs in bad:
        assert client.get(reverse("core:procedure_trail", kwargs=kwargs)).status_code == 404


def test_trail_page_query_count_does_not_grow(client_for, django_assert_max_num_queries):
    world = build_world()
    unit = UnitFactory(organization=world.org)
    client = client_for(world.professional)
    for key in ["stakeholder.created", "plan.submitted", "plan.returned"] * 8:
        event_record(actor=world.unit_head, organization=world.org, step_key=key, obj=unit)
    client.get(_trail_url(unit))
    with django_assert_max_num_queries(9):
        client.get(_trail_url(unit))
