"""Pages of the strategy: FP-2 proposals, FP-3 consolidation (offer and demand), FP-4 the
committee's decision with its acta, the rounds history and the acta download."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from acompana.catalog.tests.factories import (
    MilestoneTemplateFactory,
    ServiceFactory,
    TopicFactory,
)
from acompana.core.choices import ProcedureCode
from acompana.core.models import FiscalYear
from acompana.core.tests.factories import UnitFactory
from acompana.planning.choices import ProposalStatus, StrategyStatus
from acompana.planning.models import Strategy, StrategyProposal, StrategyRound
from acompana.planning.tests.cases_strategy import (
    consolidated_fp,
    decided_fp,
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
from acompana.planning.tests.factories import NeedFactory, fiscal_year

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(name, *args):
    return reverse(f"planning:{name}", args=args)


# --- home and opening ------------------------------------------------------------------------


def test_home_without_fiscal_year_shows_the_empty_state(world, client_for):
    FiscalYear.objects.filter(organization=world.org).delete()
    response = client_for(world.admin).get(_url("strategy_home"))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert reverse("core:fiscal_year_list") in response.content.decode()


def test_home_lists_years_and_planning_opens_the_strategy(world, client_for):
    planner = client_for(world.planner)
    response = planner.get(_url("strategy_home"))
    row = response.context["rows"][0]
    assert row.strategy is None and response.context["open_form"] is not None
    assert client_for(world.unit_head).get(_url("strategy_home")).context["open_form"] is None

    response = planner.post(_url("strategy_open"), {"fiscal_year": fiscal_year(world.org).pk})
    strategy = Strategy.objects.get(organization=world.org)
    assert response["Location"] == _url("strategy_detail", strategy.pk)
    assert strategy.proposals.count() == 2
    # every year already has its strategy: no form, and opening again is refused
    assert planner.get(_url("strategy_home")).context["open_form"] is None
    response = planner.post(
        _url("strategy_open"), {"fiscal_year": fiscal_year(world.org).pk}, follow=True
    )
    assert Strategy.objects.filter(organization=world.org).count() == 1
    assert list(response.context["messages"])


# --- the strategy page -----------------------------------------------------------------------


def test_overview_shows_proposals_and_the_actions_of_each_user(world, client_for):
    """FP-2: the unit head fills only its unit's proposal; everyone sees every proposal."""
    strategy = open_strategy(world)
    own = proposal_of(strategy, world.unit)
    sibling = proposal_of(strategy, world.sibling_unit)

    page = client_for(world.unit_head).get(_url("strategy_detail", strategy.pk))
    html = page.content.decode()
    assert _url("strategy_proposal_edit", own.pk) in html
    assert _url("strategy_proposal_edit", sibling.pk) not in html
    assert _url("strategy_proposal_detail", sibling.pk) in html
    assert "FP-2" not in html  # a SAL organization reads only its own steps (issue 11)

    auditor = client_for(world.auditor).get(_url("strategy_detail", strategy.pk))
    assert _url("strategy_proposal_edit", own.pk) not in auditor.content.decode()
    assert auditor.context["transitions"] == []


def test_overview_queries_do_not_grow_with_units(world, client_for, django_assert_max_num_queries):
    for i in range(12):
        UnitFactory(organization=world.org, name=f"Grupo {i}")
    strategy = open_strategy(world)
    for proposal in strategy.proposals.select_related("unit", "strategy")[:6]:
        fill(world, proposal)
    client = client_for(world.planner)
    with django_assert_max_num_queries(16):
        assert client.get(_url("strategy_detail", strategy.pk)).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(_url("strategy_consolidation", strategy.pk)).status_code == 200
    with django_assert_max_num_queries(9):
        assert client.get(_url("strategy_home")).status_code == 200


def test_units_created_after_opening_can_be_added(world, client_for):
    strategy = open_strategy(world)
    UnitFactory(organization=world.org, name="Dirección nueva")
    client = client_for(world.planner)
    assert client.get(_url("strategy_detail", strategy.pk)).context["missing_units"]
    client.post(_url("strategy_sync_units", strategy.pk))
    assert strategy.proposals.filter(unit__name="Dirección nueva").exists()


# --- FP-2: proposals -------------------------------------------------------------------------


