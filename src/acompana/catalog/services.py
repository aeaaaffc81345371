"""Writes of the catalogue: vocabularies, services and milestone templates.

Every function is keyword-only, takes the acting user, checks the actor's role first (the
permission of its view and API endpoint: ``catalog.manage_values`` for the vocabularies,
``catalog.change`` for services and milestones, a unit head only in its own unit), validates,
writes in one transaction with its event row and refuses stale edits
(``StaleObjectError``). The demo portfolio is written by the demo administrator, like any
administrator's; the reference seeds (``seeds.py``) are the system's and use no service.
Step keys (official ones mapped by the procedure profiles; the others audit-only):

* ``catalog.value_created`` / ``catalog.value_updated`` — service types, topics, mechanisms,
  modalities (the catalogue of assistance consulted in FP-7);
* ``service.created`` / ``service.updated`` / ``service.deactivated`` / ``service.reactivated``
  — the institutional offer (FP-2 "oferta institucional", EDU-4 "oferta de servicios");
* ``milestone_template.changed`` — the hitos of a service (FP-2: a service counts as
  delivered only when all its milestones are met).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from acompana.catalog.choices import ServiceOrigin, StakeholderKind
from acompana.catalog.models import (
    CatalogValue,
    Mechanism,
    MilestoneTemplate,
    Modality,
    Service,
    ServiceType,
    Topic,
)
from acompana.core.concurrency import versioned_update
from acompana.core.errors import StaleObjectError
from acompana.core.events import changed_fields, event_record, snapshot
from acompana.core.models import Organization, Unit, User
from acompana.core.permissions import check_perm

VALUE_FIELDS = ["name", "code", "description", "is_active", "sort_order"]
TOPIC_FIELDS = [*VALUE_FIELDS, "parent"]
SERVICE_FIELDS = [
    "unit",
    "name",
    "code",
    "description",
    "service_type",
    "target_stakeholder_kinds",
    "origin",
    "duration_days",
    "estimated_hours",
]
SERVICE_M2M = {"topics": Topic, "mechanisms": Mechanism, "modalities": Modality}
MILESTONE_FIELDS = ["name", "description", "expected_evidence", "relative_due_days", "required"]

CHANGE = "catalog.change"
MANAGE_VALUES = "catalog.manage_values"


def _clean_text(data: dict[str, Any], name: str, *, required: bool, message: str) -> str:
    """The stripped text of ``name``; ``message`` is the error when it is required but empty."""
    value = (data.get(name) or "").strip()
    if required and not value:
        raise ValidationError({name: message})
    return str(value)


# --- vocabularies: service types, topics, mechanisms, modalities --------------------------


def _unique_code(model: type[CatalogValue], organization_id: int, base: str, pk: int | None) -> str:
    base = slugify(base).replace("-", "_")[:55] or "valor"
    code, n = base, 1
    taken = model.objects.filter(organization_id=organization_id).exclude(pk=pk)
    while taken.filter(code=code).exists():
        n += 1
        code = f"{base}_{n}"
    return code


def _duplicate_messages(model: type[CatalogValue]) -> tuple[str, str]:
    """The errors for a name and for a code already used in the vocabulary of ``model``."""
    messages: dict[type[CatalogValue], tuple[str, str]] = {
        ServiceType: (
            _("A service type with the name «%(name)s» already exists."),
            _("A service type with the code «%(code)s» already exists."),
        ),
        Topic: (
            _("A topic with the name «%(name)s» already exists."),
            _("A topic with the code «%(code)s» already exists."),
        ),
        Mechanism: (
            _("A mechanism with the name «%(name)s» already exists."),
            _("A mechanism with the code «%(code)s» already exists."),
        ),
        Modality: (
            _("A modality with the name «%(name)s» already exists."),
            _("A modality with the code «%(code)s» already exists."),
        ),
    }
    return messages[model]


def _clean_value(
    model: type[CatalogValue],
    organization_id: int,
    data: dict[str, Any],
    instance: CatalogValue | None = None,
) -> dict[str, Any]:
    name_taken, code_taken = _duplicate_messages(model)
    name = _clean_text(data, "name", required=True, message=_("Write the name."))
    pk = instance.pk if instance is not None else None
    same_org = model.objects.filter(organization_id=organization_id).exclude(pk=pk)
    if same_org.filter(name__iexact=name).exists():
        raise ValidationError({"name": name_taken % {"name": name}})
    code = slugify(str(data.get("code") or "")).replace("-", "_")[:60]
    if code and same_org.filter(code=code).exists():
        raise ValidationError({"code": code_taken % {"code": code}})
    if not code:
        code = instance.code if instance is not None and instance.code else ""
        code = code or _unique_code(model, organization_id, name, pk)
    sort_order = data.get("sort_order")
    cleaned: dict[str, Any] = {
        "name": name,
        "code": code,
        "description": (data.get("description") or "").strip(),
        "is_active": bool(data.get("is_active", True)),
        "sort_order": int(sort_order) if sort_order not in (None, "") else 0,
    }
    if model is Topic:
        cleaned["parent"] = _clean_topic_parent(organization_id, data.get("parent"), instance)
    return cleaned


def _clean_topic_parent(
    organization_id: int, parent: Topic | None, instance: CatalogValue | None
) -> Topic | None:
    if parent is None:
        return None
    if parent.organization_id != organization_id:
        raise ValidationError({"parent": _("The parent topic is not of this organization.")})
    current: Topic | None = parent
    while current is not None:
        if instance is not None and current.pk == instance.pk:
            raise ValidationError({"parent": _("A topic cannot be placed inside itself.")})
        current = current.parent
    return parent


def _value_fields(model: type[CatalogValue]) -> list[str]:
    return TOPIC_FIELDS if model is Topic else VALUE_FIELDS


def _value_summaries(model: type[CatalogValue]) -> tuple[str, str]:
    """The audit summaries (created, updated) of a value of the vocabulary of ``model``.

    Whole sentences per vocabulary, so each translates with its own grammar."""
    summaries: dict[type[CatalogValue], tuple[str, str]] = {
        ServiceType: (
            _("Catalogue: service type «%(name)s» created"),
            _("Catalogue: service type «%(name)s» updated"),
        ),
        Topic: (
            _("Catalogue: topic «%(name)s» created"),
            _("Catalogue: topic «%(name)s» updated"),
        ),
        Mechanism: (
            _("Catalogue: mechanism «%(name)s» created"),
            _("Catalogue: mechanism «%(name)s» updated"),
        ),
        Modality: (
            _("Catalogue: modality «%(name)s» created"),
            _("Catalogue: modality «%(name)s» updated"),
        ),
    }
    return summaries[model]


def catalog_value_create(
    *,
    actor: User,
    organization: Organization,
    model: type[CatalogValue],
    data: dict[str, Any],
) -> CatalogValue:
    """Add a value to one of the four vocabularies of the organization."""
    check_perm(actor, MANAGE_VALUES, organization_id=organization.pk)
    with transaction.atomic():
        cleaned = _clean_value(model, organization.pk, data)
        value = model.objects.create(organization=organization, **cleaned)
        event_record(
            actor=actor,
            organization=organization,
            step_key="catalog.value_created",
            obj=value,
            summary=_value_summaries(model)[0] % {"name": value.name},
            after=snapshot(value, _value_fields(model)),
        )
    return value


def catalog_value_update(
    *,
    actor: User,
    value: CatalogValue,
    expected_version: int,
    data: dict[str, Any],
) -> CatalogValue:
    """Edit (or deactivate, with ``is_active=False``) a value of a vocabulary."""
    check_perm(actor, MANAGE_VALUES, organization_id=value.organization_id)
    model = type(value)
    fields = _value_fields(model)
    before = snapshot(value, fields)
    with transaction.atomic():
        merged = {**{f: getattr(value, f) for f in fields}, **data}
        cleaned = _clean_value(model, value.organization_id, merged, instance=value)
        versioned_update(value, expected_version=expected_version, fields=cleaned)
        b, a = changed_fields(before, snapshot(value, fields))
        event_record(
            actor=actor,
            organization=value.organization,
            step_key="catalog.value_updated",
            obj=value,
            summary=_value_summaries(model)[1] % {"name": value.name},
            before=b,
            after=a,
        )
    return value


def service_type_create(
    *, actor: User, organization: Organization, data: dict[str, Any]
) -> CatalogValue:
    return catalog_value_create(
        actor=actor, organization=organization, model=ServiceType, data=data
    )


def service_type_update(
    *, actor: User, service_type: ServiceType, expected_version: int, data: dict[str, Any]
) -> CatalogValue:
    return catalog_value_update(
        actor=actor, value=service_type, expected_version=expected_version, data=data
    )


def topic_create(*, actor: User, organization: Organization, data: dict[str, Any]) -> CatalogValue:
    return catalog_value_create(actor=actor, organization=organization, model=Topic, data=data)


def topic_update(
    *, actor: User, topic: Topic, expected_version: int, data: dict[str, Any]
) -> CatalogValue:
    return catalog_value_update(
        actor=actor, value=topic, expected_version=expected_version, data=data
    )


def mechanism_create(
    *, actor: User, organization: Organization, data: dict[str, Any]
) -> CatalogValue:
    return catalog_value_create(actor=actor, organization=organization, model=Mechanism, data=data)


def mechanism_update(
    *, actor: User, mechanism: Mechanism, expected_version: int, data: dict[str, Any]
) -> CatalogValue:
    return catalog_value_update(
        actor=actor, value=mechanism, expected_version=expected_version, data=data
    )


def modality_create(
    *, actor: User, organization: Organization, data: dict[str, Any]
) -> CatalogValue:
    return catalog_value_create(actor=actor, organization=organization, model=Modality, data=data)


def modality_update(
    *, actor: User, modality: Modality, expected_version: int, data: dict[str, Any]
) -> CatalogValue:
    return catalog_value_update(
        actor=actor, value=modality, expected_version=expected_version, data=data
    )


# --- services --------------------------------------------------------------------------------


def _check_unit_writable(actor: User, unit: Unit, organization_id: int) -> None:
    """The actor's role may change services (``catalog.change``), the unit is of the
    organization and the actor may write in it (a unit head: its unit and its groups)."""
    check_perm(actor, CHANGE, organization_id=organization_id)
    if unit.organization_id != organization_id:
        raise ValidationError({"unit": _("The unit is not of this organization.")})
    if not Unit.objects.for_user(actor, "change").filter(pk=unit.pk).exists():
        raise ValidationError(
            {"unit": _("You can only manage the services of your own unit (or its groups).")}
        )


def _value_messages(field: str) -> tuple[str, str]:
    """The errors for a value of another organization and for an inactive value of ``field``."""
    messages = {
        "service_type": (
            _("The service type «%(value)s» is not of this organization."),
            _("The service type «%(value)s» is inactive."),
        ),
        "topics": (
            _("The topic «%(value)s» is not of this organization."),
            _("The topic «%(value)s» is inactive."),
        ),
        "mechanisms": (
            _("The mechanism «%(value)s» is not of this organization."),
            _("The mechanism «%(value)s» is inactive."),
        ),
        "modalities": (
            _("The modality «%(value)s» is not of this organization."),
            _("The modality «%(value)s» is inactive."),
        ),
    }
    return messages[field]


def _check_values(
    organization_id: int,
    field: str,
    values: Iterable[CatalogValue],
    already_linked: set[int],
) -> list[CatalogValue]:
    foreign, inactive = _value_messages(field)
    result = []
    for value in values:
        if value.organization_id != organization_id:
            raise ValidationError({field: foreign % {"value": value}})
        if not value.is_active and value.pk not in already_linked:
            raise ValidationError({field: inactive % {"value": value}})
        result.append(value)
    return result


def _clean_service(
    organization_id: int, data: dict[str, Any], instance: Service | None = None
) -> tuple[dict[str, Any], dict[str, list[CatalogValue]]]:
    unit: Unit | None = data.get("unit")
    if unit is None:
        raise ValidationError({"unit": _("Choose the unit that offers the service.")})
    changing_unit = instance is None or instance.unit_id != unit.pk
    if changing_unit and not unit.is_active:
        raise ValidationError({"unit": _("The unit «%(unit)s» is inactive.") % {"unit": unit}})
    name = _clean_text(data, "name", required=True, message=_("Write the name of the service."))
    clash = Service.objects.filter(organization_id=organization_id, unit=unit, name__iexact=name)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise ValidationError(
            {
                "name": _("The unit «%(unit)s» already offers a service named «%(name)s».")
                % {"unit": unit, "name": name}
            }
        )
    service_type: ServiceType | None = data.get("service_type")
    if service_type is None:
        raise ValidationError({"service_type": _("Choose the service type.")})
    current_type = instance.service_type_id if instance is not None else None
    _check_values(
        organization_id,
        "service_type",
        [service_type],
        {current_type} if current_type else set(),
    )
    kinds = list(dict.fromkeys(k for k in (data.get("target_stakeholder_kinds") or []) if k))
    valid_kinds = {k.value for k in StakeholderKind}
    unknown = [k for k in kinds if k not in valid_kinds]
    if unknown:
        raise ValidationError(
            {
                "target_stakeholder_kinds": _("Unknown stakeholder kind: %(kinds)s.")
                % {"kinds": ", ".join(unknown)}
            }
        )
    origin = data.get("origin") or ServiceOrigin.BOTH
    if origin not in {o.value for o in ServiceOrigin}:
        raise ValidationError({"origin": _("The origin must be offer, demand or both.")})
    numbers: dict[str, int | None] = {}
    for field in ("duration_days", "estimated_hours"):
        value = data.get(field)
        if value in (None, ""):
            numbers[field] = None
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError({field: _("Write a whole number.")})
        if number < 0:
            raise ValidationError({field: _("The number cannot be negative.")})
        numbers[field] = number
    scalars = {
        "unit": unit,
        "name": name,
        "code": (data.get("code") or "").strip(),
        "description": (data.get("description") or "").strip(),
        "service_type": service_type,
        "target_stakeholder_kinds": kinds,
        "origin": origin,
        **numbers,
    }
    links: dict[str, list[CatalogValue]] = {}
    for field in SERVICE_M2M:
        linked: set[int] = set()
        if instance is not None:
            linked = set(getattr(instance, field).values_list("pk", flat=True))
        links[field] = _check_values(organization_id, field, data.get(field) or [], linked)
    return scalars, links


def _set_links(service: Service, links: dict[str, list[CatalogValue]]) -> None:
    for field, values in links.items():
        getattr(service, field).set(
            values, through_defaults={"organization_id": service.organization_id}
        )


def _service_snapshot(service: Service) -> dict[str, Any]:
    result = snapshot(service, [*SERVICE_FIELDS, "is_active"])
    for field in SERVICE_M2M:
        result[field] = sorted(str(v) for v in getattr(service, field).all())
    return result


def service_create(*, actor: User, organization: Organization, data: dict[str, Any]) -> Service:
    """Add a service to the portfolio of a unit (a unit head: only of its own unit)."""
    check_perm(actor, CHANGE, organization_id=organization.pk)
    unit = data.get("unit")
    if isinstance(unit, Unit):
        _check_unit_writable(actor, unit, organization.pk)
    with transaction.atomic():
        scalars, links = _clean_service(organization.pk, data)
        service = Service.objects.create(organization=organization, **scalars)
        _set_links(service, links)
        event_record(
            actor=actor,
            organization=organization,
            step_key="service.created",
            obj=service,
            summary=_("Service created: %(name)s (%(unit)s)")
            % {"name": service.name, "unit": service.unit},
            after=_service_snapshot(service),
        )
    return service


def service_update(
    *, actor: User, service: Service, expected_version: int, data: dict[str, Any]
) -> Service:
    """Edit a service; a unit head may not edit, nor move a service to, another unit."""
    _check_unit_writable(actor, service.unit, service.organization_id)
    merged: dict[str, Any] = {f: getattr(service, f) for f in SERVICE_FIELDS}
    for field in SERVICE_M2M:
        merged[field] = list(getattr(service, field).all())
    merged.update(data)
    new_unit = merged.get("unit")
    if isinstance(new_unit, Unit) and new_unit.pk != service.unit_id:
        _check_unit_writable(actor, new_unit, service.organization_id)
    before = _service_snapshot(service)
    with transaction.atomic():
        scalars, links = _clean_service(service.organization_id, merged, instance=service)
        versioned_update(service, expected_version=expected_version, fields=scalars)
        _set_links(service, links)
        b, a = changed_fields(before, _service_snapshot(service))
        event_record(
            actor=actor,
            organization=service.organization,
            step_key="service.updated",
            obj=service,
            summary=_("Service updated: %(name)s") % {"name": service.name},
            before=b,
            after=a,
        )
    return service


def _set_service_active(
    *, actor: User, service: Service, expected_version: int, active: bool
) -> Service:
    _check_unit_writable(actor, service.unit, service.organization_id)
    if service.is_active == active:
        message = (
            _("The service is already active.") if active else _("The service is already inactive.")
        )
        raise ValidationError(message, code="unchanged")
    with transaction.atomic():
        versioned_update(service, expected_version=expected_version, fields={"is_active": active})
        event_record(
            actor=actor,
            organization=service.organization,
            step_key="service.reactivated" if active else "service.deactivated",
            obj=service,
            summary=(
                _("Service reactivated: %(name)s") if active else _("Service deactivated: %(name)s")
            )
            % {"name": service.name},
            before={"is_active": not active},
            after={"is_active": active},
        )
    return service


def service_deactivate(*, actor: User, service: Service, expected_version: int) -> Service:
    """Withdraw a service from the offer. It stays in the records of past assistances."""
    return _set_service_active(
        actor=actor, service=service, expected_version=expected_version, active=False
    )


def service_reactivate(*, actor: User, service: Service, expected_version: int) -> Service:
    """Put a withdrawn service back in the offer."""
    return _set_service_active(
        actor=actor, service=service, expected_version=expected_version, active=True
    )


# --- milestone templates (hitos) -------------------------------------------------------------


def _clean_milestone(data: dict[str, Any]) -> dict[str, Any]:
    name = _clean_text(data, "name", required=True, message=_("Write the name of the milestone."))
    due = data.get("relative_due_days")
    if due in (None, ""):
        due_days = None
    else:
        try:
            due_days = int(due)
        except (TypeError, ValueError):
            raise ValidationError({"relative_due_days": _("Write a whole number of days.")})
        if due_days < 0:
            raise ValidationError({"relative_due_days": _("The days cannot be negative.")})
    return {
        "name": name,
        "description": (data.get("description") or "").strip(),
        "expected_evidence": (data.get("expected_evidence") or "").strip(),
        "relative_due_days": due_days,
        "required": bool(data.get("required", True)),
    }


def _milestone_event(
    actor: User,
    milestone: MilestoneTemplate,
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    event_record(
        actor=actor,
        organization=milestone.service.organization,
        step_key="milestone_template.changed",
        obj=milestone.service,
        summary=summary,
        before=before,
        after=after,
    )


def _lock_service(service: Service) -> None:
    """Serialise milestone writes of one service (ordering is computed from siblings)."""
    Service.objects.select_for_update().filter(pk=service.pk).first()


def milestone_template_create(
    *, actor: User, service: Service, data: dict[str, Any]
) -> MilestoneTemplate:
    """Append a hito at the end of the service's milestones."""
    _check_unit_writable(actor, service.unit, service.organization_id)
    cleaned = _clean_milestone(data)
    with transaction.atomic():
        _lock_service(service)
        last = service.milestones.aggregate(last=Max("order"))["last"] or 0
        milestone = MilestoneTemplate.objects.create(
            organization_id=service.organization_id, service=service, order=last + 1, **cleaned
        )
        _milestone_event(
            actor,
            milestone,
            _("Milestone added to «%(service)s»: %(name)s")
            % {"service": service.name, "name": milestone.name},
            after={"order": milestone.order, **snapshot(milestone, MILESTONE_FIELDS)},
        )
    return milestone


