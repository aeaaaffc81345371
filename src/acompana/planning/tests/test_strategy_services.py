"""The strategy services and workflow: FP-2 (units propose), FP-3 (planning consolidates),
FP-4 (the Comité Directivo decides, every round kept)."""

from __future__ import annotations

import datetime
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from acompana.catalog.tests.factories import ModalityFactory, ServiceFactory
from acompana.core.choices import ProcedureCode, UnitKind
from acompana.core.errors import StaleObjectError, TransitionError
from acompana.core.models import Document, Event
from acompana.core.procedures.trail import procedure_trail
from acompana.core.tests.factories import UnitFactory, build_world
from acompana.planning.choices import ProposalStatus, StrategyStatus
from acompana.planning.committee import committee_decisions_for
from acompana.planning.models import CommitteeDecision, Strategy, StrategyProposal, StrategyRound
from acompana.planning.strategy import services, workflow
from acompana.planning.strategy.selectors import trail_objects
from acompana.planning.tests.cases_strategy import (
    consolidated_fp,
    decision_data,
    fill,
    filled_proposal,
    modality,
    open_strategy,
    presented_fp,
    proposal_of,
    ready_strategy,
    submitted_proposal,
    unit_service,
    use_procedure,
)
from acompana.planning.tests.factories import fiscal_year

pytestmark = pytest.mark.django_db


def _pdf_text(content: bytes, tmp_path) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (Debian package poppler-utils) is required")
    path = tmp_path / "acta.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _reload(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- opening ---------------------------------------------------------------------------------


def test_opening_gives_every_active_unit_a_proposal(world):
    """FP-2: every technical directorate and group gets a proposal to fill."""
    UnitFactory(organization=world.org, name="Grupo de Calidad", kind=UnitKind.GROUP)
    UnitFactory(organization=world.org, name="Dirección cerrada", is_active=False)
    office = UnitFactory(organization=world.org, name="Despacho", kind=UnitKind.OFFICE)
    UnitFactory(organization=world.org, name="Oficina Jurídica", kind=UnitKind.OFFICE)
    ServiceFactory(organization=world.org, unit=office, name="Asesoría del despacho")

    strategy = open_strategy(world)

    units = set(strategy.proposals.values_list("unit__name", flat=True))
    assert units == {"Salud Pública", "Aseguramiento", "Grupo de Calidad", "Despacho"}
    assert strategy.status == StrategyStatus.DRAFT and strategy.round == 1
    assert strategy.created_by == world.planner
    assert set(strategy.proposals.values_list("status", flat=True)) == {ProposalStatus.DRAFT}
    assert Event.objects.filter(step_key="strategy.opened", object_id=str(strategy.pk)).exists()


def test_one_strategy_per_year_and_only_planning_opens_it(world):
    open_strategy(world)
    with pytest.raises(ValidationError) as exc:
        open_strategy(world)
    assert "fiscal_year" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.strategy_open(
            actor=world.unit_head,
            organization=world.org,
            fiscal_year=fiscal_year(world.org, 2030),
        )


def test_units_created_later_are_added(world):
    strategy = open_strategy(world)
    UnitFactory(organization=world.org, name="Dirección nueva")
    created = services.strategy_proposals_sync(actor=world.planner, strategy=strategy)
    assert [p.unit.name for p in created] == ["Dirección nueva"]
    assert services.strategy_proposals_sync(actor=world.planner, strategy=strategy) == []


# --- FP-2: proposals -------------------------------------------------------------------------


def test_unit_head_fills_and_submits_its_proposal(world):
    """FP-2: the director proposes services of the unit, resources, modality, people."""
    strategy = open_strategy(world)
    proposal = proposal_of(strategy, world.unit)
    service = unit_service(world)
    services.strategy_proposal_update(
        actor=world.unit_head,
        proposal=proposal,
        expected_version=1,
        data={
            "services": [service],
            "resources": "25000000.5",
            "modality": modality(world),
            "people": "Dos profesionales y el gestor territorial",
            "alliances": "ESAP, gobernaciones",
            "milestones": "Diagnóstico en marzo",
            "joint": True,
        },
    )
    proposal = _reload(proposal)
    assert list(proposal.services.all()) == [service]
    assert proposal.resources == Decimal("25000000.50")
    assert proposal.joint and proposal.version == 2

    services.strategy_proposal_submit(actor=world.unit_head, proposal=proposal, expected_version=2)
    proposal = _reload(proposal)
    assert proposal.status == ProposalStatus.SUBMITTED
    assert proposal.submitted_by == world.unit_head and proposal.submitted_at
    event = Event.objects.get(step_key="strategy.proposed", object_id=str(proposal.pk))
    assert event.actor == world.unit_head
    assert event.after["services"] == [service.name]


