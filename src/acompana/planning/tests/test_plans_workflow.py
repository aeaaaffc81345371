"""The plan workflow per procedure: SAL-2, FP-5, FP-6, EDU-2..EDU-8, DNP-3.

Every transition is role-checked, refused from the wrong state, applied as a conditional
UPDATE (no lost update) and recorded with its step key, so the procedure trail shows it.
"""

from __future__ import annotations

import datetime
import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.models import Document, Event
from acompana.core.procedures.trail import procedure_trail
from acompana.core.tests.factories import build_world, member
from acompana.planning.choices import ConsolidatedStatus, DecisionOutcome, FindingStatus, PlanStatus
from acompana.planning.models import CommitteeDecision, Finding, Plan, PlanComment
from acompana.planning.plans import services, workflow
from acompana.planning.plans.validation import LineInput
from acompana.planning.tests.cases_plans import complete_line, make_plan
from acompana.planning.tests.factories import fiscal_year

pytestmark = pytest.mark.django_db

P = PlanStatus


def _keys(obj) -> list[str]:
    # by content type too: a line or the consolidated plan may share the plan's id
    return list(
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            step_key__startswith="plan.",
        )
        .order_by("id")
        .values_list("step_key", flat=True)
    )


def _done(trail) -> set[str]:
    return {item.id for item in trail if item.done}


def _approved_plans(world):
    """Two unit plans with complete lines, approved by their units (EDU-3)."""
    plans = []
    for unit in (world.unit, world.sibling_unit):
        plan = make_plan(world, unit=unit, lines=0, status=P.UNIT_APPROVED)
        complete_line(world, plan, activity=f"Visita de acompañamiento a {unit.name}")
        plans.append(plan)
    return plans


# --- EDU (MI-GE-PR-16): the whole path --------------------------------------------------------


