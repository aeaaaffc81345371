"""Consolidation checks of the plans (EDU-4, EDU-5): rules, engine, findings pages and API.

* ``engine.run_checks(*, actor, consolidated)`` and ``engine.unjustified_blocking_findings``:
  the contract the plans workflow calls when planning verifies a consolidated plan.
* ``rules``: one small function per rule, and ``REQUIRED_FIELDS`` per procedure.
* ``services.checks_run`` (synchronous or a background job) and ``services.finding_accept``.
"""
