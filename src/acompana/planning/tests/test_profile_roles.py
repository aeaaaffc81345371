"""Who does a step comes from the organization's procedure (issue 11, section 1).

A generated matrix: for each of the four shipped profiles, each step action (the rows of the
plan and strategy workflows, the prioritisation, the proposals, the committee's decisions)
and each role, whether the role may act is read from the profile (the roles of the steps the
action's keys complete; the permission table where no step maps them) and compared with
what ``core.permissions`` answers for a member of an organization following that procedure.
Then: changing a step's role in the profile (an adjustment) changes who may act; the
committee's technical secretary records actas only where the profile says so.
"""

from __future__ import annotations

import datetime
from dataclasses import replace
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from acompana.core.choices import ProcedureCode, Role
from acompana.core.permissions import has_perm, roles_for, roles_in
from acompana.core.procedures import get_profile
from acompana.core.procedures.profiles import apply_overrides, shipped_profile
from acompana.core.tests.factories import build_world, member
from acompana.planning.choices import ConsolidatedStatus, PlanStatus
from acompana.planning.permissions import STEP_PERMISSIONS
from acompana.planning.plans import services as plan_services
from acompana.planning.plans import workflow as plan_workflow
from acompana.planning.strategy import workflow as strategy_workflow
from acompana.planning.tests.cases_plans import make_consolidated, make_plan, use_procedure

CODES = [c.value for c in ProcedureCode]


def _org(code: str, overrides: dict | None = None) -> SimpleNamespace:
    return SimpleNamespace(procedure_code=code, procedure_overrides=overrides)


def _expected(code: str, perm: str, keys: tuple[str, ...]) -> frozenset[str]:
    """What the profile file says, computed here without ``core.permissions``."""
    profile = shipped_profile(code)

    def roles_of(step_keys: tuple[str, ...]) -> frozenset[str] | None:
        steps = [s for s in profile.steps if set(s.step_keys) & set(step_keys)]
        if not steps:
            return None
        return frozenset(r for s in steps for r in s.roles)

    static = roles_for(perm)
    by_perm = roles_of(STEP_PERMISSIONS.get(perm, ()))
    allowed = by_perm if by_perm is not None else static
    by_action = roles_of(keys) if keys else None
    if by_action is not None:
        if by_perm is not None:
            allowed = by_action
        elif allowed & by_action:
            allowed = allowed & by_action
    return frozenset(allowed)


def _actions() -> list[tuple[str, str, tuple[str, ...]]]:
    """(name, permission, step keys) of every step action."""
    rows: dict[tuple[str, str, tuple[str, ...]], None] = {}
    for t in plan_workflow.PLAN_TRANSITIONS:
        rows[(f"plan.{t.action}", t.perm, t.step_keys)] = None
    for t in plan_workflow.CONSOLIDATED_TRANSITIONS:
        rows[(f"consolidated.{t.action}", t.perm, t.step_keys)] = None
    for t in strategy_workflow.STRATEGY_TRANSITIONS.values():
        rows[(f"strategy.{t.action}", t.perm, t.step_keys)] = None
    for t in strategy_workflow.PROPOSAL_TRANSITIONS.values():
        rows[(f"proposal.{t.action}", t.perm, t.step_keys)] = None
    for perm in STEP_PERMISSIONS:
        rows[(perm, perm, ())] = None
    return list(rows)


MATRIX = [
    pytest.param(code, name, perm, keys, role, id=f"{code}-{name}-{'+'.join(keys)}-{role}")
    for code in CODES
    for name, perm, keys in _actions()
    for role in (r.value for r in Role)
]


@pytest.mark.parametrize("code, name, perm, keys, role", MATRIX)
def test_matrix_follows_the_profile(code, name, perm, keys, role):
    allowed = roles_in(perm, organization=_org(code), step_keys=keys or None)
    assert (role in allowed) == (role in _expected(code, perm, keys))


# --- the findings of issue 11, one by one ------------------------------------------------------


@pytest.mark.parametrize(
    "code, role, may",
    [
        ("DNP", Role.PROFESSIONAL, True),  # DNP-1: Funcionario / Contratista
        ("DNP", Role.PLANNER, False),
        ("FP", Role.PLANNER, True),  # FP-1: Subdirección, planeación, direcciones técnicas
        ("FP", Role.PROFESSIONAL, False),
    ],
)
def test_who_prioritises_is_who_the_procedure_names(code, role, may):
    assert (role in roles_in("planning.prioritise", organization=_org(code))) is may


@pytest.mark.django_db
def test_a_dnp_professional_creates_a_model_and_saves_the_priority_list():
    """DNP-1: the professional selects the grupos de valor (the pages let him, the API too)."""
    world = build_world(procedure_code="DNP")
    assert has_perm(world.professional, "planning.prioritise")
    assert not has_perm(world.planner, "planning.prioritise")


def test_fp_2_leadership_proposes_the_strategy():
    allowed = roles_in("planning.propose_strategy", organization=_org("FP"))
    assert allowed == {Role.UNIT_HEAD, Role.LEADERSHIP}