def test_edu_path_from_draft_to_published_with_a_return():
    """EDU-2..EDU-8: draft, return with comments and resubmission (EDU-3), consolidation
    (EDU-4), verification (EDU-5), committee acta (EDU-6..7), publication by e-mail (EDU-8)."""
    world = build_world(procedure_code="EDU")
    year = fiscal_year(world.org)
    plan = services.plan_create(
        actor=world.professional, organization=world.org, unit=world.unit, fiscal_year=year
    )
    assert plan.status == P.DRAFT and "MI-GE-RG-217" not in plan.title  # the format's name
    assert plan.title.startswith("Plan de Asistencia Técnica a EE Oficiales")
    complete_line(world, plan)
    # EDU-2: submitted; the PDF of the submitted plan is stored
    services.plan_submit(actor=world.professional, plan=plan)
    assert plan.status == P.SUBMITTED
    assert Document.objects.filter(object_id=str(plan.pk), kind="plan.pdf").count() == 1
    # EDU-3 "¿requiere ajustes? sí": back to the professional with comments
    with pytest.raises(ValidationError):
        services.plan_return(actor=world.unit_head, plan=plan, comments="  ")
    services.plan_return(actor=world.unit_head, plan=plan, comments="Falta la sede de la visita.")
    assert plan.status == P.RETURNED and plan.round == 1
    comment = PlanComment.objects.get(plan=plan)
    assert (comment.round, comment.transition, comment.author) == (1, "return", world.unit_head)
    # the professional adjusts and resubmits: a new round
    line = plan.lines.get()
    data = LineInput.from_line(line)
    data.place = "Sede Las Brisas"
    services.plan_line_update(actor=world.professional, line=line, expected_version=1, data=data)
    services.plan_submit(actor=world.professional, plan=plan)
    assert (plan.status, plan.round) == (P.SUBMITTED, 2)
    # EDU-3 "no": the leader approves
    services.plan_approve(actor=world.unit_head, plan=plan)
    assert plan.status == P.UNIT_APPROVED
    other = make_plan(world, unit=world.sibling_unit, lines=0, status=P.UNIT_APPROVED)
    complete_line(world, other, activity="Taller de evaluación institucional")
    sibling_member = member(world.org, "professional", unit=world.sibling_unit)
    # EDU-4: planning consolidates
    consolidated = services.consolidated_plan_create(
        actor=world.planner, organization=world.org, fiscal_year=year
    )
    assert set(consolidated.plans.values_list("status", flat=True)) == {P.CONSOLIDATED}
    # EDU-5: the checks run and nothing blocks
    services.consolidated_plan_verify(actor=world.planner, consolidated=consolidated)
    assert consolidated.status == ConsolidatedStatus.VERIFIED
    assert Plan.objects.get(pk=plan.pk).status == P.VERIFIED
    # EDU-6: sent to the committee, which records its coverage review apart from EDU-7
    services.consolidated_plan_send_to_committee(actor=world.planner, consolidated=consolidated)
    assert consolidated.status == ConsolidatedStatus.IN_COMMITTEE
    services.consolidated_plan_committee_review(actor=world.committee, consolidated=consolidated)
    assert consolidated.status == ConsolidatedStatus.COMMITTEE_REVIEWED
    # EDU-7: the committee approves in an acta
    decision = services.consolidated_plan_committee_decide(
        actor=world.committee,
        consolidated=consolidated,
        acta_number="07-2026",
        date=datetime.date.today(),
        attendees="Secretario de Educación\nLíder de Planeación",
        decision=DecisionOutcome.APPROVED,
    )
    assert decision.acta_number == "07-2026"
    assert consolidated.status == ConsolidatedStatus.COMMITTEE_APPROVED
    assert Document.objects.filter(
        object_id=str(consolidated.pk), kind="committee_acta.pdf"
    ).exists()
    # EDU-8: planning publishes; every unit is told by e-mail, on commit
    mail.outbox.clear()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        services.consolidated_plan_publish(
            actor=world.planner, consolidated=consolidated, base_url="https://acompana.example"
        )
    assert consolidated.status == ConsolidatedStatus.PUBLISHED
    assert set(Plan.objects.filter(consolidated=consolidated).values_list("status", flat=True)) == {
        P.PUBLISHED
    }
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {world.unit_head.email, world.professional.email, sibling_member.email}
    body = next(m.body for m in mail.outbox if m.to == [world.professional.email])
    assert f"https://acompana.example/planificacion/planes/{plan.pk}/" in body
    # the published PDFs: the consolidated plan's, and each unit's (background job)
    assert Document.objects.filter(
        object_id=str(consolidated.pk), kind="consolidated_plan.pdf"
    ).exists()
    assert Document.objects.filter(object_id=str(other.pk), kind="plan.pdf").exists()
    # the trail of the unit plan shows every official step done
    assert _keys(plan) == [
        "plan.drafted",
        "plan.submitted",
        "plan.returned",
        "plan.submitted",
        "plan.unit_approved",
        "plan.consolidated",
        "plan.verified",
        "plan.committee_approved",
        "plan.published",
    ]
    trail = procedure_trail(user=world.planner, obj=plan, related=[consolidated])
    assert {"EDU-2", "EDU-3", "EDU-4", "EDU-5", "EDU-6", "EDU-7", "EDU-8"} <= _done(trail)


def test_edu_5_blocking_findings_stop_the_verification_and_go_back_to_the_units():
    """EDU-5 "no": an incomplete plan cannot be verified; it returns to EDU-2 with the
    findings as comments, and comes back in a new round."""
    world = build_world(procedure_code="EDU")
    complete, incomplete = _approved_plans(world)
    line = incomplete.lines.get()
    line.programme = ""  # EDU-5 requires the development plan programme
    line.save(update_fields=["programme"])
    consolidated = services.consolidated_plan_create(
        actor=world.planner, organization=world.org, fiscal_year=fiscal_year(world.org)
    )
    with pytest.raises(ValidationError) as info:
        services.consolidated_plan_verify(actor=world.planner, consolidated=consolidated)
    assert info.value.code == "blocking_findings"
    consolidated.refresh_from_db()
    assert consolidated.status == ConsolidatedStatus.DRAFT
    finding = Finding.objects.get(
        consolidated=consolidated, status=FindingStatus.OPEN, severity="blocking"
    )
    assert line.pk in finding.line_ids  # the findings were kept for the planner
    returned = services.consolidated_plan_return(
        actor=world.planner,
        consolidated=consolidated,
        comments="Completen los campos del formato MI-GE-RG-217.",
        plans=[incomplete],
    )
    assert [p.pk for p in returned] == [incomplete.pk]
    incomplete.refresh_from_db()
    complete.refresh_from_db()
    assert incomplete.status == P.RETURNED and complete.status == P.CONSOLIDATED
    text = PlanComment.objects.get(plan=incomplete).text
    assert "MI-GE-RG-217" in text and finding.message in text
    assert consolidated.status == ConsolidatedStatus.RETURNED
    # EDU-2 again: fixed, resubmitted, approved (EDU-3), gathered in a new round (EDU-4)
    line.programme = "Calidad educativa para todos"
    line.save(update_fields=["programme"])
    sibling_head = member(world.org, "unit_head", unit=world.sibling_unit)
    services.plan_submit(actor=sibling_head, plan=incomplete)
    services.plan_approve(actor=sibling_head, plan=incomplete)
    assert services.consolidated_plan_gather(actor=world.planner, consolidated=consolidated) == 1
    assert (consolidated.status, consolidated.round) == (ConsolidatedStatus.DRAFT, 2)
    services.consolidated_plan_verify(actor=world.planner, consolidated=consolidated)
    assert consolidated.status == ConsolidatedStatus.VERIFIED


