"""Identification pages: start a run, read a list with its reasons, compare, export; load an
official list and read the consolidated list of a year; manage methodology versions and the
primary methodology."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from shnor.accounts.choices import Action, Role
from shnor.accounts.http import AuthenticatedHttpRequest
from shnor.core.jobs import enqueue
from shnor.core.params import (
    Params,
    choice_field,
    id_field,
    query_without_page,
    text_field,
    year_field,
)
from shnor.core.scope import can, scope_key
from shnor.identification.actions import (
    do_import_official_list,
    do_save_methodology_version,
    do_set_primary_methodology,
)
from shnor.identification.choices import ListSource, Movement, Status
from shnor.identification.consolidated import consolidated_list
from shnor.identification.engine.definition import DefinitionError, exit_rule
from shnor.identification.exit_criteria import rule_text, run_exits, state_counts
from shnor.identification.explain import (
    headline,
    indicator_kind,
    parameter_options,
    status_rules,
)
from shnor.identification.exports import (
    consolidated_docx,
    consolidated_xlsx,
    to_csv,
    to_docx,
    to_xlsx,
)
from shnor.identification.forms import (
    ConsolidatedFilterForm,
    OfficialListForm,
    PrimaryMethodologyForm,
)
from shnor.identification.history import compare_runs, visible_counts, with_items
from shnor.identification.importers import OfficialListImporter
from shnor.identification.models import Methodology, Run, SchoolStatus
from shnor.identification.services import (
    NotAllowed,
    acting_region,
    latest_methodologies,
    may_edit_methodologies,
    primary_codes,
    visible_methodologies,
)
from shnor.registry.models import Municipality, Region

EXPORTS = {
    "csv": (lambda run, rows: to_csv(run, rows).encode("utf-8"), "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": (to_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}


def result_years() -> list[int]:
    from shnor.assessments.models import Result

    return sorted(set(Result.objects.values_list("year", flat=True).distinct()), reverse=True)


class RunParams(Params):
    methodology = id_field(required=True)
    municipality = id_field()
    year = year_field(required=True)


# The run page opens on the list itself; «все школы» shows every school of the territory.
LISTED_FILTER, ALL_FILTER = "listed", "all"


STATUS_CHOICES = [
    (LISTED_FILTER, "в списке (ШНОР и зона риска; признаки необъективности)"),
    (ALL_FILTER, "все школы"),
    *Status.choices,
]


class StatusFilter(Params):
    status = choice_field(STATUS_CHOICES)
    movement = choice_field(Movement.choices)
    municipality = id_field()
    q = text_field()


class CompareParams(Params):
    a = id_field(required=True)
    b = id_field(required=True)


class VersionParams(Params):
    code = text_field(max_length=64)
    name = text_field(max_length=255)


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    may_run = can(user, Action.RUN)
    if request.method == "POST":
        if not may_run:
            raise Http404
        params = RunParams.parse(request.POST)
        methodology = get_object_or_404(visible_methodologies(user), pk=params["methodology"])
        municipality_id = params["municipality"]
        if municipality_id:
            get_object_or_404(Municipality.objects.restrict(user, Action.RUN), pk=municipality_id)
        elif user.role == "municipality":
            municipality_id = user.municipality_id
        year = params["year"]
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
            "methodologies": latest_methodologies(user),
            "may_load_lists": may_load_lists(user),
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


def filtered_statuses(request: HttpRequest, run: Run, default: str = ALL_FILTER) -> Any:
    rows = (
        SchoolStatus.objects.restrict(request.user)
        .filter(run=run)
        .select_related("school__municipality", "run")
    )
    params = StatusFilter.parse(request.GET)
    status = params["status"] or default
    if status == LISTED_FILTER:
        rows = rows.filter(status__in=[Status.LOW_RESULTS, Status.RISK_ZONE, Status.OBJECTIVITY])
    elif status != ALL_FILTER:
        rows = rows.filter(status=status)
    if params["movement"]:
        rows = rows.filter(movement=params["movement"])
    if params["municipality"]:
        rows = rows.filter(school__municipality_id=params["municipality"])
    if params["q"]:
        rows = rows.filter(school__name__icontains=params["q"])
    return rows


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = visible_run(request, pk)
    rows = filtered_statuses(request, run, default=LISTED_FILTER).order_by(
        "school__municipality__name", "school__name"
    )

    @cache
    def page() -> Page[SchoolStatus]:  # read only when the table's fragment is rendered
        shown = Paginator(rows, 50).get_page(request.GET.get("page"))
        for status in with_items(shown):
            status.why = headline(status.status, status.items)
        return shown

    left = (
        SchoolStatus.objects.restrict(request.user)
        .filter(run=run, movement=Movement.LEFT)
        .select_related("school__municipality")
    )
    exits = run_exits(run, request.user)
    return render(
        request,
        "identification/run.html",
        {
            "run": run,
            "counts": cache(lambda: visible_counts(run, request.user)),
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
            "fragment_key": (run.pk, scope_key(request.user), sorted(request.GET.lists())),
            "statuses": STATUS_CHOICES,
            "movements": Movement.choices,
            "left": left,
            "exits": exits,
            "exit_counts": state_counts(exits),
            "exit_rule": rule_text(run.definition),
            "params": request.GET,
            "query": query_without_page(request),
            # the exports take what the page shows, the list by default
            "export_query": query_without_page(request) or urlencode({"status": LISTED_FILTER}),
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
    # a received official list has no methodology: its source names it
    list_code = run.methodology.code if run.methodology else run.source
    response = HttpResponse(writer(run, filtered_statuses(request, run)), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="shnor_{list_code}_{run.year}_{run.pk}.{fmt}"'
    )
    return response


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    params = CompareParams.parse(request.GET)
    first = visible_run(request, params["a"])
    second = visible_run(request, params["b"])
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


def page_region(user: Any) -> Region:
    """The region whose lists a page shows: the user's own, else the first one it sees."""
    region = acting_region(user) or Region.objects.restrict(user).order_by("pk").first()
    if region is None:
        raise Http404
    return region


