"""Writes of indicators and prioritisation (FP-1 of Función Pública, DNP-1 of DNP).

* ``indicator_create`` / ``indicator_update`` / ``indicator_delete``: the external
  indicators (FURAG, PORS, PND, SGR...) the organization uses to prioritise, each with its
  scale (the import refuses values outside it); deleted only while no model uses it.
* ``indicator_values_import``: values per stakeholder and year from a CSV/XLSX file, all
  rows or none, upserted in bulk in one transaction.
* ``prioritisation_model_create`` / ``prioritisation_model_update``: the weighted criteria
  and the model's rules (normalisation, missing values, the date requests are counted on);
  the vigencia changes only while the model is a draft (no list saved from it).
* ``priority_list_save``: the year's selected / prioritised grupos de valor, with each
  one's score and breakdown and a snapshot of the criteria; emits ``prioritisation.saved``
  (the record of FP-1 and DNP-1) and stores the list's PDF.

Keyword-only, typed, with the acting user, whose role is checked first
(``planning.prioritise``, the permission of the pages and the API); validation errors are
``ValidationError``s in the user's language; edits are optimistic-locked on ``version``
(``core.concurrency.versioned_update``).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from acompana.core.concurrency import versioned_update
from acompana.core.documents import document_store, header_for, render_pdf
from acompana.core.events import changed_fields, event_record, snapshot
from acompana.core.models import FiscalYear, Job, Organization, User
from acompana.core.permissions import check_perm
from acompana.core.tabular import ImportRejected
from acompana.planning.choices import (
    CriterionKind,
    IndicatorScale,
    IndicatorSource,
    MissingRule,
    Normalisation,
)
from acompana.planning.models import (
    Indicator,
    IndicatorValue,
    PrioritisationCriterion,
    PrioritisationModel,
    PriorityList,
    PriorityListEntry,
)
from acompana.planning.prioritisation import selectors
from acompana.planning.prioritisation.imports import (
    MIN_YEAR,
    parse_indicator_values_file,
    scale_problem,
)
from acompana.registry.choices import StakeholderKind

INDICATOR_FIELDS = [
    "code",
    "name",
    "source",
    "description",
    "unit_label",
    "scale",
    "higher_is_better",
    "is_active",
]
MODEL_FIELDS = [
    "name",
    "description",
    "stakeholder_kinds",
    "normalisation",
    "missing_rule",
    "reference_date",
]
MAX_CRITERIA = 20
MAX_WEIGHT = Decimal("9999.99")
PDF_FALLBACK_NAME = "Grupos de valor priorizados"
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*$")
PRIORITISE = "planning.prioritise"


class Unset:
    """The type of ``UNSET``: an argument not given (``None`` is a value: no date)."""


UNSET = Unset()


# --- indicators ------------------------------------------------------------------------------


def _clean_indicator(
    organization: Organization, data: Mapping[str, Any], *, exclude_pk: int | None = None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    code = str(data.get("code") or "").strip()
    name = str(data.get("name") or "").strip()
    source = str(data.get("source") or "").strip()
    if not code:
        errors["code"] = _("Write the code of the indicator.")
    elif len(code) > 40 or not _CODE.match(code):
        errors["code"] = _(
            "The code has up to 40 letters, digits, dots, hyphens or underscores, "
            "without spaces (e.g. FURAG-IDI)."
        )
    else:
        clash = Indicator.objects.filter(organization=organization, code__iexact=code)
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        holder = clash.first()
        if holder is not None:
            errors["code"] = _("The indicator «%(name)s» already has the code %(code)s.") % {
                "name": holder.name,
                "code": holder.code,
            }
    if not name:
        errors["name"] = _("Write the name of the indicator.")
    elif len(name) > 250:
        errors["name"] = _("The name is too long (at most 250 characters).")
    if source not in IndicatorSource.values:
        errors["source"] = _("Choose the source of the indicator.")
    unit_label = str(data.get("unit_label") or "").strip()
    if len(unit_label) > 40:
        errors["unit_label"] = _("The unit of measure is too long (at most 40 characters).")
    scale = str(data.get("scale") or IndicatorScale.ANY).strip()
    if scale not in IndicatorScale.values:
        errors["scale"] = _("Choose the scale of the indicator (the values it can take).")
    elif exclude_pk is not None:
        outside = _values_outside(organization, exclude_pk, scale)
        if outside:
            errors["scale"] = _(
                "%(count)s values already imported are outside this scale (e.g. %(example)s); "
                "correct them first or choose another scale."
            ) % {"count": len(outside), "example": outside[0]}
    if errors:
        raise ValidationError(errors)
    return {
        "code": code,
        "name": name,
        "source": source,
        "description": str(data.get("description") or "").strip(),
        "unit_label": unit_label,
        "scale": scale,
        "higher_is_better": bool(data.get("higher_is_better", True)),
        "is_active": bool(data.get("is_active", True)),
    }


def _values_outside(organization: Organization, indicator_id: int, scale: str) -> list[str]:
    """The stored values of an indicator that the scale would refuse (the first messages)."""
    if scale == IndicatorScale.ANY:
        return []
    values = IndicatorValue.objects.filter(
        organization=organization, indicator_id=indicator_id
    ).values_list("value", flat=True)
    return [p for p in (scale_problem(scale, v) for v in values.iterator()) if p]


def indicator_create(
    *, actor: User, organization: Organization, data: Mapping[str, Any]
) -> Indicator:
    """Register an indicator (FP-1 input: FURAG, PORS, PND, SGR...)."""
    check_perm(actor, PRIORITISE, organization_id=organization.pk)
    values = _clean_indicator(organization, data)
    with transaction.atomic():
        indicator = Indicator.objects.create(organization=organization, **values)
        event_record(
            actor=actor,
            organization=organization,
            step_key="indicator.created",
            obj=indicator,
            summary=_("Indicator %(code)s registered") % {"code": indicator.code},
            after=snapshot(indicator, INDICATOR_FIELDS),
        )
    return indicator


def indicator_update(
    *, actor: User, indicator: Indicator, expected_version: int, data: Mapping[str, Any]
) -> Indicator:
    """Change an indicator; ``StaleObjectError`` when someone else changed it first."""
    check_perm(actor, PRIORITISE, organization_id=indicator.organization_id)
    values = _clean_indicator(
        indicator.organization,
        {**snapshot(indicator, INDICATOR_FIELDS), **data},
        exclude_pk=indicator.pk,
    )
    before = snapshot(indicator, INDICATOR_FIELDS)
    with transaction.atomic():
        versioned_update(indicator, expected_version=expected_version, fields=values)
        b, a = changed_fields(before, snapshot(indicator, INDICATOR_FIELDS))
        event_record(
            actor=actor,
            organization=indicator.organization,
            step_key="indicator.updated",
            obj=indicator,
            summary=_("Indicator %(code)s updated") % {"code": indicator.code},
            before=b,
            after=a,
        )
    return indicator


def indicator_delete(*, actor: User, indicator: Indicator, expected_version: int | None) -> None:
    """Delete an indicator no prioritisation model uses (its values go with it).

    A used indicator is refused: the models that use it (and their saved lists) would no
    longer say what their criterion measured; deactivate it instead. ``StaleObjectError``
    when someone changed it since the page was opened.
    """
    check_perm(actor, PRIORITISE, organization_id=indicator.organization_id)
    used = selectors.indicator_use_count(indicator=indicator)
    if used:
        raise ValidationError(
            _(
                "The indicator %(code)s is used by %(count)s criteria of prioritisation "
                "models and cannot be deleted; deactivate it instead."
            )
            % {"code": indicator.code, "count": used}
        )
    with transaction.atomic():
        # the version check and the lock in one statement, then the delete
        versioned_update(indicator, expected_version=expected_version, fields={})
        value_count = IndicatorValue.objects.filter(
            organization_id=indicator.organization_id, indicator=indicator
        ).count()
        before = snapshot(indicator, INDICATOR_FIELDS)
        event_record(
            actor=actor,
            organization=indicator.organization,
            step_key="indicator.deleted",
            obj=indicator,
            summary=_("Indicator %(code)s deleted with its %(count)s values")
            % {"code": indicator.code, "count": value_count},
            before=before,
        )
        indicator.delete()


@dataclass
class ValuesImportResult:
    created: int
    updated: int
    unchanged: int
    filename: str

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


def indicator_values_import(
    *,
    actor: User,
    organization: Organization,
    content: bytes,
    filename: str,
    progress: Callable[[int], None] | None = None,
) -> ValuesImportResult:
    """Import indicator values from a CSV/XLSX file: every row in one transaction, or none.

    Every row is validated first (indicator, stakeholder of the registry, year, number,
    repeats inside the file); any bad row raises ``ImportRejected`` with the reasons per
    row. Then the values are upserted in bulk: an existing (indicator, stakeholder, year)
    gets the new value. The indicators are locked while writing so two imports of the same
    indicator do not interleave and the counts of new and updated values are exact.
    """
    check_perm(actor, PRIORITISE, organization_id=organization.pk)
    preview = parse_indicator_values_file(
        organization=organization, content=content, filename=filename, progress=progress
    )
    if not preview.ok:
        raise ImportRejected(file_errors=preview.file_errors, row_errors=preview.row_errors)
    rows = [row.values for row in preview.rows if row.values is not None]
    indicator_ids = sorted({v["indicator_id"] for v in rows})
    years = sorted({v["year"] for v in rows})
    with transaction.atomic():
        codes = list(
            Indicator.objects.select_for_update()
            .filter(organization=organization, pk__in=indicator_ids)
            .order_by("pk")
            .values_list("code", flat=True)
        )
        existing = {
            (i, s, y): value
            for i, s, y, value in IndicatorValue.objects.filter(
                organization=organization, indicator_id__in=indicator_ids, year__in=years
            ).values_list("indicator_id", "stakeholder_id", "year", "value")
        }
        created = updated = unchanged = 0
        changed: list[IndicatorValue] = []
        for v in rows:
            previous = existing.get((v["indicator_id"], v["stakeholder_id"], v["year"]))
            if previous is None:
                created += 1
            elif previous == v["value"]:
                unchanged += 1
                continue
            else:
                updated += 1
            changed.append(
                IndicatorValue(
                    organization=organization,
                    indicator_id=v["indicator_id"],
                    stakeholder_id=v["stakeholder_id"],
                    year=v["year"],
                    value=v["value"],
                )
            )
        if progress:
            progress(85)
        IndicatorValue.objects.bulk_create(
            changed,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["organization", "indicator", "stakeholder", "year"],
            update_fields=["value"],
        )
        event_record(
            actor=actor,
            organization=organization,
            step_key="indicator_values.imported",
            obj=None,
            summary=_(
                "Indicator values imported from %(file)s: %(created)s new, %(updated)s updated"
            )
            % {"file": filename, "created": created, "updated": updated},
            after={
                "file": filename,
                "created": created,
                "updated": updated,
                "unchanged": unchanged,
                "indicators": codes,
                "years": years,
            },
        )
    if progress:
        progress(100)
    return ValuesImportResult(
        created=created, updated=updated, unchanged=unchanged, filename=filename
    )


def indicator_values_import_start(
    *, actor: User, organization: Organization, path: str, filename: str
) -> Job:
    """Start the background import of a large stored file of values
    (``indicator_values_import`` in a job that owns the file). Followed on ``core:job_detail``."""
    from django.urls import reverse

    from acompana.core.imports import import_job_start
    from acompana.planning.prioritisation.tasks import (
        IMPORT_JOB_KIND,
        indicator_values_import_task,
    )

    check_perm(actor, PRIORITISE, organization_id=organization.pk)
    return import_job_start(
        actor=actor,
        organization=organization,
        kind=IMPORT_JOB_KIND,
        title=_("Import of indicator values from %(file)s") % {"file": filename},
        task=indicator_values_import_task,
        path=path,
        filename=filename,
        next_url=reverse("planning:indicator_list"),
        upload_url=reverse("planning:indicator_values_import"),
    )


# --- prioritisation models -------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionInput:
    """A criterion as typed in the form or sent to the API.

    ``higher_raw_means_priority`` None: the default of the kind (see
    ``selectors.default_direction``).
    """

    kind: str
    weight: Any
    indicator_id: int | None = None
    indicator_year: int | None = None
    higher_raw_means_priority: bool | None = None
    label: str = ""


def _weight(value: Any) -> Decimal | None:
    try:
        weight = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        return None
    if not weight.is_finite():
        return None
    return weight.quantize(Decimal("0.01"))


def _clean_criteria(
    organization: Organization, fiscal_year: FiscalYear, criteria: Sequence[CriterionInput]
) -> list[dict[str, Any]]:
    problems: list[str] = []
    if not criteria:
        raise ValidationError(
            {"criteria": [_("Add at least one criterion: the score is their weighted mean.")]}
        )
    if len(criteria) > MAX_CRITERIA:
        raise ValidationError(
            {"criteria": [_("At most %(max)s criteria.") % {"max": MAX_CRITERIA}]}
        )
    indicator_ids = {c.indicator_id for c in criteria if c.indicator_id}
    indicators = {
        i.pk: i for i in Indicator.objects.filter(organization=organization, pk__in=indicator_ids)
    }
    cleaned: list[dict[str, Any]] = []
    labels: dict[str, int] = {}
    latest_year = fiscal_year.year + 1
    for position, item in enumerate(criteria, start=1):

        def problem(message: str, position: int = position) -> None:
            problems.append(_("Criterion %(n)s: %(message)s") % {"n": position, "message": message})

        if item.kind not in CriterionKind.values:
            problem(_("choose what the criterion measures."))
            continue
        weight = _weight(item.weight)
        if weight is None:
            problem(_("the weight must be a number."))
        elif weight <= 0:
            problem(_("the weight must be greater than zero."))
        elif weight > MAX_WEIGHT:
            problem(_("the weight can be at most %(max)s.") % {"max": MAX_WEIGHT})
        indicator: Indicator | None = None
        year: int | None = None
        if item.kind == CriterionKind.INDICATOR:
            indicator = indicators.get(item.indicator_id) if item.indicator_id else None
            if indicator is None:
                problem(_("choose the indicator."))
            elif not indicator.is_active:
                problem(
                    _("the indicator %(code)s is inactive; activate it or choose another.")
                    % {"code": indicator.code}
                )
            year = item.indicator_year
            if year is None:
                problem(_("write the year of the indicator values to use."))
            elif not MIN_YEAR <= year <= latest_year:
                problem(
                    _("the year of the values must be from %(first)s to %(last)s.")
                    % {"first": MIN_YEAR, "last": latest_year}
                )
        direction = item.higher_raw_means_priority
        if direction is None:
            direction = selectors.default_direction(item.kind, indicator)
        label = (item.label or "").strip() or selectors.default_label(item.kind, indicator, year)
        if len(label) > 200:
            problem(_("the label is too long (at most 200 characters)."))
        earlier = labels.get(label.lower())
        if earlier is not None:
            problem(
                _(
                    "criterion %(earlier)s already has the label «%(label)s»; give each "
                    "criterion a different label (the breakdown is shown by label)."
                )
                % {"earlier": earlier, "label": label}
            )
        labels[label.lower()] = position
        cleaned.append(
            {
                "kind": item.kind,
                "indicator": indicator,
                "indicator_year": year if item.kind == CriterionKind.INDICATOR else None,
                "weight": weight,
                "higher_raw_means_priority": direction,
                "label": label,
                "position": position - 1,
            }
        )
    if problems:
        raise ValidationError({"criteria": problems})
    return cleaned


def _clean_model(
    organization: Organization,
    fiscal_year: FiscalYear,
    *,
    name: str,
    stakeholder_kinds: Collection[str],
    exclude_pk: int | None = None,
) -> tuple[str, list[str]]:
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Write a name for the model (e.g. «Priorización 2026»).")
    elif len(name) > 200:
        errors["name"] = _("The name is too long (at most 200 characters).")
    else:
        clash = PrioritisationModel.objects.filter(
            organization=organization, fiscal_year=fiscal_year, name__iexact=name
        )
        if exclude_pk is not None:
            clash = clash.exclude(pk=exclude_pk)
        if clash.exists():
            errors["name"] = _(
                "There is already a model named «%(name)s» for the fiscal year %(year)s."
            ) % {"name": name, "year": fiscal_year.year}
    kinds = list(dict.fromkeys(stakeholder_kinds or []))
    unknown = [k for k in kinds if k not in StakeholderKind.values]
    if unknown:
        errors["stakeholder_kinds"] = _("Unknown kinds of stakeholder: %(kinds)s.") % {
            "kinds": ", ".join(unknown)
        }
    if fiscal_year.organization_id != organization.pk:
        errors["fiscal_year"] = _("Choose a fiscal year of your organization.")
    if errors:
        raise ValidationError(errors)
    return name, kinds


def _clean_rules(
    normalisation: str, missing_rule: str, reference_date: datetime.date | None
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if normalisation not in Normalisation.values:
        errors["normalisation"] = _("Choose how the criteria are normalised.")
    if missing_rule not in MissingRule.values:
        errors["missing_rule"] = _("Choose what happens to a stakeholder without a value.")
    if reference_date is not None and reference_date > timezone.localdate():
        errors["reference_date"] = _(
            "The date of the model cannot be in the future: requests are counted as they "
            "were that day."
        )
    if errors:
        raise ValidationError(errors)
    return {
        "normalisation": normalisation,
        "missing_rule": missing_rule,
        "reference_date": reference_date,
    }


def model_is_draft(model: PrioritisationModel) -> bool:
    """A model is a draft until a priority list is saved from it; then its vigencia is fixed
    (the saved list is that year's record)."""
    return not PriorityList.objects.filter(
        organization_id=model.organization_id, model=model
    ).exists()


def _criteria_summary(cleaned: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "label": c["label"],
            "kind": c["kind"],
            "indicator": c["indicator"].code if c["indicator"] else None,
            "indicator_year": c["indicator_year"],
            "weight": str(c["weight"]),
            "higher_raw_means_priority": c["higher_raw_means_priority"],
        }
        for c in cleaned
    ]


