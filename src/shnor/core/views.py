"""Job progress pages, shared by every kind of background work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from shnor.core.jobs import problems_folder, with_live_progress
from shnor.core.models import Job
from shnor.core.params import Params

PROBLEMS_PER_PAGE = 100


class JobPage(Params):
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)


def visible_job(request: HttpRequest, pk: int) -> Job:
    job = get_object_or_404(Job, pk=pk)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404
    return job


def job_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    """The job as its worker last reported it, with one page of the problems it found."""
    job = with_live_progress(visible_job(request, pk))
    result = job.result or {}
    problems = result.get("problems") or []
    number = JobPage.parse(request.GET)["page"] or 1
    return {
        "job": job,
        "problems": Paginator(problems, PROBLEMS_PER_PAGE).get_page(number),
        "problem_count": result.get("problem_count", len(problems)),
    }


@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "core/job.html", job_context(request, pk))


@login_required
def job_status(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "core/job_status.html", job_context(request, pk))


@login_required
def job_problems(request: HttpRequest, pk: int) -> FileResponse:
    """Every problem the job found, as the CSV written when it ended."""
    job = visible_job(request, pk)
    name = (job.result or {}).get("problem_file")
    path = problems_folder() / str(name)
    if not name or path.parent != problems_folder() or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"ошибки_{job.pk}.csv")
