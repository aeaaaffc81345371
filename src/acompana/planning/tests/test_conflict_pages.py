"""A replayed browser POST in a wrong state answers 409 with the message (issue 11, §9).

The back button, a second tab or a double click resend a workflow step the object has
already passed. Redirecting with a flash message (302) looked like success; the page must
say that nothing happened and why, in Spanish.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from acompana.core.choices import ProcedureCode
from acompana.planning.choices import ConsolidatedStatus, PlanStatus
from acompana.planning.tests.cases_checks import consolidated_for
from acompana.planning.tests.cases_plans import make_plan, use_procedure

pytestmark = pytest.mark.django_db


def _spanish(msgid: str) -> str:
    with translation.override("es-co"):
        return escape(translation.gettext(msgid))


def test_replayed_submit_of_a_submitted_plan_is_a_409_page(world, client_for):
    use_procedure(world, ProcedureCode.EDU)
    plan = make_plan(world, status=PlanStatus.SUBMITTED)
    client = client_for(world.unit_head)
    response = client.post(
        reverse("planning:plan_submit", args=[plan.pk]),
        {"version": plan.version},
        HTTP_REFERER="http://testserver" + reverse("planning:plan_detail", args=[plan.pk]),
        HTTP_ACCEPT_LANGUAGE="en-US",
    )
    assert response.status_code == 409, response.get("Location")
    html = response.content.decode()
    assert _spanish("The action could not be done") in html
    assert 'role="alert"' in html
    assert f'{reverse("planning:plan_detail", args=[plan.pk])}"' in html  # the way back
    plan.refresh_from_db()
    assert plan.status == PlanStatus.SUBMITTED


def test_checks_on_a_published_plan_answer_409_with_the_reason(world, client_for):
    consolidated = consolidated_for(world.org, status=ConsolidatedStatus.PUBLISHED)
    response = client_for(world.planner).post(
        reverse("planning:checks_run", args=[consolidated.pk]),
        HTTP_REFERER="https://evil.example/",
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert (
        _spanish(
            "The consolidated plan is already approved by the committee: its checks are closed."
        )
        in html
    )
    assert "evil.example" not in html  # the way back stays on the site


def test_htmx_conflict_replaces_the_page(world, client_for):
    consolidated = consolidated_for(world.org, status=ConsolidatedStatus.PUBLISHED)
    response = client_for(world.planner).post(
        reverse("planning:checks_run", args=[consolidated.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    assert response["HX-Retarget"] == "body"