def test_only_active_services_of_the_unit_can_be_proposed(world):
    proposal = proposal_of(open_strategy(world), world.unit)
    other_unit = ServiceFactory(organization=world.org, unit=world.sibling_unit, name="Ajeno")
    withdrawn = ServiceFactory(organization=world.org, unit=world.unit, is_active=False)
    other_org = ServiceFactory(organization=world.other, name="Otra entidad")
    for wrong in (other_unit, withdrawn, other_org):
        with pytest.raises(ValidationError) as exc:
            services.strategy_proposal_update(
                actor=world.unit_head,
                proposal=proposal,
                expected_version=1,
                data={"services": [wrong], "resources": 0},
            )
        assert "services" in exc.value.message_dict
    assert not _reload(proposal).services.exists()
    assert _reload(proposal).version == 1


def test_resources_and_modality_are_validated(world):
    proposal = proposal_of(open_strategy(world), world.unit)
    for resources in ("-1", "abc", "100000000000000000"):
        with pytest.raises(ValidationError) as exc:
            services.strategy_proposal_update(
                actor=world.unit_head,
                proposal=proposal,
                expected_version=1,
                data={"resources": resources},
            )
        assert "resources" in exc.value.message_dict
    foreign = ModalityFactory(organization=world.other)
    with pytest.raises(ValidationError) as exc:
        services.strategy_proposal_update(
            actor=world.unit_head,
            proposal=proposal,
            expected_version=1,
            data={"modality": foreign},
        )
    assert "modality" in exc.value.message_dict


def test_a_stale_edit_is_refused(world):
    proposal = filled_proposal(world)
    stale = proposal.version - 1
    with pytest.raises(StaleObjectError):
        services.strategy_proposal_update(
            actor=world.unit_head,
            proposal=_reload(proposal),
            expected_version=stale,
            data={"resources": "1", "people": "Nadie"},
        )
    assert _reload(proposal).resources == Decimal("15000000")
    with pytest.raises(StaleObjectError):
        services.strategy_proposal_submit(
            actor=world.unit_head, proposal=_reload(proposal), expected_version=stale
        )
    assert _reload(proposal).status == ProposalStatus.DRAFT


def test_an_incomplete_proposal_cannot_be_submitted(world):
    """FP-2: services, space (modality) and people are needed to propose."""
    proposal = proposal_of(open_strategy(world), world.unit)
    with pytest.raises(ValidationError) as exc:
        services.strategy_proposal_submit(actor=world.unit_head, proposal=proposal)
    assert len(exc.value.messages) == 3
    assert _reload(proposal).status == ProposalStatus.DRAFT


def test_unit_head_cannot_change_another_units_proposal(world):
    strategy = open_strategy(world)
    sibling = proposal_of(strategy, world.sibling_unit)
    with pytest.raises(PermissionDenied):
        services.strategy_proposal_update(
            actor=world.unit_head, proposal=sibling, expected_version=1, data={"people": "x"}
        )
    with pytest.raises(PermissionDenied):
        services.strategy_proposal_submit(actor=world.unit_head, proposal=sibling)
    with pytest.raises(PermissionDenied):
        services.strategy_proposal_update(
            actor=world.professional,
            proposal=proposal_of(strategy, world.unit),
            expected_version=1,
            data={"people": "x"},
        )


