"""Return rounds in the procedure trail: which step a "no" belongs to, and one act = one round."""

from __future__ import annotations

import pytest
from django.urls import reverse

from acompana.core.choices import ProcedureCode
from acompana.core.events import event_record
from acompana.core.procedures.trail import procedure_trail
from acompana.core.tests.factories import UnitFactory, build_world

pytestmark = pytest.mark.django_db


def _steps(trail):
    return {item.id: item for item in trail}


def _returned(world, obj, *, status, record="", comments="Ajustar"):
    return event_record(
        actor=world.unit_head,
        organization=world.org,
        step_key="plan.returned",
        obj=obj,
        before={"status": status, "round": 1},
        after={"status": "returned", "round": 1, "comments": comments},
        record=record,
    )


def test_a_return_belongs_to_the_control_point_that_said_no():
    """From "submitted": the unit head's review (EDU-3); with an acta: the committee (EDU-7);
    otherwise planning's verification (EDU-5)."""
    world = build_world(procedure_code=ProcedureCode.EDU)
    review, verification, committee = (UnitFactory(organization=world.org) for _ in range(3))
    _returned(world, review, status="submitted")
    _returned(world, verification, status="consolidated")
    _returned(world, committee, status="verified", record="Acta 07-2026")
    returned = {
        obj: [i for i, s in _steps(procedure_trail(user=world.admin, obj=obj)).items() if s.returns]
        for obj in (review, verification, committee)
    }
    assert returned == {review: ["EDU-3"], verification: ["EDU-5"], committee: ["EDU-7"]}


def test_sal_review_return_is_a_round_of_sal_2_and_redoing_it_completes_it():
    world = build_world()
    unit = UnitFactory(organization=world.org)
    event_record(
        actor=world.professional, organization=world.org, step_key="plan.submitted", obj=unit
    )
    _returned(world, unit, status="submitted", comments="Agregue el trimestre.")
    sal2 = _steps(procedure_trail(user=world.admin, obj=unit))["SAL-2"]
    assert sal2.status == "returned" and not sal2.done
    event_record(
        actor=world.professional, organization=world.org, step_key="plan.submitted", obj=unit
    )
    sal2 = _steps(procedure_trail(user=world.admin, obj=unit))["SAL-2"]
    assert [r.kind for r in sal2.rounds] == ["done", "returned", "done"]
    assert sal2.rounds[1].comments == "Agregue el trimestre." and sal2.done


def test_events_of_one_act_on_several_objects_are_one_round():
    """Planning verifies a consolidated plan and its unit plans in one act: one round."""
    world = build_world(procedure_code=ProcedureCode.EDU)
    objects = [UnitFactory(organization=world.org) for _ in range(3)]
    for obj in objects:
        event_record(actor=world.planner, organization=world.org, step_key="plan.verified", obj=obj)
    edu5 = _steps(procedure_trail(user=world.admin, obj=objects[0], related=objects[1:]))["EDU-5"]
    assert len(edu5.rounds) == 1 and len(edu5.rounds[0].events) == 3


def test_trail_page_shows_rounds_without_raw_keys_or_reprs(client_for):
    world = build_world()
    unit = UnitFactory(organization=world.org)
    event_record(
        actor=world.professional, organization=world.org, step_key="plan.submitted", obj=unit
    )
    _returned(world, unit, status="submitted", comments="Agregue el trimestre.")
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(unit)
    html = (
        client_for(world.auditor)
        .get(reverse("core:procedure_trail", args=[ct.app_label, ct.model, unit.pk]))
        .content.decode()
    )
    assert "Agregue el trimestre." in html
    assert world.unit_head.full_name in html and world.professional.full_name in html
    assert "↩" in html
    for raw in ("plan.submitted", "plan.returned", "None", "{'"):
        assert raw not in html, raw
