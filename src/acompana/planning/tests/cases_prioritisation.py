"""Permission cases (ViewCase) and API cases (ApiCase) of planning's prioritisation area
(FP-1, DNP-1): indicators, values, models, ranking and priority lists."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from acompana.core.choices import ProcedureCode
from acompana.core.tests.api_case import ApiCase
from acompana.core.tests.cases import ApiListCase, ViewCase, unique_text
from acompana.core.tests.factories import World, build_world
from acompana.planning.choices import CriterionKind
from acompana.planning.models import (
    PrioritisationCriterion,
    PrioritisationModel,
    PriorityList,
    PriorityListEntry,
)
from acompana.planning.tests.factories import IndicatorFactory, fiscal_year
from acompana.registry.models import Stakeholder
from acompana.registry.tests.factories import StakeholderFactory


def fp_world() -> World:
    """The world of the prioritisation tests: an organization with Función Pública's
    procedure, whose FP-1 names the planner (who does a step comes from the procedure,
    issue 11); each test module's ``world`` fixture returns it."""
    return build_world(ProcedureCode.FP)


def _indicator(world: Any) -> Any:
    return IndicatorFactory(organization=world.org, code="FURAG-CASO", name="Índice del caso")


def _model(world: Any) -> PrioritisationModel:
    """A model of the current fiscal year with one criterion and one stakeholder to score."""
    StakeholderFactory(organization=world.org, name="Alcaldía del caso")
    model = PrioritisationModel.objects.create(
        organization=world.org,
        fiscal_year=fiscal_year(world.org),
        name="Modelo del caso",
        created_by=world.admin,
    )
    PrioritisationCriterion.objects.create(
        organization=world.org,
        model=model,
        kind=CriterionKind.NEEDS_COUNT,
        weight=Decimal("1"),
        label="Necesidades",
    )
    return model


def _priority_list(world: Any) -> PriorityList:
    model = _model(world)
    stakeholder = StakeholderFactory(organization=world.org, name="Gobernación del caso")
    priority_list = PriorityList.objects.create(
        organization=world.org,
        model=model,
        fiscal_year=model.fiscal_year,
        name="Lista del caso",
        criteria_snapshot=[{"key": "c0", "position": 0, "label": "Necesidades", "weight": "1"}],
        saved_by=world.admin,
    )
    PriorityListEntry.objects.create(
        organization=world.org,
        priority_list=priority_list,
        stakeholder=stakeholder,
        rank=1,
        score=Decimal("0"),
        breakdown={"Necesidades": {"raw": 0, "normalised": 0, "weight": 1, "points": 0}},
    )
    return priority_list


def _priority_list_with_pdf(world: Any) -> PriorityList:
    from acompana.planning.prioritisation.services import priority_list_save

    model = _model(world)
    scored = Stakeholder.objects.filter(organization=world.org).values_list("pk", flat=True)
    return priority_list_save(actor=prioritiser(world), model=model, selected_ids=list(scored))


def prioritiser(world: Any) -> Any:
    """A user of ``world.org`` who may prioritise: who that is comes from the
    organization's procedure (issue 11), so it is looked up, not assumed."""
    from acompana.core.permissions import has_perm

    for user in (world.planner, world.admin, world.professional, world.unit_head):
        if has_perm(user, "planning.prioritise"):
            return user
    raise AssertionError("nobody in the world may prioritise")


# --- rows of the lists (tests/test_permissions_generic.py: tenancy and query count) -------------


def _actor_in(world: World, organization: Any) -> Any:
    return world.admin if organization == world.org else world.outsider


def _model_rows(world: World, organization: Any, parent: Any, n: int) -> list[Any]:
    return [
        PrioritisationModel.objects.create(
            organization=organization,
            fiscal_year=fiscal_year(organization),
            name=unique_text("Modelo"),
            created_by=_actor_in(world, organization),
        )
        for _ in range(n)
    ]


def _priority_list_rows(world: World, organization: Any, parent: Any, n: int) -> list[Any]:
    model = _model_rows(world, organization, None, 1)[0]
    return [
        PriorityList.objects.create(
            organization=organization,
            model=model,
            fiscal_year=model.fiscal_year,
            name=unique_text("Lista"),
            saved_by=_actor_in(world, organization),
        )
        for _ in range(n)
    ]


def _entry_rows(world: World, organization: Any, parent: Any, n: int) -> list[Any]:
    """Entries of ``parent`` (a list of ``world.org``) or of a new list of the other one."""
    priority_list = parent or _priority_list_rows(world, organization, None, 1)[0]
    start = priority_list.entries.count()
    return [
        PriorityListEntry.objects.create(
            organization=organization,
            priority_list=priority_list,
            stakeholder=StakeholderFactory(
                organization=organization, name=unique_text("Grupo priorizado")
            ),
            rank=start + position,
            score=Decimal("10"),
        )
        for position in range(1, n + 1)
    ]


def _indicator_rows(world: World, organization: Any, parent: Any, n: int) -> list[Any]:
    return [
        IndicatorFactory(organization=organization, name=unique_text("Indicador")) for _ in range(n)
    ]


