"""Writes of the plans area: unit plans and their lines, the workflow, the consolidated plan.

Official steps (``core/procedures/data``):

* SAL-2 (MI-GS-RG-869), EDU-2 (MI-GE-RG-217), FP-5, DNP-3 (plan de trabajo): the unit writes
  its plan — ``plan_create`` (``plan.drafted``), the line services, ``plan_lines_import`` —
  and submits it (``plan_submit``, ``plan.submitted``).
* EDU-3: the leader returns it with comments (``plan_return``) or approves it
  (``plan_approve``, ``plan.unit_approved``). In SAL and DNP the unit head's approval
  publishes the plan (``plan.unit_approved`` + ``plan.published``).
* EDU-4, FP-5: planning gathers the approved plans (``consolidated_plan_create``,
  ``consolidated_plan_gather``: ``plan.consolidated``).
* EDU-5: planning verifies it after the consistency checks (``consolidated_plan_verify``:
  ``plan.verified``) or returns the plans with the findings (``consolidated_plan_return``).
* EDU-6..7, FP-4: the Comité Directivo decides in an acta
  (``consolidated_plan_committee_decide`` through ``committee_decision_record``:
  ``plan.committee_approved``).
* EDU-8, FP-6: planning publishes it and every unit is told by e-mail
  (``consolidated_plan_publish``: ``plan.published``).

The transitions are the rows of ``workflow``; each is a conditional UPDATE from the state
(and, when given, the version) the actor saw, plus its events, in one transaction. Line
writes lock the plan row and refuse unless the plan is a draft or was returned; line edits
and deletions are optimistic-locked on the line's ``version``.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from acompana.core.concurrency import versioned_delete, versioned_update
from acompana.core.documents import DocumentHeader, document_store, render_pdf
from acompana.core.errors import TransitionError
from acompana.core.events import changed_fields, event_record, snapshot
from acompana.core.models import (
    Document,
    FiscalYear,
    Job,
    Membership,
    Organization,
    Unit,
    User,
)
from acompana.core.permissions import has_perm
from acompana.core.procedures import get_profile
from acompana.core.tabular import ImportRejected
from acompana.core.workflow import transition_apply
from acompana.planning.choices import (
    ConsolidatedStatus,
    DecisionOutcome,
    FindingSeverity,
    FindingStatus,
    PlanStatus,
)
from acompana.planning.committee import committee_decision_record
from acompana.planning.models import (
    CommitteeDecision,
    ConsolidatedPlan,
    Finding,
    Plan,
    PlanComment,
    PlanLine,
    PlanLineNeed,
    PlanLineStakeholder,
)
from acompana.planning.plans import documents as plan_documents
from acompana.planning.plans import excel, selectors, workflow
from acompana.planning.plans.validation import LineContext, LineInput, clean_line

logger = logging.getLogger(__name__)

LINE_FIELDS = [
    "activity",
    "programme",
    "objective",
    "topic",
    "service",
    "service_type",
    "mechanism",
    "modality",
    "months",
    "start_date",
    "end_date",
    "place",
    "municipality",
    "responsible",
    "responsible_team",
    "budget",
    "needs_contract",
    "needs_travel",
    "needs_logistics",
    "procurement_notes",
    "legal_obligation",
    "legal_basis",
    "territorial_manager",
]
IMPORT_MODES = ("update", "append", "replace")


def _record(header: DocumentHeader) -> str:
    """What an event names as its record: the format code and version, else its name."""
    return (
        " ".join(x for x in (header.format_code, header.format_version) if x) or header.format_name
    )


def _require(actor: User, perm: str) -> None:
    if not has_perm(actor, perm):
        raise PermissionDenied(_("Your role does not allow this action."))


def _require_write_scope(actor: User, plan: Plan) -> None:
    if not selectors.can_write_plan(user=actor, plan=plan):
        raise PermissionDenied(_("You can only act on the plans of your unit."))


def _same_organization(actor: User, organization: Organization) -> None:
    if not Membership.objects.filter(
        user=actor, organization=organization, is_active=True
    ).exists():
        raise PermissionDenied(_("You do not belong to that organization."))


# --- plans -----------------------------------------------------------------------------------


def plan_create(
    *,
    actor: User,
    organization: Organization,
    unit: Unit,
    fiscal_year: FiscalYear,
    title: str = "",
) -> Plan:
    """SAL-2, FP-5, EDU-2, DNP-3: open the plan of ``unit`` for ``fiscal_year`` (a draft)."""
    _require(actor, workflow.EDIT)
    _same_organization(actor, organization)
    errors: dict[str, str] = {}
    if unit.organization_id != organization.pk or not unit.is_active:
        errors["unit"] = _("Choose an active unit of the organization.")
    elif not Unit.objects.for_user(actor, "change").filter(pk=unit.pk).exists():
        errors["unit"] = _("You can only open plans of your unit.")
    if fiscal_year.organization_id != organization.pk:
        errors["fiscal_year"] = _("Choose a fiscal year of the organization.")
    title = " ".join((title or "").split())
    if len(title) > 250:
        errors["title"] = _("Write at most %(limit)s characters.") % {"limit": 250}
    if errors:
        raise ValidationError(errors)
    header = excel.plan_header(organization)
    if not title:
        title = f"{header.format_name} — {unit.name} {fiscal_year.year}"[:250]
    duplicate = ValidationError(
        {
            "unit": _("The unit «%(unit)s» already has a plan for %(year)s.")
            % {"unit": unit.name, "year": fiscal_year.year}
        }
    )
    if Plan.objects.filter(organization=organization, unit=unit, fiscal_year=fiscal_year).exists():
        raise duplicate
    try:
        with transaction.atomic():
            plan = Plan.objects.create(
                organization=organization,
                unit=unit,
                fiscal_year=fiscal_year,
                title=title,
                created_by=actor,
            )
            event_record(
                actor=actor,
                organization=organization,
                step_key="plan.drafted",
                obj=plan,
                summary=_("Plan opened: %(title)s") % {"title": plan.title},
                after={"unit": unit.name, "fiscal_year": fiscal_year.year},
                record=_record(header),
            )
    except IntegrityError:
        raise duplicate
    return plan


def plan_update(*, actor: User, plan: Plan, expected_version: int, title: str) -> Plan:
    """Change the plan's title (while the unit can still change it)."""
    _require(actor, workflow.EDIT)
    _require_write_scope(actor, plan)
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": _("Write the title of the plan.")})
    if len(title) > 250:
        raise ValidationError({"title": _("Write at most %(limit)s characters.") % {"limit": 250}})
    with transaction.atomic():
        before = {"title": plan.title}
        versioned_update(
            plan,
            expected_version=expected_version,
            fields={"title": title},
            states=workflow.EDITABLE,
            wrong_state=_not_editable_message,
        )
        event_record(
            actor=actor,
            organization=plan.organization,
            step_key="plan.updated",
            obj=plan,
            summary=_("Plan updated: %(title)s") % {"title": plan.title},
            before=before,
            after={"title": title},
        )
    return plan


