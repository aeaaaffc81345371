"""Reading a CSV or Excel (.xlsx) file of indicator values into a row-by-row preview (FP-1).

Columns (Spanish headers of the template, matched without accents, case or punctuation like
the registry import): «Código del indicador», «Identificador del grupo de valor» (its NIT,
DANE code of the territorial entity, DANE code of the school, or REPS code, as in the
registry), «Año», «Valor» (decimal comma or dot). The export's informational columns are
accepted and ignored, so an export can be corrected and imported again.

Reading (encodings, delimiters, XLSX, header matching) is the shared one of ``core.tabular``,
with the registry's size limits; this module only knows the columns and the rules of a value.
A file with any bad row imports nothing (``services.indicator_values_import``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
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
    read_rows,
)
from acompana.core.validators import nit_check_digit
from acompana.planning.choices import IndicatorScale
from acompana.planning.models import Indicator, IndicatorValue
from acompana.registry.choices import StakeholderKind
from acompana.registry.models import Stakeholder

__all__ = [
    "COLUMNS",
    "MAX_BYTES",
    "MAX_ROWS",
    "StakeholderIndex",
    "parse_decimal",
    "parse_indicator_values_file",
]

COLUMNS = [
    Column(
        "indicator",
        "Código del indicador",
        required=True,
        help=gettext_lazy("Code of an active indicator of the organization, e.g. FURAG-IDI"),
    ),
    Column(
        "stakeholder",
        "Identificador del grupo de valor",
        required=True,
        help=gettext_lazy(
            "NIT (with or without check digit), DANE code of the territorial entity, DANE "
            "code of the school or REPS code, as registered in the registry"
        ),
    ),
    Column("year", "Año", required=True, help=gettext_lazy("Year the value measures, e.g. 2025")),
    Column(
        "value",
        "Valor",
        required=True,
        help=gettext_lazy("A number; decimals with comma or dot, e.g. 67,4"),
    ),
]

#: informational columns of the export, accepted and ignored on import
IGNORED_HEADERS = {
    "nombre_del_indicador",
    "nombre_del_grupo_de_valor",
    "tipo_de_grupo_de_valor",
    "departamento",
    "municipio",
    "unidad_de_medida",
}

NAME_HEADER = "Nombre del grupo de valor"

#: English input keys accepted as headers too (API clients, scripts)
_ALIASES = {
    "indicator_code": "indicator",
    "codigo_indicador": "indicator",
    "indicador": "indicator",
    "stakeholder_identifier": "stakeholder",
    "identificador": "stakeholder",
    "grupo_de_valor": "stakeholder",
    "ano": "year",
    "anio": "year",
    "vigencia": "year",
}

MIN_YEAR = 1990
#: the value column of the model: 14 digits, 4 of them decimals
MAX_ABS_VALUE = Decimal("9999999999.9999")
FOUR_PLACES = Decimal("0.0001")


# --- values ----------------------------------------------------------------------------------

_THOUSANDS = re.compile(r"^\d{1,3}([.,]\d{3})+$")


def parse_decimal(text: str) -> Decimal:
    """``"67,4"``, ``"67.4"``, ``"1.234,5"``, ``"1,234.5"``, ``"-3"``, ``"12 %"`` → Decimal.

    The last of comma and dot is the decimal separator when both appear; a single kind
    repeated in groups of three digits is a thousands separator. Raises ``ValueError`` with
    a Spanish message.
    """
    value = (text or "").strip().replace("\u00a0", "").replace(" ", "")
    if value.endswith("%"):
        value = value[:-1]
    if not value:
        raise ValueError(_("The value is empty."))
    sign = ""
    if value[0] in "+-":
        sign, value = ("-" if value[0] == "-" else ""), value[1:]
    has_comma, has_dot = "," in value, "." in value
    if has_comma and has_dot:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        integer, _sep, fraction = value.rpartition(decimal_mark)
        if not _THOUSANDS.match(integer) and not integer.isdigit():
            raise ValueError(_("«%(value)s» is not a number.") % {"value": text.strip()})
        value = integer.replace(thousands, "") + "." + fraction
    elif has_comma or has_dot:
        mark = "," if has_comma else "."
        if value.count(mark) > 1:
            if not _THOUSANDS.match(value):
                raise ValueError(_("«%(value)s» is not a number.") % {"value": text.strip()})
            value = value.replace(mark, "")
        else:
            value = value.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?|\.\d+", value):
        raise ValueError(_("«%(value)s» is not a number.") % {"value": text.strip()})
    try:
        number = Decimal(sign + value)
    except InvalidOperation:
        raise ValueError(_("«%(value)s» is not a number.") % {"value": text.strip()})
    number = number.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)
    if abs(number) > MAX_ABS_VALUE:
        raise ValueError(_("The value is too large (at most 10 digits before the decimals)."))
    return number


def parse_year(text: str) -> int:
    value = (text or "").strip()
    if value.endswith(".0"):
        value = value[:-2]
    latest = timezone.localdate().year + 1
    if not value.isdigit() or not MIN_YEAR <= int(value) <= latest:
        raise ValueError(
            _("«%(value)s» is not a valid year (from %(first)s to %(last)s).")
            % {"value": (text or "").strip(), "first": MIN_YEAR, "last": latest}
        )
    return int(value)


# --- stakeholders ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Holder:
    pk: int
    name: str
    kind: str
    is_active: bool
    school_code: str


@dataclass
class StakeholderIndex:
    """Which stakeholders of the organization hold each identifier (one query).

    A cell may hold a NIT with or without its check digit (dots and spaces ignored), a DANE
    code of a territorial entity, a school's DANE code or a REPS code. Codes that Excel
    stored as numbers lose their leading zero; the padded form is tried too.
    """

    holders: dict[str, list[_Holder]] = field(default_factory=dict)

    @classmethod
    def for_organization(cls, organization_id: int) -> StakeholderIndex:
        index = cls()
        rows = Stakeholder.objects.filter(organization_id=organization_id).values_list(
            "pk", "name", "kind", "is_active", "nit", "dane_code", "school_code", "reps_code"
        )
        for pk, name, kind, is_active, nit, dane_code, school_code, reps_code in rows.iterator(
            chunk_size=5000
        ):
            holder = _Holder(pk, name, kind, is_active, school_code)
            keys = {dane_code, school_code, reps_code}
            if nit:
                keys |= {nit, nit.split("-")[0]}
            for key in keys:
                if key:
                    index.holders.setdefault(key, []).append(holder)
        return index

    def find(self, text: str) -> list[_Holder]:
        value = re.sub(r"[\s.]", "", text or "")
        candidates = [value]
        if value.isdigit() and len(value) in (1, 4, 9, 11):
            candidates.append("0" + value)  # Excel dropped a leading zero
        if value.isdigit() and len(value) >= 7:
            body, check = value[:-1], int(value[-1])
            if nit_check_digit(body) == check:  # a NIT written without its hyphen
                candidates.append(f"{body}-{check}")
        found: dict[int, _Holder] = {}
        for candidate in candidates:
            for holder in self.holders.get(candidate, []):
                found[holder.pk] = holder
        holders = list(found.values())
        if len(holders) > 1:
            # a school and its principal site share the DANE code: the code names the school
            schools = [h for h in holders if h.kind == StakeholderKind.SCHOOL]
            if len(schools) == 1 and all(
                h.kind == StakeholderKind.SCHOOL_SITE and h.school_code == schools[0].school_code
                for h in holders
                if h is not schools[0]
            ):
                return schools
        return holders


# --- parsing ---------------------------------------------------------------------------------


@dataclass
class ValuesPreview(ImportPreview):
    """The registry's preview, plus what confirming would do."""

    new_count: int = 0
    update_count: int = 0
    unchanged_count: int = 0