def _value_rows(world: World, organization: Any, parent: Any, n: int) -> list[Any]:
    """Values of ``parent`` (an indicator of ``world.org``) or of a new indicator."""
    from acompana.planning.models import IndicatorValue

    indicator = parent or IndicatorFactory(organization=organization)
    return [
        IndicatorValue.objects.create(
            organization=organization,
            indicator=indicator,
            stakeholder=StakeholderFactory(
                organization=organization, name=unique_text("Grupo medido")
            ),
            year=2025,
            value=Decimal("67.5"),
        )
        for _ in range(n)
    ]


def _stakeholder_name(row: Any) -> str:
    return str(row.stakeholder.name)


def _same_pk(world: Any, obj: Any) -> dict[str, Any]:
    return {"pk": obj.pk}


def _indicator_data(world: Any, obj: Any) -> dict[str, Any]:
    return {
        "code": "PORS-CASO",
        "name": "Indicador PORS del caso",
        "source": "pors",
        "scale": "percent",
        "higher_is_better": "on",
        "is_active": "on",
        "version": obj.version if obj is not None else 1,
    }


def _model_data(world: Any, obj: Any) -> dict[str, Any]:
    return {
        "name": "Modelo enviado por el caso",
        "fiscal_year": fiscal_year(world.org).pk,
        "description": "",
        "normalisation": "zscore",
        "missing_rule": "exclude",
        "version": obj.version if obj is not None else 1,
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "20",
        "criteria-0-kind": "court_actions",
        "criteria-0-weight": "2",
    }


CASES = [
    ViewCase("planning:prioritisation_model_list", rows=_model_rows),
    ViewCase("planning:prioritisation_model_create"),
    ViewCase(
        "planning:prioritisation_model_create",
        method="post",
        data=_model_data,
        redirect="planning:prioritisation_ranking",
    ),
    ViewCase("planning:prioritisation_model_edit", obj=_model),
    ViewCase(
        "planning:prioritisation_model_edit",
        obj=_model,
        method="post",
        data=_model_data,
        redirect="planning:prioritisation_ranking",
        redirect_kwargs=_same_pk,
    ),
    ViewCase("planning:prioritisation_ranking", obj=_model),
    ViewCase("planning:prioritisation_ranking_export", obj=_model),
    ViewCase(
        "planning:priority_list_save",
        obj=_model,
        method="post",
        data=lambda w, o: {"mode": "top", "top": "1", "filters": ""},
        redirect="planning:priority_list_detail",
    ),
    ViewCase("planning:priority_list_list", rows=_priority_list_rows),
    ViewCase(
        "planning:priority_list_detail",
        obj=_priority_list,
        rows=_entry_rows,
        marker=_stakeholder_name,
    ),
    ViewCase("planning:priority_list_export", obj=_priority_list),
    ViewCase("planning:priority_list_pdf", obj=_priority_list_with_pdf),
    ViewCase("planning:indicator_list", rows=_indicator_rows, marker=lambda i: i.name),
    ViewCase("planning:indicator_create"),
    ViewCase(
        "planning:indicator_create",
        method="post",
        data=_indicator_data,
        redirect="planning:indicator_detail",
    ),
    ViewCase(
        "planning:indicator_detail", obj=_indicator, rows=_value_rows, marker=_stakeholder_name
    ),
    ViewCase("planning:indicator_edit", obj=_indicator),
    ViewCase(
        "planning:indicator_edit",
        obj=_indicator,
        method="post",
        data=_indicator_data,
        redirect="planning:indicator_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase(
        "planning:indicator_delete",
        obj=_indicator,
        method="post",
        data=lambda w, o: {"version": o.version},
        redirect="planning:indicator_list",
    ),
    ViewCase("planning:indicator_values_export"),
    ViewCase("planning:indicator_values_import"),
    # no file: the form comes back with the error
    ViewCase("planning:indicator_values_import", method="post", data=lambda w, o: {}, status=200),
    # without a pending upload in the session both redirect to the upload page
    ViewCase(
        "planning:indicator_values_import_preview", redirect="planning:indicator_values_import"
    ),
    ViewCase(
        "planning:indicator_values_import_confirm",
        method="post",
        redirect="planning:indicator_values_import",
    ),
    ViewCase("planning:indicator_values_template"),
]


# --- API -------------------------------------------------------------------------------------


def _values_file(world: Any, obj: Any) -> dict[str, Any]:
    indicator = IndicatorFactory(organization=world.org)
    stakeholder = StakeholderFactory(organization=world.org)
    content = (
        "Código del indicador;Identificador del grupo de valor;Año;Valor\n"
        f"{indicator.code};{stakeholder.nit};2025;67,5\n"
    ).encode()
    return {"file": SimpleUploadedFile("valores.csv", content, content_type="text/csv")}


def _model_path(name: str) -> Any:
    return lambda obj: reverse(f"api:{name}", kwargs={"model_id": obj.pk})