def _write_criteria(model: PrioritisationModel, cleaned: Sequence[Mapping[str, Any]]) -> None:
    PrioritisationCriterion.objects.filter(model=model).delete()
    PrioritisationCriterion.objects.bulk_create(
        [
            PrioritisationCriterion(organization_id=model.organization_id, model=model, **c)
            for c in cleaned
        ]
    )


def prioritisation_model_create(
    *,
    actor: User,
    organization: Organization,
    fiscal_year: FiscalYear,
    name: str,
    description: str = "",
    stakeholder_kinds: Collection[str] = (),
    criteria: Sequence[CriterionInput],
    normalisation: str = Normalisation.MINMAX,
    missing_rule: str = MissingRule.WORST,
    reference_date: datetime.date | None = None,
) -> PrioritisationModel:
    """Create a prioritisation model (an intervention scenario of FP-1) with its criteria
    and its rules (normalisation, missing values, the date open requests are counted on)."""
    check_perm(actor, PRIORITISE, organization_id=organization.pk)
    errors: dict[str, list[str]] = {}
    clean_name: str = ""
    kinds: list[str] = []
    cleaned: list[dict[str, Any]] = []
    rules: dict[str, Any] = {}
    try:
        rules = _clean_rules(normalisation, missing_rule, reference_date)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        clean_name, kinds = _clean_model(
            organization, fiscal_year, name=name, stakeholder_kinds=stakeholder_kinds
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        cleaned = _clean_criteria(organization, fiscal_year, criteria)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        model = PrioritisationModel.objects.create(
            organization=organization,
            fiscal_year=fiscal_year,
            name=clean_name,
            description=(description or "").strip(),
            stakeholder_kinds=kinds,
            created_by=actor,
            **rules,
        )
        _write_criteria(model, cleaned)
        event_record(
            actor=actor,
            organization=organization,
            step_key="prioritisation_model.created",
            obj=model,
            summary=_("Prioritisation model «%(name)s» created for %(year)s")
            % {"name": model.name, "year": fiscal_year.year},
            after={
                "name": model.name,
                "fiscal_year": fiscal_year.year,
                "stakeholder_kinds": kinds,
                "normalisation": rules["normalisation"],
                "missing_rule": rules["missing_rule"],
                "reference_date": str(rules["reference_date"] or ""),
                "criteria": _criteria_summary(cleaned),
            },
        )
    return model


def prioritisation_model_update(
    *,
    actor: User,
    model: PrioritisationModel,
    expected_version: int,
    name: str | None = None,
    description: str | None = None,
    stakeholder_kinds: Collection[str] | None = None,
    criteria: Sequence[CriterionInput] | None = None,
    fiscal_year: FiscalYear | None = None,
    normalisation: str | None = None,
    missing_rule: str | None = None,
    reference_date: datetime.date | None | Unset = UNSET,
) -> PrioritisationModel:
    """Change a model; ``criteria`` (when given) replace the current ones in order.

    The vigencia (``fiscal_year``) can change only while the model is a draft (no list
    saved from it). Priority lists already saved keep their own snapshot of the criteria
    and rules, so changing the model never changes what was saved. ``StaleObjectError``
    when someone else saved first.
    """
    check_perm(actor, PRIORITISE, organization_id=model.organization_id)
    organization = model.organization
    errors: dict[str, list[str]] = {}
    if fiscal_year is not None and fiscal_year.pk != model.fiscal_year_id:
        if not model_is_draft(model):
            errors["fiscal_year"] = [
                _(
                    "A priority list was already saved from this model, so its fiscal year "
                    "cannot change. Create a new model for another year."
                )
            ]
    else:
        fiscal_year = model.fiscal_year
    rules: dict[str, Any] = {}
    try:
        rules = _clean_rules(
            model.normalisation if normalisation is None else normalisation,
            model.missing_rule if missing_rule is None else missing_rule,
            model.reference_date if isinstance(reference_date, Unset) else reference_date,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    clean_name, kinds = model.name, list(model.stakeholder_kinds)
    cleaned: list[dict[str, Any]] | None = None
    try:
        clean_name, kinds = _clean_model(
            organization,
            fiscal_year,
            name=model.name if name is None else name,
            stakeholder_kinds=model.stakeholder_kinds
            if stakeholder_kinds is None
            else stakeholder_kinds,
            exclude_pk=model.pk,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if criteria is not None:
        try:
            cleaned = _clean_criteria(organization, fiscal_year, criteria)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    before = {
        **snapshot(model, MODEL_FIELDS),
        "fiscal_year": model.fiscal_year.year,
        "criteria": _criteria_summary(_current_criteria(model)),
    }
    with transaction.atomic():
        versioned_update(
            model,
            expected_version=expected_version,
            fields={
                "name": clean_name,
                "description": model.description if description is None else description.strip(),
                "stakeholder_kinds": kinds,
                "fiscal_year": fiscal_year,
                **rules,
            },
        )
        if cleaned is not None:
            _write_criteria(model, cleaned)
        after = {
            **snapshot(model, MODEL_FIELDS),
            "fiscal_year": fiscal_year.year,
            "criteria": _criteria_summary(cleaned) if cleaned is not None else before["criteria"],
        }
        b, a = changed_fields(before, after)
        event_record(
            actor=actor,
            organization=organization,
            step_key="prioritisation_model.updated",
            obj=model,
            summary=_("Prioritisation model «%(name)s» updated") % {"name": model.name},
            before=b,
            after=a,
        )
    return model


def _current_criteria(model: PrioritisationModel) -> list[dict[str, Any]]:
    return [
        {
            "label": c.label,
            "kind": c.kind,
            "indicator": c.indicator,
            "indicator_year": c.indicator_year,
            "weight": c.weight,
            "higher_raw_means_priority": c.higher_raw_means_priority,
        }
        for c in selectors.model_criteria(model=model)
    ]


# --- priority lists --------------------------------------------------------------------------


def priority_list_save(
    *,
    actor: User,
    model: PrioritisationModel,
    selected_ids: Collection[int],
    name: str = "",
    notes: str = "",
) -> PriorityList:
    """Save the year's prioritised grupos de valor (the FP-1 / DNP-1 record).

    The ranking is computed again here, so what is stored is exactly what the criteria
    give at this moment: every scored stakeholder becomes an entry with its rank, score and
    breakdown (raw, normalised, weight, points per criterion); the ones in
    ``selected_ids`` are marked selected. The criteria are stored as a snapshot, the event
    ``prioritisation.saved`` is recorded on the list and its PDF is stored as a document.
    """
    check_perm(actor, PRIORITISE, organization_id=model.organization_id)
    organization = model.organization
    ranking = selectors.ranking_compute(model=model)
    errors: dict[str, str] = {}
    if not ranking.criteria:
        errors["__all__"] = _("The model has no criteria: add at least one before saving.")
    chosen = set(selected_ids)
    scored_ids = {row.stakeholder.id for row in ranking.rows}
    if not chosen:
        errors["selected"] = _("Select at least one stakeholder (tick them or use «top N»).")
    elif not chosen <= scored_ids:
        errors["selected"] = _(
            "%(count)s of the selected stakeholders are not in the ranking (inactive, of "
            "another kind or of another organization). Reload the ranking and select again."
        ) % {"count": len(chosen - scored_ids)}
    name = (name or "").strip() or _("Prioritised stakeholders %(year)s — %(model)s") % {
        "year": model.fiscal_year.year,
        "model": model.name,
    }
    if len(name) > 200:
        errors["name"] = _("The name is too long (at most 200 characters).")
    if errors:
        raise ValidationError(errors)
    criteria_snapshot = ranking.snapshot()
    rules = ranking.rules or selectors.model_rules(model)
    with transaction.atomic():
        priority_list = PriorityList.objects.create(
            organization=organization,
            model=model,
            fiscal_year=model.fiscal_year,
            name=name,
            notes=(notes or "").strip(),
            criteria_snapshot=criteria_snapshot,
            normalisation=model.normalisation,
            missing_rule=model.missing_rule,
            reference_date=rules.reference_date,
            excluded_count=rules.excluded_count,
            saved_by=actor,
            saved_at=timezone.now(),
        )
        PriorityListEntry.objects.bulk_create(
            [
                PriorityListEntry(
                    organization=organization,
                    priority_list=priority_list,
                    stakeholder_id=row.stakeholder.id,
                    rank=row.rank,
                    score=Decimal(str(row.score)).quantize(Decimal("0.001")),
                    breakdown=row.breakdown(),
                    selected=row.stakeholder.id in chosen,
                )
                for row in ranking.rows
            ],
            batch_size=1000,
        )
        header = header_for(
            organization, step_key="prioritisation.saved", fallback_name=PDF_FALLBACK_NAME
        )
        selected_rows = [row for row in ranking.rows if row.stakeholder.id in chosen]
        event_record(
            actor=actor,
            organization=organization,
            step_key="prioritisation.saved",
            obj=priority_list,
            summary=_("%(count)s prioritised stakeholders saved for %(year)s (model «%(model)s»)")
            % {
                "count": len(selected_rows),
                "year": model.fiscal_year.year,
                "model": model.name,
            },
            after={
                "model": model.pk,
                "fiscal_year": model.fiscal_year.year,
                "selected": len(selected_rows),
                "scored": len(ranking.rows),
                "excluded": rules.excluded_count,
                "normalisation": model.normalisation,
                "missing_rule": model.missing_rule,
                "reference_date": str(rules.reference_date),
                "criteria": [c.label for c in ranking.criteria],
            },
            record=" ".join(x for x in (header.format_code, header.format_version) if x)
            or header.format_name,
        )
        pdf = render_pdf(
            template="planning/prioritisation/pdf/priority_list.html",
            context={
                "priority_list": priority_list,
                "model": model,
                "criteria": selectors.ranking_explanation(ranking),
                "rows": selected_rows,
                "scored_count": len(ranking.rows),
                "rules": rules,
                "organization": organization,
            },
            header=header,
        )
        document_store(
            actor=actor,
            organization=organization,
            obj=priority_list,
            kind=selectors.PDF_KIND,
            title=name,
            content=pdf,
            header=header,
            filename=f"grupos-priorizados-{model.fiscal_year.year}-{priority_list.pk}.pdf",
        )
    return priority_list
