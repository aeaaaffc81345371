"""Background jobs with progress (DESIGN section 4): a ``Job`` row per Celery task.

One way to start a job and one way for its task to report, so every stage's jobs behave
alike on the one progress page (``core:job_detail``, polled with htmx while the job runs):

* a service calls ``job_start``: the row is created in the service's transaction and the
  task is enqueued only once it commits (a rolled-back write starts nothing);
* the task hands its work to ``job_run``, which marks the job running, passes the work a
  progress callback, and records the outcome: succeeded with the work's ``JobOutcome``,
  failed with the reasons of a refusal (``ImportRejected`` keeps every row's reasons for
  the page), or failed with a plain message on an unexpected error.

A task is any Celery task taking ``job_id`` as its only argument::

    @shared_task(name="registry.stakeholders_import")
    def stakeholders_import_task(job_id: int) -> None:
        job_run(job_id, _import)

    def _import(job: Job, progress: Callable[[int], None]) -> JobOutcome:
        ...
        progress(50)
        ...
        return JobOutcome(message=_("120 imported."), result={"created": 120})

``params`` of the job may carry ``next_url`` (where the page leads once it succeeded) and
``upload_url`` (where an import starts again once it failed).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from acompana.core.choices import JobStatus
from acompana.core.models import Job, Organization, User
from acompana.core.tabular import ImportRejected

logger = logging.getLogger(__name__)

#: how many row errors a failed job keeps for its page
JOB_ROW_ERRORS = 200


class Progress(Protocol):
    """A running job's progress callback: ``progress(40)`` or ``progress(40, "Validando")``.
    Services that report progress take it as a plain ``Callable[[int], None]``."""

    def __call__(self, percent: int, message: str = "") -> None: ...


#: what a job that failed on an unexpected error says (the details are in the logs)
UNEXPECTED_FAILURE = gettext_lazy("The task failed unexpectedly; nothing was changed.")


@dataclass(frozen=True)
class JobOutcome:
    """What a job that succeeded shows: a message and a result (kept as JSON)."""

    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)


def job_start(
    *,
    actor: User,
    organization: Organization,
    kind: str,
    title: str,
    task: Any,
    params: dict[str, Any] | None = None,
) -> Job:
    """Create the job row and enqueue ``task(job.pk)`` when the current transaction commits."""
    job = Job.objects.create(
        organization=organization, user=actor, kind=kind, title=title, params=params or {}
    )
    transaction.on_commit(lambda: task.delay(job.pk))
    return job


def job_progress(*, job_id: int, progress: int, message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=JobStatus.RUNNING, progress=max(0, min(100, progress)), message=message[:500]
    )


def job_reporter(job_id: int) -> Progress:
    """A progress callback (percent) for a running job: between 1 and 99 until it finishes,
    so the bar never shows 100 % before the result is saved."""

    def report(percent: int, message: str = "") -> None:
        changes: dict[str, Any] = {
            "status": JobStatus.RUNNING,
            "progress": max(1, min(99, percent)),
        }
        if message:
            changes["message"] = message[:500]
        Job.objects.filter(pk=job_id).update(**changes)

    return report


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


def job_run(
    job_id: int,
    work: Callable[[Job, Progress], JobOutcome],
    *,
    failure_message: Any = UNEXPECTED_FAILURE,
    reraise: bool = True,
) -> None:
    """Run ``work(job, progress)`` for a pending job and record how it ended.

    A job that is no longer pending (a redelivered message) is left alone. ``work`` runs in
    the site's language (a worker has no request to take it from). A refusal
    (``ValidationError``: a file with bad rows, a plan no longer editable) fails the job
    with its reasons; any other error fails it with ``failure_message`` and, unless
    ``reraise`` is false, propagates to Celery for its logs and retries.
    """
    job = Job.objects.select_related("organization", "user").filter(pk=job_id).first()
    if job is None or job.status != JobStatus.PENDING:
        return
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, progress=1)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            outcome = work(job, job_reporter(job.pk))
        except ImportRejected as exc:
            job_fail(
                job_id=job.pk,
                message=str(exc.messages[0]),
                result={"errors": exc.as_fields(limit=JOB_ROW_ERRORS)},
            )
        except ValidationError as exc:
            job_fail(job_id=job.pk, message=" ".join(str(m) for m in exc.messages))
        except Exception:
            job_fail(job_id=job.pk, message=str(failure_message))
            if reraise:
                raise
            logger.exception("Job %s (%s) failed", job.pk, job.kind)
        else:
            job_finish(job_id=job.pk, result=outcome.result, message=outcome.message)


def job_errors(job: Job) -> list[tuple[str, list[str]]]:
    """The reasons a job kept (``result.errors``), labelled for people: file, then rows."""
    from django.utils.translation import gettext as _

    labelled = []
    for key, problems in ((job.result or {}).get("errors") or {}).items():
        if key.startswith("row_"):
            label = _("Row %(number)s") % {"number": key.removeprefix("row_")}
        else:
            label = _("File")
        labelled.append((label, list(problems)))
    return labelled