API_CASES = [
    ApiCase("planning_indicator_list"),
    ApiCase(
        "planning_indicator_create",
        "post",
        payload=lambda w, o: {"code": "SGR-API", "name": "Priorización SGR", "source": "sgr"},
    ),
    ApiCase(
        "planning_indicator_detail",
        obj=_indicator,
        kwargs=lambda o: {"indicator_id": o.pk},
    ),
    ApiCase(
        "planning_indicator_update",
        "patch",
        obj=_indicator,
        kwargs=lambda o: {"indicator_id": o.pk},
        payload=lambda w, o: {"version": o.version, "unit_label": "puntos"},
    ),
    ApiCase(
        "planning_indicator_delete",
        "delete",
        obj=_indicator,
        kwargs=lambda o: {"indicator_id": o.pk},
        query=lambda w, o: {"version": o.version},
    ),
    ApiCase(
        "planning_indicator_value_list",
        query=lambda w, o: {"year": 2025},
    ),
    ApiCase("planning_indicator_value_import", "post", files=_values_file),
    ApiCase("planning_prioritisation_model_list"),
    ApiCase(
        "planning_prioritisation_model_detail",
        obj=_model,
        path=_model_path("planning_prioritisation_model_detail"),
    ),
    ApiCase(
        "planning_prioritisation_model_create",
        "post",
        payload=lambda w, o: {
            "fiscal_year": fiscal_year(w.org).year,
            "name": "Modelo creado por API",
            "criteria": [{"kind": "needs_count", "weight": 2}],
        },
    ),
    ApiCase(
        "planning_prioritisation_model_update",
        "patch",
        obj=_model,
        path=_model_path("planning_prioritisation_model_update"),
        payload=lambda w, o: {"version": o.version, "description": "Escenario base"},
    ),
    ApiCase(
        "planning_prioritisation_ranking",
        obj=_model,
        path=_model_path("planning_prioritisation_ranking"),
    ),
    ApiCase("planning_priority_list_list"),
    ApiCase(
        "planning_priority_list_detail",
        obj=_priority_list,
        kwargs=lambda o: {"list_id": o.pk},
    ),
    ApiCase(
        "planning_priority_list_save",
        "post",
        obj=_model,
        path=_model_path("planning_priority_list_save"),
        payload=lambda w, o: {"top": 1, "name": "Lista guardada por API"},
    ),
]


def _scored_rows(world: World, organization: Any, parent: Any, n: int) -> list[Any]:
    """Stakeholders the ranking of ``parent`` (or of a new model of the organization) scores."""
    if parent is None:
        _model_rows(world, organization, None, 1)
    return [
        StakeholderFactory(organization=organization, name=unique_text("Grupo clasificado"))
        for _ in range(n)
    ]


#: API lists (tests/test_api_lists_generic.py)
API_LISTS = [
    ApiListCase("planning_indicator_list", rows=_indicator_rows),
    ApiListCase("planning_indicator_value_list", rows=_value_rows, query={"year": 2025}),
    ApiListCase("planning_prioritisation_model_list", rows=_model_rows),
    ApiListCase(
        "planning_prioritisation_ranking",
        rows=_scored_rows,
        obj=_model,
        kwargs=lambda o: {"model_id": o.pk},
        item_id=lambda item: item["stakeholder_id"],
    ),
    ApiListCase("planning_priority_list_list", rows=_priority_list_rows),
]


# --- builders shared by the prioritisation tests ---------------------------------------------


def make_stakeholders(organization: Any, count: int, **fields: Any) -> list[Stakeholder]:
    """``count`` active stakeholders in one INSERT (NITs with valid check digits)."""
    from acompana.core.validators import nit_with_check_digit, normalize_search
    from acompana.registry.tests.factories import municipality

    place = fields.pop("municipality", None) or municipality("41298")
    start = Stakeholder.objects.count() + 700_000_000
    objs = []
    for n in range(count):
        name = fields.get("name") or f"Grupo de valor {start + n}"
        objs.append(
            Stakeholder(
                organization=organization,
                kind=fields.get("kind", "territorial_entity"),
                name=name,
                search_name=normalize_search(name),
                nit=nit_with_check_digit(str(start + n)),
                municipality=place,
                department=place.department,
                **{k: v for k, v in fields.items() if k not in ("kind", "name")},
            )
        )
    return Stakeholder.objects.bulk_create(objs)


def make_model(
    organization: Any,
    user: Any,
    criteria: list[dict[str, Any]],
    *,
    kinds: list[str] | None = None,
    year: int | None = None,
    name: str = "Modelo de prueba",
) -> PrioritisationModel:
    """A model written directly (no validation): ``criteria`` are field dicts."""
    model = PrioritisationModel.objects.create(
        organization=organization,
        fiscal_year=fiscal_year(organization, year),
        name=name,
        stakeholder_kinds=kinds or [],
        created_by=user,
    )
    for position, fields in enumerate(criteria):
        PrioritisationCriterion.objects.create(
            organization=organization,
            model=model,
            position=position,
            **{"weight": Decimal("1"), **fields},
        )
    return model
