"""Writes of the needs (necesidades): SAL-1, EDU-1 and the demand side of FP-1.

* ``need_create`` / ``need_update``: a need registered by the organization's staff, with its
  grupos de valor, topic, origin, source, priority, responsible unit, vigencia and an
  evidence file (SAL-1's control point is the screenshot of the e-mail that brought it).
* ``need_request_submit``: a request through the public form (no login): a demand need
  waiting to be triaged, with the requester's data and the habeas-data consent given.
* ``need_triage``: accept a request (→ open) or discard it with a reason.
* ``need_set_status``: open ↔ planned → addressed, discarded (with a reason), reopened.

Triage and status moves are the rows of ``needs.workflow``, applied with
``core.workflow.transition_apply``; edits go through ``core.concurrency.versioned_update``.
* ``needs_import``: a CSV/XLSX file of needs, all rows in one transaction or none.

Every creation by staff, and the acceptance of a public request at triage, records
``need.registered`` (the step key SAL-1, EDU-1 and FP-1 map to) by the person who did it; the
public submission itself, edits, triage moves, status changes, imports and exports are
audit-only events (``need.requested``, ...).
"""

from __future__ import annotations

import copy
import logging
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from acompana.catalog.models import Modality, Topic
from acompana.core.concurrency import versioned_update
from acompana.core.errors import TransitionError
from acompana.core.events import changed_fields, event_record, snapshot
from acompana.core.models import Event, FiscalYear, Job, Organization, Unit, User
from acompana.core.tabular import ImportRejected
from acompana.core.workflow import transition_apply
from acompana.geo.models import Municipality
from acompana.planning.choices import NeedOrigin, NeedSource, NeedStatus, Priority
from acompana.planning.models import Need, NeedStakeholder
from acompana.planning.needs import selectors, workflow
from acompana.registry.models import Stakeholder
from acompana.registry.notice import NOTICE_VERSIONS, notice_hash, notice_text, policy_path

REGISTERED = "need.registered"
REQUESTED = "need.requested"

logger = logging.getLogger(__name__)

NEED_FIELDS = [
    "title",
    "description",
    "origin",
    "source",
    "priority",
    "status",
    "topic",
    "unit",
    "fiscal_year",
    "evidence_filename",
    "radicado",
    "received_on",
]
EDITABLE_FIELDS = [
    "title",
    "description",
    "origin",
    "source",
    "priority",
    "topic",
    "unit",
    "radicado",
    "received_on",
]

#: SAL-1's evidence: a screenshot, a scan, the e-mail itself or a document
EVIDENCE_EXTENSIONS = ("png", "jpg", "jpeg", "pdf", "eml", "msg", "docx")
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
#: the first bytes each kind of file starts with (a renamed executable is refused)
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "pdf": (b"%PDF-",),
    "docx": (b"PK\x03\x04",),
    "msg": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}

# the status moves are the transition table of ``needs.workflow``
TRIAGE_ACCEPT = "accept"
TRIAGE_DISCARD = "discard"

REQUEST_PREFIX = "SOL"


# --- validation ------------------------------------------------------------------------------


def evidence_problem(upload: UploadedFile) -> str | None:
    """Why an evidence file is refused, or None: type by extension and first bytes, size."""
    name = PurePath(upload.name or "").name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EVIDENCE_EXTENSIONS:
        return _("Upload the evidence as PNG, JPG, PDF, EML, MSG or DOCX.")
    if upload.size is not None and upload.size > EVIDENCE_MAX_BYTES:
        return _("The evidence file is larger than %(mb)s MB.") % {
            "mb": EVIDENCE_MAX_BYTES // (1024 * 1024)
        }
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if not head:
        return _("The evidence file is empty.")
    signatures = _SIGNATURES.get(extension)
    if signatures is not None and not head.startswith(signatures):
        return _("The content of the file is not a %(type)s file.") % {"type": extension.upper()}
    if extension == "eml" and b"\x00" in head:
        return _("The content of the file is not an e-mail message (.eml).")
    return None


