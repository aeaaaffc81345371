"""The planning cycle: needs, indicators and prioritisation, strategy, plans, checks, committee.

Official steps (see ``core/procedures/data``): SAL-1..2, FP-1..6, EDU-1..8, DNP-1, DNP-3.
Every many-to-many link is an explicit table with ``organization_id`` so that every tenant
table can be distributed by organization (DESIGN section 4).
"""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from acompana.core.models import FiscalYear, TenantModel, Unit, User
from acompana.planning.choices import (
    ConsolidatedStatus,
    CriterionKind,
    DecisionOutcome,
    FindingSeverity,
    FindingStatus,
    IndicatorScale,
    IndicatorSource,
    MissingRule,
    NeedOrigin,
    NeedSource,
    NeedStatus,
    Normalisation,
    PlanStatus,
    Priority,
    ProposalStatus,
    StrategyStatus,
)

# --- needs (SAL-1, EDU-1, FP-1 input) -----------------------------------------------------------


class Need(TenantModel):
    """A necesidad of assistance of one or more grupos de valor."""

    fiscal_year = models.ForeignKey(
        FiscalYear, verbose_name=_("fiscal year"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"))
    topic = models.ForeignKey(
        "catalog.Topic", verbose_name=_("topic"), null=True, blank=True, on_delete=models.PROTECT
    )
    origin = models.CharField(_("origin"), max_length=10, choices=NeedOrigin.choices)
    source = models.CharField(_("source"), max_length=20, choices=NeedSource.choices)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    evidence = models.FileField(_("evidence"), upload_to="needs/%Y/%m/", blank=True)
    # who asked, when it came through the public request form (demanda)
    requester_name = models.CharField(_("requester name"), max_length=200, blank=True)
    requester_email = models.EmailField(_("requester e-mail"), blank=True)
    requester_phone = models.CharField(_("requester phone"), max_length=60, blank=True)
    requester_entity = models.CharField(_("requester entity"), max_length=250, blank=True)
    consent_notice_version = models.CharField(max_length=20, blank=True)
    consent_notice_sha256 = models.CharField(max_length=64, blank=True)
    consent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    #: reference given to the requester of the public form ("SOL-2026-0007"), never the id
    reference = models.CharField(_("reference"), max_length=30, blank=True)
    requester_municipality = models.ForeignKey(
        "geo.Municipality",
        verbose_name=_("requester municipality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: the file name as uploaded (stored under a random name; served by a checked view)
    evidence_filename = models.CharField(_("evidence file name"), max_length=255, blank=True)
    #: why the need was discarded (triage or later)
    discard_reason = models.TextField(_("reason for discarding"), blank=True)
    triaged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    #: what the public form also asks (issue 11 §8): the requester's position, the entity's
    #: identifier (NIT or DANE code, matched to the registry at triage), preferred modality
    requester_position = models.CharField(_("requester position"), max_length=150, blank=True)
    requester_identifier = models.CharField(
        _("entity identification (NIT or DANE code)"), max_length=20, blank=True
    )
    preferred_modality = models.ForeignKey(
        "catalog.Modality",
        verbose_name=_("preferred modality"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    #: the number the organization's correspondence office gave the request (radicado):
    #: one need per radicado in the organization
    radicado = models.CharField(_("request number (radicado)"), max_length=40, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)

    unit_path = "unit"

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [
            models.Index(fields=["organization", "status"]),
            models.Index(fields=["organization", "fiscal_year"]),
            models.Index(fields=["organization", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "reference"],
                condition=~models.Q(reference=""),
                name="need_unique_reference",
            ),
            models.UniqueConstraint(
                fields=["organization", "radicado"],
                condition=~models.Q(radicado=""),
                name="need_unique_radicado",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NeedStakeholder(TenantModel):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="stakeholder_links")
    stakeholder = models.ForeignKey(
        "registry.Stakeholder", on_delete=models.PROTECT, related_name="need_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "need", "stakeholder"], name="need_stakeholder_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "stakeholder"])]


# --- indicators and prioritisation (FP-1, DNP-1) ------------------------------------------------


class Indicator(TenantModel):
    """An external indicator with values per stakeholder and year (FURAG, PORS, SGR...)."""

    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=250)
    source = models.CharField(_("source"), max_length=10, choices=IndicatorSource.choices)
    description = models.TextField(_("description"), blank=True)
    unit_label = models.CharField(_("unit of measure"), max_length=40, blank=True)
    #: the values it can take (``IndicatorScale``); the import refuses values outside it
    scale = models.CharField(
        _("scale"), max_length=15, choices=IndicatorScale.choices, default=IndicatorScale.ANY
    )
    #: True when a higher value is better performance (so a lower value means more need)
    higher_is_better = models.BooleanField(_("higher is better"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="indicator_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class IndicatorValue(TenantModel):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    stakeholder = models.ForeignKey(
        "registry.Stakeholder", on_delete=models.PROTECT, related_name="indicator_values"
    )
    year = models.PositiveIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "indicator", "stakeholder", "year"],
                name="indicator_value_unique",
            )
        ]
        indexes = [models.Index(fields=["organization", "indicator", "year"])]


class PrioritisationModel(TenantModel):
    """Weighted, explainable scoring of stakeholders for a fiscal year.

    Each criterion's raw value is normalised (min–max to 0–100, or z-score with the
    population standard deviation; inverted when a lower raw value means more priority);
    the score is the weighted mean of the normalised values. A missing value gets the
    criterion's worst value or leaves the stakeholder out (``missing_rule``). Equal scores
    are ordered by DANE code, NIT and id. The rule is ``prioritisation.scoring``'s.
    The model is a draft (vigencia, date and rules editable) until a priority list is saved.
    """

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    #: stakeholder kinds scored (empty: all active stakeholders)
    stakeholder_kinds = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    normalisation = models.CharField(
        _("normalisation"),
        max_length=10,
        choices=Normalisation.choices,
        default=Normalisation.MINMAX,
    )
    missing_rule = models.CharField(
        _("missing values"), max_length=10, choices=MissingRule.choices, default=MissingRule.WORST
    )
    #: the date the open requests are counted on (empty: the day the ranking is computed)
    reference_date = models.DateField(_("date of the model"), null=True, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("prioritisation model")
        verbose_name_plural = _("prioritisation models")

    def __str__(self) -> str:
        return self.name


class PrioritisationCriterion(TenantModel):
    model = models.ForeignKey(
        PrioritisationModel, on_delete=models.CASCADE, related_name="criteria"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CriterionKind.choices)
    indicator = models.ForeignKey(
        Indicator, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    indicator_year = models.PositiveIntegerField(_("indicator year"), null=True, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    #: True: a higher raw value means more priority (e.g. more court actions)
    higher_raw_means_priority = models.BooleanField(default=True)
    label = models.CharField(_("label"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class PriorityList(TenantModel):
    """The year's selected / prioritised grupos de valor (the DNP-1 and FP-1 record)."""

    model = models.ForeignKey(PrioritisationModel, on_delete=models.PROTECT, related_name="lists")
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    #: the criteria as they were when saved (weights, normalisation), for explainability
    criteria_snapshot = models.JSONField(default=list)
    #: the model's rules when saved (the model may change later; the list does not)
    normalisation = models.CharField(
        _("normalisation"),
        max_length=10,
        choices=Normalisation.choices,
        default=Normalisation.MINMAX,
    )
    missing_rule = models.CharField(
        _("missing values"), max_length=10, choices=MissingRule.choices, default=MissingRule.WORST
    )
    reference_date = models.DateField(_("date of the model"), null=True, blank=True)
    #: stakeholders left out of the ranking by the ``exclude`` rule
    excluded_count = models.PositiveIntegerField(default=0)
    saved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-saved_at"]
        verbose_name = _("priority list")
        verbose_name_plural = _("priority lists")

    def __str__(self) -> str:
        return self.name


class PriorityListEntry(TenantModel):
    priority_list = models.ForeignKey(
        PriorityList, on_delete=models.CASCADE, related_name="entries"
    )
    stakeholder = models.ForeignKey(
        "registry.Stakeholder", on_delete=models.PROTECT, related_name="+"
    )
    rank = models.PositiveIntegerField()
    score = models.DecimalField(max_digits=7, decimal_places=3)
    #: criterion label → {"raw": ..., "normalised": ..., "weight": ..., "points": ...}
    breakdown = models.JSONField(default=dict)
    selected = models.BooleanField(default=True)

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "priority_list", "stakeholder"],
                name="priority_entry_unique",
            )
        ]
        indexes = [models.Index(fields=["organization", "stakeholder"])]


# --- strategy and committee (FP-2..4) ------------------------------------------------------------


class Strategy(TenantModel):
    """The year's integral strategy: units propose, planning consolidates, committee decides."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=250)
    status = models.CharField(
        _("status"), max_length=12, choices=StrategyStatus.choices, default=StrategyStatus.DRAFT
    )
    consolidation_notes = models.TextField(_("consolidation notes"), blank=True)
    #: committee round (1, 2, ...): increases each time it is presented again
    round = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("opened at"), default=timezone.now)
    #: when the committee approved it (or, without a committee stage, the consolidation did)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-fiscal_year__year"]
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year"], name="strategy_unique_year"
            )
        ]

    def __str__(self) -> str:
        return self.title


class StrategyProposal(TenantModel):
    """A unit's part of the strategy: services, resources, modality, alliances, milestones."""

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="proposals")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    services: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="+", through="StrategyProposalService"
    )
    resources = models.DecimalField(
        _("resources (COP)"), default=0, max_digits=16, decimal_places=2
    )
    modality = models.ForeignKey(
        "catalog.Modality", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    people = models.TextField(_("people and teams"), blank=True)
    alliances = models.TextField(_("alliances"), blank=True)
    milestones = models.TextField(_("milestones"), blank=True)
    joint = models.BooleanField(_("joint with other units"), default=False)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT
    )
    comments = models.TextField(_("committee comments"), blank=True)
    #: planning leaves a unit out of this year's strategy (with the reason): consolidation
    #: then does not wait for its proposal (FP-3)
    excluded = models.BooleanField(_("excluded from the strategy"), default=False)
    exclusion_reason = models.TextField(_("reason for the exclusion"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    unit_path = "unit"

    class Meta:
        ordering = ["unit__name"]
        verbose_name = _("strategy proposal")
        verbose_name_plural = _("strategy proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "strategy", "unit"], name="proposal_unique_unit"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.strategy}"


class StrategyRound(TenantModel):
    """One presentation of the strategy: what planning consolidated (FP-3) and, where the
    procedure has a committee stage, the Comité Directivo's answer (FP-4).

    Every round is kept: ``snapshot`` freezes the proposals as they were consolidated (units,
    services, resources, ...), so a rejected round can be compared with the next one.
    """

    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    consolidated_at = models.DateTimeField(_("consolidated at"), default=timezone.now)
    consolidated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(_("consolidation notes"), blank=True)
    #: {"proposals": [...], "total_resources": "..."} as consolidated (see strategy.services)
    snapshot = models.JSONField(default=dict)
    presented_at = models.DateTimeField(_("presented to the committee at"), null=True, blank=True)
    decision = models.ForeignKey(
        "CommitteeDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acta_document = models.ForeignKey(
        "core.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: the committee's comments per unit when it returned the strategy: {unit_id: text}
    proposal_comments = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["strategy", "number"]
        verbose_name = _("strategy round")
        verbose_name_plural = _("strategy rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "strategy", "number"], name="strategy_round_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "strategy"])]

    def __str__(self) -> str:
        return f"{self.strategy} — {self.number}"


class StrategyProposalService(TenantModel):
    """A service of the catalogue in a unit's strategy proposal (explicit: carries the tenant)."""

    proposal = models.ForeignKey(
        StrategyProposal, on_delete=models.CASCADE, related_name="service_links"
    )
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "proposal", "service"], name="proposal_service_unique"
            )
        ]


class CommitteeDecision(TenantModel):
    """An acta of the Comité Directivo deciding on a strategy or a consolidated plan."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    acta_number = models.CharField(_("acta number"), max_length=40)
    date = models.DateField(_("date"))
    attendees = models.TextField(_("attendees"))
    decision = models.CharField(_("decision"), max_length=10, choices=DecisionOutcome.choices)
    comments = models.TextField(_("comments"), blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("committee decision")
        verbose_name_plural = _("committee decisions")
        indexes = [models.Index(fields=["organization", "content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "acta_number"], name="committee_acta_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Acta {self.acta_number}"


# --- plans (SAL-2, FP-5, EDU-2..8, DNP-3) -----------------------------------------------------------


class Plan(TenantModel):
    """A unit's assistance plan for a fiscal year."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=250)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    consolidated = models.ForeignKey(
        "ConsolidatedPlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    #: review round: increases each time the plan is returned and resubmitted
    round = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    unit_path = "unit"

    class Meta:
        ordering = ["unit__name"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "unit", "fiscal_year"], name="plan_unique_unit_year"
            )
        ]
        indexes = [models.Index(fields=["organization", "fiscal_year", "status"])]

    def __str__(self) -> str:
        return self.title