def test_edu_6_7_a_committee_rejection_returns_every_plan_with_the_acta_comments():
    world = build_world(procedure_code="EDU")
    plans = _approved_plans(world)
    consolidated = services.consolidated_plan_create(
        actor=world.planner, organization=world.org, fiscal_year=fiscal_year(world.org)
    )
    services.consolidated_plan_verify(actor=world.planner, consolidated=consolidated)
    services.consolidated_plan_send_to_committee(actor=world.planner, consolidated=consolidated)
    with pytest.raises(ValidationError):  # a rejection must say why
        services.consolidated_plan_committee_decide(
            actor=world.committee,
            consolidated=consolidated,
            acta_number="08",
            date=datetime.date.today(),
            attendees="Comité",
            decision=DecisionOutcome.REJECTED,
            comments="",
        )
    consolidated.refresh_from_db()
    assert consolidated.status == ConsolidatedStatus.IN_COMMITTEE
    services.consolidated_plan_committee_decide(
        actor=world.committee,
        consolidated=consolidated,
        acta_number="08",
        date=datetime.date.today(),
        attendees="Comité",
        decision=DecisionOutcome.REJECTED,
        comments="Falta cubrir los establecimientos rurales.",
    )
    assert consolidated.status == ConsolidatedStatus.RETURNED
    for plan in plans:
        plan.refresh_from_db()
        assert plan.status == P.RETURNED
        assert "acta 08" in plan.comments.get().text.lower()
    assert CommitteeDecision.objects.get().decision == DecisionOutcome.REJECTED
    assert Event.objects.filter(
        step_key="committee.returned", object_id=str(consolidated.pk)
    ).exists()


# --- FP: no review by the unit head, no verification -----------------------------------------


def test_fp_5_6_path_consolidation_committee_and_registration():
    """FP-5: each directorate fills and submits its plan; the Subdirección consolidates; the
    Comité Directivo approves (FP-4); the plan is registered/published (FP-6)."""
    world = build_world(procedure_code="FP")
    plan = make_plan(world, lines=0)
    complete_line(world, plan)
    services.plan_submit(actor=world.professional, plan=plan)
    with pytest.raises(TransitionError):  # no review stage in FP
        services.plan_approve(actor=world.unit_head, plan=plan)
    consolidated = services.consolidated_plan_create(
        actor=world.planner, organization=world.org, fiscal_year=fiscal_year(world.org)
    )
    plan.refresh_from_db()
    assert plan.status == P.CONSOLIDATED
    with pytest.raises(TransitionError):  # no verification stage in FP
        services.consolidated_plan_verify(actor=world.planner, consolidated=consolidated)
    with pytest.raises(TransitionError):  # the committee decides before publication
        services.consolidated_plan_publish(actor=world.planner, consolidated=consolidated)
    services.consolidated_plan_committee_decide(
        actor=world.committee,
        consolidated=consolidated,
        acta_number="FP-12",
        date=datetime.date.today(),
        attendees="Directora, subdirector, directores técnicos",
        decision=DecisionOutcome.APPROVED,
    )
    services.consolidated_plan_publish(actor=world.planner, consolidated=consolidated)
    plan.refresh_from_db()
    assert plan.status == P.PUBLISHED
    assert workflow.plan_path(world.org) == [
        "draft",
        "submitted",
        "consolidated",
        "committee_approved",
        "published",
    ]
    trail = procedure_trail(user=world.planner, obj=plan, related=[consolidated])
    assert {"FP-5", "FP-6"} <= _done(trail)


# --- SAL and DNP: the unit head's approval publishes ------------------------------------------


