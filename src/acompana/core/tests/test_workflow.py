"""The workflow primitive itself (``core.workflow`` on ``core.concurrency``): one conditional
UPDATE from the expected state and version, refusals told apart (stale edit vs wrong state,
role, procedure switch) and nothing written on a refusal, one event per step key.

It is exercised on an existing stateful model (a planning ``Need``); the stage's own table
is tested with its services.
"""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone

from acompana.core.concurrency import versioned_delete, versioned_update
from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.events import event_record
from acompana.core.models import Event
from acompana.core.tests.factories import build_world
from acompana.core.workflow import Transition, transition_apply, transition_check
from acompana.planning.choices import NeedStatus
from acompana.planning.models import Need
from acompana.planning.tests.factories import NeedFactory

N = NeedStatus
PLAN = Transition.build(
    "plan", {N.OPEN}, N.PLANNED, "planning.change_needs", ("need.status_changed",)
)


def _need(world, **kwargs) -> Need:
    return NeedFactory(organization=world.org, unit=world.unit, **kwargs)


def _events(need: Need) -> list[str]:
    return list(
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(Need),
            object_id=str(need.pk),
            step_key__startswith="need.",
        )
        .order_by("id")
        .values_list("step_key", flat=True)
    )


def _row(need: Need) -> tuple[str, int, str]:
    fresh = Need.objects.get(pk=need.pk)
    return fresh.status, fresh.version, fresh.discard_reason


def test_a_transition_moves_the_state_bumps_the_version_and_records_its_event(world):
    need = _need(world)
    transition_apply(
        actor=world.planner,
        obj=need,
        transition=PLAN,
        expected_version=1,
        fields={"discard_reason": "nota"},
        summary="Planeada",
    )
    assert _row(need) == (N.PLANNED, 2, "nota")
    assert (need.status, need.version, need.discard_reason) == (N.PLANNED, 2, "nota")
    event = Event.objects.get(
        content_type=ContentType.objects.get_for_model(Need),
        object_id=str(need.pk),
        step_key="need.status_changed",
    )
    assert event.actor == world.planner and event.organization == world.org
    assert (event.before, event.after, event.summary) == (
        {"status": N.OPEN},
        {"status": N.PLANNED},
        "Planeada",
    )


def test_one_event_per_step_key_in_the_order_of_the_row(world):
    need = _need(world, status=N.TO_TRIAGE)
    accept = Transition.build(
        "accept",
        {N.TO_TRIAGE},
        N.OPEN,
        "planning.change_needs",
        ("need.triaged", "need.status_changed"),
    )
    transition_apply(actor=world.planner, obj=need, transition=accept)
    assert _events(need) == ["need.triaged", "need.status_changed"]


def test_a_row_without_step_keys_records_nothing(world):
    need = _need(world)
    silent = Transition.build("plan", {N.OPEN}, N.PLANNED, "planning.change_needs")
    transition_apply(actor=world.planner, obj=need, transition=silent)
    assert need.status == N.PLANNED and _events(need) == []


def test_a_stale_version_is_told_apart_and_changes_nothing(world):
    need = _need(world)
    Need.objects.filter(pk=need.pk).update(title="Otra persona", version=F("version") + 1)
    with pytest.raises(StaleObjectError) as exc:
        transition_apply(actor=world.planner, obj=need, transition=PLAN, expected_version=1)
    assert exc.value.code == "stale"
    assert _row(need)[:2] == (N.OPEN, 2) and _events(need) == []
    assert need.status == N.OPEN  # the object in memory is untouched too


def test_a_wrong_state_is_told_apart_naming_the_current_state(world):
    need = _need(world)
    seen = Need.objects.get(pk=need.pk)  # opened before someone discarded it
    Need.objects.filter(pk=need.pk).update(status=N.DISCARDED, version=F("version") + 1)
    with pytest.raises(TransitionError) as exc:
        transition_apply(actor=world.planner, obj=seen, transition=PLAN, expected_version=1)
    assert exc.value.code == "transition"
    assert str(N.DISCARDED.label) in exc.value.messages[0]
    assert _row(need)[:2] == (N.DISCARDED, 2) and _events(need) == []


