"""Services of indicators, prioritisation models and priority lists (FP-1, DNP-1)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import translation

from acompana.core.choices import ProcedureCode
from acompana.core.documents import header_for
from acompana.core.errors import StaleObjectError
from acompana.core.models import Document, Event
from acompana.core.procedures.trail import procedure_trail
from acompana.core.tests.factories import build_world
from acompana.planning.choices import NeedSource
from acompana.planning.models import (
    NeedStakeholder,
    PrioritisationCriterion,
    PriorityList,
    PriorityListEntry,
)
from acompana.planning.prioritisation import services
from acompana.planning.prioritisation.services import CriterionInput
from acompana.planning.tests.cases_prioritisation import fp_world, make_stakeholders
from acompana.planning.tests.factories import IndicatorFactory, NeedFactory, fiscal_year


@pytest.fixture
def world(db):
    """Función Pública's procedure: its FP-1 names the planner (see ``fp_world``)."""
    return fp_world()


pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- indicators ------------------------------------------------------------------------------


def test_indicator_create_and_update_with_events(world):
    indicator = services.indicator_create(
        actor=world.planner,
        organization=world.org,
        data={"code": "FURAG-IDI", "name": "Índice de desempeño institucional", "source": "furag"},
    )
    assert indicator.higher_is_better and indicator.is_active
    assert Event.objects.filter(step_key="indicator.created", object_id=str(indicator.pk)).exists()
    services.indicator_update(
        actor=world.planner,
        indicator=indicator,
        expected_version=1,
        data={"unit_label": "puntos", "higher_is_better": False},
    )
    indicator.refresh_from_db()
    assert indicator.unit_label == "puntos" and not indicator.higher_is_better
    assert indicator.version == 2
    event = Event.objects.get(step_key="indicator.updated")
    assert event.after == {"unit_label": "puntos", "higher_is_better": False}


def test_a_stale_indicator_edit_changes_nothing(world):
    indicator = IndicatorFactory(organization=world.org, name="Original")
    with pytest.raises(StaleObjectError):
        services.indicator_update(
            actor=world.planner, indicator=indicator, expected_version=9, data={"name": "Nuevo"}
        )
    indicator.refresh_from_db()
    assert indicator.name == "Original"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "", "name": "X", "source": "furag"}, "code"),
        ({"code": "con espacio", "name": "X", "source": "furag"}, "code"),
        ({"code": "furag", "name": "X", "source": "furag"}, "code"),  # taken, any case
        ({"code": "OK", "name": "", "source": "furag"}, "name"),
        ({"code": "OK", "name": "X", "source": "otra"}, "source"),
    ],
)
def test_indicator_validation(world, data, field):
    IndicatorFactory(organization=world.org, code="FURAG")
    with pytest.raises(ValidationError) as info:
        services.indicator_create(actor=world.planner, organization=world.org, data=data)
    assert field in info.value.message_dict


def test_the_same_code_in_another_organization_is_fine(world):
    theirs = IndicatorFactory(organization=world.other, code="FURAG")
    ours = services.indicator_create(
        actor=world.planner,
        organization=world.org,
        data={"code": "FURAG", "name": "FURAG", "source": "furag"},
    )
    assert (ours.organization, ours.code) == (world.org, "FURAG")
    assert ours.pk != theirs.pk
    theirs.refresh_from_db()
    assert (theirs.organization, theirs.code) == (world.other, "FURAG")


# --- models ----------------------------------------------------------------------------------


def _create(world, criteria, **kwargs):
    return services.prioritisation_model_create(
        actor=kwargs.pop("actor", world.planner),
        organization=world.org,
        fiscal_year=fiscal_year(world.org),
        name=kwargs.pop("name", "Priorización territorial"),
        criteria=criteria,
        **kwargs,
    )