def milestone_template_update(
    *,
    actor: User,
    milestone: MilestoneTemplate,
    expected_version: int,
    data: dict[str, Any],
) -> MilestoneTemplate:
    _check_unit_writable(actor, milestone.service.unit, milestone.organization_id)
    merged = {**{f: getattr(milestone, f) for f in MILESTONE_FIELDS}, **data}
    cleaned = _clean_milestone(merged)
    before = snapshot(milestone, MILESTONE_FIELDS)
    with transaction.atomic():
        versioned_update(milestone, expected_version=expected_version, fields=cleaned)
        b, a = changed_fields(before, snapshot(milestone, MILESTONE_FIELDS))
        _milestone_event(
            actor,
            milestone,
            _("Milestone of «%(service)s» updated: %(name)s")
            % {"service": milestone.service.name, "name": milestone.name},
            before=b,
            after=a,
        )
    return milestone


def milestone_template_delete(
    *, actor: User, milestone: MilestoneTemplate, expected_version: int | None = None
) -> None:
    """Remove a hito; the remaining ones are renumbered 1..n.

    Assistances already under way keep their own copies of the milestones, so deleting a
    template never rewrites what was delivered.
    """
    service = milestone.service
    _check_unit_writable(actor, service.unit, service.organization_id)
    with transaction.atomic():
        _lock_service(service)
        query = MilestoneTemplate.objects.filter(pk=milestone.pk)
        if expected_version is not None:
            query = query.filter(version=expected_version)
        deleted, _by_model = query.delete()
        if not deleted:
            raise StaleObjectError()
        _renumber(service, [m.pk for m in service.milestones.order_by("order", "pk")])
        _milestone_event(
            actor,
            milestone,
            _("Milestone removed from «%(service)s»: %(name)s")
            % {"service": service.name, "name": milestone.name},
            before=snapshot(milestone, MILESTONE_FIELDS),
        )