def test_submitted_proposal_is_frozen_until_returned(world):
    """FP-2 control (validate prioritisation and resources): planning returns a proposal."""
    proposal = submitted_proposal(world)
    with pytest.raises(TransitionError):
        services.strategy_proposal_update(
            actor=world.unit_head,
            proposal=proposal,
            expected_version=proposal.version,
            data={"people": "Otro equipo"},
        )
    with pytest.raises(TransitionError):
        services.strategy_proposal_submit(actor=world.unit_head, proposal=proposal)
    with pytest.raises(ValidationError):
        services.strategy_proposal_return(actor=world.planner, proposal=proposal, comments=" ")
    with pytest.raises(PermissionDenied):
        services.strategy_proposal_return(
            actor=world.unit_head, proposal=proposal, comments="Ajustar"
        )
    services.strategy_proposal_return(
        actor=world.planner, proposal=proposal, comments="Los recursos superan el techo"
    )
    proposal = _reload(proposal)
    assert proposal.status == ProposalStatus.RETURNED
    assert proposal.comments == "Los recursos superan el techo"
    services.strategy_proposal_update(
        actor=world.unit_head,
        proposal=proposal,
        expected_version=proposal.version,
        data={
            "services": list(proposal.services.all()),
            "resources": "9000000",
            "modality": proposal.modality,
            "people": proposal.people,
        },
    )
    services.strategy_proposal_submit(actor=world.unit_head, proposal=_reload(proposal))
    assert _reload(proposal).status == ProposalStatus.SUBMITTED


def test_exclusion_needs_a_reason_and_can_be_undone(world):
    strategy = open_strategy(world)
    sibling = proposal_of(strategy, world.sibling_unit)
    with pytest.raises(ValidationError):
        services.strategy_proposal_exclude(actor=world.planner, proposal=sibling, reason="")
    services.strategy_proposal_exclude(actor=world.planner, proposal=sibling, reason="Sin oferta")
    sibling = _reload(sibling)
    assert sibling.excluded and sibling.exclusion_reason == "Sin oferta"
    with pytest.raises(TransitionError):
        services.strategy_proposal_update(
            actor=world.planner, proposal=sibling, expected_version=sibling.version, data={}
        )
    services.strategy_proposal_include(actor=world.planner, proposal=sibling)
    assert not _reload(sibling).excluded
    submitted = submitted_proposal(build_world())
    with pytest.raises(PermissionDenied):
        services.strategy_proposal_exclude(
            actor=world.planner, proposal=submitted, reason="Otra entidad"
        )


def test_a_submitted_proposal_cannot_be_excluded(world):
    proposal = submitted_proposal(world)
    with pytest.raises(TransitionError):
        services.strategy_proposal_exclude(actor=world.planner, proposal=proposal, reason="No")


# --- FP-3: consolidation ---------------------------------------------------------------------


def test_consolidation_waits_for_every_proposal(world):
    """FP-3: consolidation only when every proposal is submitted or its unit excluded."""
    use_procedure(world, ProcedureCode.FP)
    proposal = submitted_proposal(world)
    strategy = proposal.strategy
    with pytest.raises(TransitionError) as exc:
        services.strategy_consolidate(actor=world.planner, strategy=strategy)
    assert "Aseguramiento" in exc.value.messages[0]
    assert _reload(strategy).status == StrategyStatus.DRAFT
    with pytest.raises(PermissionDenied):
        services.strategy_consolidate(actor=world.unit_head, strategy=strategy)


def test_every_unit_excluded_cannot_be_consolidated(world):
    strategy = open_strategy(world)
    for proposal in strategy.proposals.all():
        services.strategy_proposal_exclude(actor=world.planner, proposal=proposal, reason="No")
    with pytest.raises(TransitionError):
        services.strategy_consolidate(actor=world.planner, strategy=strategy)


def test_consolidation_freezes_the_round_and_proposals(world):
    """FP-3: the consolidated strategy keeps what was proposed; proposals no longer change."""
    strategy = consolidated_fp(world)
    assert strategy.status == StrategyStatus.CONSOLIDATED
    round_ = StrategyRound.objects.get(strategy=strategy, number=1)
    assert round_.consolidated_by == world.planner
    assert round_.snapshot["total_resources"] == "15000000.00"
    rows = {row["unit"]: row for row in round_.snapshot["proposals"]}
    assert rows["Aseguramiento"]["excluded"] is True
    assert rows["Salud Pública"]["services"][0]["name"] == "Servicio de Salud Pública"
    assert Event.objects.filter(
        step_key="strategy.consolidated", object_id=str(strategy.pk)
    ).exists()
    proposal = proposal_of(strategy, world.unit)
    with pytest.raises(TransitionError):
        services.strategy_proposal_return(actor=world.planner, proposal=proposal, comments="x")