def parse_indicator_values_file(
    *,
    organization: Organization,
    content: bytes,
    filename: str,
    progress: Callable[[int], None] | None = None,
) -> ValuesPreview:
    """Read and validate a whole file. Never writes.

    Good rows get ``values``: ``indicator_id``, ``stakeholder_id``, ``year``, ``value``
    (Decimal), plus ``indicator_code``, ``stakeholder_name``, ``previous`` (the value it
    replaces, or None) and ``status`` (``new``, ``update`` or ``unchanged``).
    """
    raw_rows, file_errors = read_rows(
        content,
        filename,
        columns=COLUMNS,
        aliases=_ALIASES,
        ignored=IGNORED_HEADERS,
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
    )
    preview = ValuesPreview(filename=filename, columns=COLUMNS, file_errors=file_errors)
    if file_errors:
        return preview
    if progress:
        progress(10)
    _validate_rows(preview, organization, raw_rows, progress)
    return preview


def scale_problem(scale: str, value: Decimal) -> str | None:
    """Why ``value`` is outside the indicator's declared ``scale`` (None when it fits)."""
    if scale == IndicatorScale.PERCENT and not Decimal(0) <= value <= Decimal(100):
        return _("%(value)s is outside the scale of the indicator (0 to 100).") % {
            "value": _plain(value)
        }
    if scale == IndicatorScale.BINARY and value not in (Decimal(0), Decimal(1)):
        return _("%(value)s is outside the scale of the indicator (only 0 or 1).") % {
            "value": _plain(value)
        }
    if scale == IndicatorScale.COUNT and (value < 0 or value != value.to_integral_value()):
        return _("%(value)s is outside the scale of the indicator (a whole number, 0 or more).") % {
            "value": _plain(value)
        }
    if scale == IndicatorScale.NON_NEGATIVE and value < 0:
        return _("%(value)s is outside the scale of the indicator (0 or more).") % {
            "value": _plain(value)
        }
    return None


