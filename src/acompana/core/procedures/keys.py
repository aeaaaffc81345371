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
registry upkeep, not a procedure step).

Audit-only keys (``organization.updated``, ``unit.created``, ``procedure.adjusted``, ...)
are not listed: they are recorded but complete no official step.
"""

from __future__ import annotations

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