def test_wrong_state_transitions_are_refused(world):
    use_procedure(world, ProcedureCode.FP)
    strategy = open_strategy(world)
    with pytest.raises(TransitionError) as exc:
        services.strategy_present(actor=world.planner, strategy=strategy)
    assert "consolidada" in exc.value.messages[0] or "consolidated" in exc.value.messages[0]
    with pytest.raises(TransitionError):
        services.strategy_reopen(actor=world.planner, strategy=strategy)
    with pytest.raises(TransitionError):
        services.strategy_committee_decide(
            actor=world.committee, strategy=strategy, **decision_data()
        )
    assert not CommitteeDecision.objects.exists()
    assert _reload(strategy).status == StrategyStatus.DRAFT


def test_reopen_lets_planning_return_a_proposal_before_presenting(world):
    strategy = consolidated_fp(world)
    services.strategy_reopen(actor=world.planner, strategy=strategy)
    assert _reload(strategy).status == StrategyStatus.DRAFT
    services.strategy_proposal_return(
        actor=world.planner, proposal=proposal_of(strategy, world.unit), comments="Ajustar"
    )
    assert proposal_of(strategy, world.unit).status == ProposalStatus.RETURNED


def test_concurrent_transitions_never_both_succeed(world):
    """Two planners consolidate the same strategy at once: the second one is refused."""
    strategy = ready_strategy(world)
    first, second = _reload(strategy), _reload(strategy)
    services.strategy_consolidate(actor=world.planner, strategy=first)
    with pytest.raises(TransitionError):
        services.strategy_consolidate(actor=world.admin, strategy=second)
    assert Event.objects.filter(step_key="strategy.consolidated").count() == 1


def test_a_stale_transition_is_refused(world):
    strategy = consolidated_fp(world)
    with pytest.raises(StaleObjectError):
        services.strategy_present(
            actor=world.planner, strategy=strategy, expected_version=strategy.version - 1
        )
    assert _reload(strategy).status == StrategyStatus.CONSOLIDATED


# --- FP-4: the committee ---------------------------------------------------------------------