def _not_editable_message(status: str) -> str:
    return _(
        "The plan is «%(state)s»: its lines can only change while it is a draft or returned "
        "for adjustments."
    ) % {"state": dict(PlanStatus.choices).get(status, status)}


def _lock_editable(actor: User, plan: Plan) -> Plan:
    """Lock the plan row (line writes are serialised per plan) and check it can change."""
    _require(actor, workflow.EDIT)
    _require_write_scope(actor, plan)
    locked = Plan.objects.select_for_update().filter(pk=plan.pk).first()
    if locked is None:
        raise TransitionError(_("The plan no longer exists."))
    if locked.status not in workflow.EDITABLE:
        raise TransitionError(_not_editable_message(locked.status))
    plan.status = locked.status
    return locked


def _line_values(data: LineInput) -> dict[str, Any]:
    return data.column_values()


def _sync_links(line: PlanLine, data: LineInput, *, created: bool) -> None:
    stakeholder_ids = [s.pk for s in data.stakeholders]
    need_ids = [n.pk for n in data.needs]
    if not created:
        line.stakeholder_links.exclude(stakeholder_id__in=stakeholder_ids).delete()
        line.need_links.exclude(need_id__in=need_ids).delete()
        existing_s = set(line.stakeholder_links.values_list("stakeholder_id", flat=True))
        existing_n = set(line.need_links.values_list("need_id", flat=True))
    else:
        existing_s, existing_n = set(), set()
    PlanLineStakeholder.objects.bulk_create(
        [
            PlanLineStakeholder(organization_id=line.organization_id, line=line, stakeholder_id=pk)
            for pk in stakeholder_ids
            if pk not in existing_s
        ]
    )
    PlanLineNeed.objects.bulk_create(
        [
            PlanLineNeed(organization_id=line.organization_id, line=line, need_id=pk)
            for pk in need_ids
            if pk not in existing_n
        ]
    )


def _line_snapshot(line: PlanLine, data: LineInput | None = None) -> dict[str, Any]:
    values = snapshot(line, LINE_FIELDS)
    if data is not None:
        values["stakeholders"] = sorted(s.name for s in data.stakeholders)
        values["needs"] = sorted(n.pk for n in data.needs)
    return values


def _renumber(plan: Plan) -> None:
    """Number the plan's lines 1..n in their order, so the numbers people read (and quote
    in comments and findings) stay consecutive after a deletion. One UPDATE for the lines
    whose number changes (the plan row is locked by the caller)."""
    order = list(
        PlanLine.objects.filter(plan=plan).order_by("position", "id").values_list("pk", "position")
    )
    changed = [
        PlanLine(pk=pk, position=number)
        for number, (pk, position) in enumerate(order, start=1)
        if position != number
    ]
    if changed:
        PlanLine.objects.bulk_update(changed, ["position"])


def _next_position(plan: Plan) -> int:
    current = PlanLine.objects.filter(plan=plan).aggregate(top=Max("position"))["top"]
    return int(current or 0) + 1


def plan_line_create(*, actor: User, plan: Plan, data: LineInput) -> PlanLine:
    """EDU-2, SAL-2, FP-5, DNP-3: add a line at the end of the plan."""
    with transaction.atomic():
        locked = _lock_editable(actor, plan)
        data = clean_line(context=LineContext(locked), data=data)
        line = PlanLine.objects.create(
            organization_id=plan.organization_id,
            plan=plan,
            position=_next_position(plan),
            **_line_values(data),
        )
        _sync_links(line, data, created=True)
        event_record(
            actor=actor,
            organization=plan.organization,
            step_key="plan.line_added",
            obj=line,
            summary=_("Line added to the plan %(plan)s: %(activity)s")
            % {"plan": plan.title, "activity": line.activity},
            after=_line_snapshot(line, data),
        )
    return line


def plan_line_update(
    *, actor: User, line: PlanLine, expected_version: int, data: LineInput
) -> PlanLine:
    """Change a line; refused (``StaleObjectError``) when someone changed it meanwhile."""
    plan = line.plan
    current = LineInput.from_line(line)
    before = _line_snapshot(line, current)
    with transaction.atomic():
        locked = _lock_editable(actor, plan)
        data = clean_line(context=LineContext(locked), data=data, current=current)
        versioned_update(
            line,
            expected_version=expected_version,
            fields=_line_values(data),
            stale_message=_(
                "Someone else changed this line while you were editing it: this is its "
                "current content. Apply your changes again."
            ),
        )
        _sync_links(line, data, created=False)
        b, a = changed_fields(before, _line_snapshot(line, data))
        event_record(
            actor=actor,
            organization=plan.organization,
            step_key="plan.line_changed",
            obj=line,
            summary=_("Line of the plan %(plan)s changed: %(activity)s")
            % {"plan": plan.title, "activity": line.activity},
            before=b,
            after=a,
        )
    return line


def plan_line_delete(*, actor: User, line: PlanLine, expected_version: int) -> None:
    """Remove a line; refused (``StaleObjectError``) when someone changed it meanwhile."""
    plan = line.plan
    with transaction.atomic():
        _lock_editable(actor, plan)
        before = _line_snapshot(line)
        versioned_delete(
            line,
            expected_version=expected_version,
            stale_message=_(
                "Someone else changed this line meanwhile: review it before deleting it."
            ),
        )
        _renumber(plan)
        event_record(
            actor=actor,
            organization=plan.organization,
            step_key="plan.line_removed",
            obj=line,
            summary=_("Line removed from the plan %(plan)s: %(activity)s")
            % {"plan": plan.title, "activity": line.activity},
            before=before,
        )