@pytest.mark.parametrize("code", ["SAL", "DNP"])
def test_sal_and_dnp_plans_have_no_review(code):
    """One action finalises the plan: SAL-2 the head or a professional, DNP-3 the
    professional only (no unit head's approval in DNP's procedure)."""
    switches = dict.fromkeys(plan_workflow.SWITCHES, False)
    rows = [t for t in plan_workflow.PLAN_TRANSITIONS if t.applies(switches)]
    from_draft = {t.action for t in rows if PlanStatus.DRAFT in t.sources and not t.cascaded}
    assert from_draft == {"finalise"}
    finalise = next(t for t in rows if t.action == "finalise")
    allowed = roles_in(finalise.perm, organization=_org(code), step_keys=finalise.step_keys)
    expected = {"SAL": {Role.UNIT_HEAD, Role.PROFESSIONAL}, "DNP": {Role.PROFESSIONAL}}[code]
    assert allowed == expected


@pytest.mark.parametrize("code", ["EDU", "FP"])
def test_only_committee_members_record_its_decision(code):
    """Segregation of duties: the planner no longer holds ``planning.committee``."""
    assert roles_in("planning.committee", organization=_org(code)) == {Role.COMMITTEE}
    assert Role.PLANNER not in roles_for("planning.committee")


def test_the_committee_secretary_is_a_profile_setting():
    base = shipped_profile("EDU")
    with_secretary = apply_overrides(base, None)
    assert with_secretary.roles_for_keys(["plan.committee_approved"]) == {Role.COMMITTEE}
    switches = {**base.switches, "committee_secretary_role": "planner"}
    adjusted = replace(base, switches=switches)
    assert adjusted.roles_for_keys(["plan.committee_approved"]) == {
        Role.COMMITTEE,
        Role.PLANNER,
    }


def test_edu_6_has_its_own_key():
    profile = shipped_profile("EDU")
    assert [s.id for s in profile.steps_for_key("plan.committee_reviewed")] == ["EDU-6"]
    assert [s.id for s in profile.steps_for_key("plan.committee_approved")] == ["EDU-7"]


# --- changing a step's role changes who may act ------------------------------------------------


def test_an_adjusted_step_role_changes_who_may_act():
    org = _org("FP")
    assert Role.LEADERSHIP in roles_in("planning.propose_strategy", organization=org)
    adjusted = _org("FP", {"step_roles": {"FP-2": ["unit_head"]}})
    assert roles_in("planning.propose_strategy", organization=adjusted) == {Role.UNIT_HEAD}
    dnp = _org("DNP", {"step_roles": {"DNP-3": ["unit_head"]}})
    finalise = next(t for t in plan_workflow.PLAN_TRANSITIONS if t.action == "finalise")
    assert roles_in(finalise.perm, organization=dnp, step_keys=finalise.step_keys) == {
        Role.UNIT_HEAD
    }
    # an unknown role in an adjustment is ignored, the shipped roles hold
    broken = _org("FP", {"step_roles": {"FP-2": ["nobody"]}})
    assert get_profile(broken).step("FP-2").roles == shipped_profile("FP").step("FP-2").roles


@pytest.mark.django_db
def test_an_adjusted_profile_changes_who_finalises_a_plan():
    world = build_world(procedure_code="DNP")
    plan = make_plan(world)
    with pytest.raises(PermissionDenied):
        plan_services.plan_finalise(actor=world.unit_head, plan=plan)
    world.org.procedure_overrides = {"step_roles": {"DNP-3": ["unit_head"]}}
    world.org.save(update_fields=["procedure_overrides"])
    head = member(world.org, Role.UNIT_HEAD, unit=world.unit)
    with pytest.raises(PermissionDenied):
        plan_services.plan_finalise(actor=member(world.org, Role.PROFESSIONAL), plan=plan)
    plan_services.plan_finalise(actor=head, plan=plan)
    assert plan.status == PlanStatus.PUBLISHED


# --- the committee on the consolidated plan (EDU-6, EDU-7) -------------------------------------


def _acta(**extra):
    return {
        "acta_number": "AC-1",
        "date": datetime.date.today(),
        "attendees": "Secretaria de Educación\nDirectora de Calidad",
        "decision": "approved",
        **extra,
    }


@pytest.mark.django_db
def test_the_planner_cannot_record_the_committee_decision(world):
    consolidated = make_consolidated(
        world, status=ConsolidatedStatus.COMMITTEE_REVIEWED, plan_status=PlanStatus.VERIFIED
    )
    actions = plan_workflow.consolidated_actions(
        user=world.planner, organization=world.org, status=consolidated.status
    )
    assert "committee_approve" not in {a.action for a in actions}
    with pytest.raises(PermissionDenied):
        plan_services.consolidated_plan_committee_decide(
            actor=world.planner, consolidated=consolidated, **_acta()
        )
    record = plan_services.consolidated_plan_committee_decide(
        actor=world.committee, consolidated=consolidated, **_acta()
    )
    assert record.recorded_by == world.committee


