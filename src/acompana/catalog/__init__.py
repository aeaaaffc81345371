"""The catalogue (portafolio de servicios): what each unit offers and how it is delivered.

Models (``models.py``): the four per-organization vocabularies ``ServiceType``, ``Topic``
(with sub-topics), ``Mechanism`` and ``Modality``; ``Service`` (an item of the portfolio of a
unit) and its ``MilestoneTemplate``s (hitos).

For the later stages (planning, delivery, follow-up):

* A plan line, an agenda activity and an assistance point at a ``Service`` and pick its
  mechanism/modality among the service's own (``service.mechanisms``, ``service.modalities``).
* FP-2 — "a service counts as delivered only when all its milestones are met": when an
  assistance of a service starts, copy the service's milestone templates (name, expected
  evidence, ``relative_due_days`` from the start date, ``required``) into the assistance's
  own milestone rows, and decide "delivered" with
  ``catalog.selectors.delivery_complete(service=..., met_milestone_ids=...)`` (every template
  with ``required=True`` met). Copies keep history intact when a template changes later.
* ``Service.target_stakeholder_kinds`` holds the registry's stakeholder kind codes.

Step keys written by ``services.py``: ``catalog.value_created``, ``catalog.value_updated``,
``catalog.seeded``, ``service.created``, ``service.updated``, ``service.deactivated``,
``service.reactivated``, ``milestone_template.changed``.
"""
