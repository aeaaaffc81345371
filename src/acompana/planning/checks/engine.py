"""The consolidation checks engine (EDU-4, EDU-5): load, evaluate, persist findings.

Public contract (used by the plans workflow when planning verifies a consolidated plan):

``run_checks(*, actor, consolidated) -> list[Finding]``
    Runs every rule of ``rules.RULES`` on the plans of the consolidated plan (the plans linked
    to it; while none is linked yet, the organization's plans of that fiscal year that are not
    drafts) and persists the findings by fingerprint: a new fingerprint is inserted (open); a
    fingerprint no longer produced is marked fixed; a fingerprint produced again keeps its
    status (an accepted finding stays accepted; a fixed one that reappears comes back open, or
    accepted when it had been justified before). Sets ``consolidated.checked_at`` and records
    one audit-only event ``plan.checks_run``. Returns the findings produced by this run.

``unjustified_blocking_findings(consolidated) -> QuerySet[Finding]``
    The open blocking findings: verification (EDU-5) must not pass while any exists.

Performance (DESIGN section 8): the number of queries does not depend on the number of lines
nor of findings (about 20: the consolidated plan locked, plans, units, lines, stakeholder
links, stakeholders, need links, the three catalogue vocabularies, memberships, responsible
users, the priority list, the strategy, the existing findings; then at most one INSERT, one
UPDATE of changed findings and one UPDATE of fixed ones — each an ``unnest`` of arrays, so
one statement whatever the number of rows — the ``checked_at`` update and the event). Lines
are read with ``values_list`` (no model instances); the rules work on dict/set indexes.
``benchmarks/consolidation.py`` measures 20,000 lines (``make bench``).

Runs are serialised per consolidated plan (``SELECT ... FOR UPDATE`` on its row), so two
planners pressing "run" at once never insert the same fingerprint twice.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection, transaction
from django.db.models import QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from acompana.catalog.models import Mechanism, Modality, Topic
from acompana.core.events import event_record
from acompana.core.models import Membership, Unit, User
from acompana.planning.checks.rules import (
    SEVERITY_ORDER,
    CheckContext,
    Draft,
    LineInfo,
    PriorityEntry,
    StakeholderInfo,
    evaluate,
)
from acompana.planning.choices import (
    FindingSeverity,
    FindingStatus,
    PlanStatus,
    StrategyStatus,
)
from acompana.planning.models import (
    ConsolidatedPlan,
    Finding,
    Plan,
    PlanLine,
    PlanLineNeed,
    PlanLineStakeholder,
    PriorityList,
    PriorityListEntry,
    StrategyProposal,
)
from acompana.registry.models import Stakeholder

#: audit-only step key of a run (completes no official step by itself)
CHECKS_RUN_KEY = "plan.checks_run"

_LINE_FIELDS = (
    "id",
    "plan_id",
    "activity",
    "programme",
    "objective",
    "topic_id",
    "service_id",
    "service_type_id",
    "mechanism_id",
    "modality_id",
    "months",
    "start_date",
    "end_date",
    "place",
    "municipality_id",
    "responsible_id",
    "responsible_team",
    "budget",
    "needs_contract",
    "needs_travel",
    "needs_logistics",
    "procurement_notes",
    "legal_obligation",
    "legal_basis",
)


def plans_in_scope(consolidated: ConsolidatedPlan) -> QuerySet[Plan]:
    """The plans the checks read: linked to ``consolidated`` or, while none is linked, the
    organization's plans of its fiscal year that are not drafts (one query to decide)."""
    linked = Plan.objects.filter(
        organization_id=consolidated.organization_id, consolidated_id=consolidated.pk
    )
    if linked.exists():
        return linked
    return Plan.objects.filter(
        organization_id=consolidated.organization_id,
        fiscal_year_id=consolidated.fiscal_year_id,
    ).exclude(status=PlanStatus.DRAFT)


def _unit_subtrees(parents: dict[int, int | None]) -> dict[int, set[int]]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in parents.items():
        children[parent_id].append(pk)
    subtrees: dict[int, set[int]] = {}
    for root in parents:
        seen: set[int] = set()
        stack = [root]
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(children.get(current, []))
        subtrees[root] = seen
    return subtrees


def _codes(rows: Any) -> dict[int, str]:
    return {pk: (code or name or "").strip().lower() for pk, code, name in rows}


