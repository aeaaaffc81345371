"""The generic step keys: what a service writes in ``Event.step_key`` when it completes work
that an official procedure step asks for.

Profiles (``data/*.yaml``) map each official step (``SAL-n``, ``FP-n``, ``EDU-n``, ``DNP-n``)
to one or more of these keys; a step is done for an object when an event with one of its
keys exists for that object (or a related one). A profile may only name keys listed here
(``check_profiles`` refuses anything else), so a new key is added here first, then mapped
in the profiles, then emitted by its service.

The keys, by stage (what each means is in ``STEP_KEYS`` below):

* needs: ``need.registered``, ``prioritisation.saved``
* strategy: ``strategy.proposed``, ``strategy.consolidated``, ``strategy.committee_decided``
* plans: ``plan.drafted``, ``plan.submitted``, ``plan.unit_approved``, ``plan.consolidated``,
  ``plan.verified``, ``plan.committee_approved``, ``plan.published``
* agenda: ``agenda.scheduled``, ``agenda.consolidated``, ``agenda.published``,
  ``activity.prepared``, ``convocation.sent``, ``schedule.changed``, ``travel.requested``,
  ``travel.processed``
* delivery: ``session.recorded``, ``attendance.recorded``, ``report.execution_written``,
  ``assistance.registered``, ``stakeholder.contacted``
* evaluation: ``evaluation.applied``, ``evaluation.consolidated``, ``impact.evaluated``
* follow-up: ``commitment.followed_up``, ``milestone.recorded``, ``corrective_action.opened``,
  ``report.periodic_sent``, ``report.annual_presented``
* archive: ``archive.filed``
* registry and catalogue (emitted today): ``stakeholder.created``, ``stakeholder.updated``,
  ``stakeholder.deactivated``, ``stakeholder.imported``, ``person.created``,
  ``consent.recorded``, ``service.created``, ``service.updated``, ``milestone_template.changed``

``stakeholder.deactivated`` is known but maps to no step in the shipped profiles (it is
registry upkeep, not a procedure step). Neither do ``plan.drafted``, ``stakeholder.updated``
and ``service.updated`` (issue 11): a step is done when its control point is met — a plan
*submitted*, not an empty draft opened — and upkeep of a record completes no step.

Audit-only keys (``organization.updated``, ``unit.created``, ``procedure.adjusted``,
``need.triaged``, ``plan.returned``, ...) are in ``AUDIT_KEYS``: they are recorded in the
audit log but complete no official step, so a profile may not name them.

Together the two tables are the closed set of keys an event may carry:
``core.events.event_record`` refuses any other (``ValueError``), and
``core/tests/test_events.py`` reads every ``step_key=...`` of the source and fails on an
undeclared one. A new key is declared here before a service emits it.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: key → what the service that emits it did (English, for developers).
STEP_KEYS: dict[str, str] = {
    # needs and prioritisation
    "need.registered": "A need for technical assistance was registered.",
    "prioritisation.saved": "A prioritisation of stakeholders (grupos de valor) was saved.",
    # strategy
    "strategy.proposed": "A unit proposed its part of the year's strategy.",
    "strategy.consolidated": "Planning consolidated the strategy.",
    "strategy.committee_decided": "The steering committee approved or returned the strategy.",
    # plans
    "plan.drafted": "A unit plan was drafted.",
    "plan.submitted": "A unit plan was submitted for review.",
    "plan.unit_approved": "The unit head approved the unit plan.",
    "plan.consolidated": "Planning consolidated the organization's plan.",
    "plan.verified": "Planning verified the consolidated plan (complete and consistent).",
    "plan.committee_reviewed": (
        "The steering committee reviewed that the consolidated plan covers the value chain's "
        "services (coverage view)."
    ),
    "plan.committee_approved": "The steering committee approved the plan (acta).",
    "plan.published": "The approved plan was published / sent to the units.",
    # agenda
    "agenda.scheduled": "An activity was scheduled in a unit's agenda.",
    "agenda.consolidated": "Planning consolidated the agenda and checked it against the plan.",
    "agenda.published": "The agenda was published.",
    "activity.prepared": "An activity was prepared (commitments, instruments, logistics).",
    "convocation.sent": "A convocation (letter, circular, e-mail) was sent to stakeholders.",
    "schedule.changed": "A schedule change was notified.",
    "travel.requested": "A travel allowance (viáticos) was requested.",
    "travel.processed": "Finance processed a travel allowance.",
    # delivery
    "session.recorded": "A session was recorded (acta: objective, activities, commitments).",
    "attendance.recorded": "Attendance of a session was recorded.",
    "report.execution_written": "The execution report of an assistance was written.",
    "assistance.registered": "A delivered assistance (accompaniment) was registered.",
    "stakeholder.contacted": "A stakeholder was contacted about an accompaniment.",
    # evaluation
    "evaluation.applied": "A satisfaction/perception evaluation was applied.",
    "evaluation.consolidated": "Evaluation results were consolidated and analysed.",
    "impact.evaluated": "The impact evaluation of an assistance was recorded.",
    # follow-up
    "commitment.followed_up": "A follow-up of a commitment was recorded.",
    "milestone.recorded": "A milestone (hito) of a service was recorded as met.",
    "corrective_action.opened": "A corrective/preventive/improvement action (APCM) was opened.",
    "report.periodic_sent": "A periodic (monthly/semester) follow-up report was sent.",
    "report.annual_presented": "The annual report of the strategy was presented.",
    # archive
    "archive.filed": "Documents were filed per the retention table (TRD).",
    # registry and catalogue (emitted now)
    "stakeholder.created": "A stakeholder (grupo de valor) was registered.",
    "stakeholder.updated": "A stakeholder was updated.",
    "stakeholder.deactivated": "A stakeholder was deactivated.",
    "stakeholder.imported": "Stakeholders were imported from a file.",
    "person.created": "A person (attendee) was registered.",
    "consent.recorded": "A habeas-data consent (Ley 1581 de 2012) was recorded.",
    "service.created": "A service of the portfolio was created.",
    "service.updated": "A service of the portfolio was updated.",
    "milestone_template.changed": "The milestones (hitos) of a service were defined or changed.",
}

#: key → what the service that emits it did; recorded for the audit log only (no profile
#: maps them, so they complete no official step).
AUDIT_KEYS: dict[str, str] = {
    # core: users, organizations, units, memberships, invitations, fiscal years, documents
    "user.switched_organization": "A user switched its active organization.",
    "user.totp_enabled": "A user enabled the second factor (TOTP).",
    "user.totp_disabled": "A user disabled the second factor (TOTP).",
    "organization.updated": "The organization's data were changed.",
    "unit.created": "A unit (dependencia) was created.",
    "unit.updated": "A unit was changed.",
    "membership.created": "A user was linked to the organization with roles.",
    "membership.updated": "A user's roles, unit or activity were changed.",
    "invitation.created": "An invitation to join the organization was sent.",
    "invitation.accepted": "An invitation was accepted.",
    "invitation.revoked": "An invitation was revoked.",
    "fiscal_year.created": "A fiscal year (vigencia) was opened.",
    "fiscal_year.set_current": "A fiscal year was made the current one.",
    "procedure.adjusted": "The organization adjusted its procedure (record codes, role names).",
    "document.generated": "A document (PDF/XLSX) was generated and stored.",
    "public_link.issued": "A signed link to a public page was issued.",
    "public_link.revoked": "A signed link to a public page was revoked.",
    # API
    "api_token.created": "An API token was created.",
    "api_token.revoked": "An API token was revoked.",
    # registry
    "stakeholder.reactivated": "A deactivated stakeholder was reactivated.",
    "person.updated": "A person was updated.",
    "consent.revoked": "A habeas-data consent was revoked.",
    "registry.exported": "Registry data were exported (logged: they may hold personal data).",
    # catalogue
    "catalog.seeded": "Reference values were added to the organization's catalogue.",
    "catalog.value_created": "A value of a vocabulary (type, topic, mechanism, modality) was added.",
    "catalog.value_updated": "A value of a vocabulary was changed or deactivated.",
    "service.deactivated": "A service was withdrawn from the portfolio.",
    "service.reactivated": "A withdrawn service was put back in the portfolio.",
    # needs
    "need.requested": "A request arrived through the public form (SAL-1/EDU-1 is done when "
    "a person accepts it at triage).",
    "need.updated": "A need was changed.",
    "need.triaged": "A unit-less need was assigned to a unit.",
    "need.status_changed": "The status of a need changed.",
    "need.imported": "Needs were imported from a file.",
    "need.exported": "Needs were exported.",
    # indicators and prioritisation
    "indicator.created": "An indicator was registered.",
    "indicator.updated": "An indicator was changed.",
    "indicator.deleted": "An unused indicator was deleted.",
    "indicator_values.imported": "Indicator values were imported from a file.",
    "prioritisation_model.created": "A prioritisation model was created.",
    "prioritisation_model.updated": "A prioritisation model was changed.",
    # strategy
    "strategy.opened": "The year's strategy was opened for the units' proposals.",
    "strategy.units_added": "Units were added to the strategy.",
    "strategy.proposal_updated": "A unit's strategy proposal was changed.",
    "strategy.proposal_returned": "A unit's strategy proposal was returned for changes.",
    "strategy.proposal_excluded": "A unit's proposal was left out of the consolidation.",
    "strategy.proposal_included": "A unit's proposal was put back in the consolidation.",
    "strategy.reopened": "The consolidated strategy was reopened.",
    "strategy.presented": "The consolidated strategy was presented to the committee.",
    "committee.returned": "The steering committee returned a document for changes.",
    # plans and consolidation checks
    "plan.updated": "A unit plan's data were changed.",
    "plan.line_added": "A line was added to a plan.",
    "plan.line_changed": "A line of a plan was changed.",
    "plan.line_removed": "A line was removed from a plan.",
    "plan.lines_reordered": "The lines of a plan were reordered.",
    "plan.lines_imported": "Lines of a plan were imported from a file.",
    "plan.returned": "A plan was returned for changes.",
    "plan.sent_to_committee": "The verified consolidated plan was sent to the committee.",
    "plan.reopened": "A plan was reopened for changes.",
    "plan.checks_run": "The consolidation checks were run on a consolidated plan.",
    "finding.accepted": "A finding of the consolidation checks was accepted with a reason.",
}


#: key → what people read for it (the trail, the audit pages, the home feed): one short
#: Spanish phrase per declared key (``core.events_display.key_label``); a new key gets its
#: label here too (``core/tests/test_events_display.py`` fails on a key without one).
KEY_LABELS: dict[str, Promise] = {
    "need.registered": _("Need registered"),
    "prioritisation.saved": _("Priority list saved"),
    "strategy.proposed": _("Strategy proposal submitted"),
    "strategy.consolidated": _("Strategy consolidated"),
    "strategy.committee_decided": _("Strategy approved by the committee"),
    "plan.drafted": _("Plan opened"),
    "plan.submitted": _("Plan submitted"),
    "plan.unit_approved": _("Plan approved by the unit head"),
    "plan.consolidated": _("Plan consolidated"),
    "plan.verified": _("Consolidated plan verified"),
    "plan.sent_to_committee": _("Plan sent to the committee"),
    "plan.committee_reviewed": _("Plan coverage reviewed by the committee"),
    "plan.committee_approved": _("Plan approved by the committee"),
    "plan.published": _("Plan published"),
    "agenda.scheduled": _("Activity scheduled"),
    "agenda.consolidated": _("Agenda consolidated"),
    "agenda.published": _("Agenda published"),
    "activity.prepared": _("Activity prepared"),
    "convocation.sent": _("Convocation sent"),
    "schedule.changed": _("Schedule change notified"),
    "travel.requested": _("Travel allowance requested"),
    "travel.processed": _("Travel allowance processed"),
    "session.recorded": _("Session recorded"),
    "attendance.recorded": _("Attendance recorded"),
    "report.execution_written": _("Execution report written"),
    "assistance.registered": _("Assistance registered"),
    "stakeholder.contacted": _("Stakeholder contacted"),
    "evaluation.applied": _("Evaluation applied"),
    "evaluation.consolidated": _("Evaluation results consolidated"),
    "impact.evaluated": _("Impact evaluated"),
    "commitment.followed_up": _("Commitment followed up"),
    "milestone.recorded": _("Milestone recorded"),
    "corrective_action.opened": _("Corrective action opened"),
    "report.periodic_sent": _("Periodic report sent"),
    "report.annual_presented": _("Annual report presented"),
    "archive.filed": _("Documents filed"),
    "stakeholder.created": _("Stakeholder registered"),
    "stakeholder.updated": _("Stakeholder updated"),
    "stakeholder.deactivated": _("Stakeholder deactivated"),
    "stakeholder.imported": _("Stakeholders imported"),
    "person.created": _("Person registered"),
    "consent.recorded": _("Consent recorded"),
    "service.created": _("Service created"),
    "service.updated": _("Service updated"),
    "milestone_template.changed": _("Service milestones changed"),
    "user.switched_organization": _("Organization switched"),
    "user.totp_enabled": _("Second factor enabled"),
    "user.totp_disabled": _("Second factor disabled"),
    "organization.updated": _("Organization data updated"),
    "unit.created": _("Unit created"),
    "unit.updated": _("Unit updated"),
    "membership.created": _("User linked to the organization"),
    "membership.updated": _("User's roles updated"),
    "invitation.created": _("Invitation sent"),
    "invitation.accepted": _("Invitation accepted"),
    "invitation.revoked": _("Invitation revoked"),
    "fiscal_year.created": _("Fiscal year opened"),
    "fiscal_year.set_current": _("Current fiscal year changed"),
    "procedure.adjusted": _("Procedure adjusted"),
    "document.generated": _("Document generated"),
    "public_link.issued": _("Public link issued"),
    "public_link.revoked": _("Public link revoked"),
    "api_token.created": _("API token created"),
    "api_token.revoked": _("API token revoked"),
    "stakeholder.reactivated": _("Stakeholder reactivated"),
    "person.updated": _("Person updated"),
    "consent.revoked": _("Consent revoked"),
    "registry.exported": _("Registry exported"),
    "catalog.seeded": _("Reference values added"),
    "catalog.value_created": _("Catalogue value added"),
    "catalog.value_updated": _("Catalogue value changed"),
    "service.deactivated": _("Service withdrawn"),
    "service.reactivated": _("Service reinstated"),
    "need.updated": _("Need updated"),
    "need.triaged": _("Need assigned to a unit"),
    "need.status_changed": _("Need status changed"),
    "need.imported": _("Needs imported"),
    "need.exported": _("Needs exported"),
    "indicator.created": _("Indicator registered"),
    "indicator.updated": _("Indicator updated"),
    "indicator.deleted": _("Indicator deleted"),
    "indicator_values.imported": _("Indicator values imported"),
    "prioritisation_model.created": _("Prioritisation model created"),
    "prioritisation_model.updated": _("Prioritisation model updated"),
    "strategy.opened": _("Strategy opened"),
    "strategy.units_added": _("Units added to the strategy"),
    "strategy.proposal_updated": _("Strategy proposal updated"),
    "strategy.proposal_returned": _("Strategy proposal returned"),
    "strategy.proposal_excluded": _("Proposal left out of the strategy"),
    "strategy.proposal_included": _("Proposal put back in the strategy"),
    "strategy.reopened": _("Strategy reopened"),
    "strategy.presented": _("Strategy presented to the committee"),
    "committee.returned": _("Returned by the committee"),
    "plan.updated": _("Plan updated"),
    "plan.line_added": _("Plan line added"),
    "plan.line_changed": _("Plan line changed"),
    "plan.line_removed": _("Plan line removed"),
    "plan.lines_reordered": _("Plan lines reordered"),
    "plan.lines_imported": _("Plan lines imported"),
    "plan.returned": _("Plan returned for changes"),
    "plan.reopened": _("Plan reopened"),
    "plan.checks_run": _("Consistency checks run"),
    "finding.accepted": _("Finding accepted with a reason"),
    "need.requested": _("Request received through the public form"),
}


def is_declared(step_key: str) -> bool:
    """Whether ``step_key`` is one of the keys an event may carry (official or audit-only)."""
    return step_key in STEP_KEYS or step_key in AUDIT_KEYS
