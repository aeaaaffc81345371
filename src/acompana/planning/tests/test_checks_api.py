"""API of the consolidation checks (EDU-4, EDU-5): run, summary, list, detail, accept."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from acompana.core.tests.api_utils import assert_error, call, token_client
from acompana.planning.checks.filters import FindingFilterForm, FindingFilterQuery
from acompana.planning.choices import FindingSeverity, FindingStatus
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
def spanish():
    """The API speaks es-CO like the pages, whatever ``Accept-Language`` the client sends."""
    with translation.override("es-co"):
        yield


@pytest.fixture
def consolidated(world):
    consolidated = consolidated_for(world.org)
    plan = plan_for(consolidated, world.unit, world.unit_head)
    complete_line(plan, needs_travel=True, budget=Decimal(0))
    complete_line(plan, programme="", with_need=False)
    return consolidated


def _run(world, consolidated):
    url = reverse("api:planning_checks_run", kwargs={"consolidated_id": consolidated.pk})
    return call(token_client(world.planner), "post", url)


def test_edu4_run_returns_the_counts(world, consolidated):
    """EDU-4: planning runs the checks through the API."""
    response = _run(world, consolidated)
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["ran"] is True and body["job_id"] is None
    summary = body["summary"]
    assert summary["blocking"] == {"open": 1, "accepted": 0, "fixed": 0}
    assert summary["warning"]["open"] == 1
    assert summary["can_verify"] is False


def test_list_filters_and_pages(world, consolidated):
    _run(world, consolidated)
    client = token_client(world.auditor)
    url = reverse("api:planning_finding_list", kwargs={"consolidated_id": consolidated.pk})
    body = json.loads(client.get(url).content)
    assert body["count"] == 2
    assert [f["severity"] for f in body["results"]] in (
        [FindingSeverity.BLOCKING, FindingSeverity.WARNING],
        [FindingSeverity.WARNING, FindingSeverity.BLOCKING],
    )
    blocking = json.loads(client.get(url, {"severity": "blocking"}).content)
    assert [f["rule"] for f in blocking["results"]] == ["travel_without_budget"]
    assert blocking["results"][0]["fix_hint"]
    first = json.loads(client.get(url, {"limit": 1}).content)
    assert first["next_cursor"] and len(first["results"]) == 1
    assert_error(client.get(url, {"rule": "nope"}), 400, "validation_error")


def test_detail(world, consolidated):
    finding = open_finding(consolidated)
    url = reverse("api:planning_finding_detail", kwargs={"finding_id": finding.pk})
    body = json.loads(token_client(world.unit_head).get(url).content)
    assert body["id"] == finding.pk and body["status"] == FindingStatus.OPEN
    assert body["consolidated_id"] == consolidated.pk


def test_edu5_accept_through_the_api(world, consolidated):
    """EDU-5: planning accepts a blocking finding; verification can then pass."""
    _run(world, consolidated)
    finding = Finding.objects.get(consolidated=consolidated, rule="travel_without_budget")
    url = reverse("api:planning_finding_accept", kwargs={"finding_id": finding.pk})
    client = token_client(world.planner)
    assert_error(call(client, "post", url, {"justification": "corto"}), 400, "validation_error")
    response = call(client, "post", url, {"justification": JUSTIFICATION})
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["status"] == FindingStatus.ACCEPTED and body["justification"] == JUSTIFICATION
    assert_error(call(client, "post", url, {"justification": JUSTIFICATION}), 409)
    summary_url = reverse(
        "api:planning_checks_summary", kwargs={"consolidated_id": consolidated.pk}
    )
    summary = json.loads(client.get(summary_url).content)
    assert summary["can_verify"] is True
    assert summary["blocking"] == {"open": 0, "accepted": 1, "fixed": 0}


def test_summary_before_any_run_cannot_verify(world, consolidated):
    url = reverse("api:planning_checks_summary", kwargs={"consolidated_id": consolidated.pk})
    body = json.loads(token_client(world.committee).get(url).content)
    assert body["checked_at"] is None and body["can_verify"] is False


def test_filter_query_and_form_have_the_same_names(world):
    form = FindingFilterForm(organization_id=world.org.pk)
    assert set(FindingFilterQuery.model_fields) == set(form.fields)


def test_large_plans_answer_202_with_the_job(world, consolidated, monkeypatch):
    from acompana.planning.checks import services

    monkeypatch.setattr(services, "SYNC_MAX_LINES", 1)
    response = _run(world, consolidated)
    assert response.status_code == 202, response.content
    body = json.loads(response.content)
    assert body["ran"] is False and body["job_id"]
    assert body["job_url"] == reverse("core:job_detail", args=[body["job_id"]])


def test_run_on_an_approved_plan_is_409(world):
    from acompana.planning.choices import ConsolidatedStatus

    closed = consolidated_for(world.org, status=ConsolidatedStatus.COMMITTEE_APPROVED)
    assert_error(_run(world, closed), 409)


def test_an_english_client_reads_the_refusal_in_spanish(world, consolidated):
    """``Accept-Language: en-US`` does not switch the API's messages to English."""
    _run(world, consolidated)
    finding = Finding.objects.get(consolidated=consolidated, rule="travel_without_budget")
    url = reverse("api:planning_finding_accept", kwargs={"finding_id": finding.pk})
    client = token_client(world.planner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    error = assert_error(call(client, "post", url, {"justification": "corto"}), 400)
    msgid = "Write a justification of at least %(n)s characters: why the plan can stay as it is."
    with translation.override("es-co"):
        expected = translation.gettext(msgid) % {"n": 10}
    assert expected != msgid % {"n": 10}
    assert error["fields"]["justification"] == [expected]
