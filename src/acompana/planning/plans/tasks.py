"""Background job of the plans area: the published PDF of every unit plan (EDU-8, FP-6).

Publishing a consolidated plan stores its own PDF at once; the PDF of each unit plan (one
per unit, each with its lines) is rendered here, with progress on the ``core.Job`` row.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils.translation import gettext as _

from acompana.core.jobs import job_fail, job_finish, job_progress
from acompana.core.models import Job

JOB_KIND = "planning.plan_documents"
logger = logging.getLogger(__name__)


@shared_task(name="planning.plans.plan_documents")
def plan_documents_task(job_id: int) -> None:
    from acompana.planning.models import ConsolidatedPlan
    from acompana.planning.plans.services import plan_documents_store

    job = Job.objects.select_related("user").get(pk=job_id)
    consolidated = ConsolidatedPlan.objects.filter(
        pk=job.params.get("consolidated"), organization_id=job.organization_id
    ).first()
    if consolidated is None:
        job_fail(job_id=job_id, message=_("The consolidated plan no longer exists."))
        return
    job_progress(job_id=job_id, progress=5, message=_("Rendering the plans"))
    try:
        count = plan_documents_store(actor=job.user, consolidated=consolidated)
    except Exception:  # the job row tells the user; the plan stays published
        logger.exception("Rendering the PDFs of consolidated plan %s failed", consolidated.pk)
        job_fail(job_id=job_id, message=_("The PDFs of the unit plans could not be rendered."))
        return
    job_finish(
        job_id=job_id,
        result={"documents": count},
        message=_("%(n)s PDF stored") % {"n": count},
    )
