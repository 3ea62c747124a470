"""Identification pages: start a run, read a list with its reasons, compare, export, and
manage methodology versions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify

from shnor.accounts.choices import Action
from shnor.core.jobs import enqueue
from shnor.core.scope import can
from shnor.identification.choices import Movement, Status
from shnor.identification.engine.definition import DefinitionError, bind, parameter_values
from shnor.identification.explain import headline
from shnor.identification.exports import to_csv, to_docx, to_xlsx
from shnor.identification.history import compare_runs, visible_counts, with_items
from shnor.identification.models import Methodology, Run, SchoolStatus
from shnor.identification.services import do_save_methodology_version, latest_methodologies
from shnor.registry.models import Municipality

EXPORTS = {
    "csv": (lambda run, rows: to_csv(run, rows).encode("utf-8"), "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": (to_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def result_years() -> list[int]:
    from shnor.assessments.models import Result

    return sorted(set(Result.objects.values_list("year", flat=True).distinct()), reverse=True)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    may_run = can(user, Action.RUN)
    if request.method == "POST":
        if not may_run:
            raise Http404
        methodology = get_object_or_404(Methodology, pk=request.POST.get("methodology"))
        municipality_id = request.POST.get("municipality") or None
        if municipality_id:
            get_object_or_404(Municipality.objects.restrict(user, Action.RUN), pk=municipality_id)
        elif user.role == "municipality":
            municipality_id = user.municipality_id
        year = int(request.POST.get("year", 0))
        job = enqueue(
            "identify",
            f"Выявление: {methodology.name}, {year}",
            {"methodology_id": methodology.pk, "year": year, "municipality_id": municipality_id},
            user,
        )
        return redirect("job", pk=job.pk)
    runs = (
        Run.objects.restrict(user)
        .select_related("methodology", "municipality", "started_by")
        .order_by("-created")[:30]
    )
    return render(
        request,
        "identification/index.html",
        {
            "runs": runs,
            "may_run": may_run,
            "methodologies": latest_methodologies(),
            "years": result_years(),
            "municipalities": Municipality.objects.restrict(user, Action.RUN).order_by("name"),
        },
    )


def visible_run(request: HttpRequest, pk: int) -> Run:
    return get_object_or_404(
        Run.objects.restrict(request.user).select_related(
            "methodology", "region", "municipality", "previous"
        ),
        pk=pk,
    )


def filtered_statuses(request: HttpRequest, run: Run) -> Any:
    rows = (
        SchoolStatus.objects.restrict(request.user)
        .filter(run=run)
        .select_related("school__municipality", "run")
    )
    for param in ("status", "movement"):
        if request.GET.get(param):
            rows = rows.filter(**{param: request.GET[param]})
    if request.GET.get("municipality"):
        rows = rows.filter(school__municipality_id=request.GET["municipality"])
    if request.GET.get("q"):
        rows = rows.filter(school__name__icontains=request.GET["q"])
    return rows


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = visible_run(request, pk)
    rows = filtered_statuses(request, run).order_by("school__municipality__name", "school__name")
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    for status in with_items(page):
        status.why = headline(status.status, status.items)
    left = (
        SchoolStatus.objects.restrict(request.user)
        .filter(run=run, movement=Movement.LEFT)
        .select_related("school")
    )
    return render(
        request,
        "identification/run.html",
        {
            "run": run,
            "counts": visible_counts(run, request.user),
            "may_run": can(request.user, Action.RUN),
            "same_data": Run.objects.restrict(request.user)
            .filter(
                methodology=run.methodology,
                year=run.year,
                municipality=run.municipality,
                fingerprint=run.fingerprint,
            )
            .exclude(pk=run.pk)
            .order_by("-created")[:5],
            "page": page,
            "statuses": Status.choices,
            "movements": Movement.choices,
            "left": left,
            "params": request.GET,
            "query": "&".join(f"{k}={v}" for k, v in request.GET.items() if k != "page"),
            "municipalities": Municipality.objects.restrict(request.user)
            .filter(region=run.region)
            .order_by("name"),
            "other_runs": Run.objects.restrict(request.user)
            .filter(year=run.year)
            .exclude(pk=run.pk)
            .select_related("methodology"),
        },
    )


@login_required
def run_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in EXPORTS:
        raise Http404
    run = visible_run(request, pk)
    writer, content_type = EXPORTS[fmt]
    response = HttpResponse(writer(run, filtered_statuses(request, run)), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="shnor_{run.methodology.code}_{run.year}_{run.pk}.{fmt}"'
    )
    return response


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    first = visible_run(request, int(request.GET.get("a", 0)))
    second = visible_run(request, int(request.GET.get("b", 0)))
    differences = compare_runs(first, second, request.user)
    matrix: dict[tuple[str, str], int] = {}
    for d in differences:
        key = (d["left"].status if d["left"] else "—", d["right"].status if d["right"] else "—")
        matrix[key] = matrix.get(key, 0) + 1
    return render(
        request,
        "identification/compare.html",
        {
            "first": first,
            "second": second,
            "count": len(differences),
            "matrix": sorted(matrix.items(), key=lambda item: -item[1]),
            "page": Paginator(differences, 50).get_page(request.GET.get("page")),
            "query": f"a={first.pk}&b={second.pk}",
        },
    )


@login_required
def methodologies(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "identification/methodologies.html",
        {"methodologies": Methodology.objects.select_related("parent", "created_by")},
    )


@login_required
def methodology_detail(request: HttpRequest, pk: int) -> HttpResponse:
    methodology = get_object_or_404(Methodology, pk=pk)
    may_edit = can(request.user, Action.CHANGE)
    errors = ""
    if request.method == "POST":
        if not may_edit:
            raise Http404
        values = {
            name: (
                request.POST.getlist(name)
                if spec["type"] == "list" and spec.get("options")
                else request.POST.get(name, "false" if spec["type"] == "boolean" else "")
            )
            for name, spec in methodology.definition["parameters"].items()
        }
        code = slugify(request.POST.get("code", "") or methodology.code)
        try:
            saved = do_save_methodology_version(
                methodology,
                values,
                acting_user=request.user,
                code=code,
                name=request.POST.get("name") or None,
            )
        except DefinitionError as error:
            errors = str(error)
        else:
            messages.success(request, f"Сохранено: {saved.name}, версия {saved.version}")
            return redirect("identification:methodology", pk=saved.pk)
    return render(
        request,
        "identification/methodology.html",
        {
            "m": methodology,
            "bands": bind(
                methodology.definition["status"]["bands"], parameter_values(methodology.definition)
            ),
            "may_edit": may_edit,
            "errors": errors,
            "parameters": [
                (name, spec) for name, spec in methodology.definition["parameters"].items()
            ],
        },
    )