class PlanLine(TenantModel):
    """One activity of a plan, with every field the procedures require (EDU-5, FP-5, SAL-2)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    programme = models.CharField(_("development plan programme"), max_length=300, blank=True)
    activity = models.CharField(_("activity / project"), max_length=500)
    objective = models.TextField(_("objective"), blank=True)
    topic = models.ForeignKey(
        "catalog.Topic", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service = models.ForeignKey(
        "catalog.Service", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    service_type = models.ForeignKey(
        "catalog.ServiceType", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mechanism = models.ForeignKey(
        "catalog.Mechanism", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    modality = models.ForeignKey(
        "catalog.Modality", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: planned months 1..12 (the quarter is derived)
    months = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=250, blank=True)
    municipality = models.ForeignKey(
        "geo.Municipality", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    responsible_team = models.CharField(_("responsible team"), max_length=300, blank=True)
    budget = models.DecimalField(_("budget (COP)"), default=0, max_digits=16, decimal_places=2)
    needs_contract = models.BooleanField(_("needs contracting"), default=False)
    needs_travel = models.BooleanField(_("needs travel allowance"), default=False)
    needs_logistics = models.BooleanField(_("needs logistics"), default=False)
    procurement_notes = models.TextField(_("procurement needs"), blank=True)
    #: FP-5: for national-order entities, whether the topic is a legal obligation — None
    #: while the unit has not said (the consolidation checks ask for it), never assumed "no"
    legal_obligation = models.BooleanField(
        _("legal obligation (national entity)"), null=True, blank=True, default=None
    )
    #: FP-5: the norm that makes it an obligation ("Ley 1955 de 2019, art. 8"), stated when
    #: ``legal_obligation`` is yes: a checkbox alone is not evidence
    legal_basis = models.CharField(_("legal basis (norm)"), max_length=300, blank=True)
    territorial_manager = models.CharField(_("territorial manager"), max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    unit_path = "plan__unit"

    class Meta:
        ordering = ["plan", "position", "id"]
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        indexes = [models.Index(fields=["organization", "plan", "position"])]

    def __str__(self) -> str:
        return self.activity

    @property
    def quarters(self) -> list[int]:
        return sorted({(m - 1) // 3 + 1 for m in self.months})


class PlanLineStakeholder(TenantModel):
    line = models.ForeignKey(PlanLine, on_delete=models.CASCADE, related_name="stakeholder_links")
    stakeholder = models.ForeignKey(
        "registry.Stakeholder", on_delete=models.PROTECT, related_name="plan_line_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "line", "stakeholder"], name="line_stakeholder_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "stakeholder"])]


class PlanLineNeed(TenantModel):
    line = models.ForeignKey(PlanLine, on_delete=models.CASCADE, related_name="need_links")
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="plan_line_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "line", "need"], name="line_need_unique"
            )
        ]


class PlanComment(TenantModel):
    """A review comment on a plan (returns for adjustments keep their comments per round)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(default=1)
    transition = models.CharField(max_length=40)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]