def plan_line_duplicate(*, actor: User, line: PlanLine) -> PlanLine:
    """A copy of ``line`` (links included) right below it, to adjust what differs."""
    plan = line.plan
    data = LineInput.from_line(line)
    with transaction.atomic():
        locked = _lock_editable(actor, plan)
        data = clean_line(context=LineContext(locked), data=data, current=LineInput.from_line(line))
        PlanLine.objects.filter(plan=plan, position__gt=line.position).update(
            position=F("position") + 1
        )
        copy = PlanLine.objects.create(
            organization_id=plan.organization_id,
            plan=plan,
            position=line.position + 1,
            **_line_values(data),
        )
        _sync_links(copy, data, created=True)
        event_record(
            actor=actor,
            organization=plan.organization,
            step_key="plan.line_added",
            obj=copy,
            summary=_("Line duplicated in the plan %(plan)s: %(activity)s")
            % {"plan": plan.title, "activity": copy.activity},
            after={"copy_of": line.pk},
        )
    return copy


def plan_line_move(*, actor: User, line: PlanLine, direction: str) -> None:
    """Move a line one place up or down (positions renumbered 1..n)."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": _("Choose up or down.")})
    plan = line.plan
    with transaction.atomic():
        _lock_editable(actor, plan)
        order = list(
            PlanLine.objects.filter(plan=plan)
            .order_by("position", "id")
            .values_list("pk", "position")
        )
        ids = [pk for pk, _pos in order]
        if line.pk not in ids:
            raise TransitionError(_("The line no longer exists."))
        index = ids.index(line.pk)
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(ids):
            return
        ids[index], ids[target] = ids[target], ids[index]
        positions = dict(order)
        changed = [
            PlanLine(pk=pk, position=number)
            for number, pk in enumerate(ids, start=1)
            if positions[pk] != number
        ]
        PlanLine.objects.bulk_update(changed, ["position"])
        event_record(
            actor=actor,
            organization=plan.organization,
            step_key="plan.lines_reordered",
            obj=plan,
            summary=_("Lines reordered in the plan %(plan)s") % {"plan": plan.title},
            after={"line": line.pk, "position": target + 1},
        )


# --- import ----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    removed: int
    filename: str
    updated: int = 0


def _mode_error() -> ValidationError:
    return ValidationError(
        {
            "mode": _(
                "Choose what the file does: update the plan's lines and add the new ones, "
                "add every row as a new line, or replace every line."
            )
        }
    )


def plan_lines_import(
    *, actor: User, plan: Plan, content: bytes, filename: str, mode: str
) -> ImportResult:
    """EDU-2/SAL-2: load the plan's lines from its Excel format. All or nothing.

    ``mode`` is an explicit choice (no default, a wrong guess loses or doubles lines):

    * ``update``: rows carrying the id of one of this plan's lines (the plan's own export)
      update that line; the other rows are added at the end; lines not in the file stay;
    * ``append``: every row is a new line — refused when rows carry this plan's line ids,
      which would silently double them (choose ``update``, or empty those cells);
    * ``replace``: the file's lines replace every line of the plan.

    Anyone who may edit the unit's plan may import into it (a professional of the unit
    too: importing is writing lines). A file with any bad row imports nothing and raises
    ``ImportRejected``.
    """
    _require(actor, workflow.EDIT)
    if mode not in IMPORT_MODES:
        raise _mode_error()
    _require_write_scope(actor, plan)
    if plan.status not in workflow.EDITABLE:
        raise TransitionError(_not_editable_message(plan.status))
    preview = excel.parse_plan_file(plan=plan, content=content, filename=filename)
    if not preview.ok:
        raise ImportRejected.from_preview(preview)
    entries = preview.entries
    if mode == "append" and preview.line_ids:
        raise ValidationError(
            {
                "mode": ngettext(
                    "%(n)s row of the file is already a line of this plan (column «Id. de "
                    "línea»): adding it would duplicate it. Choose «update», or empty that "
                    "cell to add a copy.",
                    "%(n)s rows of the file are already lines of this plan (column «Id. de "
                    "línea»): adding them would duplicate them. Choose «update», or empty "
                    "those cells to add copies.",
                    len(preview.line_ids),
                )
                % {"n": len(preview.line_ids)}
            }
        )
    with transaction.atomic():
        _lock_editable(actor, plan)
        removed = 0
        updates: list[tuple[int, LineInput]] = []
        if mode == "replace":
            _total, detail = PlanLine.objects.filter(plan=plan).delete()
            removed = _count_removed(detail)
            start = 1
            news = [data for _line_id, data in entries]
        else:
            updates = [(pk, data) for pk, data in entries if pk is not None and mode == "update"]
            news = [data for pk, data in entries if pk is None]
            start = _next_position(plan)
        lines = [
            PlanLine(
                organization_id=plan.organization_id,
                plan=plan,
                position=start + offset,
                **_line_values(data),
            )
            for offset, data in enumerate(news)
        ]
        PlanLine.objects.bulk_create(lines)
        updated = _update_imported(plan, updates)
        linked = [*zip(lines, news, strict=True), *updated]
        PlanLineStakeholder.objects.bulk_create(
            [
                PlanLineStakeholder(organization_id=plan.organization_id, line=line, stakeholder=s)
                for line, data in linked
                for s in data.stakeholders
            ]
        )
        PlanLineNeed.objects.bulk_create(
            [
                PlanLineNeed(organization_id=plan.organization_id, line=line, need=n)
                for line, data in linked
                for n in data.needs
            ]
        )
        event_record(
            actor=actor,
            organization=plan.organization,
            step_key="plan.lines_imported",
            obj=plan,
            summary=(
                _(
                    "%(created)s lines added and %(updated)s updated in the plan %(plan)s from %(file)s"
                )
                % {
                    "created": len(lines),
                    "updated": len(updated),
                    "plan": plan.title,
                    "file": filename,
                }
            )[:500],
            after={
                "created": len(lines),
                "updated": len(updated),
                "removed": removed,
                "mode": mode,
                "file": filename,
            },
        )
    return ImportResult(
        created=len(lines), removed=removed, filename=filename, updated=len(updated)
    )


def _update_imported(
    plan: Plan, updates: Sequence[tuple[int, LineInput]]
) -> list[tuple[PlanLine, LineInput]]:
    """Write the imported values over the plan's own lines (one UPDATE for all, version + 1)
    and drop their links, which the caller creates again from the file."""
    if not updates:
        return []
    current = {
        pk: (position, version)
        for pk, position, version in PlanLine.objects.filter(
            plan=plan, pk__in=[pk for pk, _data in updates]
        ).values_list("pk", "position", "version")
    }
    lines = []
    for pk, data in updates:
        position, version = current[pk]
        lines.append(
            (
                PlanLine(
                    pk=pk,
                    organization_id=plan.organization_id,
                    plan=plan,
                    position=position,
                    version=version + 1,
                    **_line_values(data),
                ),
                data,
            )
        )
    PlanLine.objects.bulk_update([line for line, _data in lines], [*LINE_FIELDS, "version"])
    ids = [pk for pk, _data in updates]
    PlanLineStakeholder.objects.filter(line_id__in=ids).delete()
    PlanLineNeed.objects.filter(line_id__in=ids).delete()
    return lines


def plan_lines_import_start(*, actor: User, plan: Plan, path: str, filename: str, mode: str) -> Job:
    """Start the background import of a large stored file of lines (``plan_lines_import``
    in a job that owns the file); the same refusals first, so a wrong mode or a plan no
    longer editable is said at once. Followed on ``core:job_detail``."""
    from acompana.core.imports import import_job_start
    from acompana.planning.plans.tasks import LINES_IMPORT_JOB_KIND, plan_lines_import_task

    _require(actor, workflow.EDIT)
    if mode not in IMPORT_MODES:
        raise _mode_error()
    _require_write_scope(actor, plan)
    if plan.status not in workflow.EDITABLE:
        raise TransitionError(_not_editable_message(plan.status))
    return import_job_start(
        actor=actor,
        organization=plan.organization,
        kind=LINES_IMPORT_JOB_KIND,
        title=_("Import of the lines of %(plan)s from %(file)s")
        % {"plan": plan.title, "file": filename},
        task=plan_lines_import_task,
        path=path,
        filename=filename,
        next_url=reverse("planning:plan_detail", args=[plan.pk]),
        upload_url=reverse("planning:plan_import", args=[plan.pk]),
        params={"plan": plan.pk, "mode": mode},
    )


def _count_removed(detail: dict[str, int]) -> int:
    return int(detail.get(PlanLine._meta.label, 0))


# --- documents -------------------------------------------------------------------------------


def plan_pdf(*, plan: Plan) -> bytes:
    """The plan as a PDF in its official format (landscape, header on every page)."""
    header = excel.plan_header(plan.organization)
    lines = list(selectors.plan_lines(plan=plan))
    return render_pdf(
        template="planning/plans/pdf_plan.html",
        context={
            "plan": plan,
            "lines": lines,
            "totals": selectors.plan_totals(plan=plan),
            "organization": plan.organization,
            "legal_columns": get_profile(plan.organization).code == "FP",
            "signatures": plan_documents.plan_signatures(plan),
            "acta": plan_documents.approving_acta(plan.consolidated),
        },
        header=header,
    )


def _store_plan_pdf(*, actor: User, plan: Plan, moment: str) -> Document:
    header = excel.plan_header(plan.organization)
    label = dict(PlanStatus.choices).get(plan.status, plan.status)
    return document_store(
        actor=actor,
        organization=plan.organization,
        obj=plan,
        kind="plan.pdf",
        title=_("%(title)s — %(state)s (round %(round)s)")
        % {"title": plan.title, "state": label, "round": plan.round},
        content=plan_pdf(plan=plan),
        header=header,
        filename=f"plan-{plan.pk}-{moment}-ronda-{plan.round}.pdf",
    )


def consolidated_pdf(*, consolidated: ConsolidatedPlan) -> bytes:
    header = excel.consolidated_header(consolidated.organization)
    plans = list(selectors.consolidated_plans(consolidated=consolidated))
    lines = list(selectors.consolidated_lines(consolidated=consolidated))
    by_plan: dict[int, list[PlanLine]] = {}
    for line in lines:
        by_plan.setdefault(line.plan_id, []).append(line)
    groups = [(plan, by_plan.get(plan.pk, [])) for plan in plans]
    return render_pdf(
        template="planning/plans/pdf_consolidated.html",
        context={
            "consolidated": consolidated,
            "groups": groups,
            "total_lines": len(lines),
            "total_budget": sum((line.budget for line in lines), start=0),
            "organization": consolidated.organization,
            "legal_columns": get_profile(consolidated.organization).code == "FP",
            "signatures": plan_documents.consolidated_signatures(consolidated),
            "acta": plan_documents.approving_acta(consolidated),
        },
        header=header,
    )


def plan_documents_store(*, actor: User, consolidated: ConsolidatedPlan) -> int:
    """The published PDF of every unit plan of ``consolidated`` (run by a background job)."""
    count = 0
    for plan in Plan.objects.filter(
        consolidated=consolidated, status=PlanStatus.PUBLISHED
    ).select_related("organization", "unit", "fiscal_year"):
        with transaction.atomic():
            _store_plan_pdf(actor=actor, plan=plan, moment="publicado")
        count += 1
    return count


# --- unit plan transitions -------------------------------------------------------------------


def _apply_plan_transition(
    *,
    actor: User,
    plan: Plan,
    transition: workflow.Transition,
    comments: str = "",
    expected_version: int | None = None,
    record: str = "",
    switches: dict[str, bool] | None = None,
) -> Plan:
    """Move one unit plan along ``transition`` (``core.workflow.transition_apply``): from the
    state (and version) the actor saw, with its events. A resubmission after a return opens
    the next round; the comments are kept with the round they review."""
    # the row is locked so the round follows the state it really leaves
    locked = Plan.objects.select_for_update().filter(pk=plan.pk).values_list("status", "round")
    previous, reviewed_round = locked.first() or (plan.status, plan.round)
    new_round = reviewed_round + 1 if previous == PlanStatus.RETURNED else reviewed_round
    label = dict(PlanStatus.choices)
    after: dict[str, Any] = {"status": transition.target, "round": new_round}
    if comments:
        after["comments"] = comments[:300]
    transition_apply(
        actor=actor,
        obj=plan,
        transition=transition,
        expected_version=expected_version,
        fields={"round": new_round},
        summary=_("%(plan)s: %(source)s → %(target)s")
        % {
            "plan": plan.title,
            "source": label.get(previous, previous),
            "target": label.get(transition.target, transition.target),
        },
        before={"status": previous, "round": reviewed_round},
        after=after,
        record=record,
        switches=switches,
        stale_message=_(
            "The plan «%(plan)s» changed while you were looking at it (someone else acted "
            "on it): reload the page and try again."
        )
        % {"plan": plan.title},
    )
    if comments:
        PlanComment.objects.create(
            organization_id=plan.organization_id,
            plan=plan,
            author=actor,
            round=reviewed_round,
            transition=transition.action,
            text=comments,
        )
    return plan


def plan_transition(
    *,
    actor: User,
    plan: Plan,
    action: str,
    comments: str = "",
    expected_version: int | None = None,
) -> Plan:
    """Apply the direct transition ``action`` (submit, return, approve, publish) to ``plan``."""
    rows = [t for t in workflow.PLAN_TRANSITIONS if t.action == action and not t.cascaded]
    if not rows:
        raise TransitionError(_("Unknown action «%(action)s».") % {"action": action})
    switches = workflow.plan_switches(plan.organization)
    if not any(t.allowed_for(actor) for t in rows if t.applies(switches)) and not any(
        has_perm(actor, t.perm) for t in rows if not t.applies(switches)
    ):
        raise PermissionDenied(_("Your role does not allow this action."))
    transition = workflow.plan_transition(
        organization=plan.organization, action=action, status=plan.status, via_consolidated=False
    )
    workflow.require_perm(actor, transition)
    _require_write_scope(actor, plan)
    comments = (comments or "").strip()
    if transition.comments == workflow.REQUIRED and not comments:
        raise ValidationError(
            {"comments": _("Write the comments: the unit adjusts the plan with them.")}
        )
    if len(comments) > 5000:
        raise ValidationError(
            {"comments": _("Write at most %(limit)s characters.") % {"limit": 5000}}
        )
    if action in ("submit", "finalise") and not PlanLine.objects.filter(plan=plan).exists():
        raise ValidationError(_("Add at least one line before submitting the plan."))
    header = excel.plan_header(plan.organization)
    with transaction.atomic():
        _apply_plan_transition(
            actor=actor,
            plan=plan,
            transition=transition,
            comments=comments,
            expected_version=expected_version,
            record=_record(header) if transition.target != PlanStatus.RETURNED else "",
        )
        if transition.target == PlanStatus.SUBMITTED:
            _store_plan_pdf(actor=actor, plan=plan, moment="enviado")
        elif transition.target == PlanStatus.PUBLISHED:
            _store_plan_pdf(actor=actor, plan=plan, moment="publicado")
    return plan


def plan_submit(
    *, actor: User, plan: Plan, comments: str = "", expected_version: int | None = None
) -> Plan:
    """EDU-2, SAL-2, FP-5, DNP-3: the unit submits its plan (again after a return, round + 1)."""
    return plan_transition(
        actor=actor,
        plan=plan,
        action="submit",
        comments=comments,
        expected_version=expected_version,
    )


def plan_finalise(
    *, actor: User, plan: Plan, comments: str = "", expected_version: int | None = None
) -> Plan:
    """SAL-2, DNP-3: no review in these procedures: whoever the step names finalises the
    plan in one action (published; SAL-3 / DNP-4 work from it)."""
    return plan_transition(
        actor=actor,
        plan=plan,
        action="finalise",
        comments=comments,
        expected_version=expected_version,
    )


def plan_return(
    *, actor: User, plan: Plan, comments: str, expected_version: int | None = None
) -> Plan:
    """EDU-3 "¿requiere ajustes? sí": back to the unit with the comments (kept per round)."""
    return plan_transition(
        actor=actor,
        plan=plan,
        action="return",
        comments=comments,
        expected_version=expected_version,
    )


def plan_approve(
    *, actor: User, plan: Plan, comments: str = "", expected_version: int | None = None
) -> Plan:
    """EDU-3: the leader approves (to planning). SAL-2, DNP-3: approved and published."""
    return plan_transition(
        actor=actor,
        plan=plan,
        action="approve",
        comments=comments,
        expected_version=expected_version,
    )


def plan_publish(
    *, actor: User, plan: Plan, comments: str = "", expected_version: int | None = None
) -> Plan:
    """SAL, DNP (no consolidation): planning publishes a submitted unit plan."""
    return plan_transition(
        actor=actor,
        plan=plan,
        action="publish",
        comments=comments,
        expected_version=expected_version,
    )


# --- the consolidated plan (EDU-4..EDU-8, FP-4..FP-6) ----------------------------------------


def _require_action(actor: User, action: str) -> None:
    perms = {t.perm for t in workflow.CONSOLIDATED_TRANSITIONS if t.action == action}
    if not any(has_perm(actor, perm) for perm in perms):
        raise PermissionDenied(_("Your role does not allow this action."))


def _move_consolidated(
    *,
    actor: User,
    consolidated: ConsolidatedPlan,
    transition: workflow.Transition,
    expected_version: int | None,
    next_round: bool = False,
    summary: str = "",
    after: dict[str, Any] | None = None,
    record: str = "",
) -> None:
    """Move the consolidated plan along ``transition`` with the events of its step keys."""
    transition_apply(
        actor=actor,
        obj=consolidated,
        transition=transition,
        expected_version=expected_version,
        fields={"round": F("round") + 1} if next_round else {},
        summary=summary,
        after=after,
        record=record,
        stale_message=_(
            "The consolidated plan changed while you were looking at it (someone else "
            "acted on it): reload the page and try again."
        ),
    )


def _move_members(
    *,
    actor: User,
    plans: Sequence[Plan],
    action: str,
    comments: str | dict[int, str] = "",
    record: str = "",
) -> None:
    if not plans:
        return
    switches = workflow.plan_switches(plans[0].organization)
    for plan in plans:
        transition = workflow.plan_transition(
            organization=plan.organization, action=action, status=plan.status, via_consolidated=True
        )
        text = comments.get(plan.pk, "") if isinstance(comments, dict) else comments
        _apply_plan_transition(
            actor=actor,
            plan=plan,
            transition=transition,
            comments=text,
            record=record,
            switches=switches,
        )


def _units_text(plans: Iterable[Plan]) -> str:
    return ", ".join(sorted(p.unit.name for p in plans))


def _members_ready(consolidated: ConsolidatedPlan, action: str) -> list[Plan]:
    """The member plans, locked, all in a state ``action`` accepts (``TransitionError``)."""
    plans = list(
        Plan.objects.select_for_update(of=("self",))
        .filter(consolidated=consolidated)
        .select_related("unit", "organization")
        .order_by("unit__name", "pk")
    )
    if not plans:
        raise ValidationError(_("The consolidated plan has no unit plans."))
    switches = workflow.plan_switches(consolidated.organization)
    sources: set[str] = set()
    for row in workflow.PLAN_TRANSITIONS:
        if row.action == action and row.cascaded and row.applies(switches):
            sources |= row.sources
    waiting = [p for p in plans if p.status not in sources]
    if waiting:
        raise TransitionError(
            _(
                "These unit plans are not ready (returned or in review): %(units)s. Wait until "
                "their units submit them again and gather them."
            )
            % {"units": _units_text(waiting)}
        )
    return plans


def consolidated_plan_create(
    *,
    actor: User,
    organization: Organization,
    fiscal_year: FiscalYear,
    title: str = "",
) -> ConsolidatedPlan:
    """EDU-4, FP-5: planning gathers the year's plans approved by their units."""
    _require(actor, workflow.CONSOLIDATE)
    _same_organization(actor, organization)
    if not workflow.has_consolidation(organization):
        raise ValidationError(
            _(
                "Your organization's procedure has no consolidation by planning: each unit's "
                "plan is approved and published on its own."
            )
        )
    if fiscal_year.organization_id != organization.pk:
        raise ValidationError({"fiscal_year": _("Choose a fiscal year of the organization.")})
    duplicate = ValidationError(
        {
            "fiscal_year": _("The consolidated plan of %(year)s already exists.")
            % {"year": fiscal_year.year}
        }
    )
    if ConsolidatedPlan.objects.filter(organization=organization, fiscal_year=fiscal_year).exists():
        raise duplicate
    header = excel.consolidated_header(organization)
    title = (
        " ".join((title or "").split())[:250]
        or (f"{header.format_name} — {organization.short_name} {fiscal_year.year}"[:250])
    )
    try:
        with transaction.atomic():
            consolidated = ConsolidatedPlan.objects.create(
                organization=organization, fiscal_year=fiscal_year, title=title
            )
            added = _gather(actor=actor, consolidated=consolidated, header=header)
            if not added:
                raise ValidationError(
                    _(
                        "No plan of %(year)s is ready to be consolidated yet: the units must "
                        "submit their plans (and their heads approve them) first."
                    )
                    % {"year": fiscal_year.year}
                )
    except IntegrityError:
        raise duplicate
    return consolidated