def _plain(value: Decimal) -> str:
    """``12.5000`` → ``12,5`` (the decimal comma of es-CO)."""
    text = format(value.normalize(), "f") if value == value else str(value)
    return text.replace(".", ",")


def _validate_rows(
    preview: ValuesPreview,
    organization: Organization,
    raw_rows: list[RawRow],
    progress: Callable[[int], None] | None,
) -> None:
    labels = {c.key: c.header for c in COLUMNS}
    indicators = {
        code.upper(): (pk, code, is_active, scale)
        for pk, code, is_active, scale in Indicator.objects.filter(
            organization=organization
        ).values_list("pk", "code", "is_active", "scale")
    }
    stakeholders = StakeholderIndex.for_organization(organization.pk)
    seen: dict[tuple[int, int, int], int] = {}
    total = len(raw_rows)
    for position, (number, raw, problems) in enumerate(raw_rows, start=1):
        row = PreviewRow(number=number, raw=raw, errors=list(problems))
        values: dict[str, Any] = {}
        code = raw.get("indicator", "").strip()
        found = indicators.get(code.upper()) if code else None
        if not code:
            row.errors.append(
                _("%(column)s: write the code of the indicator.") % {"column": labels["indicator"]}
            )
        elif found is None:
            row.errors.append(
                _("%(column)s: there is no indicator with the code «%(code)s».")
                % {"column": labels["indicator"], "code": code}
            )
        elif not found[2]:
            row.errors.append(
                _("%(column)s: the indicator «%(code)s» is inactive; activate it first.")
                % {"column": labels["indicator"], "code": found[1]}
            )
        else:
            values["indicator_id"], values["indicator_code"] = found[0], found[1]
        identifier = raw.get("stakeholder", "").strip()
        if not identifier:
            row.errors.append(
                _("%(column)s: write the NIT, DANE or REPS code of the stakeholder.")
                % {"column": labels["stakeholder"]}
            )
        else:
            holders = stakeholders.find(identifier)
            if not holders:
                row.errors.append(
                    _("%(column)s: no stakeholder of the registry has the identifier «%(value)s».")
                    % {"column": labels["stakeholder"], "value": identifier}
                )
            elif len(holders) > 1:
                row.errors.append(
                    _(
                        "%(column)s: «%(value)s» identifies several stakeholders (%(names)s); "
                        "use another identifier, e.g. the NIT with its check digit."
                    )
                    % {
                        "column": labels["stakeholder"],
                        "value": identifier,
                        "names": "; ".join(sorted(h.name for h in holders)[:5]),
                    }
                )
            elif not holders[0].is_active:
                row.errors.append(
                    _("%(column)s: the stakeholder «%(name)s» is inactive in the registry.")
                    % {"column": labels["stakeholder"], "name": holders[0].name}
                )
            else:
                values["stakeholder_id"] = holders[0].pk
                values["stakeholder_name"] = holders[0].name
        try:
            values["year"] = parse_year(raw.get("year", ""))
        except ValueError as exc:
            row.errors.append(f"{labels['year']}: {exc}")
        try:
            values["value"] = parse_decimal(raw.get("value", ""))
        except ValueError as exc:
            row.errors.append(f"{labels['value']}: {exc}")
        else:
            outside = scale_problem(found[3], values["value"]) if found is not None else None
            if outside:
                row.errors.append(f"{labels['value']}: {outside}")
        if {"indicator_id", "stakeholder_id", "year"} <= values.keys():
            key = (values["indicator_id"], values["stakeholder_id"], values["year"])
            earlier = seen.get(key)
            if earlier is not None:
                row.errors.append(
                    _(
                        "This indicator, stakeholder and year are repeated; they already "
                        "appear in row %(row)s."
                    )
                    % {"row": earlier}
                )
            else:
                seen[key] = number
        if not row.errors:
            row.values = values
        preview.rows.append(row)
        if progress and position % 500 == 0:
            progress(10 + int(60 * position / total))
    _mark_updates(preview, organization)
    if progress:
        progress(80)


