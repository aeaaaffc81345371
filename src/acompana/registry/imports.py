"""Reading a CSV or Excel (.xlsx) file of stakeholders into a row-by-row preview.

The preview says, for every row, the values it will import or the reasons it cannot:
wrong or missing columns, undecodable text, bad NIT/DANE/REPS codes, unknown municipality,
duplicates inside the file, empty file, too many rows. A file with any bad row imports
nothing (``services.stakeholders_import``).

A row whose identifiers (NIT, DANE code, school DANE code, REPS code) all name one
stakeholder of the registry of the same kind updates it (``PreviewRow.action`` "update",
the preview says «actualizar»): its non-empty cells replace the stored values, empty cells
keep them. Identifiers naming several stakeholders, or one of another kind, are refused.

Columns are matched by their header without accents, case or punctuation, so "Código DANE
establecimiento" and "codigo_dane_establecimiento" are the same column; the common variants
(``core.tabular.HEADER_VARIANTS``: codigo_dane, NIT + DV in two columns, ...) and the
organization's remembered mapping (``MAPPING_KIND``) are recognised too. Cells of code
columns typed as numbers in Excel (which drops leading zeros) are padded back.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from acompana.core.models import Organization
from acompana.core.tabular import (
    MAX_BYTES,
    MAX_ROWS,
    Column,
    ImportPreview,
    PreviewRow,
    RawRow,
    header_key,
    read_rows,
)
from acompana.core.validators import nit_with_check_digit, normalize_search, only_digits
from acompana.registry.choices import HealthSubtype, StakeholderKind
from acompana.registry.models import Stakeholder
from acompana.registry.validation import (
    Geography,
    IdentifierIndex,
    clean_stakeholder,
    identifier_keys,
    input_from_stakeholder,
)
from acompana.registry.validators import normalize_nit

#: the import's name for its remembered column mapping (``core.imports.ImportFlow``)
MAPPING_KIND = "registry.stakeholders"

COLUMNS = [
    Column(
        "kind",
        "Tipo",
        required=True,
        help=gettext_lazy(
            "alcaldia, gobernacion, entidad_nacional, entidad_territorial, establecimiento, "
            "sede, ips, ese, eps, organizacion_social, otro"
        ),
        example="alcaldia",
    ),
    Column("name", "Nombre", required=True, example="Alcaldía de Garzón"),
    Column("nit", "NIT", help=gettext_lazy("With check digit, e.g. 800197268-4")),
    Column(
        "dane_code",
        "Código DANE entidad territorial",
        pad=None,
        help=gettext_lazy("Alcaldía: municipality (5 digits). Gobernación: department (2)."),
        example="41298",
    ),
    Column(
        "school_code",
        "Código DANE establecimiento",
        pad=12,
        help=gettext_lazy("12 digits, schools and school sites"),
    ),
    Column(
        "parent_school_code",
        "Establecimiento de la sede",
        pad=12,
        help=gettext_lazy("School sites: DANE code of their school (in the registry or the file)"),
    ),
    Column(
        "reps_code",
        "Código REPS",
        help=gettext_lazy("Health actors: código de habilitación, 10 to 12 digits"),
    ),
    Column(
        "department_code",
        "Departamento",
        pad=2,
        help=gettext_lazy("DANE code, 2 digits (optional when the municipality is given)"),
        example="41",
    ),
    Column(
        "municipality_code",
        "Municipio",
        pad=5,
        help=gettext_lazy("DANE code, 5 digits"),
        example="41298",
    ),
    Column("address", "Dirección", example="Carrera 3 # 4-51"),
    Column("phone", "Teléfono", example="608 833 2000"),
    Column("email", "Correo electrónico", example="contactenos@garzon-huila.gov.co"),
    Column("website", "Sitio web", example="https://www.garzon-huila.gov.co"),
    Column(
        "category",
        "Categoría",
        help=gettext_lazy("Municipalities: E, 1 to 6; departments: E, 1 to 4 (Ley 617)"),
        example="6",
    ),
    Column("notes", "Notas"),
]

#: informational columns of the export, accepted and ignored so an export can be re-imported
IGNORED_HEADERS = {
    "active",
    "activo",
    "department_name",
    "nombre_del_departamento",
    "municipality_name",
    "nombre_del_municipio",
    "health_actor_type",
    "tipo_de_grupo_de_valor_descripcion",
}

_KIND_WORDS = {
    "entidad_publica_nacional": (StakeholderKind.NATIONAL_ENTITY, ""),
    "entidad_nacional": (StakeholderKind.NATIONAL_ENTITY, ""),
    "nacional": (StakeholderKind.NATIONAL_ENTITY, ""),
    "entidad_publica_territorial": (StakeholderKind.TERRITORIAL_ENTITY, ""),
    "entidad_territorial": (StakeholderKind.TERRITORIAL_ENTITY, ""),
    "territorial": (StakeholderKind.TERRITORIAL_ENTITY, ""),
    "alcaldia": (StakeholderKind.MUNICIPALITY, ""),
    "municipio": (StakeholderKind.MUNICIPALITY, ""),
    "gobernacion": (StakeholderKind.DEPARTMENT, ""),
    "departamento": (StakeholderKind.DEPARTMENT, ""),
    "establecimiento": (StakeholderKind.SCHOOL, ""),
    "establecimiento_educativo": (StakeholderKind.SCHOOL, ""),
    "institucion_educativa": (StakeholderKind.SCHOOL, ""),
    "colegio": (StakeholderKind.SCHOOL, ""),
    "sede": (StakeholderKind.SCHOOL_SITE, ""),
    "sede_educativa": (StakeholderKind.SCHOOL_SITE, ""),
    "actor_de_salud": (StakeholderKind.HEALTH_ACTOR, ""),
    "actor_salud": (StakeholderKind.HEALTH_ACTOR, ""),
    "ips": (StakeholderKind.HEALTH_ACTOR, HealthSubtype.IPS),
    "ese": (StakeholderKind.HEALTH_ACTOR, HealthSubtype.ESE),
    "eps": (StakeholderKind.HEALTH_ACTOR, HealthSubtype.EPS),
    "organizacion_social": (StakeholderKind.SOCIAL_ORGANIZATION, ""),
    "otro": (StakeholderKind.OTHER, ""),
    "otra": (StakeholderKind.OTHER, ""),
}


def kind_from_text(text: str) -> tuple[str, str] | None:
    key = header_key(text)
    if key in StakeholderKind.values:
        return key, ""
    for value, label in StakeholderKind.choices:
        if header_key(str(label)) == key:
            return value, ""
    return _KIND_WORDS.get(key)


# --- validating ------------------------------------------------------------------------------


def _padded(column: Column, value: str) -> str:
    if column.pad and value.isdigit() and len(value) < column.pad:
        return value.zfill(column.pad)
    if column.key == "reps_code" and value.isdigit() and len(value) in (9, 11):
        return value.zfill(len(value) + 1)  # Excel dropped the leading zero (Antioquia: 05…)
    if column.key == "dane_code" and value.isdigit() and len(value) in (1, 4):
        return value.zfill(len(value) + 1)
    return value


def parse_stakeholder_file(
    *,
    organization: Organization,
    content: bytes,
    filename: str,
    progress: Callable[[int], None] | None = None,
) -> ImportPreview:
    """Read and validate a whole file. Never writes; see ``ImportPreview``."""
    raw_rows, file_errors = read_rows(
        content,
        filename,
        columns=COLUMNS,
        ignored=IGNORED_HEADERS,
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
        organization_id=organization.pk,
        mapping_kind=MAPPING_KIND,
    )
    preview = ImportPreview(filename=filename, columns=COLUMNS, file_errors=file_errors)
    if file_errors:
        return preview
    for row in raw_rows:
        row.cells.update(
            (c.key, _padded(c, row.cells[c.key])) for c in COLUMNS if c.key in row.cells
        )
    if progress:
        progress(10)
    _validate_rows(preview, organization, raw_rows, progress)
    return preview


def _validate_rows(
    preview: ImportPreview,
    organization: Organization,
    raw_rows: list[RawRow],
    progress: Callable[[int], None] | None,
) -> None:
    geography = Geography(preload=True)
    existing = IdentifierIndex.for_organization(organization.pk)
    labels = {c.key: str(c.header) for c in COLUMNS}
    file_schools: set[str] = set()
    parent_codes: set[str] = set()
    for _row_number, raw, _row_problems in raw_rows:
        kind = kind_from_text(raw.get("kind", ""))
        if kind and kind[0] == StakeholderKind.SCHOOL and raw.get("school_code"):
            file_schools.add(raw["school_code"])
        if raw.get("parent_school_code"):
            parent_codes.add(raw["parent_school_code"])
    registry_schools = {
        school.school_code: school
        for school in Stakeholder.objects.filter(
            organization=organization,
            kind=StakeholderKind.SCHOOL,
            school_code__in=sorted(parent_codes),
        )
    }

    def parent_lookup(code: str) -> Stakeholder | str | None:
        if code in registry_schools:
            return registry_schools[code]
        if code in file_schools:
            return code  # a school of the same file: linked when importing
        return None

    matches = _matches(existing, raw_rows)
    current = {
        s.pk: s
        for s in Stakeholder.objects.filter(
            organization=organization,
            pk__in=[pk for pk in set(matches.values()) if pk is not None],
        ).select_related("parent", "department", "municipality")
    }
    in_file = IdentifierIndex()
    total = len(raw_rows)
    for position, (number, raw, problems) in enumerate(raw_rows, start=1):
        row = PreviewRow(number=number, raw=raw, errors=list(problems))
        data = dict(raw)
        kind = kind_from_text(raw.get("kind", ""))
        target_pk = matches.get(number)
        if target_pk is not None and kind is not None and current[target_pk].kind == kind[0]:
            # an update: the cells given replace the stored values, empty cells keep them
            stored = input_from_stakeholder(current[target_pk])
            data = {**stored, **{key: value for key, value in raw.items() if value}}
            row.action = "update"
        else:
            target_pk = None
            row.action = "create"
        if kind is None:
            row.errors.append(
                _("%(column)s: «%(value)s» is not a known kind of stakeholder.")
                % {"column": labels["kind"], "value": raw.get("kind", "")}
            )
            data["kind"] = ""
        else:
            data["kind"] = kind[0]
            if kind[1] and not data.get("health_subtype"):
                data["health_subtype"] = kind[1]
        parent_code = raw.get("parent_school_code", "")
        try:
            values = clean_stakeholder(data, geography=geography, parent_lookup=parent_lookup)
        except ValidationError as exc:
            if data["kind"]:
                for field_key, messages in exc.message_dict.items():
                    label = labels.get(field_key, field_key)
                    row.errors.extend(f"{label}: {message}" for message in messages)
        else:
            if parent_code and values["parent"] is None and not row.errors:
                row.errors.append(_("The school of the site was not found."))
            clashes = existing.clashes(values, exclude_pk=target_pk)
            for field_name, message in clashes.items():
                row.errors.append(f"{labels.get(field_name, field_name)}: {message}")
            for key in identifier_keys(
                kind=values["kind"],
                nit=values["nit"],
                dane_code=values["dane_code"],
                school_code=values["school_code"],
                reps_code=values["reps_code"],
            ):
                earlier = in_file.holders.get(key)
                if earlier is not None:
                    row.errors.append(
                        _("%(column)s: %(value)s is repeated; it already appears in row %(row)s.")
                        % {
                            "column": labels.get(key[0], key[0]),
                            "value": key[-1],
                            "row": earlier[0],
                        }
                    )
            in_file.add(values, number, values["name"])
            values["search_name"] = normalize_search(values["name"])
            values["pk"] = target_pk
            row.values = values
        if row.errors:
            row.values = None
        preview.rows.append(row)
        if progress and position % 500 == 0:
            progress(10 + int(70 * position / total))
    if progress:
        progress(80)


def _matches(existing: IdentifierIndex, raw_rows: list[RawRow]) -> dict[int, int | None]:
    """Row number → the one stakeholder of the registry its identifiers name (None when
    they name several: the row is then refused by the clash check). Rows naming none are
    absent."""
    result: dict[int, int | None] = {}
    for number, raw, _problems in raw_rows:
        kind = kind_from_text(raw.get("kind", ""))
        holders = {
            existing.holders[key][0]
            for key in identifier_keys(
                kind=kind[0] if kind else "",
                nit=normalize_nit(raw.get("nit", "")),
                dane_code=only_digits(raw.get("dane_code", "")),
                school_code=only_digits(raw.get("school_code", "")),
                reps_code=only_digits(raw.get("reps_code", "")),
            )
            if key in existing.holders
        }
        if holders:
            result[number] = holders.pop() if len(holders) == 1 else None
    return result


# --- template --------------------------------------------------------------------------------


def template_rows() -> tuple[list[str], list[list[str]]]:
    """Header and example rows of the downloadable template (Spanish headers)."""
    header = [c.header for c in COLUMNS]
    examples = [
        [c.example for c in COLUMNS],
        [
            "ese",
            "E.S.E. Hospital Departamental San Vicente de Paúl",
            nit_with_check_digit("800123456"),
            "",
            "",
            "",
            "4129800123",
            "41",
            "41298",
            "Calle 7 # 14-69",
            "608 833 2424",
            "",
            "",
            "",
            "",
        ],
    ]
    return header, examples
