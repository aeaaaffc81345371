"""Scoped reads of the registry: every list and fetch goes through ``for_user`` here.

Sensitive attributes of people are read only through ``sensitive_data``/``people_for_user``
(annotated with ``has_sensitive_consent``): they are shown, exported and counted only for
roles with ``registry.view_personal_data`` and only while a consent covers them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404

from acompana.core.filters import bind
from acompana.core.permissions import has_perm
from acompana.core.scoping import Action
from acompana.registry.choices import (
    SENSITIVE_FIELDS,
    AgeGroup,
    ConsentPurpose,
    Disability,
    Ethnicity,
    Gender,
    StakeholderKind,
    YesNo,
)
from acompana.registry.filters import PersonFilterForm, StakeholderFilterForm
from acompana.registry.models import Consent, Person, Stakeholder

PERSONAL_DATA_PERM = "registry.view_personal_data"

SENSITIVE_LABELS: dict[str, dict[str, Any]] = {
    "age_group": {str(k): v for k, v in AgeGroup.choices},
    "gender": {str(k): v for k, v in Gender.choices},
    "ethnicity": {str(k): v for k, v in Ethnicity.choices},
    "disability": {str(k): v for k, v in Disability.choices},
    "conflict_victim": {str(k): v for k, v in YesNo.choices},
}


# --- stakeholders ----------------------------------------------------------------------------


def stakeholders_for_user(*, user: Any, action: Action = "view") -> QuerySet[Stakeholder]:
    return Stakeholder.objects.for_user(user, action).select_related(  # type: ignore[no-any-return]
        "department", "municipality", "municipality__department", "parent"
    )


def stakeholder_list(*, user: Any, params: Mapping[str, Any]) -> QuerySet[Stakeholder]:
    """The user's stakeholders narrowed by the list filter (``ValidationError`` if invalid)."""
    form = bind(StakeholderFilterForm, params)
    return form.apply(stakeholders_for_user(user=user)).order_by("name", "id")  # type: ignore[no-any-return]


def stakeholder_get(*, user: Any, pk: int, action: Action = "view") -> Stakeholder:
    stakeholder = stakeholders_for_user(user=user, action=action).filter(pk=pk).first()
    if stakeholder is None:
        raise Http404
    return stakeholder


def schools_for_user(*, user: Any) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.for_user(user).filter(kind=StakeholderKind.SCHOOL)  # type: ignore[no-any-return]


def stakeholder_choices(*, user: Any) -> QuerySet[Stakeholder]:
    """Active stakeholders for pick lists (only the columns a select needs)."""
    return (  # type: ignore[no-any-return]
        Stakeholder.objects.for_user(user)
        .filter(is_active=True)
        .only("id", "name", "organization_id")
        .order_by("name", "id")
    )


def stakeholder_sites(*, stakeholder: Stakeholder) -> QuerySet[Stakeholder]:
    return stakeholder.sites.select_related("municipality").order_by("name")


def stakeholder_people(*, stakeholder: Stakeholder) -> QuerySet[Person]:
    return stakeholder.people.order_by("last_name", "first_name", "id")


# --- people ----------------------------------------------------------------------------------


def _sensitive_consent_exists() -> Exists:
    return Exists(
        Consent.objects.filter(
            person=OuterRef("pk"),
            revoked_at__isnull=True,
            purposes__contains=[ConsentPurpose.SENSITIVE_DATA.value],
        )
    )


def people_for_user(*, user: Any, action: Action = "view") -> QuerySet[Person]:
    """People of the organization, each with ``has_sensitive_consent`` (one query)."""
    return (  # type: ignore[no-any-return]
        Person.objects.for_user(user, action)
        .select_related("stakeholder")
        .annotate(has_sensitive_consent=_sensitive_consent_exists())
    )


def person_list(*, user: Any, params: Mapping[str, Any]) -> QuerySet[Person]:
    form = bind(PersonFilterForm, params)
    return form.apply(people_for_user(user=user)).order_by("last_name", "first_name", "id")  # type: ignore[no-any-return]


def person_get(*, user: Any, pk: int, action: Action = "view") -> Person:
    person = people_for_user(user=user, action=action).filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def consents_for_person(*, person: Person) -> QuerySet[Consent]:
    return person.consents.select_related("collected_by", "revoked_by").order_by(
        "-granted_at", "-id"
    )


def consent_get(*, user: Any, pk: int) -> Consent:
    consent = (
        Consent.objects.for_user(user)
        .select_related("person", "person__organization", "collected_by")
        .filter(pk=pk)
        .first()
    )
    if consent is None:
        raise Http404
    return consent  # type: ignore[no-any-return]


def can_view_sensitive(user: Any) -> bool:
    return has_perm(user, PERSONAL_DATA_PERM)


def person_has_sensitive_consent(person: Person) -> bool:
    annotated = getattr(person, "has_sensitive_consent", None)
    if annotated is not None:
        return bool(annotated)
    return Consent.objects.filter(
        person=person,
        revoked_at__isnull=True,
        purposes__contains=[ConsentPurpose.SENSITIVE_DATA.value],
    ).exists()


def sensitive_data(*, user: Any, person: Person) -> dict[str, str] | None:
    """The person's sensitive values (codes), or None when the user or the consent forbid.

    None means "do not show, export or count": the role lacks the personal-data permission,
    or no valid consent covers sensitive data (never given, or revoked).
    """
    if not can_view_sensitive(user) or not person_has_sensitive_consent(person):
        return None
    return {name: getattr(person, name) for name in SENSITIVE_FIELDS}


def sensitive_labels(values: Mapping[str, str]) -> dict[str, str]:
    return {k: str(SENSITIVE_LABELS[k].get(v, "")) if v else "" for k, v in values.items()}


@dataclass
class Breakdown:
    field: str
    rows: list[tuple[str, int]]


def differential_statistics(*, user: Any) -> list[Breakdown]:
    """Aggregate counts per sensitive attribute, over people with a valid consent only.

    Revoked or never-given consent removes a person from these statistics. Empty for roles
    without the personal-data permission. One query per attribute, no per-person rows.
    """
    if not can_view_sensitive(user):
        return []
    base = Person.objects.for_user(user).filter(_sensitive_consent_exists())
    result = []
    for name in SENSITIVE_FIELDS:
        labels = SENSITIVE_LABELS[name]
        counts = base.exclude(**{name: ""}).values(name).annotate(n=Count("id")).order_by(name)
        result.append(
            Breakdown(
                field=name,
                rows=[(str(labels.get(row[name], row[name])), row["n"]) for row in counts],
            )
        )
    return result