def test_sal_2_plan_is_finalised_by_the_unit_head_in_one_action(world):
    """SAL-2 has no review: the coordinator finalises the plan MI-GS-RG-869 in one action
    (no "send to review" then "approve" of his own plan; no consolidation, committee or
    publication stage in the SAL procedure)."""
    plan = make_plan(world)
    actions = [
        t.action
        for t in workflow.plan_actions(
            user=world.unit_head, organization=world.org, status=plan.status
        )
    ]
    assert actions == ["finalise"]
    with pytest.raises(TransitionError):
        services.plan_submit(actor=world.unit_head, plan=plan)
    services.plan_finalise(actor=world.unit_head, plan=plan)
    assert plan.status == P.PUBLISHED and plan.round == 1
    assert _keys(plan)[-2:] == ["plan.submitted", "plan.published"]
    assert Event.objects.filter(step_key="plan.submitted", object_id=str(plan.pk)).count() == 1
    assert Document.objects.filter(object_id=str(plan.pk), kind="plan.pdf").count() == 1
    trail = procedure_trail(user=world.unit_head, obj=plan)
    assert "SAL-2" in _done(trail)
    assert workflow.plan_path(world.org) == ["draft", "submitted", "published"]
    with pytest.raises(ValidationError):
        services.consolidated_plan_create(
            actor=world.planner, organization=world.org, fiscal_year=fiscal_year(world.org)
        )


def test_sal_planning_may_publish_a_submitted_plan(world):
    plan = make_plan(world, status=P.SUBMITTED)
    services.plan_publish(actor=world.planner, plan=plan)
    assert plan.status == P.PUBLISHED
    assert _keys(plan)[-1] == "plan.published"


def test_dnp_3_work_plan_is_finalised_by_the_professional():
    """DNP-3: the work plan ("plan de trabajo") is the professional's: he finalises it; the
    procedure has no unit head's approval, so the unit head cannot."""
    world = build_world(procedure_code="DNP")
    plan = make_plan(world)
    with pytest.raises(PermissionDenied):
        services.plan_finalise(actor=world.unit_head, plan=plan)
    services.plan_finalise(actor=world.professional, plan=plan)
    assert plan.status == P.PUBLISHED
    assert "DNP-3" in _done(procedure_trail(user=world.unit_head, obj=plan))


# --- refusals -------------------------------------------------------------------------------


def test_wrong_state_is_refused(world):
    draft = make_plan(world)
    with pytest.raises(TransitionError):
        services.plan_approve(actor=world.unit_head, plan=draft)
    with pytest.raises(TransitionError):
        services.plan_return(actor=world.unit_head, plan=draft, comments="No")
    published = make_plan(world, unit=world.sibling_unit, status=P.PUBLISHED)
    with pytest.raises(TransitionError):
        services.plan_submit(actor=world.planner, plan=published)
    with pytest.raises(
        TransitionError
    ):  # the consolidated stages only through the consolidated plan
        services.plan_transition(actor=world.planner, plan=draft, action="verify")


def test_an_empty_plan_cannot_be_submitted(world):
    plan = make_plan(world, lines=0)
    with pytest.raises(ValidationError):
        services.plan_submit(actor=world.professional, plan=plan)
    assert Plan.objects.get(pk=plan.pk).status == P.DRAFT


def test_wrong_roles_are_refused(world):
    plan = make_plan(world, status=P.SUBMITTED)
    with pytest.raises(PermissionDenied):  # the professional does not review
        services.plan_approve(actor=world.professional, plan=plan)
    with pytest.raises(PermissionDenied):  # internal control reads only
        services.plan_submit(actor=world.auditor, plan=make_plan(world, unit=world.sibling_unit))
    other_head = member(world.org, "unit_head", unit=world.sibling_unit)
    with pytest.raises(PermissionDenied):  # a unit head reviews only its unit's plans
        services.plan_approve(actor=other_head, plan=plan)
    with pytest.raises(PermissionDenied):
        services.plan_publish(actor=world.committee, plan=plan)
    assert Plan.objects.get(pk=plan.pk).status == P.SUBMITTED