def _stakeholder_ids_by_line(org_id: int, plan_ids: list[int]) -> dict[int, list[int]]:
    by_line: dict[int, list[int]] = defaultdict(list)
    links = PlanLineStakeholder.objects.filter(
        organization_id=org_id, line__plan_id__in=plan_ids
    ).values_list("line_id", "stakeholder_id")
    for line_id, stakeholder_id in links.order_by("line_id", "stakeholder_id"):
        by_line[line_id].append(stakeholder_id)
    return by_line


def load_context(consolidated: ConsolidatedPlan) -> CheckContext:
    """Everything the rules read, in a number of queries that does not grow with the lines.

    ``consolidated`` must have ``organization`` and ``fiscal_year`` loaded.
    """
    org_id = consolidated.organization_id
    fiscal_year = consolidated.fiscal_year
    plans = list(plans_in_scope(consolidated).values_list("id", "unit_id"))
    unit_of_plan = dict(plans)
    plan_ids = list(unit_of_plan)

    unit_rows = list(
        Unit.objects.filter(organization_id=org_id).values_list("id", "parent_id", "name")
    )
    unit_names = {pk: name for pk, _parent, name in unit_rows}
    unit_subtrees = _unit_subtrees({pk: parent for pk, parent, _name in unit_rows})

    stakeholders_by_line = _stakeholder_ids_by_line(org_id, plan_ids)
    lines_with_need = set(
        PlanLineNeed.objects.filter(organization_id=org_id, line__plan_id__in=plan_ids)
        .values_list("line_id", flat=True)
        .distinct()
    )

    lines: list[LineInfo] = []
    number_in_plan: dict[int, int] = defaultdict(int)
    rows = (
        PlanLine.objects.filter(organization_id=org_id, plan_id__in=plan_ids)
        .order_by("plan_id", "position", "id")
        .values_list(*_LINE_FIELDS)
    )
    for row in rows:
        values = dict(zip(_LINE_FIELDS, row, strict=True))
        plan_id = values["plan_id"]
        number_in_plan[plan_id] += 1
        line_id = values["id"]
        lines.append(
            LineInfo(
                unit_id=unit_of_plan[plan_id],
                number=number_in_plan[plan_id],
                months=list(values.pop("months") or []),
                budget=values.pop("budget") or Decimal(0),
                activity=values.pop("activity") or "",
                stakeholder_ids=stakeholders_by_line.get(line_id, []),
                has_need=line_id in lines_with_need,
                **values,
            )
        )

    stakeholder_ids = {pk for ids in stakeholders_by_line.values() for pk in ids}
    # only this organization's registry is read: a link to anything else is reported as
    # "not in the registry" without revealing another tenant's data
    stakeholders = {
        pk: StakeholderInfo(pk, name, is_active, True, kind)
        for pk, name, is_active, kind in Stakeholder.objects.filter(
            organization_id=org_id, pk__in=stakeholder_ids
        ).values_list("id", "name", "is_active", "kind")
    }

    topic_names = dict(Topic.objects.filter(organization_id=org_id).values_list("id", "name"))
    mechanism_codes = _codes(
        Mechanism.objects.filter(organization_id=org_id).values_list("id", "code", "name")
    )
    modality_codes = _codes(
        Modality.objects.filter(organization_id=org_id).values_list("id", "code", "name")
    )

    user_units: dict[int, set[int]] = defaultdict(set)
    for user_id, unit_id in Membership.objects.filter(
        organization_id=org_id, is_active=True, user__is_active=True, unit__isnull=False
    ).values_list("user_id", "unit_id"):
        user_units[user_id].add(unit_id)
    responsible_ids = {line.responsible_id for line in lines if line.responsible_id is not None}
    # names of people who are (or were) members of this organization only
    user_names = dict(
        User.objects.filter(pk__in=responsible_ids, memberships__organization_id=org_id)
        .values_list("id", "full_name")
        .distinct()
    )

    # the selected stakeholders of the year's latest priority list, in one query
    latest_list = (
        PriorityList.objects.filter(
            organization_id=org_id, fiscal_year_id=consolidated.fiscal_year_id
        )
        .order_by("-saved_at", "-id")
        .values("id")[:1]
    )
    priority_rows = list(
        PriorityListEntry.objects.filter(
            organization_id=org_id, selected=True, priority_list_id=Subquery(latest_list)
        )
        .order_by("rank", "id")
        .values_list("priority_list__name", "stakeholder_id", "stakeholder__name", "rank")
    )
    priority_list_name = priority_rows[0][0] if priority_rows else ""
    priority_entries = [
        PriorityEntry(stakeholder_id, name, rank)
        for _list, stakeholder_id, name, rank in priority_rows
    ]

    # the committee-approved strategy of the year: resources per unit, in one query
    proposals = StrategyProposal.objects.filter(
        organization_id=org_id,
        strategy__fiscal_year_id=consolidated.fiscal_year_id,
        strategy__status=StrategyStatus.APPROVED,
    )
    if any(f.name == "excluded" for f in StrategyProposal._meta.get_fields()):
        proposals = proposals.filter(excluded=False)
    strategy_title = ""
    strategy_resources: dict[int, Decimal] = {}
    for title, unit_id, resources in proposals.values_list(
        "strategy__title", "unit_id", "resources"
    ):
        strategy_title = title
        strategy_resources[unit_id] = strategy_resources.get(unit_id, Decimal(0)) + resources

    return CheckContext(
        procedure_code=consolidated.organization.procedure_code,
        fiscal_year=fiscal_year.year,
        fiscal_start=fiscal_year.start_date,
        fiscal_end=fiscal_year.end_date,
        unit_names=unit_names,
        unit_subtrees=unit_subtrees,
        lines=lines,
        stakeholders=stakeholders,
        topic_names=topic_names,
        mechanism_codes=mechanism_codes,
        modality_codes=modality_codes,
        user_names=user_names,
        user_units=dict(user_units),
        priority_list_name=priority_list_name,
        priority_entries=priority_entries,
        strategy_title=strategy_title,
        strategy_resources=strategy_resources,
    )


