"""Loading DIVIPOLA (departments and municipalities) from the shipped CSV. Idempotent."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from acompana.geo.models import Department, Municipality

DIVIPOLA_CSV = Path(__file__).resolve().parent / "data" / "divipola.csv"
COLUMNS = [
    "department_code",
    "department_name",
    "municipality_code",
    "municipality_name",
    "kind",
    "latitude",
    "longitude",
]


@dataclass
class LoadResult:
    departments_created: int = 0
    departments_updated: int = 0
    municipalities_created: int = 0
    municipalities_updated: int = 0


def load_divipola(
    path: Path = DIVIPOLA_CSV,
    department_model: type[Department] = Department,
    municipality_model: type[Municipality] = Municipality,
) -> LoadResult:
    """Create or update every department and municipality of the file (never deletes).

    The model classes are parameters so the data migration can pass historical models.
    """
    Department = department_model  # noqa: N806
    Municipality = municipality_model  # noqa: N806
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise ValueError(
                f"El archivo DIVIPOLA debe tener las columnas {', '.join(COLUMNS)}; "
                f"tiene {', '.join(reader.fieldnames or [])}."
            )
        rows = list(reader)
    result = LoadResult()
    with transaction.atomic():
        departments = {d.code: d for d in Department.objects.all()}
        for row in rows:
            code, name = row["department_code"].zfill(2), row["department_name"].strip()
            dep = departments.get(code)
            if dep is None:
                departments[code] = Department.objects.create(code=code, name=name)
                result.departments_created += 1
            elif dep.name != name:
                dep.name = name
                dep.save(update_fields=["name"])
                result.departments_updated += 1
        existing = {m.code: m for m in Municipality.objects.all()}
        to_create, to_update = [], []
        for row in rows:
            code = row["municipality_code"].zfill(5)
            values: dict[str, Any] = {
                "name": row["municipality_name"].strip(),
                "department": departments[row["department_code"].zfill(2)],
                "kind": row["kind"].strip(),
                "latitude": Decimal(row["latitude"]) if row["latitude"] else None,
                "longitude": Decimal(row["longitude"]) if row["longitude"] else None,
            }
            current = existing.get(code)
            if current is None:
                to_create.append(Municipality(code=code, **values))
            elif (
                any(getattr(current, k) != v for k, v in values.items() if k != "department")
                or current.department_id != values["department"].pk
            ):
                for k, v in values.items():
                    setattr(current, k, v)
                to_update.append(current)
        Municipality.objects.bulk_create(to_create, batch_size=500)
        Municipality.objects.bulk_update(
            to_update, ["name", "department", "kind", "latitude", "longitude"], batch_size=500
        )
        result.municipalities_created = len(to_create)
        result.municipalities_updated = len(to_update)
    return result
