"""Catalogue services: validation, unit scoping, optimistic locking, events, milestones."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from acompana.catalog import selectors, services
from acompana.catalog.models import MilestoneTemplate, Modality, Service, ServiceType, Topic
from acompana.catalog.seeds import seed_organization
from acompana.catalog.tests.factories import MilestoneTemplateFactory, ServiceFactory
from acompana.core.errors import StaleObjectError
from acompana.core.models import Event, Unit
from acompana.core.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(world):
    seed_organization(world.org)
    return world


def value(world, model, code):
    return model.objects.get(organization=world.org, code=code)


def service_data(world, **overrides):
    data = {
        "unit": world.unit,
        "name": "Asistencia técnica en vigilancia en salud pública",
        "description": "Visitas y talleres a municipios.",
        "service_type": value(world, ServiceType, "asistencia_tecnica"),
        "origin": "offer",
        "topics": [value(world, Topic, "vigilancia_salud_publica")],
        "mechanisms": [],
        "modalities": [value(world, Modality, "presencial")],
        "target_stakeholder_kinds": ["municipality", "health_actor"],
        "duration_days": 30,
        "estimated_hours": 16,
    }
    data.update(overrides)
    return data


def events(world, key):
    return Event.objects.filter(organization=world.org, step_key=key)


# --- vocabularies ------------------------------------------------------------------------------


def test_value_create_derives_a_code_and_refuses_duplicate_names(seeded):
    world = seeded
    value_ = services.mechanism_create(
        actor=world.admin, organization=world.org, data={"name": "Mesa técnica regional"}
    )
    assert value_.code == "mesa_tecnica_regional"
    assert events(world, "catalog.value_created").filter(object_id=str(value_.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        services.mechanism_create(
            actor=world.admin, organization=world.org, data={"name": "MESA TÉCNICA REGIONAL"}
        )
    assert "Ya existe" in str(exc.value.message_dict["name"])
    with pytest.raises(ValidationError) as exc:
        services.modality_create(actor=world.admin, organization=world.org, data={"name": "  "})
    assert "name" in exc.value.message_dict


def test_value_update_is_versioned_and_audited(seeded):
    world = seeded
    modality = value(world, Modality, "hibrida")
    services.modality_update(
        actor=world.admin,
        modality=modality,
        expected_version=modality.version,
        data={"name": "Híbrida (presencial y virtual)", "is_active": False},
    )
    modality.refresh_from_db()
    assert modality.name == "Híbrida (presencial y virtual)"
    assert not modality.is_active
    assert modality.code == "hibrida"  # the seed code is kept
    event = events(world, "catalog.value_updated").get(object_id=str(modality.pk))
    assert event.after["name"] == "Híbrida (presencial y virtual)"
    with pytest.raises(StaleObjectError):
        services.modality_update(
            actor=world.admin, modality=modality, expected_version=1, data={"name": "Otra"}
        )


def test_topic_parent_must_not_create_a_cycle(seeded):
    world = seeded
    parent = value(world, Topic, "pdsp")
    child = value(world, Topic, "pts")
    with pytest.raises(ValidationError) as exc:
        services.topic_update(
            actor=world.admin, topic=parent, expected_version=parent.version, data={"parent": child}
        )
    assert "parent" in exc.value.message_dict
    sub = services.topic_create(
        actor=world.admin,
        organization=world.org,
        data={"name": "Dimensión convivencia social", "parent": parent},
    )
    assert sub.parent == parent


# --- services ----------------------------------------------------------------------------------


def test_service_create_records_the_offer(seeded):
    world = seeded
    service = services.service_create(
        actor=world.unit_head, organization=world.org, data=service_data(world)
    )
    assert service.unit == world.unit
    assert service.organization == world.org
    assert [t.code for t in service.topics.all()] == ["vigilancia_salud_publica"]
    assert service.target_stakeholder_kinds == ["municipality", "health_actor"]
    # through rows carry the organization (DESIGN section 4)
    assert Service.topics.through.objects.filter(organization=world.org).count() == 1
    event = events(world, "service.created").get(object_id=str(service.pk))
    assert event.actor == world.unit_head
    assert event.after["topics"] == ["Vigilancia en salud pública"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Escriba el nombre"),
        ({"service_type": None}, "service_type", "tipo de servicio"),
        ({"unit": None}, "unit", "Elija la dependencia"),
        ({"target_stakeholder_kinds": ["alien"]}, "target_stakeholder_kinds", "desconocido"),
        ({"origin": "whim"}, "origin", "oferta, demanda"),
        ({"estimated_hours": -3}, "estimated_hours", "negativo"),
    ],
)
def test_service_validation_messages(seeded, overrides, field, message):
    world = seeded
    with pytest.raises(ValidationError) as exc:
        services.service_create(
            actor=world.admin, organization=world.org, data=service_data(world, **overrides)
        )
    assert message in " ".join(exc.value.message_dict[field])
    assert not Service.objects.filter(organization=world.org).exists()


def test_duplicate_service_name_in_the_same_unit_is_refused(seeded):
    world = seeded
    services.service_create(actor=world.admin, organization=world.org, data=service_data(world))
    with pytest.raises(ValidationError) as exc:
        services.service_create(
            actor=world.admin,
            organization=world.org,
            data=service_data(world, name="ASISTENCIA TÉCNICA EN VIGILANCIA EN SALUD PÚBLICA"),
        )
    assert "ya ofrece" in exc.value.message_dict["name"][0]
    # another unit may offer a service with the same name
    services.service_create(
        actor=world.admin,
        organization=world.org,
        data=service_data(world, unit=world.sibling_unit),
    )


def test_inactive_unit_and_inactive_values_are_refused(seeded):
    world = seeded
    Unit.objects.filter(pk=world.sibling_unit.pk).update(is_active=False)
    world.sibling_unit.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.service_create(
            actor=world.admin,
            organization=world.org,
            data=service_data(world, unit=world.sibling_unit),
        )
    assert "inactiva" in exc.value.message_dict["unit"][0]
    Modality.objects.filter(organization=world.org, code="virtual").update(is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.service_create(
            actor=world.admin,
            organization=world.org,
            data=service_data(world, modalities=[value(world, Modality, "virtual")]),
        )
    assert "inactivo" in exc.value.message_dict["modalities"][0]


def test_values_of_another_organization_are_refused(seeded):
    world = seeded
    seed_organization(world.other)
    foreign = ServiceType.objects.get(organization=world.other, code="asesoria")
    with pytest.raises(ValidationError) as exc:
        services.service_create(
            actor=world.admin,
            organization=world.org,
            data=service_data(world, service_type=foreign),
        )
    assert "no es de esta entidad" in exc.value.message_dict["service_type"][0]


def test_a_unit_head_cannot_create_a_service_for_another_unit(seeded):
    world = seeded
    with pytest.raises(ValidationError) as exc:
        services.service_create(
            actor=world.unit_head,
            organization=world.org,
            data=service_data(world, unit=world.sibling_unit),
        )
    assert "propia dependencia" in exc.value.message_dict["unit"][0]
    # but a sub-unit of its own unit is fine
    child = UnitFactory(organization=world.org, name="Subgrupo", parent=world.unit)
    service = services.service_create(
        actor=world.unit_head, organization=world.org, data=service_data(world, unit=child)
    )
    assert service.unit == child


def test_a_unit_head_cannot_edit_or_move_services_outside_its_unit(seeded):
    world = seeded
    own = services.service_create(
        actor=world.admin, organization=world.org, data=service_data(world)
    )
    other = services.service_create(
        actor=world.admin,
        organization=world.org,
        data=service_data(world, unit=world.sibling_unit),
    )
    with pytest.raises(ValidationError):
        services.service_update(
            actor=world.unit_head, service=other, expected_version=other.version, data={}
        )
    with pytest.raises(ValidationError) as exc:
        services.service_update(
            actor=world.unit_head,
            service=own,
            expected_version=own.version,
            data={"unit": world.sibling_unit},
        )
    assert "unit" in exc.value.message_dict
    # the scoped queryset is the mechanism the views and API use
    changeable = selectors.services_for_user(user=world.unit_head, action="change")
    assert set(changeable) == {own}
    assert set(selectors.services_for_user(user=world.unit_head)) == {own, other}
    assert set(selectors.services_for_user(user=world.admin, action="change")) == {own, other}


def test_service_update_is_optimistic_locked_and_audited(seeded):
    world = seeded
    service = services.service_create(
        actor=world.admin, organization=world.org, data=service_data(world)
    )
    seen = service.version
    services.service_update(
        actor=world.admin,
        service=service,
        expected_version=seen,
        data={"name": "Vigilancia en salud pública", "modalities": []},
    )
    service.refresh_from_db()
    assert service.version == seen + 1
    assert list(service.modalities.all()) == []
    event = events(world, "service.updated").get(object_id=str(service.pk))
    assert event.before["modalities"] == ["Presencial"] and event.after["modalities"] == []
    stale = Service.objects.get(pk=service.pk)
    with pytest.raises(StaleObjectError):
        services.service_update(
            actor=world.admin, service=stale, expected_version=seen, data={"name": "Perdido"}
        )
    service.refresh_from_db()
    assert service.name == "Vigilancia en salud pública"


def test_deactivate_and_reactivate(seeded):
    world = seeded
    service = services.service_create(
        actor=world.admin, organization=world.org, data=service_data(world)
    )
    services.service_deactivate(actor=world.admin, service=service, expected_version=1)
    assert not Service.objects.get(pk=service.pk).is_active
    assert events(world, "service.deactivated").filter(object_id=str(service.pk)).exists()
    with pytest.raises(ValidationError):
        services.service_deactivate(actor=world.admin, service=service, expected_version=2)
    with pytest.raises(StaleObjectError):
        services.service_reactivate(actor=world.admin, service=service, expected_version=1)
    services.service_reactivate(actor=world.admin, service=service, expected_version=2)
    assert Service.objects.get(pk=service.pk).is_active


def test_an_inactive_value_already_linked_survives_an_edit(seeded):
    world = seeded
    service = services.service_create(
        actor=world.admin, organization=world.org, data=service_data(world)
    )
    Modality.objects.filter(organization=world.org, code="presencial").update(is_active=False)
    service = Service.objects.get(pk=service.pk)
    services.service_update(
        actor=world.admin, service=service, expected_version=1, data={"description": "Nueva"}
    )
    assert [m.code for m in service.modalities.all()] == ["presencial"]


# --- milestone templates (FP-2) ----------------------------------------------------------------


def test_fp2_milestones_add_reorder_delete(seeded):
    world = seeded
    service = services.service_create(
        actor=world.unit_head, organization=world.org, data=service_data(world)
    )
    first = services.milestone_template_create(
        actor=world.unit_head,
        service=service,
        data={"name": "Convocatoria comunicada", "relative_due_days": 0},
    )
    second = services.milestone_template_create(
        actor=world.unit_head,
        service=service,
        data={"name": "Asistencia ejecutada", "expected_evidence": "Acta MI-GS-RG-557"},
    )
    third = services.milestone_template_create(
        actor=world.unit_head, service=service, data={"name": "Encuesta", "required": False}
    )
    assert [m.order for m in (first, second, third)] == [1, 2, 3]

    services.milestone_template_move(actor=world.unit_head, milestone=third, direction="up")
    order = list(service.milestones.order_by("order").values_list("name", flat=True))
    assert order == ["Convocatoria comunicada", "Encuesta", "Asistencia ejecutada"]
    # moving the first one up changes nothing
    services.milestone_template_move(actor=world.unit_head, milestone=first, direction="up")
    assert list(service.milestones.order_by("order").values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]

    with pytest.raises(ValidationError):
        services.milestone_template_reorder(
            actor=world.unit_head, service=service, ordered_ids=[first.pk, first.pk, second.pk]
        )

    services.milestone_template_delete(actor=world.unit_head, milestone=third)
    assert list(service.milestones.order_by("order").values_list("order", "name")) == [
        (1, "Convocatoria comunicada"),
        (2, "Asistencia ejecutada"),
    ]
    assert (
        events(world, "milestone_template.changed").filter(object_id=str(service.pk)).count() == 5
    )


def test_fp2_a_service_counts_as_delivered_only_when_all_required_milestones_are_met(seeded):
    world = seeded
    service = ServiceFactory(organization=world.org, unit=world.unit)
    a = MilestoneTemplateFactory(service=service, order=1, required=True)
    b = MilestoneTemplateFactory(service=service, order=2, required=True)
    optional = MilestoneTemplateFactory(service=service, order=3, required=False)
    assert selectors.required_milestone_ids(service=service) == {a.pk, b.pk}
    assert not selectors.delivery_complete(service=service, met_milestone_ids=[a.pk])
    assert not selectors.delivery_complete(service=service, met_milestone_ids=[a.pk, optional.pk])
    assert selectors.delivery_complete(service=service, met_milestone_ids=[a.pk, b.pk])


def test_milestone_validation_and_stale_edits(seeded):
    world = seeded
    service = ServiceFactory(organization=world.org, unit=world.unit)
    with pytest.raises(ValidationError) as exc:
        services.milestone_template_create(actor=world.admin, service=service, data={"name": " "})
    assert "nombre del hito" in exc.value.message_dict["name"][0]
    with pytest.raises(ValidationError) as exc:
        services.milestone_template_create(
            actor=world.admin, service=service, data={"name": "Hito", "relative_due_days": -1}
        )
    assert "relative_due_days" in exc.value.message_dict
    milestone = services.milestone_template_create(
        actor=world.admin, service=service, data={"name": "Hito"}
    )
    services.milestone_template_update(
        actor=world.admin, milestone=milestone, expected_version=1, data={"name": "Hito 1"}
    )
    with pytest.raises(StaleObjectError):
        services.milestone_template_update(
            actor=world.admin, milestone=milestone, expected_version=1, data={"name": "Viejo"}
        )
    with pytest.raises(StaleObjectError):
        services.milestone_template_delete(
            actor=world.admin, milestone=milestone, expected_version=1
        )
    assert MilestoneTemplate.objects.filter(pk=milestone.pk).exists()


def test_a_unit_head_cannot_change_milestones_of_another_unit(seeded):
    world = seeded
    other = ServiceFactory(organization=world.org, unit=world.sibling_unit)
    with pytest.raises(ValidationError):
        services.milestone_template_create(actor=world.unit_head, service=other, data={"name": "X"})
    milestone = MilestoneTemplateFactory(service=other)
    assert not selectors.milestones_for_user(user=world.unit_head, action="change").filter(
        pk=milestone.pk
    )


# --- role checks in the services -------------------------------------------------------------


def test_services_and_milestones_need_catalog_change(seeded):
    """A professional could write in its own unit's scope before; the role now decides first."""
    from django.core.exceptions import PermissionDenied

    world = seeded
    service = ServiceFactory(organization=world.org, unit=world.unit)
    for actor in (world.professional, world.planner, world.auditor):
        with pytest.raises(PermissionDenied):
            services.service_create(
                actor=actor, organization=world.org, data=service_data(world, name="Otro")
            )
        with pytest.raises(PermissionDenied):
            services.service_update(
                actor=actor, service=service, expected_version=1, data={"name": "Otro"}
            )
        with pytest.raises(PermissionDenied):
            services.service_deactivate(actor=actor, service=service, expected_version=1)
        with pytest.raises(PermissionDenied):
            services.milestone_template_create(actor=actor, service=service, data={"name": "H"})
    assert not Service.objects.filter(organization=world.org, name="Otro").exists()
    assert not events(world, "service.created").exists()


def test_vocabularies_need_catalog_manage_values(seeded):
    from django.core.exceptions import PermissionDenied

    world = seeded
    topic = value(world, Topic, "vigilancia_salud_publica")
    for actor in (world.unit_head, world.planner):
        with pytest.raises(PermissionDenied):
            services.topic_create(actor=actor, organization=world.org, data={"name": "Nueva"})
        with pytest.raises(PermissionDenied):
            services.topic_update(
                actor=actor, topic=topic, expected_version=topic.version, data={"name": "X"}
            )
    assert not events(world, "catalog.value_created").exists()
    created = services.topic_create(
        actor=world.admin, organization=world.org, data={"name": "Nueva"}
    )
    summary = events(world, "catalog.value_created").get(object_id=str(created.pk)).summary
    assert "Nueva" in summary
