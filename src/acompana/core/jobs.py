"""Background jobs with progress (DESIGN section 4): a ``Job`` row per Celery task.

``job_start`` creates the row and enqueues the task on commit; the task reports progress with
``job_progress`` and ends with ``job_finish`` or ``job_fail``. The user follows it on
``core:job_detail``, which polls with htmx while the job runs.

A task is any Celery task taking ``job_id`` as its first argument::

    @shared_task
    def stakeholders_import_task(job_id: int) -> None:
        job = Job.objects.get(pk=job_id)
        ...
        job_progress(job_id=job_id, progress=50, message="Validando filas")
        ...
        job_finish(job_id=job_id, result={"created": 120})
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from acompana.core.choices import JobStatus
from acompana.core.models import Job, Organization, User


def job_start(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    title: str,
    task: Any,
    params: dict[str, Any] | None = None,
) -> Job:
    job = Job.objects.create(
        organization=organization, user=actor, kind=kind, title=title, params=params or {}
    )
    transaction.on_commit(lambda: task.delay(job.pk))
    return job


def job_progress(*, job_id: int, progress: int, message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING, progress=max(0, min(100, progress)), message=message[:500]
    )


def job_finish(*, job_id: int, result: dict[str, Any] | None = None, message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.SUCCEEDED,
        progress=100,
        result=result or {},
        message=message[:500],
        finished_at=timezone.now(),
    )


def job_fail(*, job_id: int, message: str, result: dict[str, Any] | None = None) -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.FAILED,
        message=message[:500],
        result=result or {},
        finished_at=timezone.now(),
    )
