"""One ViewCase per catalogue URL name and method (consumed by tests/test_permissions_generic.py).

Objects are built in ``world.org``; services of ``world.unit`` (the unit of the unit head),
so a granted role (the admin first) gets through.
"""

from __future__ import annotations

from acompana.catalog.models import Mechanism, Modality, ServiceType, Topic
from acompana.catalog.tests.factories import MilestoneTemplateFactory, ServiceFactory
from acompana.core.tests.cases import ViewCase


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


def _value_cases(prefix, model):
    def build(world):
        return model.objects.create(organization=world.org, name=f"Valor {prefix}", code=prefix)

    def edit_data(world, value):
        return {"name": f"Valor {prefix} editado", "version": value.version, "is_active": "on"}

    return [
        ViewCase(f"catalog:{prefix}_list"),
        ViewCase(f"catalog:{prefix}_create"),
        ViewCase(
            f"catalog:{prefix}_create",
            method="post",
            data=lambda w, o: {"name": f"Nuevo {prefix}", "version": 1, "is_active": "on"},
        ),
        ViewCase(f"catalog:{prefix}_edit", obj=build),
        ViewCase(f"catalog:{prefix}_edit", obj=build, method="post", data=edit_data),
    ]


CASES = [
    ViewCase("catalog:home"),
    ViewCase("catalog:service_export"),
    ViewCase("catalog:service_create"),
    ViewCase("catalog:service_create", method="post", data=_new_service_data),
    ViewCase("catalog:service_detail", obj=_service),
    ViewCase("catalog:service_edit", obj=_service),
    ViewCase("catalog:service_edit", obj=_service, method="post", data=_service_data),
    ViewCase(
        "catalog:service_deactivate",
        obj=_service,
        method="post",
        data=lambda w, o: {"version": o.version},
    ),
    ViewCase(
        "catalog:service_reactivate",
        obj=_inactive_service,
        method="post",
        data=lambda w, o: {"version": o.version},
    ),
    ViewCase("catalog:milestone_create", obj=_service),
    ViewCase("catalog:milestone_create", obj=_service, method="post", data=_milestone_data),
    ViewCase("catalog:milestone_edit", obj=_milestone),
    ViewCase("catalog:milestone_edit", obj=_milestone, method="post", data=_milestone_data),
    ViewCase(
        "catalog:milestone_delete",
        obj=_milestone,
        method="post",
        data=lambda w, o: {"version": o.version},
    ),
    ViewCase(
        "catalog:milestone_move",
        obj=_milestone,
        method="post",
        data=lambda w, o: {"direction": "up"},
    ),
    *[case for prefix, model in VALUE_MODELS for case in _value_cases(prefix, model)],
]