def _gather(
    *,
    actor: User,
    consolidated: ConsolidatedPlan,
    header: DocumentHeader,
    transition: workflow.Transition | None = None,
    expected_version: int | None = None,
    next_round: bool = False,
) -> int:
    """Gather the eligible unit plans into ``consolidated`` (event ``plan.consolidated``);
    with ``transition`` the consolidated plan moves along it in the same step."""
    plans = list(
        selectors.eligible_plans(consolidated=consolidated)
        .select_for_update(of=("self",))
        .select_related("unit", "organization")
        .order_by("unit__name")
    )
    if not plans:
        return 0
    summary = ngettext(
        "%(n)s unit plan consolidated: %(units)s",
        "%(n)s unit plans consolidated: %(units)s",
        len(plans),
    ) % {"n": len(plans), "units": _units_text(plans)}
    after = {
        "plans": [p.pk for p in plans],
        "round": consolidated.round + (1 if next_round else 0),
    }
    if transition is None:  # a new consolidated plan: nothing to move yet
        event_record(
            actor=actor,
            organization=consolidated.organization,
            step_key="plan.consolidated",
            obj=consolidated,
            summary=summary,
            after=after,
            record=_record(header),
        )
    else:
        _move_consolidated(
            actor=actor,
            consolidated=consolidated,
            transition=transition,
            expected_version=expected_version,
            next_round=next_round,
            summary=summary,
            after=after,
            record=_record(header),
        )
    Plan.objects.filter(pk__in=[p.pk for p in plans]).update(consolidated=consolidated)
    _move_members(actor=actor, plans=plans, action="consolidate", record=_record(header))
    return len(plans)