def test_model_create_with_default_directions_and_labels(world):
    """FP-1: FURAG (higher is better), court actions and previous assistance."""
    furag = IndicatorFactory(organization=world.org, code="FURAG", higher_is_better=True)
    pnd = IndicatorFactory(organization=world.org, code="PND-BRECHA", higher_is_better=False)
    model = _create(
        world,
        [
            CriterionInput(
                kind="indicator", weight="2,5", indicator_id=furag.pk, indicator_year=2025
            ),
            CriterionInput(kind="indicator", weight=1, indicator_id=pnd.pk, indicator_year=2025),
            CriterionInput(kind="court_actions", weight=Decimal("3")),
            CriterionInput(kind="previous_assistance", weight=1, label="Atención 2025"),
        ],
        stakeholder_kinds=["municipality", "department"],
    )
    criteria = list(model.criteria.order_by("position"))
    assert [c.higher_raw_means_priority for c in criteria] == [False, True, True, False]
    assert [c.label for c in criteria] == [
        "FURAG (2025)",
        "PND-BRECHA (2025)",
        "Número de acciones judiciales",
        "Atención 2025",
    ]
    assert criteria[0].weight == Decimal("2.50")
    assert model.stakeholder_kinds == ["municipality", "department"]
    event = Event.objects.get(step_key="prioritisation_model.created")
    assert len(event.after["criteria"]) == 4


@pytest.mark.parametrize(
    ("criterion", "message"),
    [
        (CriterionInput(kind="needs_count", weight=0), "greater than zero"),
        (CriterionInput(kind="needs_count", weight=-2), "greater than zero"),
        (CriterionInput(kind="needs_count", weight="mucho"), "must be a number"),
        (CriterionInput(kind="needs_count", weight=10000), "at most"),
        (CriterionInput(kind="indicator", weight=1, indicator_year=2025), "choose the indicator"),
        (CriterionInput(kind="whatever", weight=1), "choose what the criterion measures"),
    ],
)
def test_model_criteria_validation(world, criterion, message):
    with pytest.raises(ValidationError) as info:
        _create(world, [criterion])
    assert any(message in m for m in info.value.message_dict["criteria"])
    assert not PrioritisationCriterion.objects.exists()


def test_indicator_criteria_need_an_active_indicator_of_the_organization_and_a_year(world):
    inactive = IndicatorFactory(organization=world.org, is_active=False)
    foreign = IndicatorFactory(organization=world.other)
    ok = IndicatorFactory(organization=world.org)
    with pytest.raises(ValidationError) as info:
        _create(
            world,
            [
                CriterionInput(
                    kind="indicator", weight=1, indicator_id=inactive.pk, indicator_year=2025
                ),
                CriterionInput(
                    kind="indicator", weight=1, indicator_id=foreign.pk, indicator_year=2025
                ),
                CriterionInput(kind="indicator", weight=1, indicator_id=ok.pk),
                CriterionInput(kind="indicator", weight=1, indicator_id=ok.pk, indicator_year=1800),
            ],
        )
    messages = info.value.message_dict["criteria"]
    assert messages[0].startswith("Criterion 1:") and "inactive" in messages[0]
    assert messages[1].startswith("Criterion 2:") and "choose the indicator" in messages[1]
    assert messages[2].startswith("Criterion 3:") and "year" in messages[2]
    assert messages[3].startswith("Criterion 4:") and "year" in messages[3]


def test_model_needs_criteria_unique_labels_and_a_unique_name(world):
    with pytest.raises(ValidationError) as info:
        _create(world, [])
    assert "criteria" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        _create(
            world,
            [
                CriterionInput(kind="needs_count", weight=1),
                CriterionInput(kind="needs_count", weight=2),
            ],
        )
    assert "different label" in info.value.message_dict["criteria"][0]
    _create(world, [CriterionInput(kind="needs_count", weight=1)])
    with pytest.raises(ValidationError) as info:
        _create(
            world, [CriterionInput(kind="needs_count", weight=1)], name="PRIORIZACIÓN territorial"
        )
    assert "name" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        _create(
            world,
            [CriterionInput(kind="needs_count", weight=1)],
            name="Otro",
            stakeholder_kinds=["planet"],
        )
    assert "stakeholder_kinds" in info.value.message_dict