def _mark_updates(preview: ValuesPreview, organization: Organization) -> None:
    """Which good rows are new, which replace a value and which change nothing (one query)."""
    good = [row.values for row in preview.rows if row.values is not None]
    if not good:
        return
    indicator_ids = sorted({v["indicator_id"] for v in good})
    years = sorted({v["year"] for v in good})
    existing = {
        (indicator_id, stakeholder_id, year): value
        for indicator_id, stakeholder_id, year, value in IndicatorValue.objects.filter(
            organization=organization, indicator_id__in=indicator_ids, year__in=years
        ).values_list("indicator_id", "stakeholder_id", "year", "value")
    }
    for values in good:
        previous = existing.get((values["indicator_id"], values["stakeholder_id"], values["year"]))
        values["previous"] = previous
        if previous is None:
            values["status"] = "new"
            preview.new_count += 1
        elif previous == values["value"]:
            values["status"] = "unchanged"
            preview.unchanged_count += 1
        else:
            values["status"] = "update"
            preview.update_count += 1


def stakeholder_identifier(stakeholder: Stakeholder) -> str:
    """The identifier exports and templates write for a stakeholder (first one it has)."""
    return (
        stakeholder.nit or stakeholder.dane_code or stakeholder.reps_code or stakeholder.school_code
    )


def template_rows(
    organization: Organization, *, indicator: Indicator | None = None, year: int | None = None
) -> tuple[list[str], list[list[str]]]:
    """Header and, for one indicator, a row per active stakeholder with an empty value.

    Only stakeholders whose identifier names them alone are listed (a school site that
    shares its school's DANE code cannot be told apart from the school by that code).
    """
    header = [c.header for c in COLUMNS]
    if indicator is None:
        return header, []
    header.append(NAME_HEADER)  # informational, ignored on import
    index = StakeholderIndex.for_organization(organization.pk)
    year_text = str(year or timezone.localdate().year - 1)
    rows: list[list[str]] = []
    stakeholders = (
        Stakeholder.objects.filter(organization=organization, is_active=True)
        .exclude(nit="", dane_code="", school_code="", reps_code="")
        .order_by("name", "id")
    )
    for stakeholder in stakeholders.iterator(chunk_size=2000):
        identifier = stakeholder_identifier(stakeholder)
        holders = index.find(identifier)
        if len(holders) == 1 and holders[0].pk == stakeholder.pk:
            rows.append([indicator.code, identifier, year_text, "", stakeholder.name])
    return header, rows
