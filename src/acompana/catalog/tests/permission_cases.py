"""One ViewCase per catalogue URL name and method (consumed by tests/test_permissions_generic.py).

Objects are built in ``world.org``; services of ``world.unit`` (the unit of the unit head),
so a granted role (the admin first) gets through.
"""

from __future__ import annotations

from acompana.catalog.models import Mechanism, Modality, ServiceType, Topic
from acompana.catalog.tests.factories import MilestoneTemplateFactory, ServiceFactory
from acompana.core.tests.cases import ApiListCase, ViewCase, unique_number, unique_text
from acompana.core.tests.factories import UnitFactory


def _service(world):
    return ServiceFactory(organization=world.org, unit=world.unit, name="Servicio del caso")


def _inactive_service(world):
    service = _service(world)
    service.is_active = False
    service.save(update_fields=["is_active"])
    return service


def _milestone(world):
    service = _service(world)
    MilestoneTemplateFactory(service=service, order=1, name="Primero")
    return MilestoneTemplateFactory(service=service, order=2, name="Segundo")


def _service_rows(world, organization, parent, n):
    unit = world.unit if organization == world.org else UnitFactory(organization=organization)
    return [
        ServiceFactory(organization=organization, unit=unit, name=unique_text("Servicio"))
        for _ in range(n)
    ]


def _same_pk(world, obj):
    return {"pk": obj.pk}


def _service_of(world, milestone):
    return {"pk": milestone.service_id}


def _service_data(world, service):
    return {
        "unit": world.unit.pk,
        "name": "Servicio editado",
        "service_type": service.service_type_id,
        "origin": "offer",
        "version": service.version,
    }


def _new_service_data(world, obj):
    service_type, _ = ServiceType.objects.get_or_create(
        organization=world.org, code="ase", defaults={"name": "Asesoría"}
    )
    return {
        "unit": world.unit.pk,
        "name": "Servicio nuevo",
        "service_type": service_type.pk,
        "origin": "both",
        "version": 1,
    }


def _milestone_data(world, obj):
    return {"name": "Hito del caso", "required": "on", "version": getattr(obj, "version", 1)}


VALUE_MODELS = [
    ("service_type", ServiceType),
    ("topic", Topic),
    ("mechanism", Mechanism),
    ("modality", Modality),
]


def _value_rows(prefix, model):
    def rows(world, organization, parent, n):
        return [
            model.objects.create(
                organization=organization,
                name=unique_text(f"Valor {prefix}"),
                code=f"{prefix}_{unique_number()}",
            )
            for _ in range(n)
        ]

    return rows


def _value_cases(prefix, model):
    rows = _value_rows(prefix, model)

    def build(world):
        return model.objects.create(organization=world.org, name=f"Valor {prefix}", code=prefix)

    def edit_data(world, value):
        return {"name": f"Valor {prefix} editado", "version": value.version, "is_active": "on"}

    return [
        ViewCase(f"catalog:{prefix}_list", rows=rows),
        ViewCase(f"catalog:{prefix}_create"),
        ViewCase(
            f"catalog:{prefix}_create",
            method="post",
            data=lambda w, o: {"name": f"Nuevo {prefix}", "version": 1, "is_active": "on"},
            redirect=f"catalog:{prefix}_list",
        ),
        ViewCase(f"catalog:{prefix}_edit", obj=build),
        ViewCase(
            f"catalog:{prefix}_edit",
            obj=build,
            method="post",
            data=edit_data,
            redirect=f"catalog:{prefix}_list",
        ),
    ]


CASES = [
    ViewCase("catalog:home", rows=_service_rows),
    ViewCase("catalog:service_export"),
    ViewCase("catalog:service_create"),
    ViewCase(
        "catalog:service_create",
        method="post",
        data=_new_service_data,
        redirect="catalog:service_detail",
    ),
    ViewCase("catalog:service_detail", obj=_service),
    ViewCase("catalog:service_edit", obj=_service),
    ViewCase(
        "catalog:service_edit",
        obj=_service,
        method="post",
        data=_service_data,
        redirect="catalog:service_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase(
        "catalog:service_deactivate",
        obj=_service,
        method="post",
        data=lambda w, o: {"version": o.version},
        redirect="catalog:service_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase(
        "catalog:service_reactivate",
        obj=_inactive_service,
        method="post",
        data=lambda w, o: {"version": o.version},
        redirect="catalog:service_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase("catalog:milestone_create", obj=_service),
    ViewCase(
        "catalog:milestone_create",
        obj=_service,
        method="post",
        data=_milestone_data,
        redirect="catalog:service_detail",
        redirect_kwargs=_same_pk,
    ),
    ViewCase("catalog:milestone_edit", obj=_milestone),
    ViewCase(
        "catalog:milestone_edit",
        obj=_milestone,
        method="post",
        data=_milestone_data,
        redirect="catalog:service_detail",
        redirect_kwargs=_service_of,
    ),
    ViewCase(
        "catalog:milestone_delete",
        obj=_milestone,
        method="post",
        data=lambda w, o: {"version": o.version},
        redirect="catalog:service_detail",
        redirect_kwargs=_service_of,
    ),
    ViewCase(
        "catalog:milestone_move",
        obj=_milestone,
        method="post",
        data=lambda w, o: {"direction": "up"},
        redirect="catalog:service_detail",
        redirect_kwargs=_service_of,
    ),
    *[case for prefix, model in VALUE_MODELS for case in _value_cases(prefix, model)],
]

#: API lists (tests/test_api_lists_generic.py)
API_LISTS = [
    ApiListCase("catalog_service_list", rows=_service_rows),
    *[
        ApiListCase(f"catalog_{prefix}_list", rows=_value_rows(prefix, model))
        for prefix, model in VALUE_MODELS
    ],
]