def test_model_update_replaces_the_criteria_and_refuses_stale_versions(world):
    model = _create(world, [CriterionInput(kind="needs_count", weight=1)])
    services.prioritisation_model_update(
        actor=world.planner,
        model=model,
        expected_version=1,
        description="Escenario con tutelas",
        criteria=[
            CriterionInput(kind="court_actions", weight=2),
            CriterionInput(kind="needs_count", weight=1),
        ],
    )
    model.refresh_from_db()
    assert model.version == 2 and model.name == "Priorización territorial"
    assert [c.kind for c in model.criteria.order_by("position")] == ["court_actions", "needs_count"]
    event = Event.objects.get(step_key="prioritisation_model.updated")
    assert "criteria" in event.after and "description" in event.after
    with pytest.raises(StaleObjectError):
        services.prioritisation_model_update(
            actor=world.planner,
            model=model,
            expected_version=1,
            criteria=[CriterionInput(kind="needs_count", weight=5)],
        )
    assert model.criteria.count() == 2


# --- priority lists --------------------------------------------------------------------------


def _scenario(world, actor=None):
    """Three municipalities; the second has two open needs, the third one court action."""
    a, b, c = make_stakeholders(world.org, 3)
    fy = fiscal_year(world.org)
    for stakeholders, source in (([b], NeedSource.EMAIL), ([b, c], NeedSource.COURT_ACTION)):
        need = NeedFactory(organization=world.org, fiscal_year=fy, source=source)
        for s in stakeholders:
            NeedStakeholder.objects.create(organization=world.org, need=need, stakeholder=s)
    model = _create(
        world,
        [
            CriterionInput(kind="needs_count", weight=1, label="Necesidades"),
            CriterionInput(kind="court_actions", weight=3, label="Tutelas"),
        ],
        actor=actor or world.planner,
    )
    return model, (a, b, c)


def test_priority_list_save_records_the_ranking_the_selection_and_the_pdf(world):
    """DNP-1 / FP-1: the selected grupos de valor are saved with their scores and the PDF."""
    model, (a, b, c) = _scenario(world)
    priority_list = services.priority_list_save(
        actor=world.planner, model=model, selected_ids=[b.pk, c.pk], notes="Capacidad: 2 equipos"
    )
    assert priority_list.fiscal_year == model.fiscal_year
    assert priority_list.name.startswith("Prioritised stakeholders")
    entries = {
        e.stakeholder_id: e for e in PriorityListEntry.objects.filter(priority_list=priority_list)
    }
    assert set(entries) == {a.pk, b.pk, c.pk}  # the whole ranking is kept
    assert {sid for sid, e in entries.items() if e.selected} == {b.pk, c.pk}
    # b: needs 2 → 100 (×1), court 1 → 100 (×3): 100. c: needs 1 → 50, court 100: 87.5
    assert entries[b.pk].rank == 1 and entries[b.pk].score == Decimal("100.000")
    assert entries[c.pk].rank == 2 and entries[c.pk].score == Decimal("87.500")
    assert entries[c.pk].breakdown["Necesidades"] == {
        "raw": 1.0,
        "normalised": 50.0,
        "weight": 1.0,
        "points": 12.5,
    }
    assert entries[a.pk].score == 0
    snapshot = priority_list.criteria_snapshot
    assert [s["label"] for s in snapshot] == ["Necesidades", "Tutelas"]
    assert snapshot[1]["weight"] == "3.00" and snapshot[1]["stats"]["maximum"] == 1.0
    event = Event.objects.get(step_key="prioritisation.saved")
    assert event.object_id == str(priority_list.pk)
    assert event.after["selected"] == 2 and event.after["scored"] == 3
    document = Document.objects.get(
        content_type=ContentType.objects.get_for_model(PriorityList),
        object_id=str(priority_list.pk),
    )
    assert document.kind == "priority_list.pdf"
    assert document.file.read().startswith(b"%PDF")
    header = header_for(world.org, step_key="prioritisation.saved", fallback_name="x")
    assert (document.format_name, document.format_code) == (header.format_name, header.format_code)