@pytest.mark.django_db
def test_edu_6_review_is_recorded_apart_from_the_approval(world):
    consolidated = make_consolidated(
        world, status=ConsolidatedStatus.VERIFIED, plan_status=PlanStatus.VERIFIED
    )
    with pytest.raises(PermissionDenied):  # planning sends it, the committee does not
        plan_services.consolidated_plan_send_to_committee(
            actor=world.committee, consolidated=consolidated
        )
    plan_services.consolidated_plan_send_to_committee(
        actor=world.planner, consolidated=consolidated
    )
    from acompana.core.errors import TransitionError

    with pytest.raises(TransitionError):  # EDU-7 waits for the EDU-6 review
        plan_services.consolidated_plan_committee_decide(
            actor=world.committee, consolidated=consolidated, **_acta()
        )
    with pytest.raises(PermissionDenied):
        plan_services.consolidated_plan_committee_review(
            actor=world.planner, consolidated=consolidated
        )
    plan_services.consolidated_plan_committee_review(
        actor=world.committee, consolidated=consolidated
    )
    from acompana.core.models import Event

    review = Event.objects.get(step_key="plan.committee_reviewed", object_id=str(consolidated.pk))
    assert review.actor == world.committee


@pytest.mark.django_db
def test_a_secretary_records_the_acta_naming_the_members(world, monkeypatch):
    """With ``committee_secretary_role: planner`` (a profile setting) the planner records the
    acta, which must name the members present."""
    import acompana.core.procedures as procedures_pkg

    use_procedure(world, "EDU")
    consolidated = make_consolidated(
        world, status=ConsolidatedStatus.COMMITTEE_REVIEWED, plan_status=PlanStatus.VERIFIED
    )
    base = shipped_profile("EDU")
    secretary = replace(base, switches={**base.switches, "committee_secretary_role": "planner"})
    monkeypatch.setattr(procedures_pkg, "get_profile", lambda organization: secretary)
    with pytest.raises(ValidationError) as exc:
        plan_services.consolidated_plan_committee_decide(
            actor=world.planner, consolidated=consolidated, **_acta(attendees="Yo")
        )
    assert "attendees" in exc.value.message_dict
    consolidated.refresh_from_db()
    record = plan_services.consolidated_plan_committee_decide(
        actor=world.planner, consolidated=consolidated, **_acta()
    )
    assert record.recorded_by == world.planner


def test_the_secretary_setting_as_an_adjustment():
    edu = _org("EDU", {"committee_secretary_role": "planner"})
    assert roles_in("planning.committee", organization=edu) == {Role.COMMITTEE, Role.PLANNER}
    assert roles_in("planning.committee", organization=_org("EDU")) == {Role.COMMITTEE}
    unknown = _org("EDU", {"committee_secretary_role": "nobody"})
    assert roles_in("planning.committee", organization=unknown) == {Role.COMMITTEE}


@pytest.mark.django_db
def test_the_api_refuses_the_same_way():
    """DNP-3 through the API: the unit head gets 403, the professional finalises."""
    from django.urls import reverse

    from acompana.core.tests.api_utils import call, token_client

    world = build_world(procedure_code="DNP")
    plan = make_plan(world)
    url = reverse("api:planning_plan_finalise", kwargs={"pk": plan.pk})
    refused = call(token_client(world.unit_head), "post", url, {"version": plan.version})
    assert refused.status_code == 403
    done = call(token_client(world.professional), "post", url, {"version": plan.version})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == PlanStatus.PUBLISHED


@pytest.mark.django_db
def test_the_coverage_view_highlights_the_gaps(world, client_for):
    """EDU-6: every service of the catalogue × the plan lines covering it, gaps marked."""
    from django.urls import reverse

    from acompana.catalog.tests.factories import ServiceFactory
    from acompana.planning.models import PlanLine

    consolidated = make_consolidated(
        world, status=ConsolidatedStatus.IN_COMMITTEE, plan_status=PlanStatus.VERIFIED
    )
    covered = ServiceFactory(organization=world.org, unit=world.unit, name="Asesoría cubierta")
    ServiceFactory(organization=world.org, unit=world.unit, name="Asesoría sin líneas")
    line = PlanLine.objects.get(plan__consolidated=consolidated)
    PlanLine.objects.filter(pk=line.pk).update(service=covered)
    rows = plan_services.selectors.consolidated_coverage(consolidated=consolidated)
    by_name = {row["service"].name: row["lines"] for row in rows}
    assert [x.pk for x in by_name["Asesoría cubierta"]] == [line.pk]
    assert by_name["Asesoría sin líneas"] == []
    html = (
        client_for(world.committee)
        .get(reverse("planning:consolidated_coverage", args=[consolidated.pk]))
        .content.decode()
    )
    assert html.count('class="table-warning"') == sum(1 for r in rows if not r["lines"])
    assert line.activity in html
