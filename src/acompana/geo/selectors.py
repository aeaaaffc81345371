"""Reads of DIVIPOLA (reference data, the same for every organization: no scoping)."""

from __future__ import annotations

from django.db.models import QuerySet

from acompana.geo.models import Department, Municipality


def departments() -> QuerySet[Department]:
    return Department.objects.order_by("name")


def municipalities(*, department_code: str | None) -> QuerySet[Municipality]:
    """A department's municipalities by name, or every municipality by department and name."""
    queryset = Municipality.objects.select_related("department")
    if department_code:
        return queryset.filter(department__code=department_code).order_by("name")
    return queryset.order_by("department__name", "name")


def department_code_of(municipality_code: str) -> str:
    """The department of a municipality's DANE code ("" when the code is unknown)."""
    code = (
        Municipality.objects.filter(code=municipality_code)
        .values_list("department__code", flat=True)
        .first()
    )
    return code or ""


def municipality_in_department(municipality_code: str, department_code: str) -> bool:
    return Municipality.objects.filter(
        code=municipality_code, department__code=department_code
    ).exists()
