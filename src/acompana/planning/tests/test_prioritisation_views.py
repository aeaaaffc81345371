"""Pages of prioritisation (FP-1, DNP-1): indicators, models, the explained ranking and the
priority list with its trail and PDF."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from acompana.core.models import Event
from acompana.planning.choices import CriterionKind, NeedSource
from acompana.planning.models import (
    Indicator,
    IndicatorValue,
    NeedStakeholder,
    PrioritisationModel,
    PriorityList,
)
from acompana.planning.prioritisation.services import priority_list_save
from acompana.planning.tests.cases_prioritisation import fp_world, make_model, make_stakeholders
from acompana.planning.tests.factories import IndicatorFactory, NeedFactory, fiscal_year
from acompana.registry.tests.factories import municipality


@pytest.fixture
def world(db):
    """Función Pública's procedure: its FP-1 names the planner (see ``fp_world``)."""
    return fp_world()


pytestmark = pytest.mark.django_db


def _model_with_data(world, count=3):
    """FURAG (higher is better) and court actions over ``count`` stakeholders in Garzón."""
    indicator = IndicatorFactory(organization=world.org, code="FURAG", name="Índice FURAG")
    stakeholders = make_stakeholders(world.org, count)
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            organization=world.org,
            indicator=indicator,
            stakeholder=s,
            year=2025,
            value=Decimal(40 + 10 * n),
        )
        for n, s in enumerate(stakeholders[:-1])  # the last one has no value
    )
    need = NeedFactory(
        organization=world.org, fiscal_year=fiscal_year(world.org), source=NeedSource.COURT_ACTION
    )
    NeedStakeholder.objects.create(organization=world.org, need=need, stakeholder=stakeholders[1])
    model = make_model(
        world.org,
        world.planner,
        [
            {
                "kind": CriterionKind.INDICATOR,
                "indicator": indicator,
                "indicator_year": 2025,
                "higher_raw_means_priority": False,
                "label": "FURAG 2025",
                "weight": Decimal("2"),
            },
            {"kind": CriterionKind.COURT_ACTIONS, "label": "Tutelas", "weight": Decimal("1")},
        ],
        name="Priorización 2026",
    )
    return model, stakeholders


