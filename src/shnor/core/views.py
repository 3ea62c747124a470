"""Job progress pages, shared by every kind of background work."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from shnor.core.models import Job


def visible_job(request: HttpRequest, pk: int) -> Job:
    job = get_object_or_404(Job, pk=pk)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return job


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "core/job.html", {"job": visible_job(request, pk)})


@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "core/job_status.html", {"job": visible_job(request, pk)})
