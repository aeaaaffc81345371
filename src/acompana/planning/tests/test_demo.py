"""The demo planning year (issue 11): each demo organization follows its own procedure.

After ``load_reference_data`` + ``load_demo`` every planning page of the demo has rows: needs
(more than a page, some from the public form), priority lists (FP, DNP), the FP strategy with
a returned and an approved round, unit plans in the states each procedure has (a returned one
with comments), EDU's consolidated plan with findings, committee actas, published plans.
"""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from acompana.core.demo import DEMO_ORGANIZATIONS, demo_logins, load_demo
from acompana.core.models import Event, Membership, Organization
from acompana.planning.choices import (
    ConsolidatedStatus,
    NeedSource,
    NeedStatus,
    PlanStatus,
    StrategyStatus,
)
from acompana.planning.models import (
    CommitteeDecision,
    ConsolidatedPlan,
    Finding,
    Need,
    Plan,
    PlanComment,
    PriorityList,
    Strategy,
    StrategyRound,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_reference_data", verbosity=0)
    started = time.monotonic()
    load_demo()
    return time.monotonic() - started


def _org(slug: str) -> Organization:
    return Organization.objects.get(slug=slug)


def _counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Need,
            Plan,
            ConsolidatedPlan,
            CommitteeDecision,
            Finding,
            PriorityList,
            Strategy,
            StrategyRound,
            PlanComment,
            Event,
        )
    }


def test_every_organization_has_a_planning_year(demo):
    for spec in DEMO_ORGANIZATIONS:
        org = _org(spec.slug)
        needs = Need.objects.filter(organization=org)
        assert needs.count() > settings.ACOMPANA_PAGE_SIZE  # the lists paginate
        requests = needs.filter(source=NeedSource.REQUEST, reference__gt="")
        assert requests.filter(status=NeedStatus.OPEN, triaged_by__isnull=False).exists()
        assert requests.filter(status=NeedStatus.TO_TRIAGE).exists()
        assert requests.filter(status=NeedStatus.DISCARDED).exists()
        assert Plan.objects.filter(organization=org, status=PlanStatus.PUBLISHED).exists()
        if spec.slug != "funcion-publica":  # FP: both plans end published (see below)
            unpublished = Plan.objects.filter(organization=org).exclude(status=PlanStatus.PUBLISHED)
            assert unpublished.exists(), spec.slug


def test_two_units_each_with_a_head_and_a_professional(demo):
    for spec in DEMO_ORGANIZATIONS:
        org = _org(spec.slug)
        for role in ("unit_head", "professional"):
            units = set(
                Membership.objects.filter(
                    organization=org, roles__contains=[role], unit__isnull=False
                ).values_list("unit_id", flat=True)
            )
            assert len(units) >= 2, (spec.slug, role)
        # every working unit with people has its plan
        assert Plan.objects.filter(organization=org).count() >= 2
    emails = {email for _org, _role, email in demo_logins()}
    assert "jefe2@educacion.demo.gov.co" in emails
    assert "profesional@educacion.demo.gov.co" in emails


@pytest.mark.parametrize("slug", ["funcion-publica", "dnp"])
def test_fp_and_dnp_save_a_priority_list(demo, slug):
    priority_list = PriorityList.objects.get(organization=_org(slug))
    assert priority_list.entries.filter(selected=True).exists()


def test_fp_strategy_has_a_returned_and_an_approved_round(demo):
    strategy = Strategy.objects.get(organization=_org("funcion-publica"))
    assert strategy.status == StrategyStatus.APPROVED
    decisions = list(
        StrategyRound.objects.filter(strategy=strategy)
        .order_by("number")
        .values_list("decision__decision", flat=True)
    )
    assert decisions == ["rejected", "approved"]


def test_fp_plans_returned_by_planning_then_published(demo):
    org = _org("funcion-publica")
    plans = Plan.objects.filter(organization=org)
    assert set(plans.values_list("status", flat=True)) == {PlanStatus.PUBLISHED}
    returned = plans.get(round=2)
    assert PlanComment.objects.filter(plan=returned, transition="return_to_units").exists()
    consolidated = ConsolidatedPlan.objects.get(organization=org)
    assert consolidated.status == ConsolidatedStatus.PUBLISHED
    assert CommitteeDecision.objects.filter(organization=org).count() == 3  # 2 strategy + plan


def test_edu_consolidated_plan_with_findings_and_a_returned_plan(demo):
    org = _org("educacion-boyaca")
    consolidated = ConsolidatedPlan.objects.get(organization=org)
    assert consolidated.status == ConsolidatedStatus.PUBLISHED
    assert Finding.objects.filter(consolidated=consolidated).exists()
    assert Finding.objects.filter(consolidated=consolidated, status="accepted").exists()
    assert CommitteeDecision.objects.filter(organization=org).exists()
    returned = Plan.objects.get(organization=org, status=PlanStatus.RETURNED)
    assert PlanComment.objects.filter(plan=returned).exists()
    published = Plan.objects.get(organization=org, status=PlanStatus.PUBLISHED)
    # the published plan was returned once by its unit head before the approval
    assert published.round == 2
    assert PlanComment.objects.filter(plan=published, transition="return").exists()


def _actors(plan: Plan) -> dict[str, str]:
    events = Event.objects.filter(
        content_type=ContentType.objects.get_for_model(Plan), object_id=str(plan.pk)
    ).order_by("id")
    return {e.step_key: e.actor.email.split("@")[0] for e in events if e.step_key}


def test_the_trail_of_a_published_plan_names_the_people_of_the_profile(demo):
    edu = Plan.objects.get(organization=_org("educacion-boyaca"), status=PlanStatus.PUBLISHED)
    actors = _actors(edu)
    assert actors["plan.drafted"] == "profesional"
    assert actors["plan.submitted"] == "profesional"
    assert actors["plan.returned"] == "jefe"
    assert actors["plan.unit_approved"] == "jefe"
    assert actors["plan.consolidated"] == "planeacion"
    assert actors["plan.verified"] == "planeacion"
    assert actors["plan.committee_approved"] == "comite"
    assert actors["plan.published"] == "planeacion"
    fp = Plan.objects.get(organization=_org("funcion-publica"), round=1)
    actors = _actors(fp)
    assert actors["plan.submitted"] == "profesional"
    assert actors["plan.consolidated"] == "planeacion"
    assert actors["plan.committee_approved"] == "comite"
    assert actors["plan.published"] == "planeacion"
    sal = Plan.objects.get(organization=_org("salud-huila"), status=PlanStatus.PUBLISHED)
    assert _actors(sal)["plan.published"] == "jefe"  # SAL-2: finalised in one action
    dnp = Plan.objects.get(organization=_org("dnp"), status=PlanStatus.PUBLISHED)
    assert _actors(dnp)["plan.published"] == "profesional"  # DNP-3


def test_a_second_load_changes_nothing(demo):
    before = _counts()
    load_demo()
    assert _counts() == before


def test_it_loads_in_a_few_seconds(demo):
    """``make run`` loads the demo at boot (timed in CI)."""
    print(f"load_demo: {demo:.1f} s")
    assert demo < 60


def test_loading_the_demo_sends_no_e_mail(db, settings):
    """Its notifications go to invented addresses: dropped even when a backend would send."""
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("load_reference_data", verbosity=0)
    load_demo()
    assert mail.outbox == []
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
