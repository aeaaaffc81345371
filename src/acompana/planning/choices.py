"""Choices of the planning cycle (needs, prioritisation, strategy, plans, checks)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NeedOrigin(models.TextChoices):
    OFFER = "offer", _("Offer (oferta)")
    DEMAND = "demand", _("Demand (demanda)")


class NeedSource(models.TextChoices):
    REQUEST = "request", _("Request from the stakeholder")
    EMAIL = "email", _("E-mail")
    DEVELOPMENT_PLAN = "development_plan", _("Development plan")
    ACTION_PLAN = "action_plan", _("Action plan")
    PAM = "pam", _("Improvement support plan (PAM)")
    INSPECTION_VISIT = "inspection_visit", _("Inspection visit")
    INDICATOR_RESULT = "indicator_result", _("Indicator result (FURAG, PORS, ...)")
    COURT_ACTION = "court_action", _("Court action")
    EVALUATION_RESULT = "evaluation_result", _("Evaluation result")
    GROUP_GUIDELINES = "group_guidelines", _("Working group guidelines")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class NeedStatus(models.TextChoices):
    TO_TRIAGE = "to_triage", _("To triage")
    OPEN = "open", pgettext_lazy("need status", "Open")
    PLANNED = "planned", _("Planned")
    ADDRESSED = "addressed", _("Addressed")
    DISCARDED = "discarded", _("Discarded")


class IndicatorSource(models.TextChoices):
    FURAG = "furag", _("FURAG / MIPG performance index")
    PORS = "pors", _("PORS")
    PND = "pnd", _("PND goal gap")
    SGR = "sgr", _("SGR prioritisation")
    OTHER = "other", _("Other")


class IndicatorScale(models.TextChoices):
    """The values an indicator can take; values outside are refused at import."""

    PERCENT = "percent", _("0 to 100 (percentage or index)")
    BINARY = "binary", _("0 or 1 (yes / no)")
    COUNT = "count", _("Count: whole number, 0 or more")
    NON_NEGATIVE = "non_negative", _("Any number, 0 or more")
    ANY = "any", _("Any number")


class Normalisation(models.TextChoices):
    """How a prioritisation model puts its criteria on one scale (``scoring``)."""

    MINMAX = "minmax", _("Min–max (0 to 100)")
    ZSCORE = "zscore", _("Z-score (population standard deviation)")


class MissingRule(models.TextChoices):
    """What a prioritisation model does with a stakeholder without a value."""

    WORST = "worst", _("Worst value of the criterion")
    EXCLUDE = "exclude", _("Left out of the ranking")


class CriterionKind(models.TextChoices):
    INDICATOR = "indicator", _("Indicator value")
    NEEDS_COUNT = "needs_count", _("Number of open needs")
    COURT_ACTIONS = "court_actions", _("Number of court actions")
    PREVIOUS_ASSISTANCE = "previous_assistance", _("Assistance received the previous year")


class StrategyStatus(models.TextChoices):
    DRAFT = "draft", _("Proposals in preparation")
    CONSOLIDATED = "consolidated", _("Consolidated")
    SUBMITTED = "submitted", _("Presented to the committee")
    RETURNED = "returned", _("Returned with comments")
    APPROVED = "approved", _("Approved by the committee")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned with comments")
    ACCEPTED = "accepted", _("Accepted")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for review")
    RETURNED = "returned", _("Returned with comments")
    UNIT_APPROVED = "unit_approved", _("Approved by the unit head")
    CONSOLIDATED = "consolidated", _("Consolidated by planning")
    VERIFIED = "verified", _("Verified")
    COMMITTEE_APPROVED = "committee_approved", _("Approved by the committee")
    PUBLISHED = "published", _("Published")


class ConsolidatedStatus(models.TextChoices):
    DRAFT = "draft", _("Being consolidated")
    VERIFIED = "verified", _("Verified")
    RETURNED = "returned", _("Returned to the units")
    #: EDU-6: sent to the Comité Directivo, which reviews its coverage first
    IN_COMMITTEE = "in_committee", _("Sent to the committee")
    COMMITTEE_REVIEWED = "committee_reviewed", _("Coverage reviewed by the committee")
    COMMITTEE_APPROVED = "committee_approved", _("Approved by the committee")
    PUBLISHED = "published", _("Published")


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected: adjust and present again")


class FindingSeverity(models.TextChoices):
    BLOCKING = "blocking", _("Blocking")
    WARNING = "warning", _("Warning")
    SUGGESTION = "suggestion", _("Suggestion")


class FindingStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("finding status", "Open")
    ACCEPTED = "accepted", _("Accepted with justification")
    FIXED = "fixed", _("Fixed")