def test_full_round_trip_rejected_then_approved(world, tmp_path):
    """FP-2 → FP-3 → FP-4 returned with comments → units adjust and resubmit → FP-3 again →
    FP-4 approved; both rounds, both actas and their PDFs are kept."""
    use_procedure(world, ProcedureCode.FP)
    strategy = open_strategy(world)
    unit_proposal = proposal_of(strategy, world.unit)
    sibling_proposal = proposal_of(strategy, world.sibling_unit)
    fill(world, unit_proposal)
    fill(world, sibling_proposal)
    services.strategy_proposal_submit(actor=world.unit_head, proposal=_reload(unit_proposal))
    # FP-2 names the Subdirección too: leadership proposes for a unit without its own head
    services.strategy_proposal_submit(actor=world.leadership, proposal=_reload(sibling_proposal))
    services.strategy_consolidate(
        actor=world.planner, strategy=strategy, notes="Financiación verificada"
    )
    services.strategy_present(actor=world.planner, strategy=strategy)

    returned = services.strategy_committee_decide(
        actor=world.committee,
        strategy=strategy,
        acta_number="CD-01",
        date=datetime.date.today(),
        attendees="Directora\nSubdirector",
        decision="rejected",
        comments="Priorizar municipios PDET",
        proposal_comments={sibling_proposal.pk: "Reducir el presupuesto de viajes"},
    )
    strategy = _reload(strategy)
    assert strategy.status == StrategyStatus.RETURNED and strategy.round == 2
    assert returned.round == 1
    unit_proposal, sibling_proposal = _reload(unit_proposal), _reload(sibling_proposal)
    assert unit_proposal.status == sibling_proposal.status == ProposalStatus.RETURNED
    assert unit_proposal.comments == "Priorizar municipios PDET"
    assert "Priorizar municipios PDET" in sibling_proposal.comments
    assert "Reducir el presupuesto de viajes" in sibling_proposal.comments
    assert Event.objects.filter(
        step_key="strategy.proposal_returned", object_id=str(sibling_proposal.pk)
    ).exists()

    # the units adjust and resubmit
    for proposal, actor in (
        (unit_proposal, world.unit_head),
        (sibling_proposal, world.leadership),
    ):
        services.strategy_proposal_update(
            actor=actor,
            proposal=proposal,
            expected_version=proposal.version,
            data={
                "services": list(proposal.services.all()),
                "resources": "8000000",
                "modality": proposal.modality,
                "people": proposal.people,
            },
        )
        services.strategy_proposal_submit(actor=actor, proposal=_reload(proposal))
    services.strategy_consolidate(actor=world.planner, strategy=strategy, notes="Ajustada")
    services.strategy_present(actor=world.planner, strategy=strategy)
    approved = services.strategy_committee_decide(
        actor=world.committee,
        strategy=strategy,
        acta_number="CD-02",
        date=datetime.date.today(),
        attendees="Directora\nSubdirector",
        decision="approved",
        comments="",
    )
    strategy = _reload(strategy)
    assert strategy.status == StrategyStatus.APPROVED and strategy.round == 2
    assert strategy.approved_at is not None
    assert set(strategy.proposals.values_list("status", flat=True)) == {ProposalStatus.ACCEPTED}

    rounds = list(StrategyRound.objects.filter(strategy=strategy).order_by("number"))
    assert [r.number for r in rounds] == [1, 2]
    assert [r.decision for r in rounds] == [returned, approved]
    assert rounds[0].snapshot["total_resources"] == "30000000.00"
    assert rounds[1].snapshot["total_resources"] == "16000000.00"
    assert rounds[0].proposal_comments == {
        str(sibling_proposal.pk): "Reducir el presupuesto de viajes"
    }
    assert rounds[0].acta_document != rounds[1].acta_document
    decisions = list(committee_decisions_for(user=world.planner, obj=strategy))
    assert [d.acta_number for d in decisions] == ["CD-01", "CD-02"]
    assert Document.objects.filter(kind="committee_acta.pdf").count() == 2
    text = _pdf_text(rounds[0].acta_document.file.read(), tmp_path)
    assert "CD-01" in text and "Priorizar municipios PDET" in text

    trail = {
        step.id: step.done
        for step in procedure_trail(
            user=world.planner, obj=strategy, related=trail_objects(strategy=strategy)
        )
    }
    assert trail["FP-2"] and trail["FP-3"] and trail["FP-4"]
    assert Event.objects.filter(step_key="strategy.proposed").count() == 4
    assert Event.objects.filter(step_key="strategy.consolidated").count() == 2
    assert Event.objects.filter(step_key="strategy.committee_decided").count() == 1


def test_acta_pdf_is_stored_with_the_header(world, tmp_path):
    """FP-4: the acta of the Comité Directivo, with the organization's header."""
    strategy = presented_fp(world)
    services.strategy_committee_decide(
        actor=world.committee, strategy=strategy, **decision_data(acta_number="CD-77")
    )
    document = StrategyRound.objects.get(strategy=strategy).acta_document
    assert document.format_name == "Acta del Comité Directivo"
    content = document.file.read()
    assert content.startswith(b"%PDF")
    text = _pdf_text(content, tmp_path)
    assert world.org.name in text
    assert "Acta del Comité Directivo" in text
    assert "CD-77" in text and "Directora General" in text


@pytest.mark.parametrize(
    "change, field",
    [
        ({"decision": "rejected", "comments": "  "}, "comments"),
        ({"date": datetime.date.today() + datetime.timedelta(days=1)}, "date"),
        ({"attendees": ""}, "attendees"),
        ({"acta_number": ""}, "acta_number"),
        ({"decision": "maybe"}, "decision"),
    ],
)
def test_committee_decision_is_validated(world, change, field):
    strategy = presented_fp(world)
    with pytest.raises(ValidationError) as exc:
        services.strategy_committee_decide(
            actor=world.committee, strategy=strategy, **decision_data(**change)
        )
    assert field in exc.value.message_dict
    assert _reload(strategy).status == StrategyStatus.SUBMITTED
    assert not CommitteeDecision.objects.exists() and not Document.objects.exists()


