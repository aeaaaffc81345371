"""API of indicators and prioritisation (FP-1, DNP-1): same rules as the pages."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from acompana.core.models import Event
from acompana.core.tests.api_utils import assert_error, call, token_client
from acompana.planning.choices import CriterionKind, NeedSource
from acompana.planning.models import (
    IndicatorValue,
    NeedStakeholder,
    PrioritisationModel,
    PriorityList,
)
from acompana.planning.tests.cases_prioritisation import fp_world, make_model, make_stakeholders
from acompana.planning.tests.factories import IndicatorFactory, NeedFactory, fiscal_year


@pytest.fixture
def world(db):
    """Función Pública's procedure: its FP-1 names the planner (see ``fp_world``)."""
    return fp_world()


pytestmark = pytest.mark.django_db

HEADER = "Código del indicador;Identificador del grupo de valor;Año;Valor\n"


def _upload(client, text):
    upload = SimpleUploadedFile("valores.csv", text.encode("utf-8"), content_type="text/csv")
    return call(
        client, "post", reverse("api:planning_indicator_value_import"), files={"file": upload}
    )


def test_import_all_or_nothing_with_errors_per_row(world):
    indicator = IndicatorFactory(organization=world.org, code="FURAG")
    (s,) = make_stakeholders(world.org, 1)
    client = token_client(world.planner)
    response = _upload(client, HEADER + f"FURAG;{s.nit};2025;67,4\nFURAG;000;2025;x\n")
    error = assert_error(response, 400, "import_rejected")
    assert set(error["fields"]) == {"row_3"}
    assert len(error["fields"]["row_3"]) == 2  # unknown stakeholder and not a number
    assert not IndicatorValue.objects.exists()
    response = _upload(client, HEADER + f"FURAG;{s.nit};2025;67,4\n")
    assert response.status_code == 200
    assert response.json() == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "filename": "valores.csv",
    }
    response = call(
        client,
        "get",
        reverse("api:planning_indicator_value_list"),
        query={"indicator": indicator.pk, "year": 2025, "q": s.name},
    )
    body = response.json()
    assert body["count"] == 1 and body["results"][0]["value"] == 67.4
    assert body["results"][0]["indicator_code"] == "FURAG"


def test_indicator_create_update_and_stale(world):
    client = token_client(world.planner)
    response = call(
        client,
        "post",
        reverse("api:planning_indicator_create"),
        payload={"code": "PORS", "name": "PORS", "source": "pors", "higher_is_better": False},
    )
    assert response.status_code == 201
    indicator_id = response.json()["id"]
    url = reverse("api:planning_indicator_update", kwargs={"indicator_id": indicator_id})
    response = call(client, "patch", url, payload={"version": 1, "unit_label": "puntos"})
    assert response.json()["unit_label"] == "puntos" and response.json()["version"] == 2
    assert not response.json()["higher_is_better"]  # untouched
    response = call(client, "patch", url, payload={"version": 1, "name": "Otro"})
    assert_error(response, 409, "stale")
    response = call(
        client,
        "post",
        reverse("api:planning_indicator_create"),
        payload={"code": "pors", "name": "Repetido", "source": "pors"},
    )
    assert "code" in assert_error(response, 400, "validation_error")["fields"]