def consolidated_plan_gather(
    *, actor: User, consolidated: ConsolidatedPlan, expected_version: int | None = None
) -> int:
    """EDU-4: add the plans approved since (after a return: a new round)."""
    _require_action(actor, "gather")
    transition = workflow.consolidated_transition(
        organization=consolidated.organization, action="gather", status=consolidated.status
    )
    workflow.require_perm(actor, transition)
    header = excel.consolidated_header(consolidated.organization)
    with transaction.atomic():
        added = _gather(
            actor=actor,
            consolidated=consolidated,
            header=header,
            transition=transition,
            expected_version=expected_version,
            next_round=consolidated.status == ConsolidatedStatus.RETURNED,
        )
        if not added:
            raise ValidationError(_("There are no new plans approved by their units to add."))
    return added


#: how many blocking findings a refused verification names (the findings page has them all)
BLOCKING_LISTED = 10


def _run_checks(*, actor: User, consolidated: ConsolidatedPlan) -> list[Finding]:
    """Run the consistency checks (they persist their findings) and return the open blocking
    ones (unit first, as the findings page orders them)."""
    from acompana.planning.checks.engine import (  # the checks area
        run_checks,
        unjustified_blocking_findings,
    )

    run_checks(actor=actor, consolidated=consolidated)
    return list(
        unjustified_blocking_findings(consolidated)
        .select_related("unit")
        .order_by("unit__name", "rule", "pk")
    )