def may_choose_primary(user: Any) -> bool:
    return may_edit_methodologies(user) or (
        user.role == Role.MUNICIPALITY and bool(user.municipality_id)
    )


@login_required
def methodologies(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "methodologies": visible_methodologies(user).select_related(
            "parent", "created_by", "region"
        ),
        "may_edit": may_edit_methodologies(user),
    }
    region = acting_region(user)
    if region is not None:
        region_code, own_code = primary_codes(region.pk, user.municipality_id)
        names = dict(
            Methodology.objects.filter(code__in=[region_code, own_code])
            .order_by("version")
            .values_list("code", "name")
        )  # the latest version's name of each code
        context["region_primary"] = names.get(region_code, region_code)
        context["own_primary"] = names.get(own_code, own_code) if own_code else own_code
        if may_choose_primary(user):
            chosen = own_code if user.role == Role.MUNICIPALITY else region_code
            context["primary_form"] = PrimaryMethodologyForm(user, initial={"code": chosen})
    return render(request, "identification/methodologies.html", context)


@login_required
@require_POST
def set_primary(request: HttpRequest) -> HttpResponse:
    if not may_choose_primary(request.user):
        raise PermissionDenied
    form = PrimaryMethodologyForm(request.user, request.POST)
    if form.is_valid():
        do_set_primary_methodology(form.cleaned_data["code"], acting_user=request.user)
        messages.success(request, "Основная методика сохранена")
    else:
        messages.error(request, "Выберите методику из списка")
    return redirect("identification:methodologies")


