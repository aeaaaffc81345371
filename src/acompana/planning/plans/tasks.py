"""Background jobs of the plans area, run and reported through ``core.jobs``:

* the published PDF of every unit plan (EDU-8, FP-6): publishing a consolidated plan stores
  its own PDF at once; the PDF of each unit plan (one per unit, each with its lines) is
  rendered here;
* the import of a large file of plan lines (``plan_lines_import``).
"""

from __future__ import annotations

from celery import shared_task
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from acompana.core.imports import import_job_run
from acompana.core.jobs import JobOutcome, Progress, job_run
from acompana.core.models import Job

JOB_KIND = "planning.plan_documents"
LINES_IMPORT_JOB_KIND = "planning.plan_lines_import"


def _documents(job: Job, progress: Progress) -> JobOutcome:
    from acompana.planning.models import ConsolidatedPlan
    from acompana.planning.plans.services import plan_documents_store

    consolidated = ConsolidatedPlan.objects.filter(
        pk=job.params.get("consolidated"), organization_id=job.organization_id
    ).first()
    if consolidated is None:
        raise ValidationError(_("The consolidated plan no longer exists."))
    progress(5, _("Rendering the plans"))
    count = plan_documents_store(actor=job.user, consolidated=consolidated)
    return JobOutcome(message=_("%(n)s PDF stored") % {"n": count}, result={"documents": count})


@shared_task(name="planning.plans.plan_documents")
def plan_documents_task(job_id: int) -> None:
    # a failure is told on the job row and logged; the plan stays published
    job_run(
        job_id,
        _documents,
        failure_message=gettext_lazy("The PDFs of the unit plans could not be rendered."),
        reraise=False,
    )


def _lines_import(job: Job, content: bytes, filename: str, progress: Progress) -> JobOutcome:
    from acompana.planning.models import Plan
    from acompana.planning.plans.services import plan_lines_import

    plan = Plan.objects.get(pk=job.params["plan"], organization_id=job.organization_id)
    result = plan_lines_import(
        actor=job.user, plan=plan, content=content, filename=filename, mode=job.params["mode"]
    )
    return JobOutcome(
        message=_("%(created)s lines added and %(updated)s updated from %(file)s.")
        % {"created": result.created, "updated": result.updated, "file": result.filename},
        result={"created": result.created, "removed": result.removed}
        | ({"updated": result.updated} if result.updated else {}),
    )


@shared_task(name="planning.plans.plan_lines_import")
def plan_lines_import_task(job_id: int) -> None:
    """Import the job's stored file into its plan (``params.plan``, ``params.mode``)."""
    import_job_run(job_id, _lines_import)