def blocking_findings_error(findings: Sequence[Finding]) -> ValidationError:
    """The refusal of a verification: how many blocking findings, then each one (unit, what
    is wrong), so the planner sees what to fix without looking for it."""
    count = len(findings)
    items: list[ValidationError] = [
        ValidationError(
            ngettext(
                "The consistency checks found %(n)s blocking finding without justification: "
                "fix it or justify it, or return the plans to the units.",
                "The consistency checks found %(n)s blocking findings without justification: "
                "fix them or justify them, or return the plans to the units.",
                count,
            )
            % {"n": count},
            code="blocking_findings",
        )
    ]
    general = _("Whole organization")
    for finding in findings[:BLOCKING_LISTED]:
        unit = finding.unit.name if finding.unit is not None else general
        items.append(
            ValidationError(
                _("%(unit)s: %(message)s") % {"unit": unit, "message": finding.message},
                code="blocking_finding",
            )
        )
    if count > BLOCKING_LISTED:
        rest = count - BLOCKING_LISTED
        items.append(
            ValidationError(
                ngettext(
                    "And %(n)s more on the findings page.",
                    "And %(n)s more on the findings page.",
                    rest,
                )
                % {"n": rest},
                code="blocking_finding",
            )
        )
    error = ValidationError(items)
    error.code = "blocking_findings"  # what callers test, as for a single message
    return error


