"""Pages of the consolidation checks (EDU-4, EDU-5): findings, filters, run, accept, export."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from acompana.core.models import Job
from acompana.planning.checks import services
from acompana.planning.checks.selectors import plan_line_url
from acompana.planning.choices import ConsolidatedStatus, FindingSeverity, FindingStatus
from acompana.planning.models import Finding, PlanLine
from acompana.planning.tests.cases_checks import (
    JUSTIFICATION,
    complete_line,
    consolidated_for,
    open_finding,
    plan_for,
    stakeholder,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def spanish():
    """The product speaks es-CO whatever the browser asks: assertions read the Spanish shown."""
    with translation.override("es-co"):
        yield


def shown(msgid: str, **params: object) -> str:
    """``msgid`` as the page shows it: translated to es-CO, filled in and HTML-escaped."""
    with translation.override("es-co"):
        text = translation.gettext(msgid)
    assert text != msgid, f"no Spanish translation for {msgid!r}"
    return escape(text % params if params else text)


def shown_plural(singular: str, plural: str, n: int) -> str:
    with translation.override("es-co"):
        text = translation.ngettext(singular, plural, n)
    return escape(text % {"n": n})


@pytest.fixture
def client_for(client_for):
    """Logged-in clients whose browser asks for English: the pages still speak es-CO."""

    def make(user):
        client = client_for(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
        return client

    return make


@pytest.fixture
def checked(world, client_for):
    """A consolidated plan with findings of several severities, checked by planning."""
    consolidated = consolidated_for(world.org)
    a = plan_for(consolidated, world.unit, world.unit_head)
    b = plan_for(consolidated, world.sibling_unit, world.unit_head)
    school = stakeholder(world.org, "IE Santa Teresa")
    complete_line(a, stakeholders=[school], activity="Taller de convivencia")
    complete_line(b, stakeholders=[school], activity="Visita de convivencia")
    complete_line(a, needs_travel=True, budget=Decimal(0), activity="Visita rural")
    complete_line(b, programme="", with_need=False, activity="Mesa sin programa")
    response = client_for(world.planner).post(
        reverse("planning:checks_run", args=[consolidated.pk])
    )
    assert response.status_code == 302
    return world, consolidated


def test_edu4_planner_runs_the_checks_from_the_page(checked):
    """EDU-4: planning runs the consolidation checks and sees the findings."""
    world, consolidated = checked
    consolidated.refresh_from_db()
    assert consolidated.checked_at is not None
    assert set(
        Finding.objects.filter(consolidated=consolidated).values_list("rule", flat=True)
    ) == {
        "duplicated_activity",
        "travel_without_budget",
        "line_without_need_or_programme",
    }


def test_findings_page_groups_by_severity_with_counts(checked, client_for):
    world, consolidated = checked
    response = client_for(world.unit_head).get(reverse("planning:findings", args=[consolidated.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "IE Santa Teresa" in html and "Visita rural" in html
    # blocking before warnings, each with its rule heading
    assert html.index(shown("Duplicated activity")) < html.index(
        shown("Line without need or programme")
    )
    assert shown("Findings by severity and status") in html
    assert (
        shown_plural(
            "%(n)s blocking finding has no justification: the plan cannot be verified until "
            "it is fixed in the unit plan or accepted by planning.",
            "%(n)s blocking findings have no justification: the plan cannot be verified until "
            "they are fixed in the unit plans or accepted by planning.",
            2,
        )
        in html
    )
    # a unit head sees no run button and no accept button
    assert reverse("planning:checks_run", args=[consolidated.pk]) not in html
    assert shown("Accept with a justification") not in html


def test_the_planner_sees_run_and_accept(checked, client_for):
    world, consolidated = checked
    html = (
        client_for(world.planner)
        .get(reverse("planning:findings", args=[consolidated.pk]))
        .content.decode()
    )
    assert reverse("planning:checks_run", args=[consolidated.pk]) in html
    assert shown("Accept with a justification") in html
    assert reverse("planning:findings_export", args=[consolidated.pk]) in html


@pytest.mark.parametrize(
    ("query", "rules"),
    [
        ({"rule": "travel_without_budget"}, {"travel_without_budget"}),
        ({"severity": FindingSeverity.WARNING}, {"line_without_need_or_programme"}),
        ({"q": "Santa Teresa"}, {"duplicated_activity"}),
        ({"status": FindingStatus.FIXED}, set()),
    ],
)
def test_findings_filters(checked, client_for, query, rules):
    world, consolidated = checked
    response = client_for(world.planner).get(
        reverse("planning:findings", args=[consolidated.pk]), query, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()  # the htmx partial
    shown = {f.rule for f in response.context["page"].object_list}
    assert shown == rules


def test_unit_filter_includes_findings_between_units(checked, client_for):
    world, consolidated = checked
    response = client_for(world.planner).get(
        reverse("planning:findings", args=[consolidated.pk]), {"unit": world.sibling_unit.pk}
    )
    shown = {f.rule for f in response.context["page"].object_list}
    assert shown == {"duplicated_activity", "line_without_need_or_programme"}


def test_invalid_filters_show_errors_and_nothing(checked, client_for):
    world, consolidated = checked
    response = client_for(world.planner).get(
        reverse("planning:findings", args=[consolidated.pk]), {"rule": "no-such-rule"}
    )
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


def test_findings_page_queries_do_not_grow_with_findings(
    world, client_for, django_assert_max_num_queries
):
    consolidated = consolidated_for(world.org)
    plan = plan_for(consolidated, world.unit, world.unit_head)
    for _ in range(40):
        complete_line(plan, needs_travel=True, budget=Decimal(0))
    client = client_for(world.planner)
    client.post(reverse("planning:checks_run", args=[consolidated.pk]))
    assert Finding.objects.filter(consolidated=consolidated).count() == 40
    url = reverse("planning:findings", args=[consolidated.pk])
    client.get(url)  # warm caches (session, content types)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_empty_states(world, client_for):
    consolidated = consolidated_for(world.org)
    client = client_for(world.planner)
    url = reverse("planning:findings", args=[consolidated.pk])
    assert shown("The checks have not run yet") in client.get(url).content.decode()
    client.post(reverse("planning:checks_run", args=[consolidated.pk]))
    html = client.get(url).content.decode()
    assert shown("No current findings") in html
    assert shown("No blocking finding is open: the plan can be verified.") in html


def test_index_lists_the_consolidated_plans_with_open_counts(checked, client_for):
    world, consolidated = checked
    response = client_for(world.auditor).get(reverse("planning:checks_index"))
    assert response.status_code == 200
    [row] = response.context["page"].object_list
    assert row == consolidated
    assert row.blocking_open == 2 and row.warning_open == 1 and row.suggestion_open == 0


def test_index_empty_state(world, client_for):
    response = client_for(world.planner).get(reverse("planning:checks_index"))
    assert shown("There is no consolidated plan yet") in response.content.decode()


def test_edu5_accept_with_htmx_swaps_the_card_and_the_counts(checked, client_for):
    """EDU-5: planning accepts a blocking finding with a justification, in place."""
    world, consolidated = checked
    finding = Finding.objects.get(consolidated=consolidated, rule="travel_without_budget")
    client = client_for(world.planner)
    url = reverse("planning:finding_accept", args=[finding.pk])
    form = client.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200
    assert 'name="justification"' in form.content.decode()
    short = client.post(url, {"justification": "corto"}, HTTP_HX_REQUEST="true")
    assert (
        shown(
            "Write a justification of at least %(n)s characters: why the plan can stay as it is.",
            n=10,
        )
        in short.content.decode()
    )
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN
    done = client.post(url, {"justification": JUSTIFICATION}, HTTP_HX_REQUEST="true")
    html = done.content.decode()
    assert done.status_code == 200
    assert f'id="finding-{finding.pk}"' in html and JUSTIFICATION in html
    assert 'hx-swap-oob="true"' in html
    finding.refresh_from_db()
    assert finding.status == FindingStatus.ACCEPTED and finding.accepted_by == world.planner


def test_accept_without_javascript_redirects_to_the_findings(checked, client_for):
    world, consolidated = checked
    finding = Finding.objects.get(consolidated=consolidated, rule="travel_without_budget")
    client = client_for(world.planner)
    url = reverse("planning:finding_accept", args=[finding.pk])
    page = client.get(url)
    assert page.status_code == 200 and "<html" in page.content.decode()
    response = client.post(url, {"justification": JUSTIFICATION})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("planning:findings", args=[consolidated.pk]))


def test_accepting_a_fixed_finding_shows_the_reason(world, client_for):
    finding = open_finding(consolidated_for(world.org), status=FindingStatus.FIXED)
    response = client_for(world.planner).post(
        reverse("planning:finding_accept", args=[finding.pk]), {"justification": JUSTIFICATION}
    )
    assert response.status_code == 200
    finding.refresh_from_db()
    assert finding.status == FindingStatus.FIXED


def test_run_on_an_approved_plan_is_refused_with_a_message(world, client_for):
    consolidated = consolidated_for(world.org, status=ConsolidatedStatus.PUBLISHED)
    client = client_for(world.planner)
    response = client.post(reverse("planning:checks_run", args=[consolidated.pk]))
    assert response.status_code == 409  # a conflict page, not a redirect that hides it
    assert (
        shown("The consolidated plan is already approved by the committee: its checks are closed.")
        in response.content.decode()
    )
    consolidated.refresh_from_db()
    assert consolidated.checked_at is None


def test_run_is_post_only(world, client_for):
    consolidated = consolidated_for(world.org)
    response = client_for(world.planner).get(reverse("planning:checks_run", args=[consolidated.pk]))
    assert response.status_code == 405


def test_export_csv_follows_the_filters_and_escapes_formulas(checked, client_for):
    world, consolidated = checked
    open_finding(consolidated, message="=HYPERLINK('x')", fingerprint="formula")
    response = client_for(world.auditor).get(
        reverse("planning:findings_export", args=[consolidated.pk]),
        {"severity": FindingSeverity.BLOCKING, "format": "csv"},
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    delimiter = ";" if ";" in content.splitlines()[0] else ","  # Colombian Excel: ";"
    rows = list(csv.reader(io.StringIO(content), delimiter=delimiter))
    assert rows[0][:3] == [shown("Severity"), shown("Rule"), shown("Status")]
    assert len(rows) == 1 + 3  # duplicated, travel, and the formula one
    assert {r[1] for r in rows[1:]} == {
        shown("Duplicated activity"),
        shown("Travel without budget"),
    }
    assert any(r[4] == "'=HYPERLINK('x')" for r in rows[1:])


def test_export_xlsx(checked, client_for):
    world, consolidated = checked
    response = client_for(world.planner).get(
        reverse("planning:findings_export", args=[consolidated.pk]), {"format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')


def test_outsider_gets_404_everywhere(checked, client_for):
    world, consolidated = checked
    finding = Finding.objects.filter(consolidated=consolidated).first()
    client = client_for(world.outsider)
    for url in (
        reverse("planning:findings", args=[consolidated.pk]),
        reverse("planning:findings_export", args=[consolidated.pk]),
        reverse("planning:finding_accept", args=[finding.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("planning:checks_run", args=[consolidated.pk])).status_code == 404
    response = client.post(
        reverse("planning:finding_accept", args=[finding.pk]), {"justification": JUSTIFICATION}
    )
    assert response.status_code == 404
    finding.refresh_from_db()
    assert finding.status == FindingStatus.OPEN


def test_line_links_point_at_the_plan_page_when_it_exists():
    url = plan_line_url(7, 42)
    assert url is None or url.endswith("#line-42")


def test_large_plans_run_as_a_job_with_a_progress_page(world, client_for, monkeypatch):
    consolidated = consolidated_for(world.org)
    complete_line(plan_for(consolidated, world.unit, world.unit_head))
    monkeypatch.setattr(services, "SYNC_MAX_LINES", 0)
    response = client_for(world.planner).post(
        reverse("planning:checks_run", args=[consolidated.pk])
    )
    assert response.status_code == 302
    job = Job.objects.get(user=world.planner)
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])


def test_a_deleted_line_is_shown_as_such(checked, client_for):
    world, consolidated = checked
    finding = Finding.objects.get(consolidated=consolidated, rule="travel_without_budget")
    PlanLine.objects.filter(pk__in=finding.line_ids).delete()
    response = client_for(world.planner).get(
        reverse("planning:findings", args=[consolidated.pk]), {"rule": "travel_without_budget"}
    )
    assert shown("a line that no longer exists") in response.content.decode()