def test_a_refusal_names_who_changed_the_object_last_and_when(world):
    """DESIGN section 9: a 409 names who changed the object and when."""
    need = _need(world)
    seen = Need.objects.get(pk=need.pk)
    versioned_update(need, expected_version=1, fields={"title": "Corregida"})
    event_record(actor=world.unit_head, organization=world.org, step_key="need.updated", obj=need)
    today = timezone.localdate().strftime("%d/%m/%Y")
    with pytest.raises(StaleObjectError) as stale:
        transition_apply(actor=world.planner, obj=seen, transition=PLAN, expected_version=1)
    assert world.unit_head.full_name in stale.value.messages[0]
    assert today in stale.value.messages[0]
    transition_apply(actor=world.admin, obj=need, transition=PLAN)
    with pytest.raises(TransitionError) as wrong:
        transition_apply(actor=world.planner, obj=seen, transition=PLAN)
    assert world.admin.full_name in wrong.value.messages[0]


def test_the_wrong_state_message_can_be_the_stages_own(world):
    need = _need(world, status=N.ADDRESSED)
    with pytest.raises(TransitionError) as exc:
        transition_apply(
            actor=world.planner,
            obj=need,
            transition=PLAN,
            refused=lambda current: f"no desde {current}",
        )
    assert exc.value.messages == ["no desde addressed"]


def test_a_role_without_the_permission_is_refused_before_anything(world):
    need = _need(world)
    with pytest.raises(PermissionDenied):
        transition_apply(actor=world.auditor, obj=need, transition=PLAN, expected_version=1)
    assert _row(need)[:2] == (N.OPEN, 1) and _events(need) == []


def test_an_object_of_another_organization_is_refused(world):
    foreign = NeedFactory(organization=world.other)
    with pytest.raises(PermissionDenied):
        transition_apply(actor=world.planner, obj=foreign, transition=PLAN)
    assert Need.objects.get(pk=foreign.pk).status == N.OPEN


def test_a_row_whose_switch_is_off_is_not_part_of_the_procedure(world):
    """SAL has no committee: a row that needs the switch on does not exist there."""
    need = _need(world)
    committee_only = Transition.build(
        "plan",
        {N.OPEN},
        N.PLANNED,
        "planning.change_needs",
        ("need.status_changed",),
        on={"committee_approves_plan"},
        label="Planear con comité",
    )
    with pytest.raises(TransitionError) as exc:
        transition_apply(actor=world.planner, obj=need, transition=committee_only)
    assert "Planear con comité" in exc.value.messages[0]
    assert _row(need)[:2] == (N.OPEN, 1) and _events(need) == []
    # ... and a row that needs it off does
    without_committee = Transition.build(
        "plan", {N.OPEN}, N.PLANNED, "planning.change_needs", off={"committee_approves_plan"}
    )
    transition_check(actor=world.planner, obj=need, transition=without_committee)
    fp = build_world(procedure_code="FP")
    with pytest.raises(TransitionError):
        transition_check(
            actor=fp.planner, obj=NeedFactory(organization=fp.org), transition=without_committee
        )


def test_two_copies_of_the_same_object_never_both_move(world):
    need = _need(world)
    first, second = Need.objects.get(pk=need.pk), Need.objects.get(pk=need.pk)
    transition_apply(actor=world.planner, obj=first, transition=PLAN)
    with pytest.raises(TransitionError):
        transition_apply(actor=world.admin, obj=second, transition=PLAN)
    assert _events(need) == ["need.status_changed"]


def test_versioned_update_reads_back_expressions_and_touches_auto_now(world):
    need = _need(world)
    stamp = Need.objects.get(pk=need.pk).updated_at
    versioned_update(need, expected_version=None, fields={"title": F("title")})
    fresh = Need.objects.get(pk=need.pk)
    assert need.version == fresh.version == 2
    assert fresh.updated_at > stamp


def test_versioned_delete_refuses_a_stale_version(world):
    need = _need(world)
    with pytest.raises(StaleObjectError):
        versioned_delete(need, expected_version=2, stale_message="Cambió")
    assert Need.objects.filter(pk=need.pk).exists()
    versioned_delete(need, expected_version=1)
    assert not Need.objects.filter(pk=need.pk).exists()