def consolidated_plan_verify(
    *, actor: User, consolidated: ConsolidatedPlan, expected_version: int | None = None
) -> ConsolidatedPlan:
    """EDU-5: complete and consistent? The checks run first; unjustified blocking findings
    stop the verification (fix them, justify them, or return the plans to the units)."""
    _require_action(actor, "verify")
    transition = workflow.consolidated_transition(
        organization=consolidated.organization, action="verify", status=consolidated.status
    )
    workflow.require_perm(actor, transition)
    with transaction.atomic():
        _members_ready(consolidated, "verify")
    blocking = _run_checks(actor=actor, consolidated=consolidated)  # findings are kept
    if blocking:
        raise blocking_findings_error(blocking)
    with transaction.atomic():
        plans = _members_ready(consolidated, "verify")
        _move_consolidated(
            actor=actor,
            consolidated=consolidated,
            transition=transition,
            expected_version=expected_version,
            summary=_("Consolidated plan verified: %(title)s") % {"title": consolidated.title},
            after={"plans": len(plans), "round": consolidated.round},
        )
        _move_members(actor=actor, plans=plans, action="verify")
    return consolidated


def _findings_text(plan: Plan, findings: Sequence[Finding]) -> str:
    line_ids = set(PlanLine.objects.filter(plan=plan).values_list("pk", flat=True))
    relevant = [
        f for f in findings if f.unit_id == plan.unit_id or (line_ids & set(f.line_ids or []))
    ]
    if not relevant:
        return ""
    severities = dict(FindingSeverity.choices)
    items = [
        f"- [{severities.get(f.severity, f.severity)}] {f.message}"
        + (f" — {f.fix_hint}" if f.fix_hint else "")
        for f in relevant
    ]
    return "\n\n" + _("Findings of the verification:") + "\n" + "\n".join(items)


def consolidated_plan_return(
    *,
    actor: User,
    consolidated: ConsolidatedPlan,
    comments: str,
    plans: Sequence[Plan] | None = None,
    expected_version: int | None = None,
) -> list[Plan]:
    """EDU-5 "no": the chosen unit plans (all when ``plans`` is None) go back to their units
    (EDU-2) with the comments and the open findings of their lines; the others wait."""
    _require_action(actor, "return_to_units")
    transition = workflow.consolidated_transition(
        organization=consolidated.organization,
        action="return_to_units",
        status=consolidated.status,
    )
    workflow.require_perm(actor, transition)
    comments = (comments or "").strip()
    if not comments:
        raise ValidationError(
            {"comments": _("Write the comments: the units adjust their plans with them.")}
        )
    with transaction.atomic():
        members = list(
            Plan.objects.select_for_update(of=("self",))
            .filter(consolidated=consolidated)
            .select_related("unit", "organization")
            .order_by("unit__name")
        )
        returnable = [
            p for p in members if p.status in (PlanStatus.CONSOLIDATED, PlanStatus.VERIFIED)
        ]
        chosen_ids = {p.pk for p in plans} if plans is not None else {p.pk for p in returnable}
        chosen = [p for p in returnable if p.pk in chosen_ids]
        if plans is not None and len(chosen) != len(chosen_ids):
            raise ValidationError(
                {"plans": _("Choose plans of this consolidated plan that can be returned.")}
            )
        if not chosen:
            raise ValidationError({"plans": _("Choose at least one plan to return.")})
        findings = list(
            Finding.objects.filter(
                consolidated=consolidated,
                status=FindingStatus.OPEN,
                severity__in=[FindingSeverity.BLOCKING, FindingSeverity.WARNING],
            ).order_by("severity", "rule", "pk")
        )
        _move_consolidated(
            actor=actor,
            consolidated=consolidated,
            transition=transition,
            expected_version=expected_version,
            summary=_("Plans returned to their units: %(units)s") % {"units": _units_text(chosen)},
            after={"plans": [p.pk for p in chosen], "comments": comments[:300]},
        )
        texts = {plan.pk: comments + _findings_text(plan, findings) for plan in chosen}
        _move_members(actor=actor, plans=chosen, action="return_to_units", comments=texts)
        others = [p for p in members if p.pk not in chosen_ids and p.status == PlanStatus.VERIFIED]
        _move_members(actor=actor, plans=others, action="reopen")
    return chosen


def consolidated_plan_send_to_committee(
    *, actor: User, consolidated: ConsolidatedPlan, expected_version: int | None = None
) -> ConsolidatedPlan:
    """EDU-5 → EDU-6: planning sends the verified plan to the Comité Directivo."""
    _require_action(actor, "send_to_committee")
    transition = workflow.consolidated_transition(
        organization=consolidated.organization,
        action="send_to_committee",
        status=consolidated.status,
    )
    workflow.require_perm(actor, transition)
    with transaction.atomic():
        _move_consolidated(
            actor=actor,
            consolidated=consolidated,
            transition=transition,
            expected_version=expected_version,
            summary=_("Consolidated plan «%(title)s» sent to the committee")
            % {"title": consolidated.title},
        )
    return consolidated


def consolidated_plan_committee_review(
    *,
    actor: User,
    consolidated: ConsolidatedPlan,
    comments: str = "",
    expected_version: int | None = None,
) -> ConsolidatedPlan:
    """EDU-6: the committee records that it reviewed the coverage of the plan (every service
    of the value chain × the lines covering it), apart from its approval (EDU-7). The gaps
    counted on the coverage view are stored with the event."""
    _require_action(actor, "committee_review")
    transition = workflow.consolidated_transition(
        organization=consolidated.organization,
        action="committee_review",
        status=consolidated.status,
    )
    workflow.require_perm(actor, transition)
    comments = (comments or "").strip()
    if len(comments) > 5000:
        raise ValidationError(
            {"comments": _("Write at most %(limit)s characters.") % {"limit": 5000}}
        )
    rows = selectors.consolidated_coverage(consolidated=consolidated)
    gaps = [row["service"].name for row in rows if not row["lines"]]
    with transaction.atomic():
        _move_consolidated(
            actor=actor,
            consolidated=consolidated,
            transition=transition,
            expected_version=expected_version,
            summary=_(
                "The Comité Directivo reviewed the coverage of «%(title)s»: %(covered)s of "
                "%(total)s services covered"
            )
            % {
                "title": consolidated.title,
                "covered": len(rows) - len(gaps),
                "total": len(rows),
            },
            after={
                "services": len(rows),
                "gaps": gaps[:50],
                "comments": comments[:300],
            },
        )
    return consolidated


