"""Services of the checks: accepting a finding (EDU-5) and running the checks (EDU-4)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from acompana.core.choices import JobStatus
from acompana.core.errors import TransitionError
from acompana.core.models import Event, Job
from acompana.planning.checks import services
from acompana.planning.checks.engine import unjustified_blocking_findings
from acompana.planning.checks.services import (
    CHECKS_JOB_KIND,
    FINDING_ACCEPTED_KEY,
    checks_run,
    finding_accept,
)
from acompana.planning.choices import ConsolidatedStatus, FindingStatus
from acompana.planning.models import Finding
from acompana.planning.tests.cases_checks import (
    JUSTIFICATION,
    complete_line,
    consolidated_for,
    open_finding,
    plan_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are stored in the language of the run: read them in English here."""
    with translation.override("en"):
        yield


def test_edu5_planner_accepts_a_blocking_finding_with_a_justification(world):
    """EDU-5: planning justifies a blocking finding; verification may then pass."""
    consolidated = consolidated_for(world.org)
    finding = open_finding(consolidated)
    assert unjustified_blocking_findings(consolidated).count() == 1
    accepted = finding_accept(
        actor=world.planner, finding=finding, justification=f"  {JUSTIFICATION}  "
    )
    assert accepted.status == FindingStatus.ACCEPTED
    finding.refresh_from_db()
    assert finding.status == FindingStatus.ACCEPTED
    assert finding.justification == JUSTIFICATION
    assert finding.accepted_by == world.planner and finding.accepted_at is not None
    assert unjustified_blocking_findings(consolidated).count() == 0
    event = Event.objects.get(step_key=FINDING_ACCEPTED_KEY)
    assert event.actor == world.planner
    assert event.object_id == str(finding.pk)
    assert event.after["justification"] == JUSTIFICATION


@pytest.mark.parametrize("text", ["", "   ", "corto", "123456789", "  12345678  "])
def test_a_justification_needs_ten_characters(world, text):
    finding = open_finding(consolidated_for(world.org))
    with pytest.raises(ValidationError) as error:
        finding_accept(actor=world.planner, finding=finding, justification=text)
    assert "justification" in error.value.message_dict
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    assert not Event.objects.filter(step_key=FINDING_ACCEPTED_KEY).exists()


@pytest.mark.parametrize("role", ["admin", "unit_head", "committee", "auditor", "professional"])
def test_only_planning_accepts(world, role):
    finding = open_finding(consolidated_for(world.org))
    with pytest.raises(PermissionDenied):
        finding_accept(actor=world.users[role], finding=finding, justification=JUSTIFICATION)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


@pytest.mark.parametrize("status", [FindingStatus.ACCEPTED, FindingStatus.FIXED])
def test_only_open_findings_are_accepted(world, status):
    finding = open_finding(consolidated_for(world.org), status=status)
    with pytest.raises(TransitionError):
        finding_accept(actor=world.planner, finding=finding, justification=JUSTIFICATION)


def test_a_finding_changed_meanwhile_is_not_accepted_twice(world):
    finding = open_finding(consolidated_for(world.org))
    stale = Finding.objects.get(pk=finding.pk)
    finding_accept(actor=world.planner, finding=finding, justification=JUSTIFICATION)
    with pytest.raises(TransitionError):
        finding_accept(actor=world.planner, finding=stale, justification="Otra justificación más")
    finding.refresh_from_db()
    assert finding.justification == JUSTIFICATION
    assert Event.objects.filter(step_key=FINDING_ACCEPTED_KEY).count() == 1


@pytest.mark.parametrize(
    "status", [ConsolidatedStatus.COMMITTEE_APPROVED, ConsolidatedStatus.PUBLISHED]
)
def test_an_approved_plan_closes_its_checks(world, status):
    consolidated = consolidated_for(world.org, status=status)
    finding = open_finding(consolidated)
    with pytest.raises(TransitionError):
        finding_accept(actor=world.planner, finding=finding, justification=JUSTIFICATION)
    with pytest.raises(TransitionError):
        checks_run(actor=world.planner, consolidated=consolidated)
    consolidated.refresh_from_db()
    assert consolidated.checked_at is None


def test_edu4_small_plans_are_checked_at_once(world):
    """EDU-4: planning runs the checks; small plans answer at once."""
    consolidated = consolidated_for(world.org)
    plan = plan_for(consolidated, world.unit, world.unit_head)
    complete_line(plan, needs_travel=True, budget=Decimal(0))
    outcome = checks_run(actor=world.planner, consolidated=consolidated)
    assert outcome.job is None
    assert [f.rule for f in outcome.findings] == ["travel_without_budget"]


def test_large_plans_are_checked_in_a_job(world, monkeypatch, django_capture_on_commit_callbacks):
    consolidated = consolidated_for(world.org)
    plan = plan_for(consolidated, world.unit, world.unit_head)
    complete_line(plan, needs_travel=True, budget=Decimal(0))
    complete_line(plan)
    monkeypatch.setattr(services, "SYNC_MAX_LINES", 1)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = checks_run(actor=world.planner, consolidated=consolidated)
    assert outcome.findings is None
    job = Job.objects.get(pk=outcome.job.pk)
    assert job.kind == CHECKS_JOB_KIND and job.user == world.planner
    assert job.status == JobStatus.SUCCEEDED
    assert job.result["findings"] == 1 and job.result["open"] == 1
    assert job.result["next_url"].endswith(f"/verificacion/{consolidated.pk}/")
    consolidated.refresh_from_db()
    assert consolidated.checked_at is not None
    assert Finding.objects.filter(consolidated=consolidated).count() == 1