def _text(data: Mapping[str, Any], key: str) -> str:
    return str(data.get(key) or "").strip()


def _same_org(obj: Any, organization: Organization) -> bool:
    return obj is None or obj.organization_id == organization.pk


def _clean(
    *,
    actor: User,
    organization: Organization,
    data: Mapping[str, Any],
    need: Need | None = None,
) -> dict[str, Any]:
    """Model values from ``data``, or ``ValidationError`` with a message per field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    title = " ".join(_text(data, "title").split())
    if not title:
        add("title", _("Write the title of the need."))
    elif len(title) > 250:
        add("title", _("At most 250 characters."))
    description = _text(data, "description")
    if not description:
        add("description", _("Describe the need."))
    origin = _text(data, "origin")
    if origin not in NeedOrigin.values:
        add("origin", _("Choose whether the need comes from the offer or the demand."))
    source = _text(data, "source")
    if source not in NeedSource.values:
        add("source", _("Choose the source of the need."))
    priority = _text(data, "priority") or Priority.MEDIUM
    if priority not in Priority.values:
        add("priority", _("Choose the priority."))

    topic: Topic | None = data.get("topic")
    if not _same_org(topic, organization):
        add("topic", _("The topic is not of this organization."))
    elif topic is not None and not topic.is_active and (need is None or need.topic_id != topic.pk):
        add("topic", _("The topic «%(name)s» is inactive.") % {"name": topic.name})

    unit: Unit | None = data.get("unit")
    allowed = selectors.allowed_unit_ids(user=actor)
    if not _same_org(unit, organization):
        add("unit", _("The unit is not of this organization."))
    elif unit is not None and not unit.is_active and (need is None or need.unit_id != unit.pk):
        add("unit", _("The unit «%(name)s» is inactive.") % {"name": unit.name})
    elif allowed is not None and (unit is None or unit.pk not in allowed):
        add("unit", _("Choose your unit: you can only register needs of your own unit."))

    fiscal_year: FiscalYear | None = data.get("fiscal_year")
    if not _same_org(fiscal_year, organization):
        add("fiscal_year", _("The fiscal year is not of this organization."))

    # the radicado of the correspondence office: one need per radicado in the organization
    radicado = " ".join(_text(data, "radicado").split())
    if len(radicado) > 40:
        add("radicado", _("At most 40 characters."))
    elif radicado:
        holder = (
            Need.objects.filter(organization=organization, radicado__iexact=radicado)
            .exclude(pk=need.pk if need is not None else None)
            .values_list("title", flat=True)
            .first()
        )
        if holder is not None:
            add(
                "radicado",
                _("The radicado %(value)s is already registered, in the need «%(title)s».")
                % {"value": radicado, "title": holder},
            )
    received_on = data.get("received_on") or None
    if received_on is not None and received_on > timezone.localdate():
        add("received_on", _("The date it was received cannot be in the future."))

    stakeholders: list[Stakeholder] = []
    linked = (
        set(NeedStakeholder.objects.filter(need=need).values_list("stakeholder_id", flat=True))
        if need is not None
        else set()
    )
    for stakeholder in data.get("stakeholders") or []:
        if stakeholder.organization_id != organization.pk:
            add("stakeholders", _("A stakeholder is not of this organization."))
        elif not stakeholder.is_active and stakeholder.pk not in linked:
            add(
                "stakeholders",
                _("The stakeholder «%(name)s» is inactive.") % {"name": stakeholder.name},
            )
        elif all(s.pk != stakeholder.pk for s in stakeholders):
            stakeholders.append(stakeholder)
    if errors:
        raise ValidationError(errors)
    return {
        "title": title,
        "description": description,
        "origin": origin,
        "source": source,
        "priority": priority,
        "topic": topic,
        "unit": unit,
        "fiscal_year": fiscal_year,
        "radicado": radicado,
        "received_on": received_on,
        "stakeholders": stakeholders,
    }


def _store_evidence(need: Need, upload: UploadedFile) -> None:
    """Save the file under a random name (the original name is kept apart for display)."""
    problem = evidence_problem(upload)
    if problem:
        raise ValidationError({"evidence": [problem]})
    original = PurePath(upload.name or "").name
    extension = original.rsplit(".", 1)[-1].lower()
    need.evidence.save(f"{secrets.token_urlsafe(18)}.{extension}", upload, save=False)
    need.evidence_filename = original[:255]


def _snapshot(need: Need) -> dict[str, Any]:
    result = snapshot(need, NEED_FIELDS)
    result["stakeholders"] = sorted(
        NeedStakeholder.objects.filter(need=need).values_list("stakeholder__name", flat=True)
    )
    return result


def _linked_stakeholders(need: Need) -> list[Stakeholder]:
    return list(Stakeholder.objects.filter(need_links__need=need).order_by("name", "id"))


def _set_stakeholders(need: Need, stakeholders: Sequence[Stakeholder]) -> None:
    wanted = {s.pk for s in stakeholders}
    current = set(need.stakeholder_links.values_list("stakeholder_id", flat=True))
    NeedStakeholder.objects.filter(need=need, stakeholder_id__in=current - wanted).delete()
    NeedStakeholder.objects.bulk_create(
        [
            NeedStakeholder(organization_id=need.organization_id, need=need, stakeholder_id=pk)
            for pk in sorted(wanted - current)
        ]
    )
    # the prefetched links are stale now
    if hasattr(need, "_prefetched_objects_cache"):
        need._prefetched_objects_cache.pop("stakeholder_links", None)


# --- staff -----------------------------------------------------------------------------------


def need_create(
    *,
    actor: User,
    organization: Organization,
    data: Mapping[str, Any],
    evidence: UploadedFile | None = None,
) -> Need:
    """Register a need (SAL-1, EDU-1): it starts open. Records ``need.registered``.

    ``data``: title, description, origin, source, priority, topic, unit, fiscal_year
    (the current one when absent) and stakeholders (``Stakeholder`` objects).
    """
    values = _clean(actor=actor, organization=organization, data=data)
    if evidence is not None:
        problem = evidence_problem(evidence)
        if problem:
            raise ValidationError({"evidence": [problem]})
    stakeholders = values.pop("stakeholders")
    if values["fiscal_year"] is None:
        values["fiscal_year"] = selectors.current_fiscal_year(organization=organization)
    with transaction.atomic():
        need = Need(
            organization=organization,
            status=NeedStatus.OPEN,
            created_by=actor,
            **values,
        )
        if evidence is not None:
            _store_evidence(need, evidence)
        need.save()
        _set_stakeholders(need, stakeholders)
        event_record(
            actor=actor,
            organization=organization,
            step_key=REGISTERED,
            obj=need,
            summary=_("Need registered: %(title)s") % {"title": need.title},
            after=_snapshot(need),
            record=need.evidence_filename,
        )
    return need


def need_update(
    *,
    actor: User,
    need: Need,
    expected_version: int,
    data: Mapping[str, Any],
    evidence: UploadedFile | None = None,
    clear_evidence: bool = False,
) -> Need:
    """Change a need. ``data`` may hold only the fields to change (the API's PATCH).

    Refused with ``StaleObjectError`` when someone else saved it since ``expected_version``.
    A replaced or removed evidence file stays in storage (the audit row names it).
    """
    organization = need.organization
    current: dict[str, Any] = {name: getattr(need, name) for name in EDITABLE_FIELDS}
    current["fiscal_year"] = need.fiscal_year
    current["stakeholders"] = _linked_stakeholders(need)
    merged = {**current, **{k: v for k, v in data.items() if k in current}}
    values = _clean(actor=actor, organization=organization, data=merged, need=need)
    if evidence is not None:
        problem = evidence_problem(evidence)
        if problem:
            raise ValidationError({"evidence": [problem]})
    stakeholders = values.pop("stakeholders")
    before = _snapshot(need)
    with transaction.atomic():
        versioned_update(need, expected_version=expected_version, fields=values)
        if evidence is not None:
            _store_evidence(need, evidence)
            need.save(update_fields=["evidence", "evidence_filename"])
        elif clear_evidence and need.evidence:
            need.evidence = ""  # type: ignore[assignment]
            need.evidence_filename = ""
            need.save(update_fields=["evidence", "evidence_filename"])
        _set_stakeholders(need, stakeholders)
        after = _snapshot(need)
        b, a = changed_fields(before, after)
        event_record(
            actor=actor,
            organization=organization,
            step_key="need.updated",
            obj=need,
            summary=_("Need updated: %(title)s") % {"title": need.title},
            before=b,
            after=a,
            record=need.evidence_filename if evidence is not None else "",
        )
    return need


def _moved(need: Need, fields: Mapping[str, Any], status: str) -> Need:
    """A copy of ``need`` as it will be after a move (for the event's after-snapshot)."""
    future = copy.copy(need)
    for name, value in {**fields, "status": status}.items():
        setattr(future, name, value)
    return future


def need_triage(
    *,
    actor: User,
    need: Need,
    decision: str,
    expected_version: int | None = None,
    reason: str = "",
    data: Mapping[str, Any] | None = None,
) -> Need:
    """Triage a request of the public form: accept it (→ open) or discard it with a reason.

    Accepting may complete what the requester could not say (``data``): the responsible
    unit, the topic, the priority, the title, the vigencia (``fiscal_year``) and the grupos
    de valor of the registry; the requesting entity is linked to the registered stakeholder
    it matches (``requester_stakeholder``: the alcaldía of its municipality, the entity of its
    NIT) or registered now (``new_stakeholder``: kind and name). Accepting records
    ``need.registered`` by ``actor``: SAL-1 / EDU-1 are done by the person who accepted.
    """
    if need.status != NeedStatus.TO_TRIAGE:
        raise TransitionError(_("This need was already triaged."))
    if decision not in workflow.TRIAGE_TRANSITIONS:
        raise ValidationError({"decision": [_("Choose whether to accept or discard.")]})
    transition = workflow.TRIAGE_TRANSITIONS[decision]
    reason = " ".join((reason or "").split())
    before = _snapshot(need)
    now = timezone.now()
    stakeholders: list[Stakeholder] | None = None
    new_stakeholder: Mapping[str, Any] | None = None
    fields: dict[str, Any] = {"triaged_by": actor, "triaged_at": now}
    if decision == TRIAGE_DISCARD:
        if not reason:
            raise ValidationError({"reason": [_("Write why the request is discarded.")]})
        fields.update(discard_reason=reason[:2000])
    else:
        accepted = ("unit", "topic", "priority", "title", "fiscal_year")
        changes = {k: v for k, v in (data or {}).items() if k in accepted}
        if changes.get("fiscal_year") is None:
            changes.pop("fiscal_year", None)  # «current»: keep the request's vigencia
        if not changes.get("title"):
            changes.pop("title", None)
        merged: dict[str, Any] = {name: getattr(need, name) for name in EDITABLE_FIELDS}
        merged["fiscal_year"] = need.fiscal_year
        merged["stakeholders"] = _linked_stakeholders(need)
        merged.update(changes)
        if data and data.get("stakeholders") is not None:
            merged["stakeholders"] = list(data["stakeholders"])
        matched: Stakeholder | None = (data or {}).get("requester_stakeholder")
        if matched is not None:
            merged["stakeholders"] = [*merged["stakeholders"], matched]
        values = _clean(actor=actor, organization=need.organization, data=merged, need=need)
        stakeholders = values["stakeholders"]
        new_stakeholder = (data or {}).get("new_stakeholder")
        fields.update(
            unit=values["unit"],
            topic=values["topic"],
            priority=values["priority"],
            title=values["title"],
            fiscal_year=values["fiscal_year"],
        )
    with transaction.atomic():
        if decision == TRIAGE_ACCEPT and new_stakeholder is not None:
            assert stakeholders is not None
            stakeholders.append(
                _requester_stakeholder_create(actor=actor, need=need, data=new_stakeholder)
            )
        if stakeholders is not None:  # undone with the rest when the move is refused
            _set_stakeholders(need, stakeholders)
        b, a = changed_fields(before, _snapshot(_moved(need, fields, transition.target)))
        if reason:
            a["reason"] = reason
        transition_apply(
            actor=actor,
            obj=need,
            transition=transition,
            expected_version=expected_version,
            fields=fields,
            summary=(
                _("Request accepted: %(title)s")
                if decision == TRIAGE_ACCEPT
                else _("Request discarded: %(title)s")
            )
            % {"title": need.title},
            before=b,
            after=a,
            refused=_("Someone else changed the status of this need. Reload the page."),
        )
        if decision == TRIAGE_ACCEPT:
            # SAL-1 / EDU-1: a public request becomes a registered need when a person
            # accepts it, and the trail names that person (the submission was audit-only)
            event_record(
                actor=actor,
                organization=need.organization,
                step_key=REGISTERED,
                obj=need,
                summary=_("Need registered: %(title)s (request %(reference)s accepted)")
                % {"title": need.title, "reference": need.reference or "—"},
                after=_snapshot(need),
            )
    return need


def _requester_stakeholder_create(
    *, actor: User, need: Need, data: Mapping[str, Any]
) -> Stakeholder:
    """Register the requesting entity of a public request in the registry (triage).

    Its identifiers come from the request: the municipality's DANE code for an alcaldía, the
    12-digit code for a school, the NIT otherwise; it is placed in the requester's
    municipality. The registry's own rules apply (``registry.services.stakeholder_create``);
    their refusals are shown on the triage form's entity choice.
    """
    from acompana.registry.choices import StakeholderKind
    from acompana.registry.services import stakeholder_create

    kind = _text(data, "kind")
    identifier = need.requester_identifier
    base = identifier.split("-", 1)[0]
    municipality_code = need.requester_municipality.code if need.requester_municipality else ""
    values: dict[str, Any] = {
        "kind": kind,
        "name": " ".join(_text(data, "name").split()) or need.requester_entity,
        "municipality_code": municipality_code,
    }
    if kind == StakeholderKind.MUNICIPALITY:
        values["dane_code"] = base if len(base) == 5 else municipality_code
    elif kind == StakeholderKind.DEPARTMENT:
        values["dane_code"] = base if len(base) == 2 else municipality_code[:2]
        values["municipality_code"] = ""
        values["department_code"] = values["dane_code"]
    elif kind in (StakeholderKind.SCHOOL, StakeholderKind.SCHOOL_SITE) and len(base) == 12:
        values["school_code"] = base
    elif len(base) >= 8:
        values["nit"] = identifier
    try:
        return stakeholder_create(actor=actor, organization=need.organization, data=values)
    except ValidationError as exc:
        raise ValidationError({"requester_stakeholder": exc.messages}) from exc


def need_set_status(
    *,
    actor: User,
    need: Need,
    status: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Need:
    """Move a need along ``workflow.STATUS_TRANSITIONS`` (discarding needs a reason).

    A plan line that takes the need marks it planned; delivering it marks it addressed.
    """
    if status not in NeedStatus.values and need.status != NeedStatus.TO_TRIAGE:
        raise ValidationError({"status": [_("Unknown status.")]})
    transition = workflow.status_transition(current=need.status, target=status)
    reason = " ".join((reason or "").split())
    fields: dict[str, Any] = {}
    if status == NeedStatus.DISCARDED:
        if not reason:
            raise ValidationError({"reason": [_("Write why the need is discarded.")]})
        fields["discard_reason"] = reason[:2000]
    elif need.status == NeedStatus.DISCARDED:
        fields["discard_reason"] = ""
    transition_apply(
        actor=actor,
        obj=need,
        transition=transition,
        expected_version=expected_version,
        fields=fields,
        summary=_("Need «%(title)s»: %(status)s")
        % {"title": need.title, "status": NeedStatus(status).label},
        before={"status": need.status},
        after={"status": status, **({"reason": reason} if reason else {})},
        refused=lambda current: workflow.cannot_become(current, status),
    )
    return need


# --- public request form (demanda) -----------------------------------------------------------


def _next_reference(organization: Organization, year: int) -> str:
    """«SOL-2026-0007»: the next number of the organization's requests of the year.

    The organization's row is locked for the rest of the transaction, so two requests
    arriving together never get the same number.
    """
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    prefix = f"{REQUEST_PREFIX}-{year}-"
    last = (
        Need.objects.filter(organization=organization, reference__startswith=prefix)
        .annotate(length=Length("reference"))
        .order_by("-length", "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{number:04d}"


def need_request_submit(
    *,
    actor: User,
    organization: Organization,
    data: Mapping[str, Any],
    consent: bool,
    notice_version: str,
    base_url: str = "",
) -> Need:
    """A grupo de valor asks for assistance through the public form (no account).

    Lands as a demand need from a request, to triage, with the requester's data and the
    proof of the habeas-data consent (notice version, SHA-256 of the text shown, time).
    Without consent nothing is stored. ``data``: requester_name, requester_position,
    requester_email, requester_phone, requester_entity, requester_identifier (NIT or DANE
    code), requester_municipality, topic, preferred_modality, description.
    The requester gets an e-mail with the radicado (on commit; ``base_url`` makes its links
    absolute). ``actor``: nobody is signed in on the public form, so the form passes
    ``core.actors.system_actor()``; the submission is audit-only (``need.requested``) and
    SAL-1 / EDU-1 are recorded by the person who accepts the request at triage.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    name = " ".join(_text(data, "requester_name").split())
    if not name:
        add("requester_name", _("Write your name."))
    email = _text(data, "requester_email").lower()
    if not email:
        add("requester_email", _("Write your e-mail so we can answer you."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            add("requester_email", _("Write a valid e-mail address."))
    phone = _text(data, "requester_phone")
    position = " ".join(_text(data, "requester_position").split())
    if not position:
        add("requester_position", _("Write your position in the entity."))
    entity = " ".join(_text(data, "requester_entity").split())
    if not entity:
        add("requester_entity", _("Write the entity or organization you represent."))
    identifier = re.sub(r"[\s.]", "", _text(data, "requester_identifier"))
    if identifier and not re.fullmatch(r"\d{2,12}(-\d)?", identifier):
        add(
            "requester_identifier",
            _("Write the NIT (digits, with or without its check digit) or the DANE code."),
        )
    modality: Modality | None = data.get("preferred_modality")
    if modality is not None and (
        modality.organization_id != organization.pk or not modality.is_active
    ):
        add("preferred_modality", _("Choose one of the modalities offered."))
    description = _text(data, "description")
    if len(description) < 10:
        add("description", _("Describe what you need (at least 10 characters)."))
    topic: Topic | None = data.get("topic")
    if topic is not None and (topic.organization_id != organization.pk or not topic.is_active):
        add("topic", _("Choose one of the topics offered."))
    municipality: Municipality | None = data.get("requester_municipality")
    if not consent:
        add(
            "consent",
            _("To send the request you must authorise the processing of your personal data."),
        )
    if notice_version not in NOTICE_VERSIONS:
        add("consent", _("The privacy notice changed. Reload the page and read it again."))
    if errors:
        raise ValidationError(errors)
    text = notice_text(organization=organization, version=notice_version)
    now = timezone.now()
    if topic is not None:
        title = _("%(topic)s — request from %(entity)s") % {"topic": topic.name, "entity": entity}
    else:
        title = _("Request from %(entity)s") % {"entity": entity}
    with transaction.atomic():
        reference = _next_reference(organization, timezone.localdate(now).year)
        need = Need.objects.create(
            organization=organization,
            fiscal_year=selectors.current_fiscal_year(organization=organization),
            title=title[:250],
            description=description,
            topic=topic,
            origin=NeedOrigin.DEMAND,
            source=NeedSource.REQUEST,
            status=NeedStatus.TO_TRIAGE,
            requester_name=name[:200],
            requester_email=email[:254],
            requester_phone=phone[:60],
            requester_entity=entity[:250],
            requester_position=position[:150],
            requester_identifier=identifier[:20],
            preferred_modality=modality,
            requester_municipality=municipality,
            consent_notice_version=notice_version,
            consent_notice_sha256=notice_hash(text),
            consent_at=now,
            reference=reference,
            # the public form's number is the request's radicado (the requester gets it),
            # unless staff already typed that same text as some need's radicado
            radicado=""
            if Need.objects.filter(organization=organization, radicado__iexact=reference).exists()
            else reference,
            received_on=timezone.localdate(now),
            created_at=now,
        )
        # no personal data in the audit row: the need itself holds it. Audit-only: the
        # official step (SAL-1, EDU-1) is done when a person accepts it at triage.
        event_record(
            actor=actor,
            organization=organization,
            step_key=REQUESTED,
            obj=need,
            summary=_("Request %(reference)s received through the public form")
            % {"reference": need.reference},
            after={
                "reference": need.reference,
                "origin": need.origin,
                "source": need.source,
                "status": need.status,
                "topic": topic.name if topic else None,
                "preferred_modality": modality.name if modality else None,
                "consent_notice_version": notice_version,
            },
        )
        transaction.on_commit(lambda: _send_request_confirmation(need=need, base_url=base_url))
    return need


def _send_request_confirmation(*, need: Need, base_url: str) -> None:
    """E-mail the requester the radicado of the request (after the commit). A mail failure
    is logged, never shown: the request is stored and its radicado was on screen."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.urls import reverse

    organization = need.organization
    public_page = base_url + reverse("core:organization_public", args=[organization.slug])
    policy = base_url + policy_path(organization=organization)
    try:
        send_mail(
            subject=_("Request %(reference)s received — %(org)s")
            % {"reference": need.reference, "org": organization.short_name or organization.name},
            message=_(
                "Hello %(name)s,\n\n%(org)s received your request for technical assistance "
                "on %(date)s.\n\nRadicado (request number): %(reference)s\n\nKeep this "
                "number to ask about your request. We will review it and answer you at this "
                "address.\n\nWhat you asked:\n%(description)s\n\n%(org)s: %(page)s\n"
                "Personal data processing policy: %(policy)s\n"
            )
            % {
                "name": need.requester_name,
                "org": organization.name,
                "date": timezone.localtime(need.created_at).strftime("%d/%m/%Y"),
                "reference": need.reference,
                "description": need.description,
                "page": public_page,
                "policy": policy,
            },
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[need.requester_email],
        )
    except Exception:
        logger.exception("Could not send the confirmation of request %s", need.pk)


# --- import and export -----------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int
    filename: str


def _registered_events(
    *, actor: User, organization: Organization, needs: Iterable[Need], summary: str
) -> None:
    """One ``need.registered`` row per imported need (the trail of each need shows its step),
    written in one statement."""
    content_type = ContentType.objects.get_for_model(Need)
    Event.objects.bulk_create(
        [
            Event(
                organization=organization,
                actor=actor,
                content_type=content_type,
                object_id=str(need.pk),
                object_repr=str(need)[:300],
                step_key=REGISTERED,
                summary=summary[:500],
            )
            for need in needs
        ],
        batch_size=1000,
    )


def needs_import(
    *, actor: User, organization: Organization, content: bytes, filename: str
) -> ImportResult:
    """Import a CSV/XLSX file of needs (SAL-1, EDU-1): every row in one transaction, or none.

    Every row is validated first (columns, words, topic, unit, vigencia, stakeholder
    identifiers, the importer's unit scope); any bad row raises ``ImportRejected`` with the
    reasons per row.
    """
    from acompana.planning.needs.imports import parse_need_file

    preview = parse_need_file(
        organization=organization,
        content=content,
        filename=filename,
        allowed_unit_ids=selectors.allowed_unit_ids(user=actor),
    )
    if not preview.ok:
        raise ImportRejected(file_errors=preview.file_errors, row_errors=preview.row_errors)
    rows = [row.values for row in preview.rows if row.values is not None]
    now = timezone.now()
    try:
        return _needs_import_write(
            actor=actor, organization=organization, rows=rows, filename=filename, now=now
        )
    except IntegrityError:
        # a need with one of the radicados was saved while the file was being imported
        raise ImportRejected(
            file_errors=[
                _(
                    "Another user registered a need with one of these radicados while the "
                    "file was being imported. Nothing was imported; try again."
                )
            ],
            row_errors=[],
        )


def _needs_import_write(
    *,
    actor: User,
    organization: Organization,
    rows: list[dict[str, Any]],
    filename: str,
    now: Any,
) -> ImportResult:
    with transaction.atomic():
        needs = Need.objects.bulk_create(
            [
                Need(
                    organization=organization,
                    title=values["title"],
                    description=values["description"],
                    origin=values["origin"],
                    source=values["source"],
                    priority=values["priority"],
                    topic_id=values["topic_id"],
                    unit_id=values["unit_id"],
                    fiscal_year_id=values["fiscal_year_id"],
                    radicado=values["radicado"],
                    received_on=values["received_on"],
                    status=NeedStatus.OPEN,
                    created_by=actor,
                    created_at=now,
                )
                for values in rows
            ],
            batch_size=1000,
        )
        NeedStakeholder.objects.bulk_create(
            [
                NeedStakeholder(organization=organization, need=need, stakeholder_id=pk)
                for need, values in zip(needs, rows, strict=True)
                for pk in values["stakeholder_ids"]
            ],
            batch_size=2000,
        )
        _registered_events(
            actor=actor,
            organization=organization,
            needs=needs,
            summary=_("Need imported from %(file)s") % {"file": filename},
        )
        event_record(
            actor=actor,
            organization=organization,
            step_key="need.imported",
            summary=_("%(count)s needs imported from %(file)s")
            % {"count": len(needs), "file": filename},
            after={"count": len(needs), "file": filename},
        )
    return ImportResult(created=len(needs), filename=filename)


def needs_import_start(*, actor: User, organization: Organization, path: str, filename: str) -> Job:
    """Start the background import of a large stored file of needs (``needs_import`` in a
    job that owns the file). Followed on ``core:job_detail``."""
    from django.urls import reverse

    from acompana.core.imports import import_job_start
    from acompana.core.permissions import check_perm
    from acompana.planning.needs.tasks import IMPORT_JOB_KIND, needs_import_task

    check_perm(actor, "planning.import")
    return import_job_start(
        actor=actor,
        organization=organization,
        kind=IMPORT_JOB_KIND,
        title=_("Import of needs from %(file)s") % {"file": filename},
        task=needs_import_task,
        path=path,
        filename=filename,
        next_url=reverse("planning:need_list"),
        upload_url=reverse("planning:need_import"),
    )


def need_export_record(
    *,
    actor: User,
    organization: Organization,
    file_format: str,
    count: int,
    filters: Mapping[str, Any],
) -> None:
    """Log an export of needs: it holds requesters' contact data (DESIGN section 7)."""
    with transaction.atomic():
        event_record(
            actor=actor,
            organization=organization,
            step_key="need.exported",
            summary=_("Export of needs (%(format)s, %(count)s rows)")
            % {"format": file_format.upper(), "count": count},
            after={
                "format": file_format,
                "count": count,
                "filters": {k: v for k, v in filters.items() if v not in ("", None)},
                "personal_data": True,
            },
        )