def _renumber(service: Service, ordered_ids: Sequence[int]) -> None:
    # The order is not part of a milestone's edit form, so moving a hito does not bump its
    # version (an editor of its text is not disturbed by a reorder).
    current = dict(service.milestones.values_list("pk", "order"))
    for position, pk in enumerate(ordered_ids, start=1):
        if current.get(pk) != position:
            MilestoneTemplate.objects.filter(pk=pk).update(order=position)


def milestone_template_reorder(
    *, actor: User, service: Service, ordered_ids: Sequence[int]
) -> list[MilestoneTemplate]:
    """Put the service's hitos in the given order (every milestone id exactly once)."""
    _check_unit_writable(actor, service.unit, service.organization_id)
    with transaction.atomic():
        _lock_service(service)
        existing = list(service.milestones.order_by("order", "pk").values_list("pk", flat=True))
        ids = [int(pk) for pk in ordered_ids]
        if sorted(ids) != sorted(existing) or len(set(ids)) != len(ids):
            raise ValidationError(
                {"ordered_ids": _("Give each milestone of the service exactly once.")}
            )
        if ids != existing:
            _renumber(service, ids)
            names = dict(service.milestones.values_list("pk", "name"))
            event_record(
                actor=actor,
                organization=service.organization,
                step_key="milestone_template.changed",
                obj=service,
                summary=_("Milestones of «%(service)s» reordered") % {"service": service.name},
                before={"order": [names[pk] for pk in existing]},
                after={"order": [names[pk] for pk in ids]},
            )
    return list(service.milestones.order_by("order", "pk"))


def milestone_template_move(
    *, actor: User, milestone: MilestoneTemplate, direction: Literal["up", "down"]
) -> list[MilestoneTemplate]:
    """Move a hito one place up or down (the UI's arrows); at either end nothing changes."""
    service = milestone.service
    ids = list(service.milestones.order_by("order", "pk").values_list("pk", flat=True))
    index = ids.index(milestone.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(ids):
        ids[index], ids[target] = ids[target], ids[index]
    return milestone_template_reorder(actor=actor, service=service, ordered_ids=ids)