# --- persistence ---------------------------------------------------------------------------------


def _same_content(finding: Finding, draft: Draft) -> bool:
    return (
        finding.severity == draft.severity
        and finding.message == draft.message
        and finding.fix_hint == draft.fix_hint
        and list(finding.line_ids) == sorted(draft.line_ids)
        and finding.unit_id == draft.unit_id
    )


def _update_findings(findings: list[Finding]) -> None:
    """One UPDATE for any number of changed findings (``unnest`` of arrays: linear, unlike
    ``bulk_update``'s CASE per row, which PostgreSQL evaluates in quadratic time)."""
    if not findings:
        return
    table = connection.ops.quote_name(Finding._meta.db_table)
    sql = (
        f"UPDATE {table} AS f SET status = v.status, severity = v.severity, "  # noqa: S608
        "message = v.message, fix_hint = v.fix_hint, line_ids = v.line_ids::bigint[], "
        "unit_id = v.unit_id "
        "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], "
        "%s::text[], %s::bigint[]) AS v(id, status, severity, message, fix_hint, line_ids, "
        "unit_id) WHERE f.id = v.id"
    )
    params: list[list[Any]] = [
        [f.pk for f in findings],
        [f.status for f in findings],
        [f.severity for f in findings],
        [f.message for f in findings],
        [f.fix_hint for f in findings],
        ["{" + ",".join(str(pk) for pk in f.line_ids) + "}" for f in findings],
        [f.unit_id for f in findings],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _insert_findings(findings: list[Finding]) -> None:
    """One INSERT for any number of findings (``unnest`` of one array per column: the
    statement has a dozen parameters, not a dozen per row); sets each finding's ``pk``."""
    if not findings:
        return
    fields = [f for f in Finding._meta.concrete_fields if not f.primary_key]
    selects: list[str] = []
    unnests: list[str] = []
    params: list[list[Any]] = []
    for index, model_field in enumerate(fields):
        db_type = model_field.db_type(connection)
        values = [getattr(f, model_field.attname) for f in findings]
        if isinstance(model_field, ArrayField):
            # a 2-D array would be flattened by unnest: send each row's array as text
            params.append(["{" + ",".join(str(v) for v in value) + "}" for value in values])
            unnests.append("%s::text[]")
            selects.append(f"v.c{index}::{db_type}")
        else:
            # plain str/int/datetime/None values: psycopg adapts them as they are
            params.append(values)
            unnests.append(f"%s::{db_type}[]")
            selects.append(f"v.c{index}")
    table = connection.ops.quote_name(Finding._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    aliases = ", ".join(f"c{index}" for index in range(len(fields)))
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {', '.join(selects)} "  # noqa: S608
        f"FROM unnest({', '.join(unnests)}) AS v({aliases}) RETURNING id, fingerprint"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = {fingerprint: pk for pk, fingerprint in cursor.fetchall()}
    for finding in findings:
        finding.pk = ids[finding.fingerprint]
        finding._state.adding = False
        finding._state.db = connection.alias


def _mark_fixed(ids: list[int]) -> None:
    if not ids:
        return
    table = connection.ops.quote_name(Finding._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s WHERE id = ANY(%s::bigint[])",  # noqa: S608
            [FindingStatus.FIXED, ids],
        )


def _persist(
    consolidated: ConsolidatedPlan, drafts: dict[str, Draft]
) -> tuple[list[Finding], dict[str, int]]:
    now = timezone.now()
    existing = {f.fingerprint: f for f in Finding.objects.filter(consolidated_id=consolidated.pk)}
    created: list[Finding] = []
    changed: list[Finding] = []
    result: list[Finding] = []
    reopened = 0
    for fingerprint, draft in drafts.items():
        finding = existing.get(fingerprint)
        if finding is None:
            created.append(
                Finding(
                    organization_id=consolidated.organization_id,
                    consolidated_id=consolidated.pk,
                    rule=draft.rule,
                    severity=draft.severity,
                    message=draft.message,
                    fix_hint=draft.fix_hint,
                    line_ids=sorted(draft.line_ids),
                    unit_id=draft.unit_id,
                    fingerprint=fingerprint,
                    status=FindingStatus.OPEN,
                    created_at=now,
                )
            )
            continue
        needs_update = not _same_content(finding, draft)
        if finding.status == FindingStatus.FIXED:
            # the same problem is back: justified before → accepted again, else open
            finding.status = FindingStatus.ACCEPTED if finding.justification else FindingStatus.OPEN
            reopened += 1
            needs_update = True
        if needs_update:
            finding.severity = draft.severity
            finding.message = draft.message
            finding.fix_hint = draft.fix_hint
            finding.line_ids = sorted(draft.line_ids)
            finding.unit_id = draft.unit_id
            changed.append(finding)
        result.append(finding)
    gone = [
        f.pk for fp, f in existing.items() if fp not in drafts and f.status != FindingStatus.FIXED
    ]
    _insert_findings(created)
    result.extend(created)
    _update_findings(changed)
    _mark_fixed(gone)
    result.sort(key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.rule, f.pk or 0))
    stats = {"new": len(created), "fixed": len(gone), "reopened": reopened}
    return result, stats


def run_checks(*, actor: User | None, consolidated: ConsolidatedPlan) -> list[Finding]:
    """EDU-4/EDU-5: run every consolidation check on ``consolidated`` and persist findings.

    See the module docstring for the contract. Everything happens in one transaction, so the
    rules see one consistent state of the plans and a failed run changes nothing.
    """
    with transaction.atomic():
        locked = (
            ConsolidatedPlan.objects.select_for_update(of=("self",))
            .select_related("organization", "fiscal_year")
            .get(pk=consolidated.pk)
        )
        context = load_context(locked)
        drafts = evaluate(context)
        findings, stats = _persist(locked, drafts)
        now = timezone.now()
        ConsolidatedPlan.objects.filter(pk=locked.pk).update(checked_at=now)
        consolidated.checked_at = now
        counts = dict.fromkeys(FindingSeverity.values, 0)
        accepted = 0
        for finding in findings:
            if finding.status == FindingStatus.OPEN:
                counts[finding.severity] += 1
            else:
                accepted += 1
        event_record(
            actor=actor,
            organization=locked.organization,
            step_key=CHECKS_RUN_KEY,
            obj=locked,
            summary=_(
                "Consolidation checks on %(lines)s lines: %(blocking)s blocking, %(warning)s "
                "warnings and %(suggestion)s suggestions open; %(accepted)s accepted."
            )
            % {
                "lines": len(context.lines),
                "blocking": counts[FindingSeverity.BLOCKING],
                "warning": counts[FindingSeverity.WARNING],
                "suggestion": counts[FindingSeverity.SUGGESTION],
                "accepted": accepted,
            },
            after={"lines": len(context.lines), "open": counts, "accepted": accepted, **stats},
        )
    return findings


def unjustified_blocking_findings(consolidated: ConsolidatedPlan) -> QuerySet[Finding]:
    """Open blocking findings of ``consolidated``: while any exists, EDU-5 cannot pass."""
    return Finding.objects.filter(
        organization_id=consolidated.organization_id,
        consolidated_id=consolidated.pk,
        severity=FindingSeverity.BLOCKING,
        status=FindingStatus.OPEN,
    )