def test_an_acta_number_is_recorded_once(world):
    strategy = presented_fp(world)
    services.strategy_committee_decide(
        actor=world.committee,
        strategy=strategy,
        **decision_data(acta_number="CD-9", decision="rejected", comments="Ajustar"),
    )
    for proposal in strategy.proposals.filter(excluded=False):
        services.strategy_proposal_submit(actor=world.leadership, proposal=proposal)
    services.strategy_consolidate(actor=world.planner, strategy=strategy)
    services.strategy_present(actor=world.planner, strategy=strategy)
    with pytest.raises(ValidationError) as exc:
        services.strategy_committee_decide(
            actor=world.committee, strategy=strategy, **decision_data(acta_number="cd-9")
        )
    assert "acta_number" in exc.value.message_dict
    assert _reload(strategy).status == StrategyStatus.SUBMITTED


def test_only_the_committee_or_its_secretary_decides(world):
    strategy = presented_fp(world)
    for role in ("admin", "unit_head", "leadership", "auditor"):
        with pytest.raises(PermissionDenied):
            services.strategy_committee_decide(
                actor=world.users[role], strategy=strategy, **decision_data()
            )
    assert not CommitteeDecision.objects.exists()


def test_comments_for_a_proposal_of_another_strategy_are_refused(world):
    strategy = presented_fp(world)
    foreign = submitted_proposal(build_world())
    with pytest.raises(ValidationError):
        services.strategy_committee_decide(
            actor=world.committee,
            strategy=strategy,
            **decision_data(decision="rejected", comments="Ajustar"),
            proposal_comments={foreign.pk: "No es de esta estrategia"},
        )
    assert _reload(strategy).status == StrategyStatus.SUBMITTED


# --- profile switch --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code, committee",
    [
        (ProcedureCode.FP, True),
        (ProcedureCode.SAL, False),
        (ProcedureCode.EDU, False),
        (ProcedureCode.DNP, False),
    ],
)
def test_committee_stage_follows_the_profile(code, committee):
    world = build_world(procedure_code=code)
    assert workflow.committee_stage(world.org) is committee


def test_without_committee_stage_consolidation_approves(world):
    """SAL (like EDU and DNP) has no committee decision on the strategy: planning's
    consolidation approves it and there is no committee stage."""
    strategy = ready_strategy(world)
    services.strategy_consolidate(actor=world.planner, strategy=strategy, notes="Listo")
    strategy = _reload(strategy)
    assert strategy.status == StrategyStatus.APPROVED and strategy.approved_at
    assert proposal_of(strategy, world.unit).status == ProposalStatus.ACCEPTED
    assert proposal_of(strategy, world.sibling_unit).excluded
    with pytest.raises(TransitionError):
        services.strategy_present(actor=world.planner, strategy=strategy)
    with pytest.raises(TransitionError) as exc:
        services.strategy_committee_decide(
            actor=world.committee, strategy=strategy, **decision_data()
        )
    assert "comité" in exc.value.messages[0] or "committee" in exc.value.messages[0]
    assert not CommitteeDecision.objects.exists()
    assert workflow.available_strategy_transitions(user=world.planner, strategy=strategy) == []


def test_with_committee_stage_consolidation_does_not_approve(world):
    strategy = consolidated_fp(world)
    assert strategy.status == StrategyStatus.CONSOLIDATED
    assert strategy.approved_at is None
    with pytest.raises(TransitionError):
        workflow.strategy_transition_check(
            actor=world.planner, strategy=strategy, name="consolidate_and_approve"
        )
    assert set(workflow.available_strategy_transitions(user=world.planner, strategy=strategy)) == {
        "reopen",
        "present",
    }
    assert workflow.available_strategy_transitions(user=world.unit_head, strategy=strategy) == []


def test_strategy_is_per_organization_and_year(world):
    strategy = open_strategy(world)
    assert Strategy.objects.for_user(world.outsider).filter(pk=strategy.pk).count() == 0
    assert StrategyProposal.objects.for_user(world.outsider).count() == 0
