"""The one progress page of background jobs (``core.jobs``); htmx polls the partial while
the job runs. A job is seen only by the user who started it, in its organization."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from acompana.core.access import member_view
from acompana.core.choices import JobStatus
from acompana.core.jobs import job_errors
from acompana.core.models import Job


@member_view
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # a job belongs to the user who started it, inside the active organization
    job = get_object_or_404(Job.objects.for_user(request.user).filter(user=request.user), pk=pk)
    context = {
        "job": job,
        "running": job.status in (JobStatus.PENDING, JobStatus.RUNNING),
        "errors": job_errors(job),
    }
    template = "core/jobs/progress.html" if request.htmx else "core/jobs/detail.html"  # type: ignore[attr-defined]
    return render(request, template, context)