@login_required
def methodology_detail(request: HttpRequest, pk: int) -> HttpResponse:
    methodology = get_object_or_404(
        visible_methodologies(request.user).select_related("region"), pk=pk
    )
    may_edit = may_edit_methodologies(request.user)
    errors = ""
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("Изменять методики может только региональный координатор")
        values = {
            name: (
                request.POST.getlist(name)
                if spec["type"] == "list" and spec.get("options")
                else request.POST.get(name, "false" if spec["type"] == "boolean" else "")
            )
            for name, spec in methodology.definition["parameters"].items()
        }
        named = VersionParams.parse(request.POST)
        code = slugify(named["code"] or methodology.code)
        try:
            saved = do_save_methodology_version(
                methodology,
                values,
                acting_user=request.user,
                code=code,
                name=named["name"] or None,
            )
        except (DefinitionError, NotAllowed) as error:
            errors = str(error)
        else:
            messages.success(request, f"Сохранено: {saved.name}, версия {saved.version}")
            return redirect("identification:methodology", pk=saved.pk)
    return render(
        request,
        "identification/methodology.html",
        {
            "m": methodology,
            "rules": status_rules(methodology.definition),
            "exit_rule": rule_text(methodology.definition),
            "exit_why": exit_rule(methodology.definition).get("why", ""),
            "indicators": [(i, indicator_kind(i)) for i in methodology.definition["indicators"]],
            "may_edit": may_edit,
            "errors": errors,
            "parameters": [
                (name, spec, parameter_options(spec))
                for name, spec in methodology.definition["parameters"].items()
            ],
        },
    )


def may_load_lists(user: Any) -> bool:
    """Official lists come to the region's and municipalities' coordinators."""
    return can(user, Action.IMPORT) and (
        user.is_superuser or user.role in (Role.REGION, Role.MUNICIPALITY)
    )


@login_required
def official_list(request: HttpRequest) -> HttpResponse:
    """Upload a received list; every problem of the file is shown and nothing is written."""
    user = request.user
    if not may_load_lists(user):
        raise Http404
    form = OfficialListForm(user, request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"list{Path(upload.name).suffix.lower()}"
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            report, run = do_import_official_list(
                path,
                source=form.cleaned_data["source"],
                year=form.cleaned_data["year"],
                acting_user=user,
                municipality=form.cleaned_data.get("municipality"),
                display_name=upload.name,
            )
        if run is not None:
            messages.success(
                request,
                f"Загружен {run.title.lower()}, {run.year} год: школ в списке — {report.added}",
            )
            query = urlencode({"year": run.year})
            return redirect(f"{reverse('identification:consolidated')}?{query}")
    lists = (
        Run.objects.restrict(user)
        .exclude(source=ListSource.METHODOLOGY)
        .select_related("municipality", "started_by")
        .order_by("-created")[:20]
    )
    return render(
        request,
        "identification/official_list.html",
        {"form": form, "report": report, "lists": lists, "columns": OfficialListImporter.columns},
        status=400 if report is not None or form.errors else 200,
    )


def consolidated_for(request: HttpRequest) -> tuple[Any, ConsolidatedFilterForm]:
    """The consolidated list the request's filters ask for (None when the filters are wrong or
    there is no list yet), and the filter form."""
    user = request.user
    region = page_region(user)
    form = ConsolidatedFilterForm(user, request.GET)
    if not form.is_valid():
        return None, form
    year = form.cleaned_data["year"] or (
        Run.objects.restrict(user)
        .filter(region=region)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if year is None:
        return None, form
    listing = consolidated_list(
        user,
        region,
        year,
        municipality=form.cleaned_data["municipality"],
        source=form.cleaned_data["source"],
    )
    return listing, form


@login_required
def consolidated(request: HttpRequest) -> HttpResponse:
    listing, form = consolidated_for(request)
    return render(
        request,
        "identification/consolidated.html",
        {
            "listing": listing,
            "form": form,
            "rows": [(row, listing.cells(row)) for row in listing.rows] if listing else [],
            "query": request.GET.urlencode(),
            "may_load_lists": may_load_lists(request.user),
        },
        status=400 if form.errors else 200,
    )


CONSOLIDATED_EXPORTS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@login_required
def consolidated_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in CONSOLIDATED_EXPORTS:
        raise Http404
    listing, form = consolidated_for(request)
    if listing is None:
        messages.error(request, "Нет списков за этот год или фильтр задан неверно")
        return redirect("identification:consolidated")
    place = form.cleaned_data["municipality"]
    where = place.name if place else listing.region.name
    content = consolidated_docx(listing, where) if fmt == "docx" else consolidated_xlsx(listing)
    response = HttpResponse(content, content_type=CONSOLIDATED_EXPORTS[fmt])
    response["Content-Disposition"] = f'attachment; filename="shnor_svodnyi_{listing.year}.{fmt}"'
    return response