def test_unit_head_edits_and_submits_its_proposal(world, client_for):
    strategy = open_strategy(world)
    proposal = proposal_of(strategy, world.unit)
    service = unit_service(world)
    client = client_for(world.unit_head)
    assert client.get(_url("strategy_proposal_edit", proposal.pk)).status_code == 200
    data = {
        "services": [service.pk],
        "resources": "12000000",
        "modality": modality(world).pk,
        "people": "Equipo de la dirección",
        "alliances": "ESAP",
        "milestones": "Marzo",
        "joint": "on",
        "version": proposal.version,
        "submit": "1",
    }
    response = client.post(_url("strategy_proposal_edit", proposal.pk), data)
    assert response["Location"] == _url("strategy_proposal_detail", proposal.pk)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED and proposal.joint
    assert list(proposal.services.all()) == [service]

    # submitted: the edit page says it cannot change, and a POST is refused
    response = client.post(_url("strategy_proposal_edit", proposal.pk), {**data, "version": 3})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_stale_edit_shows_an_error_and_changes_nothing(world, client_for):
    proposal = filled_proposal(world)
    response = client_for(world.unit_head).post(
        _url("strategy_proposal_edit", proposal.pk),
        {"resources": "1", "people": "Otro", "version": proposal.version - 1},
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    proposal.refresh_from_db()
    assert proposal.people == "Equipo de asistencia técnica de la dirección"


def test_services_of_another_unit_are_not_offered(world, client_for):
    proposal = proposal_of(open_strategy(world), world.unit)
    own = unit_service(world)
    other = ServiceFactory(organization=world.org, unit=world.sibling_unit, name="Ajeno")
    withdrawn = ServiceFactory(organization=world.org, unit=world.unit, is_active=False)
    client = client_for(world.unit_head)
    choices = client.get(_url("strategy_proposal_edit", proposal.pk)).context["form"]
    offered = set(choices.fields["services"].queryset)
    assert offered == {own}
    response = client.post(
        _url("strategy_proposal_edit", proposal.pk),
        {"services": [other.pk, withdrawn.pk], "resources": "0", "version": 1},
    )
    assert response.status_code == 200 and response.context["form"].errors["services"]
    assert not proposal.services.exists()


def test_unit_head_gets_404_on_another_units_proposal(world, client_for):
    strategy = open_strategy(world)
    sibling = proposal_of(strategy, world.sibling_unit)
    client = client_for(world.unit_head)
    assert client.get(_url("strategy_proposal_edit", sibling.pk)).status_code == 404
    assert (
        client.post(
            _url("strategy_proposal_edit", sibling.pk), {"people": "x", "version": 1}
        ).status_code
        == 404
    )
    assert (
        client.post(_url("strategy_proposal_submit", sibling.pk), {"version": 1}).status_code == 404
    )
    assert client.get(_url("strategy_proposal_detail", sibling.pk)).status_code == 200
    sibling.refresh_from_db()
    assert sibling.people == "" and sibling.version == 1


def test_milestone_preview_lists_the_hitos_of_the_chosen_services(world, client_for):
    """FP-2: every service has milestones; a service without required ones is flagged."""
    use_procedure(world, ProcedureCode.FP)
    proposal = proposal_of(open_strategy(world), world.unit)
    with_milestones = unit_service(world, name="Con hitos")
    MilestoneTemplateFactory(service=with_milestones, name="Informe final", required=True)
    without = ServiceFactory(organization=world.org, unit=world.unit, name="Sin hitos")
    response = client_for(world.unit_head).get(
        _url("strategy_proposal_edit", proposal.pk),
        {"services": [with_milestones.pk, without.pk]},
        HTTP_HX_TARGET="milestone-preview",
        **HTMX,
    )
    html = response.content.decode()
    assert "<html" not in html
    assert "Diagnóstico" in html and "Informe final" in html
    assert len(response.context["warnings"]) == 1 and "Sin hitos" in response.context["warnings"][0]


def test_planning_returns_excludes_and_includes(world, client_for):
    proposal = submitted_proposal(world)
    planner = client_for(world.planner)
    page = planner.get(_url("strategy_proposal_detail", proposal.pk))
    assert page.context["can_return"] and not page.context["can_exclude"]
    planner.post(_url("strategy_proposal_return", proposal.pk), {"comments": "Ajustar"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.RETURNED and proposal.comments == "Ajustar"
    planner.post(_url("strategy_proposal_exclude", proposal.pk), {"reason": ""})
    proposal.refresh_from_db()
    assert not proposal.excluded
    planner.post(_url("strategy_proposal_exclude", proposal.pk), {"reason": "Sin recursos"})
    proposal.refresh_from_db()
    assert proposal.excluded
    planner.post(_url("strategy_proposal_include", proposal.pk))
    proposal.refresh_from_db()
    assert not proposal.excluded


# --- FP-3: consolidation ---------------------------------------------------------------------


def test_consolidation_page_shows_offer_and_demand(world, client_for):
    """FP-3: the offer (services per unit, resources) against the demand (needs by topic)."""
    covered = TopicFactory(organization=world.org, name="Talento humano")
    uncovered = TopicFactory(organization=world.org, name="Gestión documental")
    strategy = open_strategy(world)
    service = unit_service(world)
    service.topics.add(covered, through_defaults={"organization": world.org})
    fill(world, proposal_of(strategy, world.unit), services=[service])
    year = fiscal_year(world.org)
    for topic, n in ((covered, 2), (uncovered, 3)):
        for _ in range(n):
            NeedFactory(organization=world.org, fiscal_year=year, topic=topic, unit=world.unit)
    NeedFactory(organization=world.org, fiscal_year=year, topic=uncovered, status="discarded")

    response = client_for(world.professional).get(_url("strategy_consolidation", strategy.pk))
    summary = response.context["summary"]
    assert summary.needs_total == 5
    rows = {row.label: row for row in summary.demand_by_topic}
    assert rows["Talento humano"].covered is True
    assert rows["Gestión documental"].covered is False
    assert summary.total_resources == 15000000
    assert not summary.can_consolidate  # Aseguramiento has not submitted
    assert any("Gestión documental" in n.message for n in summary.notes)
    assert any(n.level == "blocking" and "Aseguramiento" in n.message for n in summary.notes)
    assert response.context["form"] is None  # a professional does not consolidate


def test_consolidate_without_committee_stage_approves(world, client_for):
    strategy = ready_strategy(world)
    client = client_for(world.planner)
    page = client.get(_url("strategy_consolidation", strategy.pk))
    assert page.context["summary"].can_consolidate and page.context["form"]
    response = client.post(
        _url("strategy_consolidate", strategy.pk), {"notes": "ok", "version": strategy.version}
    )
    assert response["Location"] == _url("strategy_detail", strategy.pk)
    strategy.refresh_from_db()
    assert strategy.status == StrategyStatus.APPROVED
    # no committee stage: the decision form says so and shows no form (the planner does not
    # record the committee's decisions: segregation of duties)
    assert client.get(_url("strategy_decision_create", strategy.pk)).status_code == 403
    page = client_for(world.committee).get(_url("strategy_decision_create", strategy.pk))
    assert page.status_code == 200 and not page.context["committee_stage"]
    assert b'name="acta_number"' not in page.content


def test_consolidate_refused_shows_why(world, client_for):
    strategy = open_strategy(world)
    response = client_for(world.planner).post(
        _url("strategy_consolidate", strategy.pk), {"version": strategy.version}
    )
    assert response.status_code == 409  # a conflict page with the reason, not a redirect
    assert response.context["conflict_messages"]
    strategy.refresh_from_db()
    assert strategy.status == StrategyStatus.DRAFT


def test_present_and_reopen(world, client_for):
    strategy = consolidated_fp(world)
    client = client_for(world.planner)
    page = client.get(_url("strategy_detail", strategy.pk))
    assert set(page.context["transitions"]) == {"present", "reopen"}
    client.post(_url("strategy_present", strategy.pk), {"version": strategy.version - 1})
    strategy.refresh_from_db()
    assert strategy.status == StrategyStatus.CONSOLIDATED  # stale click refused
    client.post(_url("strategy_present", strategy.pk), {"version": strategy.version})
    strategy.refresh_from_db()
    assert strategy.status == StrategyStatus.SUBMITTED
    client.post(_url("strategy_reopen", strategy.pk), {"version": strategy.version})
    strategy.refresh_from_db()
    assert strategy.status == StrategyStatus.SUBMITTED


# --- FP-4: the committee ---------------------------------------------------------------------


def test_committee_form_is_prefilled_with_the_members(world, client_for):
    strategy = presented_fp(world)
    page = client_for(world.committee).get(_url("strategy_decision_create", strategy.pk))
    form = page.context["form"]
    assert world.committee.full_name in form.initial["attendees"]
    assert f"comment_{proposal_of(strategy, world.unit).pk}" in form.fields
    assert f"comment_{proposal_of(strategy, world.sibling_unit).pk}" not in form.fields  # excluded


def test_committee_returns_then_approves_through_the_pages(world, client_for, tmp_path):
    """FP-4: returned with comments → the unit adjusts and resubmits → approved; every round
    and acta is shown and downloadable."""
    strategy = presented_fp(world)
    proposal = proposal_of(strategy, world.unit)
    committee = client_for(world.committee)
    base = {
        "acta_number": "CD-10",
        "date": datetime.date.today().isoformat(),
        "attendees": "Directora General",
        "decision": "rejected",
        "comments": "",
        "version": strategy.version,
    }
    response = committee.post(_url("strategy_decision_create", strategy.pk), base)
    assert response.status_code == 200 and "comments" in response.context["form"].errors
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = committee.post(
        _url("strategy_decision_create", strategy.pk), {**base, "comments": "x", "date": future}
    )
    assert "date" in response.context["form"].errors
    response = committee.post(
        _url("strategy_decision_create", strategy.pk),
        {**base, "comments": "Incluir municipios PDET", f"comment_{proposal.pk}": "Más recursos"},
    )
    assert response["Location"] == _url("strategy_decisions", strategy.pk)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.RETURNED
    assert "Más recursos" in proposal.comments

    unit_head = client_for(world.unit_head)
    page = unit_head.get(_url("strategy_proposal_detail", proposal.pk))
    assert "Incluir municipios PDET" in page.content.decode()
    unit_head.post(
        _url("strategy_proposal_edit", proposal.pk),
        {
            "services": [s.pk for s in proposal.services.all()],
            "resources": "20000000",
            "modality": proposal.modality_id,
            "people": proposal.people,
            "version": proposal.version,
            "submit": "1",
        },
    )
    planner = client_for(world.planner)
    strategy.refresh_from_db()
    planner.post(_url("strategy_consolidate", strategy.pk), {"version": strategy.version})
    strategy.refresh_from_db()
    planner.post(_url("strategy_present", strategy.pk), {"version": strategy.version})
    strategy.refresh_from_db()
    assert strategy.status == StrategyStatus.SUBMITTED and strategy.round == 2
    committee.post(
        _url("strategy_decision_create", strategy.pk),
        {**base, "acta_number": "CD-11", "decision": "approved", "version": strategy.version},
    )
    strategy.refresh_from_db()
    assert strategy.status == StrategyStatus.APPROVED

    page = client_for(world.auditor).get(_url("strategy_decisions", strategy.pk))
    rounds = page.context["rounds"]
    assert [r.decision.acta_number for r in rounds] == ["CD-10", "CD-11"]
    assert rounds[0].unit_comments == [{"unit": "Salud Pública", "comment": "Más recursos"}]
    html = page.content.decode()
    for item in rounds:
        assert reverse("core:document_download", args=[item.acta_document.pk]) in html
    download = client_for(world.auditor).get(
        reverse("core:document_download", args=[rounds[0].acta_document.pk])
    )
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_decisions_page_without_rounds(world, client_for):
    strategy = open_strategy(world)
    page = client_for(world.auditor).get(_url("strategy_decisions", strategy.pk))
    assert page.status_code == 200 and page.context["rounds"] == []


def test_decided_strategy_round_keeps_the_acta(world):
    strategy = decided_fp(world)
    round_ = StrategyRound.objects.get(strategy=strategy)
    assert round_.decision.acta_number == "CD-2026-001"
    assert round_.acta_document.kind == "committee_acta.pdf"
    assert StrategyProposal.objects.filter(strategy=strategy, status="accepted").count() == 1