class ConsolidatedPlan(TenantModel):
    """The organization's plan for a fiscal year: the unit plans consolidated by planning."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=250)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ConsolidatedStatus.choices,
        default=ConsolidatedStatus.DRAFT,
    )
    round = models.PositiveSmallIntegerField(default=1)
    checked_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-fiscal_year__year"]
        verbose_name = _("consolidated plan")
        verbose_name_plural = _("consolidated plans")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "fiscal_year"], name="consolidated_unique_year"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Finding(TenantModel):
    """A consistency-check result: names the rule, the lines, and how to fix it."""

    consolidated = models.ForeignKey(
        ConsolidatedPlan, on_delete=models.CASCADE, related_name="findings"
    )
    rule = models.CharField(_("rule"), max_length=60)
    severity = models.CharField(_("severity"), max_length=12, choices=FindingSeverity.choices)
    message = models.TextField(_("message"))
    fix_hint = models.TextField(_("how to fix"), blank=True)
    line_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: stable identity of the finding across runs (rule + lines + subject), so an accepted
    #: finding stays accepted when the checks run again and nothing changed
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(
        max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    justification = models.TextField(_("justification"), blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["severity", "rule", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "consolidated", "fingerprint"],
                name="finding_unique_fingerprint",
            )
        ]
        indexes = [models.Index(fields=["organization", "consolidated", "status"])]