def consolidated_plan_committee_decide(
    *,
    actor: User,
    consolidated: ConsolidatedPlan,
    acta_number: str,
    date: datetime.date,
    attendees: str,
    decision: str,
    comments: str = "",
    expected_version: int | None = None,
) -> CommitteeDecision:
    """EDU-6..7, FP-4: the Comité Directivo approves the plan in an acta (AP-AI-RG-111 style
    PDF), or returns it with its comments to the units (every round is kept)."""
    if decision not in DecisionOutcome.values:
        raise ValidationError({"decision": _("Choose the decision.")})
    action = "committee_approve" if decision == DecisionOutcome.APPROVED else "committee_return"
    _require_action(actor, action)
    transition = workflow.consolidated_transition(
        organization=consolidated.organization, action=action, status=consolidated.status
    )
    workflow.require_perm(actor, transition)
    with transaction.atomic():
        plans = _members_ready(consolidated, action)
        round_ = consolidated.round
        _move_consolidated(
            actor=actor,
            consolidated=consolidated,
            transition=transition,
            expected_version=expected_version,
        )
        record = committee_decision_record(
            actor=actor,
            organization=consolidated.organization,
            obj=consolidated,
            round=round_,
            acta_number=acta_number,
            date=date,
            attendees=attendees,
            decision=decision,
            comments=comments,
            step_key="plan.committee_approved",
            subject=consolidated.title,
        )
        acta = _("Acta %(number)s") % {"number": record.acta_number}
        if decision == DecisionOutcome.APPROVED:
            _move_members(actor=actor, plans=plans, action=action, record=acta)
        else:
            text = _("Comité Directivo, acta %(number)s: %(comments)s") % {
                "number": record.acta_number,
                "comments": record.comments,
            }
            _move_members(actor=actor, plans=plans, action=action, comments=text, record=acta)
    return record


def _recipients(plans: Sequence[Plan]) -> list[Membership]:
    return list(
        Membership.objects.filter(
            organization_id=plans[0].organization_id,
            is_active=True,
            unit_id__in=[p.unit_id for p in plans],
            user__is_active=True,
        )
        .exclude(user__email="")
        .select_related("user", "unit")
        .order_by("unit__name", "user__full_name")
    )


def _send_publication_mails(
    *,
    actor: User,
    consolidated: ConsolidatedPlan,
    plans: Sequence[Plan],
    recipients: Sequence[Membership],
    base_url: str,
) -> None:
    plan_of_unit = {p.unit_id: p for p in plans}
    organization = consolidated.organization
    messages = []
    for membership in recipients:
        if membership.unit_id is None:
            continue
        plan = plan_of_unit[membership.unit_id]
        link = base_url + reverse("planning:plan_detail", args=[plan.pk])
        messages.append(
            EmailMessage(
                subject=_("Approved assistance plan %(year)s — %(org)s")
                % {"year": consolidated.fiscal_year.year, "org": organization.short_name},
                body=_(
                    "Hello %(name)s,\n\n%(actor)s published the approved technical assistance "
                    "plan %(year)s of %(org)s (%(title)s).\n\nThe plan of your unit, %(unit)s, "
                    "is here:\n%(link)s\n\nUse it to prepare your unit's agenda.\n"
                )
                % {
                    "name": membership.user.full_name or membership.user.email,
                    "actor": actor.full_name or actor.email,
                    "year": consolidated.fiscal_year.year,
                    "org": organization.name,
                    "title": consolidated.title,
                    "unit": membership.unit.name if membership.unit else "",
                    "link": link,
                },
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[membership.user.email],
            )
        )
    if messages:
        try:
            get_connection().send_messages(messages)
        except Exception:  # the plan is published; a mail failure must not hide that
            logger.exception("Could not send the publication e-mails of plan %s", consolidated.pk)


def consolidated_plan_publish(
    *,
    actor: User,
    consolidated: ConsolidatedPlan,
    expected_version: int | None = None,
    base_url: str = "",
) -> ConsolidatedPlan:
    """EDU-8, FP-6: publish the approved plan; every unit's members get an e-mail (on commit)
    with their unit's plan; the PDFs are stored (the consolidated one now, each unit's by a
    background job)."""
    from acompana.core.jobs import job_start
    from acompana.planning.plans.tasks import JOB_KIND, plan_documents_task

    _require_action(actor, "publish")
    transition = workflow.consolidated_transition(
        organization=consolidated.organization, action="publish", status=consolidated.status
    )
    workflow.require_perm(actor, transition)
    header = excel.consolidated_header(consolidated.organization)
    with transaction.atomic():
        plans = _members_ready(consolidated, "publish")
        recipients = _recipients(plans)
        _move_consolidated(
            actor=actor,
            consolidated=consolidated,
            transition=transition,
            expected_version=expected_version,
            summary=ngettext(
                "Plan published and sent by e-mail to %(n)s person of the units",
                "Plan published and sent by e-mail to %(n)s people of the units",
                len(recipients),
            )
            % {"n": len(recipients)},
            after={
                "plans": [p.pk for p in plans],
                "recipients": [m.user.email for m in recipients],
            },
            record=_("E-mail to %(n)s recipients") % {"n": len(recipients)},
        )
        _move_members(actor=actor, plans=plans, action="publish", record=_record(header))
        document_store(
            actor=actor,
            organization=consolidated.organization,
            obj=consolidated,
            kind="consolidated_plan.pdf",
            title=_("%(title)s — published") % {"title": consolidated.title},
            content=consolidated_pdf(consolidated=consolidated),
            header=header,
            filename=f"plan-consolidado-{consolidated.fiscal_year.year}-publicado.pdf",
        )
        job_start(
            actor=actor,
            organization=consolidated.organization,
            kind=JOB_KIND,
            title=_("PDF of each unit plan of %(title)s") % {"title": consolidated.title},
            task=plan_documents_task,
            params={"consolidated": consolidated.pk},
        )
        transaction.on_commit(
            lambda: _send_publication_mails(
                actor=actor,
                consolidated=consolidated,
                plans=plans,
                recipients=recipients,
                base_url=base_url,
            )
        )
    return consolidated