def test_the_ranking_page_explains_every_score(world, client_for):
    """FP-1 / DNP-1: each score shows the raw value, normalised value, weight and points."""
    model, (first, second, third) = _model_with_data(world)
    response = client_for(world.auditor).get(
        reverse("planning:prioritisation_ranking", args=[model.pk])
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "How the score is computed" in page or "Cómo se calcula" in page
    assert "FURAG 2025" in page and "Tutelas" in page
    rows = response.context["page"].object_list
    # first: FURAG 40 → 100 (×2) = 66.667, no court action; second: FURAG 50 → 0, court → 100
    assert [(r.stakeholder.id, r.score) for r in rows] == [
        (first.pk, 66.667),
        (second.pk, 33.333),
        (third.pk, 0.0),
    ]
    assert rows[2].cells[0].raw is None
    explanation = response.context["explanation"]
    assert explanation[0].share == pytest.approx(66.666, abs=0.01)
    assert (explanation[0].minimum, explanation[0].maximum) == (40.0, 50.0)
    assert explanation[0].without_value == 1
    assert explanation[1].all_equal is False
    # the auditor reads but cannot save a list
    assert response.context["save_form"] is None
    assert reverse("planning:priority_list_save", args=[model.pk]) not in page


def test_the_ranking_page_queries_do_not_grow_with_the_stakeholders(world, client_for):
    model, _stakeholders = _model_with_data(world, count=10)
    client = client_for(world.planner)
    url = reverse("planning:prioritisation_ranking", args=[model.pk]) + "?per_page=500"
    client.get(url)  # warm caches (content types, profile)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    make_stakeholders(world.org, 60)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 70
    assert len(large.captured_queries) == len(small.captured_queries)


def test_filters_sort_and_htmx_partial(world, client_for):
    model, stakeholders = _model_with_data(world)
    make_stakeholders(world.org, 2, municipality=municipality("41001"))
    client = client_for(world.planner)
    url = reverse("planning:prioritisation_ranking", args=[model.pk])
    response = client.get(
        url, {"department": "41", "municipality": "41001"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert len(response.context["page"].object_list) == 2
    response = client.get(url, {"sort": "-rank"})
    ranks = [r.rank for r in response.context["page"].object_list]
    assert ranks == sorted(ranks, reverse=True)


def test_save_the_top_n_of_a_filtered_ranking(world, client_for):
    """DNP-1: the year's selected groups are saved from the ranking (top N after filters)."""
    model, stakeholders = _model_with_data(world)
    neiva = make_stakeholders(world.org, 2, municipality=municipality("41001"))
    client = client_for(world.planner)
    response = client.post(
        reverse("planning:priority_list_save", args=[model.pk]),
        {"mode": "top", "top": "1", "filters": "municipality=41298&department=41", "name": ""},
    )
    priority_list = PriorityList.objects.get()
    assert response["Location"] == reverse("planning:priority_list_detail", args=[priority_list.pk])
    selected = set(
        priority_list.entries.filter(selected=True).values_list("stakeholder", flat=True)
    )
    assert selected == {stakeholders[0].pk}
    assert priority_list.entries.count() == 5  # the whole ranking, Neiva included
    assert not priority_list.entries.filter(stakeholder__in=neiva, selected=True).exists()
    assert Event.objects.filter(step_key="prioritisation.saved").count() == 1


def test_save_the_ticked_stakeholders(world, client_for):
    model, stakeholders = _model_with_data(world)
    client = client_for(world.planner)
    client.post(
        reverse("planning:priority_list_save", args=[model.pk]),
        {
            "mode": "selected",
            "selected": [stakeholders[2].pk, stakeholders[1].pk],
            "name": "Focalización 2026",
        },
    )
    priority_list = PriorityList.objects.get(name="Focalización 2026")
    assert set(
        priority_list.entries.filter(selected=True).values_list("stakeholder", flat=True)
    ) == {stakeholders[1].pk, stakeholders[2].pk}


def test_a_save_without_selection_saves_nothing(world, client_for):
    model, _stakeholders = _model_with_data(world)
    client = client_for(world.planner)
    response = client.post(
        reverse("planning:priority_list_save", args=[model.pk]),
        {"mode": "selected", "filters": "kind=school"},
    )
    assert response["Location"].endswith("?kind=school")
    response = client.post(
        reverse("planning:priority_list_save", args=[model.pk]),
        {"mode": "top", "top": "3", "filters": "kind=school"},  # nobody matches
    )
    assert not PriorityList.objects.exists()
    assert response.status_code == 302


def test_the_priority_list_page_shows_the_breakdown_the_trail_and_the_pdf(world, client_for):
    model, stakeholders = _model_with_data(world)
    priority_list = priority_list_save(
        actor=world.planner, model=model, selected_ids=[stakeholders[0].pk]
    )
    client = client_for(world.unit_head)
    response = client.get(reverse("planning:priority_list_detail", args=[priority_list.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert stakeholders[0].name in page and stakeholders[1].name not in page
    assert "procedure-trail" in page
    assert reverse("planning:priority_list_pdf", args=[priority_list.pk]) in page
    rows = response.context["rows"]
    assert rows[0][1][0]["points"] == pytest.approx(66.667)
    response = client.get(
        reverse("planning:priority_list_detail", args=[priority_list.pk]), {"all": "1"}
    )
    assert stakeholders[1].name in response.content.decode()
    pdf = client.get(reverse("planning:priority_list_pdf", args=[priority_list.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_list_pages_do_not_grow_in_queries(world, client_for, django_assert_max_num_queries):
    model, stakeholders = _model_with_data(world)
    for n in range(3):
        priority_list_save(actor=world.planner, model=model, selected_ids=[stakeholders[n].pk])
        IndicatorFactory(organization=world.org)
        make_model(world.org, world.planner, [{"kind": CriterionKind.NEEDS_COUNT}], name=f"M{n}")
    client = client_for(world.planner)
    indicator = model.criteria.get(kind="indicator").indicator
    for url in (
        reverse("planning:prioritisation_model_list"),
        reverse("planning:priority_list_list"),
        reverse("planning:indicator_list"),
        reverse("planning:indicator_detail", args=[indicator.pk]),
        reverse("planning:priority_list_detail", args=[PriorityList.objects.first().pk]) + "?all=1",
    ):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


def test_exports_carry_the_breakdown(world, client_for):
    model, stakeholders = _model_with_data(world)
    client = client_for(world.planner)
    response = client.get(
        reverse("planning:prioritisation_ranking_export", args=[model.pk]), {"format": "csv"}
    )
    rows = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    header = rows[0]
    # rank, score, name, DANE code, NIT, kind, department, municipality; 4 per criterion;
    # then the rule of the row (normalisation, missing values, date)
    assert any("FURAG 2025" in h for h in header) and len(header) == 8 + 4 * 2 + 3
    assert rows[1][2] == stakeholders[0].name
    assert rows[1][8:12] == ["40,0", "100,0", "2,0", "66,667"]  # decimal comma (es-CO)
    priority_list = priority_list_save(
        actor=world.planner, model=model, selected_ids=[stakeholders[0].pk]
    )
    response = client.get(
        reverse("planning:priority_list_export", args=[priority_list.pk]),
        {"format": "xlsx", "all": "1"},
    )
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet_rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(sheet_rows) == 4 + 1 + 5  # header, 3 entries, a blank row, the 5 rules
    assert sheet_rows[1][3] == stakeholders[0].name


def test_create_a_model_through_the_form(world, client_for):
    indicator = IndicatorFactory(organization=world.org, code="PORS")
    client = client_for(world.planner)
    page = client.get(reverse("planning:prioritisation_model_create"))
    assert page.status_code == 200
    data = {
        "name": "Escenario SGR",
        "fiscal_year": fiscal_year(world.org).pk,
        "description": "Entidades ejecutoras del SGR",
        "stakeholder_kinds": ["municipality"],
        "normalisation": "minmax",
        "missing_rule": "worst",
        "version": "1",
        "criteria-TOTAL_FORMS": "3",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "20",
        "criteria-0-kind": "indicator",
        "criteria-0-indicator": indicator.pk,
        "criteria-0-indicator_year": "2025",
        "criteria-0-weight": "1,5",
        "criteria-0-direction": "higher",
        "criteria-1-kind": "",  # an empty row is ignored
        "criteria-2-kind": "needs_count",
        "criteria-2-weight": "1",
    }
    response = client.post(reverse("planning:prioritisation_model_create"), data)
    model = PrioritisationModel.objects.get(name="Escenario SGR")
    assert response["Location"] == reverse("planning:prioritisation_ranking", args=[model.pk])
    criteria = list(model.criteria.order_by("position"))
    assert [(c.kind, c.weight, c.higher_raw_means_priority) for c in criteria] == [
        ("indicator", Decimal("1.50"), True),
        ("needs_count", Decimal("1.00"), True),
    ]
    # a zero weight is refused with the criterion named, nothing saved
    data.update({"name": "Otro", "criteria-2-weight": "0"})
    response = client.post(reverse("planning:prioritisation_model_create"), data)
    assert response.status_code == 200
    assert response.context["criteria_errors"]
    assert not PrioritisationModel.objects.filter(name="Otro").exists()


def test_edit_a_model_and_a_stale_form(world, client_for):
    model = make_model(world.org, world.planner, [{"kind": "needs_count", "label": "N"}])
    client = client_for(world.planner)
    page = client.get(reverse("planning:prioritisation_model_edit", args=[model.pk]))
    assert page.context["formset"].initial[0]["kind"] == "needs_count"
    data = {
        "name": "Renombrado",
        "fiscal_year": model.fiscal_year_id,
        "normalisation": "minmax",
        "missing_rule": "worst",
        "version": "1",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "1",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "20",
        "criteria-0-kind": "court_actions",
        "criteria-0-weight": "4",
    }
    client.post(reverse("planning:prioritisation_model_edit", args=[model.pk]), data)
    model.refresh_from_db()
    assert model.name == "Renombrado" and model.criteria.get().kind == "court_actions"
    response = client.post(
        reverse("planning:prioritisation_model_edit", args=[model.pk]), {**data, "name": "Viejo"}
    )
    assert response.status_code == 200  # version 1 is stale now
    model.refresh_from_db()
    assert model.name == "Renombrado"


def test_indicator_pages(world, client_for):
    client = client_for(world.planner)
    response = client.post(
        reverse("planning:indicator_create"),
        {"code": "FURAG-IDI", "name": "FURAG", "source": "furag", "scale": "any", "version": "1"},
    )
    indicator = Indicator.objects.get()
    assert response["Location"] == reverse("planning:indicator_detail", args=[indicator.pk])
    assert not indicator.higher_is_better  # an unchecked box is «lower is better»
    s = make_stakeholders(world.org, 1, name="Alcaldía con valor")[0]
    IndicatorValue.objects.create(
        organization=world.org, indicator=indicator, stakeholder=s, year=2025, value=3
    )
    page = client.get(reverse("planning:indicator_detail", args=[indicator.pk]), {"q": "valor"})
    assert "Alcaldía con valor" in page.content.decode()
    page = client.get(reverse("planning:indicator_detail", args=[indicator.pk]), {"q": "nadie"})
    assert "Alcaldía con valor" not in page.content.decode()
    listing = client.get(reverse("planning:indicator_list"), {"q": "furag"})
    assert listing.context["page"].object_list[0].value_count == 1


def test_outsiders_get_404(world, client_for):
    model, stakeholders = _model_with_data(world)
    priority_list = priority_list_save(
        actor=world.planner, model=model, selected_ids=[stakeholders[0].pk]
    )
    client = client_for(world.outsider)
    for url in (
        reverse("planning:prioritisation_ranking", args=[model.pk]),
        reverse("planning:priority_list_detail", args=[priority_list.pk]),
        reverse("planning:priority_list_pdf", args=[priority_list.pk]),
        reverse("planning:prioritisation_ranking_export", args=[model.pk]) + "?format=csv",
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("planning:priority_list_save", args=[model.pk]), {"mode": "top", "top": "1"}
    )
    assert response.status_code == 404
    assert PriorityList.objects.count() == 1
