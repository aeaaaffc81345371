"""Reading a CSV or Excel (.xlsx) file of needs into a row-by-row preview (SAL-1, EDU-1).

The file reading (encodings, delimiters, Excel cells, header matching without accents or
case, limits) is the shared one of ``core.tabular``; this module only knows the needs' columns
and checks each row against the organization: origin, source and priority words, the topic
(code or name), the responsible unit (code or name), the vigencia, and the grupos de valor
named by their identifiers (NIT with or without check digit, DANE code of the territorial
entity, DANE code of the school, REPS code; several separated by ``;``), the request number
(radicado: one need per radicado in the organization, in the file and in the registry of
needs) and the date it was received.

A file with any bad row imports nothing (``services.needs_import``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from acompana.catalog.models import Topic
from acompana.core.models import FiscalYear, Organization, Unit
from acompana.core.tabular import (
    MAX_BYTES,
    MAX_ROWS,
    Column,
    ImportPreview,
    PreviewRow,
    header_key,
    parse_date,
    read_rows,
)
from acompana.core.validators import only_digits
from acompana.planning.choices import NeedOrigin, NeedSource, Priority
from acompana.planning.models import Need
from acompana.registry.models import Stakeholder

IDENTIFIER_SEPARATOR = ";"
#: the import's name for its remembered column mapping (``core.imports.ImportFlow``)
MAPPING_KIND = "planning.needs"

COLUMNS = [
    Column("title", "Título", required=True, example="Actualizar el plan territorial de salud"),
    Column(
        "description",
        "Descripción",
        required=True,
        example="La alcaldía solicita acompañamiento para ajustar las metas del PTS.",
    ),
    Column(
        "origin",
        "Tipo de origen",
        required=True,
        help=gettext_lazy("oferta or demanda"),
        example="demanda",
    ),
    Column(
        "source",
        "Fuente",
        required=True,
        help=gettext_lazy(
            "solicitud, correo, plan de desarrollo, plan de acción, PAM, visita de inspección, "
            "resultado de indicador, acción judicial, resultado de evaluación, lineamientos, otra"
        ),
        example="correo",
    ),
    Column(
        "priority",
        "Prioridad",
        help=gettext_lazy("alta, media or baja (media when empty)"),
        example="alta",
    ),
    Column(
        "topic",
        "Temática",
        help=gettext_lazy("Code or name of a topic of the catalogue"),
        example="Salud pública",
    ),
    Column(
        "unit",
        "Dependencia",
        help=gettext_lazy("Code or name of the responsible unit"),
        example="Salud Pública",
    ),
    Column(
        "stakeholders",
        "Identificadores de los grupos de valor",
        help=gettext_lazy(
            "NIT, DANE code of the territorial entity, DANE code of the school or REPS code of "
            "stakeholders of the registry; several separated by ;"
        ),
        example="41298; 4129800123",
    ),
    Column(
        "fiscal_year",
        "Vigencia",
        help=gettext_lazy("Year (the current fiscal year when empty)"),
        example="2026",
    ),
    Column(
        "radicado",
        "Radicado",
        help=gettext_lazy("Request number given by the correspondence office; one per need"),
        example="2026-ER-000123",
    ),
    Column(
        "received_on",
        "Fecha de recibido",
        help=gettext_lazy("Date the request was received, dd/mm/aaaa"),
        example="02/02/2026",
    ),
]

#: columns the export adds after the template's (Spanish data contract, not translated);
#: the import accepts and ignores them, so an export can be imported again
EXPORT_ONLY_HEADERS = (
    "Nombres de los grupos de valor",
    "Nombre de la temática",
    "Nombre de la dependencia",
    "Estado",
    "Referencia",
    "Solicitante",
    "Correo del solicitante",
    "Teléfono del solicitante",
    "Entidad del solicitante",
    "Fecha de registro",
)
IGNORED_HEADERS = {header_key(h) for h in EXPORT_ONLY_HEADERS}

#: other headers accepted for some columns (``header_key`` form → column key)
ALIASES = {
    "grupos_de_valor": "stakeholders",
    "identificadores": "stakeholders",
    "tematica": "topic",
    "origen": "origin",
}

#: words accepted in the «Tipo de origen», «Fuente» and «Prioridad» columns (header_key form)
ORIGIN_WORDS = {
    "oferta": NeedOrigin.OFFER,
    "offer": NeedOrigin.OFFER,
    "demanda": NeedOrigin.DEMAND,
    "demand": NeedOrigin.DEMAND,
}
SOURCE_WORDS = {
    "solicitud": NeedSource.REQUEST,
    "solicitud_del_grupo_de_valor": NeedSource.REQUEST,
    "peticion": NeedSource.REQUEST,
    "correo": NeedSource.EMAIL,
    "correo_electronico": NeedSource.EMAIL,
    "e_mail": NeedSource.EMAIL,
    "email": NeedSource.EMAIL,
    "plan_de_desarrollo": NeedSource.DEVELOPMENT_PLAN,
    "plan_de_accion": NeedSource.ACTION_PLAN,
    "pam": NeedSource.PAM,
    "plan_de_apoyo_al_mejoramiento": NeedSource.PAM,
    "plan_de_apoyo_al_mejoramiento_pam": NeedSource.PAM,
    "visita_de_inspeccion": NeedSource.INSPECTION_VISIT,
    "visita": NeedSource.INSPECTION_VISIT,
    "resultado_de_indicador": NeedSource.INDICATOR_RESULT,
    "indicador": NeedSource.INDICATOR_RESULT,
    "furag": NeedSource.INDICATOR_RESULT,
    "pors": NeedSource.INDICATOR_RESULT,
    "accion_judicial": NeedSource.COURT_ACTION,
    "tutela": NeedSource.COURT_ACTION,
    "sentencia": NeedSource.COURT_ACTION,
    "resultado_de_evaluacion": NeedSource.EVALUATION_RESULT,
    "evaluacion": NeedSource.EVALUATION_RESULT,
    "lineamientos": NeedSource.GROUP_GUIDELINES,
    "lineamientos_del_grupo": NeedSource.GROUP_GUIDELINES,
    "lineamientos_del_grupo_de_trabajo": NeedSource.GROUP_GUIDELINES,
    "otra": NeedSource.OTHER,
    "otro": NeedSource.OTHER,
}
PRIORITY_WORDS = {
    "alta": Priority.HIGH,
    "high": Priority.HIGH,
    "media": Priority.MEDIUM,
    "medium": Priority.MEDIUM,
    "baja": Priority.LOW,
    "low": Priority.LOW,
}


def _choice(text: str, words: dict[str, Any], choices: Iterable[tuple[Any, Any]]) -> Any:
    key = header_key(text)
    if key in words:
        return words[key]
    for value, label in choices:
        if key in (value, header_key(str(label))):
            return value
    return None


# --- look-ups of the organization (a few queries for the whole file) -------------------------


@dataclass
class StakeholderIndex:
    """Identifier → stakeholder ids. NITs are indexed with and without their check digit."""

    holders: dict[str, set[int]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    @classmethod
    def for_organization(cls, organization_id: int) -> StakeholderIndex:
        index = cls()
        rows = Stakeholder.objects.filter(organization_id=organization_id).values_list(
            "pk", "name", "nit", "dane_code", "school_code", "reps_code"
        )
        for pk, name, nit, dane_code, school_code, reps_code in rows.iterator(chunk_size=5000):
            index.names[pk] = name
            keys = [dane_code, school_code, reps_code]
            if nit:
                keys += [nit.split("-")[0], only_digits(nit)]
            for key in keys:
                if key:
                    index.holders.setdefault(key, set()).add(pk)
        return index

    def find(self, token: str) -> set[int]:
        """The stakeholders an identifier names (a code Excel stored as a number lost its
        leading zero: «5001» is tried as «05001» too)."""
        text = token.strip().replace(" ", "").replace(".", "")
        candidates = [text.split("-")[0] if "-" in text else text]
        if text.isdigit():
            candidates.append(text.zfill(len(text) + 1))
        for candidate in candidates:
            found = self.holders.get(candidate)
            if found:
                return found
        return set()


def _by_code_or_name(rows: Iterable[tuple[int, str, str]]) -> dict[str, set[int]]:
    index: dict[str, set[int]] = {}
    for pk, code, name in rows:
        for key in (header_key(code), header_key(name)):
            if key:
                index.setdefault(key, set()).add(pk)
    return index


@dataclass
class Lookups:
    organization: Organization
    topics: dict[str, set[int]]
    active_topics: set[int]
    units: dict[str, set[int]]
    active_units: set[int]
    years: dict[int, int]
    default_year_id: int | None
    stakeholders: StakeholderIndex
    allowed_unit_ids: set[int] | None
    #: radicado (upper case) → title of the need that holds it
    radicados: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, organization: Organization, allowed_unit_ids: set[int] | None) -> Lookups:
        topics = Topic.objects.filter(organization=organization)
        units = Unit.objects.filter(organization=organization)
        years = FiscalYear.objects.filter(organization=organization)
        current = years.order_by("-is_current", "-year").first()
        return cls(
            organization=organization,
            topics=_by_code_or_name(topics.values_list("pk", "code", "name")),
            active_topics=set(topics.filter(is_active=True).values_list("pk", flat=True)),
            units=_by_code_or_name(units.values_list("pk", "code", "name")),
            active_units=set(units.filter(is_active=True).values_list("pk", flat=True)),
            years=dict(years.values_list("year", "pk")),
            default_year_id=current.pk if current else None,
            stakeholders=StakeholderIndex.for_organization(organization.pk),
            allowed_unit_ids=allowed_unit_ids,
            radicados={
                radicado.upper(): title
                for radicado, title in Need.objects.filter(organization=organization)
                .exclude(radicado="")
                .values_list("radicado", "title")
            },
        )


# --- parsing ---------------------------------------------------------------------------------


def parse_need_file(
    *,
    organization: Organization,
    content: bytes,
    filename: str,
    allowed_unit_ids: set[int] | None = None,
) -> ImportPreview:
    """Read and validate a whole file of needs. Never writes; see ``ImportPreview``.

    ``allowed_unit_ids``: the units the importing user may write (None: any); a row for
    another unit, or without a unit, is then an error.
    """
    raw_rows, file_errors = read_rows(
        content,
        filename,
        columns=COLUMNS,
        aliases=ALIASES,
        ignored=IGNORED_HEADERS,
        max_bytes=MAX_BYTES,
        max_rows=MAX_ROWS,
        organization_id=organization.pk,
        mapping_kind=MAPPING_KIND,
    )
    preview = ImportPreview(filename=filename, columns=COLUMNS, file_errors=file_errors)
    if file_errors:
        return preview
    lookups = Lookups.load(organization, allowed_unit_ids)
    radicado_rows: dict[str, int] = {}
    for number, raw, problems in raw_rows:
        row = PreviewRow(number=number, raw=raw, errors=list(problems))
        values = _clean_row(raw, lookups, row.errors)
        radicado = values["radicado"].upper()
        if radicado:
            if radicado in radicado_rows:
                row.errors.append(
                    _("%(column)s: %(value)s is repeated; it already appears in row %(row)s.")
                    % {
                        "column": _label("radicado"),
                        "value": values["radicado"],
                        "row": radicado_rows[radicado],
                    }
                )
            radicado_rows.setdefault(radicado, number)
        row.values = None if row.errors else values
        preview.rows.append(row)
    return preview


def _label(key: str) -> str:
    return next(c.header for c in COLUMNS if c.key == key)


def _clean_row(raw: dict[str, str], lookups: Lookups, errors: list[str]) -> dict[str, Any]:
    def error(key: str, message: str) -> None:
        errors.append(f"{_label(key)}: {message}")

    values: dict[str, Any] = {}
    title = " ".join(raw.get("title", "").split())
    if not title:
        error("title", _("Write the title of the need."))
    elif len(title) > 250:
        error("title", _("At most 250 characters."))
    values["title"] = title
    description = raw.get("description", "").strip()
    if not description:
        error("description", _("Describe the need."))
    values["description"] = description

    origin = _choice(raw.get("origin", ""), ORIGIN_WORDS, NeedOrigin.choices)
    if origin is None:
        error("origin", _("«%(value)s» is not oferta or demanda.") % {"value": raw.get("origin")})
    values["origin"] = origin
    source = _choice(raw.get("source", ""), SOURCE_WORDS, NeedSource.choices)
    if source is None:
        error("source", _("«%(value)s» is not a known source.") % {"value": raw.get("source")})
    values["source"] = source
    if raw.get("priority"):
        priority = _choice(raw["priority"], PRIORITY_WORDS, Priority.choices)
        if priority is None:
            error("priority", _("Write alta, media or baja."))
        values["priority"] = priority
    else:
        values["priority"] = Priority.MEDIUM

    values["topic_id"] = None
    if raw.get("topic"):
        found = lookups.topics.get(header_key(raw["topic"]), set())
        if not found:
            error(
                "topic",
                _("There is no topic «%(value)s» in the catalogue.") % {"value": raw["topic"]},
            )
        elif len(found) > 1:
            error(
                "topic",
                _("«%(value)s» names several topics; use its code.") % {"value": raw["topic"]},
            )
        else:
            (topic_id,) = found
            if topic_id not in lookups.active_topics:
                error("topic", _("The topic «%(value)s» is inactive.") % {"value": raw["topic"]})
            values["topic_id"] = topic_id

    values["unit_id"] = None
    if raw.get("unit"):
        found = lookups.units.get(header_key(raw["unit"]), set())
        if not found:
            error(
                "unit",
                _("There is no unit «%(value)s» in the organization.") % {"value": raw["unit"]},
            )
        elif len(found) > 1:
            error(
                "unit", _("«%(value)s» names several units; use its code.") % {"value": raw["unit"]}
            )
        else:
            (unit_id,) = found
            if unit_id not in lookups.active_units:
                error("unit", _("The unit «%(value)s» is inactive.") % {"value": raw["unit"]})
            elif lookups.allowed_unit_ids is not None and unit_id not in lookups.allowed_unit_ids:
                error("unit", _("You can only register needs of your own unit."))
            values["unit_id"] = unit_id
    elif lookups.allowed_unit_ids is not None:
        error("unit", _("Write your unit: you can only register needs of your own unit."))

    year_text = raw.get("fiscal_year", "")
    if year_text:
        year = int(year_text) if year_text.isdigit() else None
        if year is None or year not in lookups.years:
            error(
                "fiscal_year",
                _("The fiscal year «%(value)s» is not registered in the organization.")
                % {"value": year_text},
            )
            values["fiscal_year_id"] = None
        else:
            values["fiscal_year_id"] = lookups.years[year]
    else:
        values["fiscal_year_id"] = lookups.default_year_id

    stakeholder_ids: list[int] = []
    for token in raw.get("stakeholders", "").split(IDENTIFIER_SEPARATOR):
        token = token.strip()
        if not token:
            continue
        found = lookups.stakeholders.find(token)
        if not found:
            error(
                "stakeholders",
                _("No stakeholder of the registry has the identifier %(value)s.")
                % {"value": token},
            )
        elif len(found) > 1:
            names = ", ".join(sorted(lookups.stakeholders.names[pk] for pk in found))
            error(
                "stakeholders",
                _("The identifier %(value)s belongs to several stakeholders (%(names)s).")
                % {"value": token, "names": names},
            )
        else:
            (pk,) = found
            if pk not in stakeholder_ids:
                stakeholder_ids.append(pk)
    values["stakeholder_ids"] = stakeholder_ids

    radicado = " ".join(raw.get("radicado", "").split())
    if len(radicado) > 40:
        error("radicado", _("At most 40 characters."))
    elif radicado.upper() in lookups.radicados:
        error(
            "radicado",
            _("The radicado %(value)s is already registered, in the need «%(title)s».")
            % {"value": radicado, "title": lookups.radicados[radicado.upper()]},
        )
    values["radicado"] = radicado
    values["received_on"] = None
    if raw.get("received_on"):
        received = parse_date(raw["received_on"])
        if received is None:
            error(
                "received_on",
                _("«%(value)s» is not a date; write it as dd/mm/aaaa.")
                % {"value": raw["received_on"]},
            )
        elif received > timezone.localdate():
            error("received_on", _("The date it was received cannot be in the future."))
        values["received_on"] = received
    values["stakeholder_names"] = [lookups.stakeholders.names[pk] for pk in stakeholder_ids]
    return values


def template_rows() -> tuple[list[str], list[list[str]]]:
    """Header and an example row of the downloadable template (Spanish headers)."""
    return [c.header for c in COLUMNS], [[c.example for c in COLUMNS]]