def test_model_create_validation_and_ranking(world):
    fy = fiscal_year(world.org)
    a, b = make_stakeholders(world.org, 2)
    need = NeedFactory(organization=world.org, fiscal_year=fy, source=NeedSource.COURT_ACTION)
    NeedStakeholder.objects.create(organization=world.org, need=need, stakeholder=b)
    client = token_client(world.planner)
    url = reverse("api:planning_prioritisation_model_create")
    response = call(
        client,
        "post",
        url,
        payload={
            "fiscal_year": fy.year,
            "name": "Escenario",
            "criteria": [{"kind": "court_actions", "weight": 0}],
        },
    )
    error = assert_error(response, 400, "validation_error")
    assert "criteria" in error["fields"]
    response = call(
        client,
        "post",
        url,
        payload={"fiscal_year": 1999, "name": "Escenario", "criteria": []},
    )
    assert "fiscal_year" in assert_error(response, 400)["fields"]
    response = call(
        client,
        "post",
        url,
        payload={
            "fiscal_year": fy.year,
            "name": "Escenario",
            "criteria": [
                {"kind": "court_actions", "weight": "3", "label": "Tutelas"},
                {"kind": "needs_count", "weight": 1},
            ],
        },
    )
    assert response.status_code == 201, response.content
    model = response.json()
    assert len(model["criteria"]) == 2 and model["criteria"][0]["label"] == "Tutelas"
    response = call(
        client,
        "get",
        reverse("api:planning_prioritisation_ranking", kwargs={"model_id": model["id"]}),
        query={"limit": 1},
    )
    body = response.json()
    assert body["count"] == 2
    assert body["results"][0]["stakeholder_id"] == b.pk
    assert body["results"][0]["score"] == 100.0
    assert body["results"][0]["breakdown"][0] == {
        "label": "Tutelas",
        "raw": 1.0,
        "normalised": 100.0,
        "weight": 3.0,
        "points": 75.0,
    }
    assert body["criteria"][0]["maximum"] == 1.0
    response = call(
        client,
        "get",
        reverse("api:planning_prioritisation_ranking", kwargs={"model_id": model["id"]}),
        query={"limit": 1, "cursor": body["next_cursor"]},
    )
    assert response.json()["results"][0]["stakeholder_id"] == a.pk
    assert response.json()["next_cursor"] is None
    response = call(
        client,
        "get",
        reverse("api:planning_prioritisation_ranking", kwargs={"model_id": model["id"]}),
        query={"municipality": "123"},
    )
    # the OpenAPI states the DIVIPOLA pattern: another value is a schema error (422)
    assert "municipality" in assert_error(response, 422)["fields"]


def test_model_update_replaces_criteria(world):
    model = make_model(world.org, world.planner, [{"kind": CriterionKind.NEEDS_COUNT}])
    client = token_client(world.planner)
    url = reverse("api:planning_prioritisation_model_update", kwargs={"model_id": model.pk})
    response = call(
        client,
        "patch",
        url,
        payload={"version": 1, "criteria": [{"kind": "previous_assistance", "weight": 2}]},
    )
    assert response.status_code == 200
    criterion = response.json()["criteria"][0]
    assert criterion["kind"] == "previous_assistance"
    assert criterion["higher_raw_means_priority"] is False
    assert PrioritisationModel.objects.get().version == 2


def test_priority_list_save_and_read(world):
    """DNP-1: the API saves the year's priority list with its breakdown and event."""
    a, b, c = make_stakeholders(world.org, 3)
    model = make_model(world.org, world.planner, [{"kind": CriterionKind.NEEDS_COUNT}])
    client = token_client(world.planner)
    url = reverse("api:planning_priority_list_save", kwargs={"model_id": model.pk})
    response = call(client, "post", url, payload={"stakeholder_ids": [a.pk], "top": 2})
    assert_error(response, 400)
    response = call(client, "post", url, payload={})
    assert_error(response, 400)
    response = call(client, "post", url, payload={"stakeholder_ids": [a.pk, c.pk]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["selected_count"] == 2 and body["scored_count"] == 3
    assert {e["stakeholder_id"] for e in body["entries"]} == {a.pk, c.pk}
    assert Event.objects.filter(step_key="prioritisation.saved").count() == 1
    detail = reverse("api:planning_priority_list_detail", kwargs={"list_id": body["id"]})
    response = call(client, "get", detail, query={"all_entries": "true"})
    assert len(response.json()["entries"]) == 3
    response = call(client, "post", url, payload={"top": 1, "filters": {"kind": "school"}})
    assert "selected" in assert_error(response, 400)["fields"]
    response = call(client, "get", reverse("api:planning_priority_list_list"), query={"year": 1990})
    assert response.json()["count"] == 0
    response = call(client, "get", reverse("api:planning_priority_list_list"))
    assert response.json()["count"] == 1
    assert json.dumps(response.json())  # serialisable
    assert PriorityList.objects.get().entries.filter(selected=True).count() == 2


def test_outsider_gets_404(world):
    model = make_model(world.org, world.planner, [{"kind": CriterionKind.NEEDS_COUNT}])
    client = token_client(world.outsider)
    for name in ("planning_prioritisation_model_detail", "planning_prioritisation_ranking"):
        response = call(client, "get", reverse(f"api:{name}", kwargs={"model_id": model.pk}))
        assert_error(response, 404, "not_found")
    response = call(
        client,
        "post",
        reverse("api:planning_priority_list_save", kwargs={"model_id": model.pk}),
        payload={"top": 1},
    )
    assert_error(response, 404, "not_found")
    assert not PriorityList.objects.exists()
    assert Decimal(model.criteria.get().weight) == 1