def test_committee_and_publication_roles_on_the_consolidated_plan():
    world = build_world(procedure_code="EDU")
    _approved_plans(world)
    with pytest.raises(PermissionDenied):
        services.consolidated_plan_create(
            actor=world.unit_head, organization=world.org, fiscal_year=fiscal_year(world.org)
        )
    consolidated = services.consolidated_plan_create(
        actor=world.planner, organization=world.org, fiscal_year=fiscal_year(world.org)
    )
    with pytest.raises(PermissionDenied):
        services.consolidated_plan_verify(actor=world.admin, consolidated=consolidated)
    with pytest.raises(TransitionError):  # EDU-5 comes before the committee
        services.consolidated_plan_committee_decide(
            actor=world.committee,
            consolidated=consolidated,
            acta_number="1",
            date=datetime.date.today(),
            attendees="x",
            decision=DecisionOutcome.APPROVED,
        )
    with pytest.raises(PermissionDenied):
        services.consolidated_plan_publish(actor=world.committee, consolidated=consolidated)


# --- concurrency ------------------------------------------------------------------------------


def test_two_people_acting_on_the_same_state_never_both_succeed(world):
    """A transition is a conditional UPDATE from the state the actor saw."""
    plan = make_plan(world, status=P.SUBMITTED)
    seen_by_head = Plan.objects.get(pk=plan.pk)
    seen_by_planner = Plan.objects.get(pk=plan.pk)
    services.plan_approve(actor=world.unit_head, plan=seen_by_head)
    with pytest.raises(TransitionError):
        services.plan_publish(actor=world.planner, plan=seen_by_planner)
    assert Plan.objects.get(pk=plan.pk).status == P.PUBLISHED
    assert Event.objects.filter(object_id=str(plan.pk), step_key="plan.published").count() == 1


def test_a_stale_version_is_refused(world):
    plan = make_plan(world, status=P.SUBMITTED)
    with pytest.raises(StaleObjectError):
        services.plan_return(
            actor=world.unit_head, plan=plan, comments="Ajustar", expected_version=plan.version + 1
        )
    assert Plan.objects.get(pk=plan.pk).status == P.SUBMITTED


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_in_two_connections():
    """Two requests at the same moment (two database connections): exactly one wins."""
    world = build_world(procedure_code="EDU")
    plan = make_plan(world, status=P.SUBMITTED)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(call) -> None:
        try:
            copy = Plan.objects.select_related("organization", "unit").get(pk=plan.pk)
            barrier.wait(timeout=10)
            call(copy)
            outcomes.append("ok")
        except TransitionError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=act, args=(lambda p: services.plan_approve(actor=world.unit_head, plan=p),)
        ),
        threading.Thread(
            target=act,
            args=(
                lambda p: services.plan_return(actor=world.unit_head, plan=p, comments="Ajustar"),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    final = Plan.objects.get(pk=plan.pk)
    assert final.status in (P.UNIT_APPROVED, P.RETURNED)
    moves = Event.objects.filter(
        object_id=str(plan.pk), step_key__in=["plan.unit_approved", "plan.returned"]
    ).count()
    assert moves == 1


# --- consolidation (EDU-4) --------------------------------------------------------------------


def test_edu_4_consolidation_gathers_only_the_approved_plans():
    world = build_world(procedure_code="EDU")
    approved = make_plan(world, status=P.UNIT_APPROVED)
    submitted = make_plan(world, unit=world.sibling_unit, status=P.SUBMITTED)
    year = fiscal_year(world.org)
    consolidated = services.consolidated_plan_create(
        actor=world.planner, organization=world.org, fiscal_year=year
    )
    assert list(consolidated.plans.values_list("pk", flat=True)) == [approved.pk]
    assert Event.objects.filter(
        step_key="plan.consolidated", object_id=str(consolidated.pk)
    ).exists()
    with pytest.raises(ValidationError):  # one consolidated plan per year
        services.consolidated_plan_create(
            actor=world.planner, organization=world.org, fiscal_year=year
        )
    with pytest.raises(ValidationError):  # nothing new to gather
        services.consolidated_plan_gather(actor=world.planner, consolidated=consolidated)
    head = member(world.org, "unit_head", unit=world.sibling_unit)
    services.plan_approve(actor=head, plan=submitted)
    assert services.consolidated_plan_gather(actor=world.planner, consolidated=consolidated) == 1
    assert consolidated.plans.count() == 2


def test_nothing_to_consolidate_is_refused():
    world = build_world(procedure_code="EDU")
    make_plan(world, status=P.DRAFT)
    with pytest.raises(ValidationError):
        services.consolidated_plan_create(
            actor=world.planner, organization=world.org, fiscal_year=fiscal_year(world.org)
        )
    assert not Plan.objects.filter(organization=world.org, consolidated__isnull=False).exists()