def test_changing_the_model_later_does_not_change_a_saved_list(world):
    model, (a, b, c) = _scenario(world)
    priority_list = services.priority_list_save(
        actor=world.planner, model=model, selected_ids=[b.pk]
    )
    services.prioritisation_model_update(
        actor=world.planner,
        model=model,
        expected_version=model.version,
        criteria=[CriterionInput(kind="previous_assistance", weight=1)],
    )
    priority_list.refresh_from_db()
    assert [s["label"] for s in priority_list.criteria_snapshot] == ["Necesidades", "Tutelas"]
    assert priority_list.entries.get(stakeholder=b).score == Decimal("100.000")


def test_priority_list_save_refuses_empty_or_foreign_selections(world):
    model, (a, b, c) = _scenario(world)
    outsider = make_stakeholders(world.other, 1)[0]
    with pytest.raises(ValidationError) as info:
        services.priority_list_save(actor=world.planner, model=model, selected_ids=[])
    assert "selected" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.priority_list_save(
            actor=world.planner, model=model, selected_ids=[a.pk, outsider.pk]
        )
    assert "1 of the selected" in info.value.message_dict["selected"][0]
    assert not PriorityList.objects.exists()
    assert not Event.objects.filter(step_key="prioritisation.saved").exists()


@pytest.mark.parametrize(
    ("code", "step", "record"),
    [
        (ProcedureCode.FP, "FP-1", "Priorización de entidades y escenarios de intervención"),
        (ProcedureCode.DNP, "DNP-1", "Grupos de valor seleccionados o priorizados"),
    ],
)
def test_the_saved_list_completes_the_prioritisation_step_of_the_trail(code, step, record):
    """FP-1 / DNP-1: the trail of the list shows the step done, by whom, with its record."""
    world = build_world(procedure_code=code)
    # who does the step is the procedure's: FP-1 names planning, DNP-1 the professional
    actor = world.planner if code == ProcedureCode.FP else world.professional
    model, (a, b, c) = _scenario(world, actor)
    priority_list = services.priority_list_save(actor=actor, model=model, selected_ids=[b.pk])
    trail = procedure_trail(user=actor, obj=priority_list)
    done = {item.id: item for item in trail if item.done}
    assert step in done
    assert done[step].actor == actor
    document = Document.objects.get(object_id=str(priority_list.pk), kind="priority_list.pdf")
    assert document.format_name == record  # the profile's record of the step
    assert record in done[step].event_records


# --- role checks in the services -------------------------------------------------------------


def test_prioritisation_services_need_the_prioritise_permission(world):
    """The same permission as the pages and the API (``planning.prioritise``), for any caller."""
    from django.core.exceptions import PermissionDenied

    indicator = IndicatorFactory(organization=world.org)
    year = fiscal_year(world.org)
    criteria = [CriterionInput(kind="indicator", weight="1", indicator_id=indicator.pk)]
    # FP-1 names leadership, planning and the unit heads: the others are refused
    for actor in (world.professional, world.auditor):
        with pytest.raises(PermissionDenied):
            services.indicator_create(
                actor=actor,
                organization=world.org,
                data={"code": "X-1", "name": "X", "source": "furag"},
            )
        with pytest.raises(PermissionDenied):
            services.indicator_update(
                actor=actor, indicator=indicator, expected_version=1, data={"name": "Y"}
            )
        with pytest.raises(PermissionDenied):
            services.indicator_values_import(
                actor=actor, organization=world.org, content=b"", filename="x.csv"
            )
        with pytest.raises(PermissionDenied):
            services.prioritisation_model_create(
                actor=actor, organization=world.org, fiscal_year=year, name="M", criteria=criteria
            )
    indicator.refresh_from_db()
    assert indicator.version == 1
    assert not Event.objects.filter(organization=world.org).exists()
