"""Rules of a valid stakeholder, shared by the services (one record) and the import (a file).

``clean_stakeholder`` turns raw input (strings and DANE codes, as typed in a form, sent to
the API or read from a file) into model field values, or raises ``ValidationError`` with
one message per field. DIVIPOLA look-ups go through a ``Geography`` (a few queries for one
record, everything preloaded for a file) and identifier clashes through ``IdentifierIndex``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from acompana.core.validators import only_digits, validate_nit
from acompana.geo.models import Department, Municipality
from acompana.registry.choices import (
    DEPARTMENT_CATEGORIES,
    HealthSubtype,
    MunicipalityCategory,
    StakeholderKind,
)
from acompana.registry.models import Stakeholder
from acompana.registry.validators import (
    normalize_nit,
    reps_code_municipality,
    school_code_municipality,
    validate_department_code_format,
    validate_municipality_code_format,
    validate_reps_code_format,
    validate_school_code_format,
)

#: Input keys of a stakeholder (services, API, import). Codes, not objects: every entry point
#: speaks DANE codes, and they are resolved here.
INPUT_FIELDS = (
    "kind",
    "health_subtype",
    "name",
    "nit",
    "dane_code",
    "school_code",
    "parent_school_code",
    "reps_code",
    "department_code",
    "municipality_code",
    "address",
    "phone",
    "email",
    "website",
    "category",
    "notes",
)

#: Model fields written from the cleaned input (and compared in the audit before/after).
MODEL_FIELDS = [
    "kind",
    "health_subtype",
    "name",
    "nit",
    "dane_code",
    "school_code",
    "parent",
    "reps_code",
    "department",
    "municipality",
    "address",
    "phone",
    "email",
    "website",
    "category",
    "notes",
]

SCHOOL_KINDS = (StakeholderKind.SCHOOL, StakeholderKind.SCHOOL_SITE)

_CATEGORY_WORDS = {
    "especial": "E",
    "e": "E",
    "primera": "1",
    "segunda": "2",
    "tercera": "3",
    "cuarta": "4",
    "quinta": "5",
    "sexta": "6",
}


class Geography:
    """DIVIPOLA look-ups by DANE code. ``preload=True`` reads everything once (imports)."""

    def __init__(self, *, preload: bool = False) -> None:
        self._departments: dict[str, Department | None] = {}
        self._municipalities: dict[str, Municipality | None] = {}
        self._complete = preload
        if preload:
            self._departments = {d.code: d for d in Department.objects.all()}
            self._municipalities = {
                m.code: m for m in Municipality.objects.select_related("department")
            }

    def department(self, code: str) -> Department | None:
        if code not in self._departments and not self._complete:
            self._departments[code] = Department.objects.filter(code=code).first()
        return self._departments.get(code)

    def municipality(self, code: str) -> Municipality | None:
        if code not in self._municipalities and not self._complete:
            self._municipalities[code] = (
                Municipality.objects.select_related("department").filter(code=code).first()
            )
        return self._municipalities.get(code)


@dataclass
class IdentifierIndex:
    """Which stakeholder holds each identifier: (key) → (pk, name).

    Keys are ``("nit", value)``, ``("dane_code", value)``, ``("school_code", kind, value)``
    and ``("reps_code", value)``. ``for_organization`` loads the index of one organization
    (four narrow queries) for imports; ``for_values`` asks only about the given record.
    """

    holders: dict[tuple[str, ...], tuple[int | None, str]] = field(default_factory=dict)

    @classmethod
    def for_organization(cls, organization_id: int) -> IdentifierIndex:
        index = cls()
        rows = Stakeholder.objects.filter(organization_id=organization_id).values_list(
            "pk", "name", "kind", "nit", "dane_code", "school_code", "reps_code"
        )
        for pk, name, kind, nit, dane_code, school_code, reps_code in rows.iterator(
            chunk_size=5000
        ):
            for key in identifier_keys(
                kind=kind,
                nit=nit,
                dane_code=dane_code,
                school_code=school_code,
                reps_code=reps_code,
            ):
                index.holders[key] = (pk, name)
        return index

    @classmethod
    def for_values(
        cls, organization_id: int, values: Mapping[str, Any], exclude_pk: int | None = None
    ) -> IdentifierIndex:
        from django.db.models import Q

        query = Q(pk__in=[])
        if values.get("nit"):
            query |= Q(nit=values["nit"])
        if values.get("dane_code"):
            query |= Q(dane_code=values["dane_code"])
        if values.get("school_code"):
            query |= Q(kind=values["kind"], school_code=values["school_code"])
        if values.get("reps_code"):
            query |= Q(reps_code=values["reps_code"])
        index = cls()
        rows = Stakeholder.objects.filter(query, organization_id=organization_id)
        if exclude_pk is not None:
            rows = rows.exclude(pk=exclude_pk)
        for pk, name, kind, nit, dane_code, school_code, reps_code in rows.values_list(
            "pk", "name", "kind", "nit", "dane_code", "school_code", "reps_code"
        ):
            for key in identifier_keys(
                kind=kind,
                nit=nit,
                dane_code=dane_code,
                school_code=school_code,
                reps_code=reps_code,
            ):
                index.holders[key] = (pk, name)
        return index

    def clashes(self, values: Mapping[str, Any], exclude_pk: int | None = None) -> dict[str, str]:
        """Field → message for every identifier of ``values`` already held by another record."""
        errors: dict[str, str] = {}
        for key in identifier_keys(**{k: values.get(k, "") for k in IDENTIFIER_ARGS}):
            holder = self.holders.get(key)
            if holder is None or (exclude_pk is not None and holder[0] == exclude_pk):
                continue
            errors[key[0]] = duplicate_message(key, holder[1])
        return errors

    def add(self, values: Mapping[str, Any], pk: int | None, name: str) -> None:
        for key in identifier_keys(**{k: values.get(k, "") for k in IDENTIFIER_ARGS}):
            self.holders[key] = (pk, name)


IDENTIFIER_ARGS = ("kind", "nit", "dane_code", "school_code", "reps_code")


def identifier_keys(
    *, kind: str, nit: str, dane_code: str, school_code: str, reps_code: str
) -> Iterable[tuple[str, ...]]:
    if nit:
        yield ("nit", nit)
    if dane_code:
        yield ("dane_code", dane_code)
    if school_code:
        yield ("school_code", kind, school_code)
    if reps_code:
        yield ("reps_code", reps_code)


def duplicate_message(key: tuple[str, ...], holder_name: str) -> str:
    field_name, value = key[0], key[-1]
    if field_name == "nit":
        return _("There is already the stakeholder «%(name)s» with the NIT %(value)s.") % {
            "name": holder_name,
            "value": value,
        }
    if field_name == "dane_code":
        return _("There is already the stakeholder «%(name)s» with the DANE code %(value)s.") % {
            "name": holder_name,
            "value": value,
        }
    if field_name == "school_code":
        return _(
            "There is already the stakeholder «%(name)s» of the same kind with the school DANE "
            "code %(value)s."
        ) % {"name": holder_name, "value": value}
    return _("There is already the stakeholder «%(name)s» with the REPS code %(value)s.") % {
        "name": holder_name,
        "value": value,
    }


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if value is None:
        return ""
    return str(value).strip()


def normalize_category(kind: str, raw: str) -> tuple[str, str | None]:
    """(stored value, error) for a category: Ley 617 for municipalities and departments."""
    if not raw:
        return "", None
    if kind not in (StakeholderKind.MUNICIPALITY, StakeholderKind.DEPARTMENT):
        return raw[:60], None
    key = raw.strip().lower().removeprefix("categoría").removeprefix("categoria").strip()
    value = _CATEGORY_WORDS.get(key, key.upper())
    if kind == StakeholderKind.MUNICIPALITY:
        if value not in MunicipalityCategory.values:
            return "", _(
                "The category of a municipality is E (especial) or 1 to 6 (Ley 617 de 2000)."
            )
    elif value not in DEPARTMENT_CATEGORIES:
        return "", _("The category of a department is E (especial) or 1 to 4 (Ley 617 de 2000).")
    return value, None


def clean_stakeholder(
    data: Mapping[str, Any],
    *,
    geography: Geography,
    parent_lookup: Any,
) -> dict[str, Any]:
    """Validate raw input and return model field values (see ``MODEL_FIELDS``).

    ``parent_lookup(school_code)`` returns the school a site belongs to (an object with
    ``kind``), or None. Raises ``ValidationError`` with a dict of field → messages.
    """
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(str(message))

    kind = _text(data, "kind")
    if kind not in StakeholderKind.values:
        error("kind", _("Choose a valid kind of stakeholder."))
    name = " ".join(_text(data, "name").split())
    if not name:
        error("name", _("The name is required."))
    elif len(name) > 250:
        error("name", _("The name is too long (250 characters at most)."))

    nit = normalize_nit(_text(data, "nit"))
    if nit:
        try:
            validate_nit(nit)
        except ValidationError as exc:
            error("nit", " ".join(exc.messages))

    health_subtype = _text(data, "health_subtype").lower()
    if kind == StakeholderKind.HEALTH_ACTOR:
        if health_subtype not in HealthSubtype.values:
            error("health_subtype", _("Say whether the health actor is an IPS, an ESE or an EPS."))
    elif health_subtype:
        error("health_subtype", _("Only health actors have an IPS/ESE/EPS type."))

    department: Department | None = None
    municipality: Municipality | None = None
    department_code = only_digits(_text(data, "department_code"))
    municipality_code = only_digits(_text(data, "municipality_code"))
    if department_code:
        try:
            validate_department_code_format(department_code)
        except ValidationError as exc:
            error("department_code", " ".join(exc.messages))
        else:
            department = geography.department(department_code)
            if department is None:
                error(
                    "department_code",
                    _("There is no department with DANE code %(code)s in DIVIPOLA.")
                    % {"code": department_code},
                )
    if municipality_code:
        try:
            validate_municipality_code_format(municipality_code)
        except ValidationError as exc:
            error("municipality_code", " ".join(exc.messages))
        else:
            municipality = geography.municipality(municipality_code)
            if municipality is None:
                error(
                    "municipality_code",
                    _("There is no municipality with DANE code %(code)s in DIVIPOLA.")
                    % {"code": municipality_code},
                )

    dane_code = only_digits(_text(data, "dane_code"))
    if kind == StakeholderKind.MUNICIPALITY:
        if not dane_code:
            error("dane_code", _("Write the DANE code of the municipality (5 digits)."))
        else:
            try:
                validate_municipality_code_format(dane_code)
            except ValidationError as exc:
                error("dane_code", " ".join(exc.messages))
            else:
                own = geography.municipality(dane_code)
                if own is None:
                    error(
                        "dane_code",
                        _("There is no municipality with DANE code %(code)s in DIVIPOLA.")
                        % {"code": dane_code},
                    )
                elif municipality is not None and municipality.pk != own.pk:
                    error(
                        "municipality_code",
                        _("An alcaldía is located in its own municipality (%(name)s).")
                        % {"name": own},
                    )
                else:
                    municipality = own
    elif kind == StakeholderKind.DEPARTMENT:
        if not dane_code:
            error("dane_code", _("Write the DANE code of the department (2 digits)."))
        else:
            try:
                validate_department_code_format(dane_code)
            except ValidationError as exc:
                error("dane_code", " ".join(exc.messages))
            else:
                own_department = geography.department(dane_code)
                if own_department is None:
                    error(
                        "dane_code",
                        _("There is no department with DANE code %(code)s in DIVIPOLA.")
                        % {"code": dane_code},
                    )
                elif department is not None and department.pk != own_department.pk:
                    error(
                        "department_code",
                        _("A gobernación is located in its own department (%(name)s).")
                        % {"name": own_department},
                    )
                else:
                    department = own_department
    elif dane_code:
        error(
            "dane_code",
            _("Only municipalities and departments have a territorial DANE code."),
        )

    school_code = only_digits(_text(data, "school_code"))
    if kind in SCHOOL_KINDS:
        if not school_code:
            error("school_code", _("Write the DANE code of the school (12 digits)."))
        else:
            try:
                validate_school_code_format(school_code)
            except ValidationError as exc:
                error("school_code", " ".join(exc.messages))
            else:
                embedded = geography.municipality(school_code_municipality(school_code))
                if embedded is None:
                    error(
                        "school_code",
                        _(
                            "Digits 2 to 6 of a school DANE code are its municipality; "
                            "%(code)s is not a DIVIPOLA municipality."
                        )
                        % {"code": school_code_municipality(school_code)},
                    )
                elif municipality is not None and municipality.pk != embedded.pk:
                    error(
                        "municipality_code",
                        _("The school DANE code places it in %(name)s.") % {"name": embedded},
                    )
                else:
                    municipality = embedded
    elif school_code:
        error("school_code", _("Only schools and school sites have a school DANE code."))

    parent = None
    parent_code = only_digits(_text(data, "parent_school_code"))
    if kind == StakeholderKind.SCHOOL_SITE:
        if not parent_code:
            error(
                "parent_school_code",
                _("Write the DANE code of the school this site belongs to."),
            )
        else:
            parent = parent_lookup(parent_code)
            if parent is None:
                error(
                    "parent_school_code",
                    _("There is no school with DANE code %(code)s in the registry.")
                    % {"code": parent_code},
                )
    elif parent_code:
        error("parent_school_code", _("Only school sites belong to a school."))

    reps_code = only_digits(_text(data, "reps_code"))
    if reps_code:
        if kind != StakeholderKind.HEALTH_ACTOR:
            error("reps_code", _("Only health actors have a REPS code."))
        else:
            try:
                validate_reps_code_format(reps_code)
            except ValidationError as exc:
                error("reps_code", " ".join(exc.messages))
            else:
                if geography.municipality(reps_code_municipality(reps_code)) is None:
                    error(
                        "reps_code",
                        _(
                            "The first 5 digits of a REPS code are a municipality; "
                            "%(code)s is not a DIVIPOLA municipality."
                        )
                        % {"code": reps_code_municipality(reps_code)},
                    )

    if municipality is not None:
        if department is not None and department.pk != municipality.department_id:
            error(
                "municipality_code",
                _("%(municipality)s is not in the department %(department)s.")
                % {"municipality": municipality, "department": department},
            )
        department = municipality.department

    category, category_error = normalize_category(kind, _text(data, "category"))
    if category_error:
        error("category", category_error)

    email = _text(data, "email").lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            error("email", _("Write a valid e-mail address."))
    website = _text(data, "website")
    if website:
        if not re.match(r"^https?://", website, re.IGNORECASE):
            website = f"https://{website}"
        try:
            URLValidator(schemes=["http", "https"])(website)
        except ValidationError:
            error("website", _("Write a valid web address, e.g. https://www.garzon-huila.gov.co."))

    for key, limit in (("address", 250), ("phone", 60)):
        if len(_text(data, key)) > limit:
            error(key, _("Too long (%(limit)s characters at most).") % {"limit": limit})

    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "health_subtype": health_subtype if kind == StakeholderKind.HEALTH_ACTOR else "",
        "name": name,
        "nit": nit,
        "dane_code": dane_code,
        "school_code": school_code,
        "parent": parent,
        "reps_code": reps_code,
        "department": department,
        "municipality": municipality,
        "address": _text(data, "address"),
        "phone": _text(data, "phone"),
        "email": email,
        "website": website,
        "category": category,
        "notes": _text(data, "notes"),
    }


def input_from_stakeholder(stakeholder: Stakeholder) -> dict[str, Any]:
    """The raw input that reproduces ``stakeholder`` (initial form data, partial updates)."""
    return {
        "kind": stakeholder.kind,
        "health_subtype": stakeholder.health_subtype,
        "name": stakeholder.name,
        "nit": stakeholder.nit,
        "dane_code": stakeholder.dane_code,
        "school_code": stakeholder.school_code,
        "parent_school_code": stakeholder.parent.school_code if stakeholder.parent else "",
        "reps_code": stakeholder.reps_code,
        "department_code": stakeholder.department.code if stakeholder.department else "",
        "municipality_code": stakeholder.municipality.code if stakeholder.municipality else "",
        "address": stakeholder.address,
        "phone": stakeholder.phone,
        "email": stakeholder.email,
        "website": stakeholder.website,
        "category": stakeholder.category,
        "notes": stakeholder.notes,
    }
