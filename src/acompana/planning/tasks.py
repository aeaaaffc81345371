"""Celery discovers ``<app>.tasks``: every planning area's tasks are registered here."""

from acompana.planning.checks.tasks import checks_run_task
from acompana.planning.needs.tasks import needs_import_task
from acompana.planning.plans.tasks import plan_documents_task, plan_lines_import_task
from acompana.planning.prioritisation.tasks import indicator_values_import_task

__all__ = [
    "checks_run_task",
    "indicator_values_import_task",
    "needs_import_task",
    "plan_documents_task",
    "plan_lines_import_task",
]
