"""Report orders and downloads; a report belongs to the user who ordered it."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from shnor.accounts.http import AuthenticatedHttpRequest
from shnor.core.documents.render import CONTENT_TYPES, default_template
from shnor.core.jobs import enqueue
from shnor.core.models import Job
from shnor.core.params import Params, id_field, year_field
from shnor.registry.models import Municipality, School
from shnor.reports.builders import KINDS
from shnor.risks.services import latest_context_year


class ReportParams(Params):
    municipality = id_field()
    school = id_field()
    year = year_field()


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    schools = School.objects.restrict(request.user).select_related("municipality__region")
    first = schools.first()
    if first is None:
        raise Http404("Нет данных")
    if request.method == "POST":
        kind, fmt = request.POST.get("kind"), request.POST.get("format")
        if kind not in KINDS or fmt not in CONTENT_TYPES:
            raise Http404
        params = ReportParams.parse(request.POST)
        municipality_id = params["municipality"]
        if municipality_id:
            get_object_or_404(Municipality.objects.restrict(request.user), pk=municipality_id)
        school_id = params["school"]
        if school_id:
            get_object_or_404(schools, pk=school_id)
        job = enqueue(
            "report",
            f"{KINDS[kind]} ({fmt.upper()})",
            {
                "kind": kind,
                "format": fmt,
                "year": params["year"] or 0,
                "region_id": first.municipality.region_id,
                "municipality_id": municipality_id,
                "school_id": school_id,
            },
            request.user,
        )
        return redirect("job", pk=job.pk)
    year = latest_context_year()
    return render(
        request,
        "reports/index.html",
        {
            "kinds": KINDS.items(),
            "formats": list(CONTENT_TYPES),
            "municipalities": Municipality.objects.restrict(request.user).order_by("name"),
            "schools": schools.order_by("municipality__name", "name"),
            "years": [year - 1, year] if year else [],
            "recent": Job.objects.filter(user=request.user, kind="report")[:10],
        },
    )


@login_required
def download(request: AuthenticatedHttpRequest, name: str) -> FileResponse:
    job = Job.objects.filter(user=request.user, kind="report", result__file=name).first()
    path = Path(settings.MEDIA_ROOT) / "reports" / Path(name).name
    if job is None or not path.exists():
        raise Http404
    fmt = path.suffix.lstrip(".")
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        content_type=CONTENT_TYPES[fmt],
        filename=f"{job.title}.{fmt}",
    )


@login_required
def template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(default_template(), content_type=CONTENT_TYPES["docx"])
    response["Content-Disposition"] = 'attachment; filename="report_template.docx"'
    return response
