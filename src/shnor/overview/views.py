"""Overview, school list, school card and data uploads: pages that compose the registry with
identification, risks, indicators and support; all rows pass through `restrict`."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from shnor.accounts.choices import Role
from shnor.accounts.http import AuthenticatedHttpRequest
from shnor.assessments.summaries import school_results
from shnor.core.derived import lazily
from shnor.core.import_template import write_template
from shnor.core.importing import IMPORTERS, importable
from shnor.core.jobs import enqueue
from shnor.core.models import Job
from shnor.core.params import Params, choice_field, id_field, query_without_page, text_field
from shnor.core.scope import scope_key
from shnor.core.uploads import IMPORT, UploadField, store_upload
from shnor.identification.choices import Status
from shnor.identification.history import (
    latest_objectivity_run,
    latest_run,
    school_history,
    statuses_by_school,
)
from shnor.identification.objectivity import flagged_schools, school_table
from shnor.identification.services import low_share_of
from shnor.indicators.engine import school_values
from shnor.registry.choices import Locality, SchoolKind
from shnor.registry.models import Municipality, School, SchoolContext
from shnor.risks.services import latest_context_year, school_profile, school_standing
from shnor.support.library import for_factor
from shnor.support.views.weak_skills import school_section

CONTEXT_ROWS = [
    ("students", "Обучающихся"),
    ("students_ovz", "Обучающихся с ОВЗ"),
    ("teachers", "Педагогов"),
    ("vacancies", "Вакансий"),
    ("teachers_over_55", "Педагогов старше 55 лет"),
    ("stable_internet", "Устойчивый интернет"),
    ("computers", "Компьютеров для обучения"),
    ("students_per_computer", "Обучающихся на компьютер"),
    ("low_income_pct", "Малообеспеченные семьи, %"),
    ("single_parent_pct", "Неполные семьи, %"),
    ("non_native_pct", "Русский язык не родной, %"),
]


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.SCHOOL and user.school_id:
        return redirect("school", pk=user.school_id)
    municipalities = Municipality.objects.restrict(user)
    if user.role == Role.MUNICIPALITY:
        return redirect("municipality", pk=user.municipality_id)
    if user.role == Role.CURATOR:
        if School.objects.restrict(user).exists():
            return redirect("schools")
        return render(request, "registry/no_schools.html")
    run = latest_run(user)
    counts = statuses_by_school(run, user, group="school__municipality_id") if run else {}
    rows = municipalities.annotate(
        schools_count=Count("schools", filter=Q(schools__in=School.objects.restrict(user))),
        rural=Count(
            "schools",
            filter=Q(schools__locality=Locality.VILLAGE, schools__in=School.objects.restrict(user)),
        ),
    ).order_by("name")
    table = [{"m": m, "counts": counts.get(m.pk, {})} for m in rows if m.schools_count]
    totals = {k: sum(r["counts"].get(k, 0) for r in table) for k in ("low_results", "risk_zone")}
    objectivity = latest_objectivity_run(user)
    return render(
        request,
        "registry/home.html",
        {
            "table": table,
            "run": run,
            "objectivity_run": objectivity,
            "objectivity_count": objectivity.statuses.restrict(user)
            .filter(status=Status.OBJECTIVITY)
            .count()
            if objectivity
            else 0,
            "totals": totals,
            "schools_total": sum(r["m"].schools_count for r in table),
            "chart_height": max(160, 26 * len(table) + 60),
        },
    )


@login_required
def municipality(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Municipality.objects.restrict(request.user), pk=pk)

    def page() -> dict[str, Any]:  # read when the page's fragment is rendered
        schools = School.objects.restrict(request.user).filter(municipality=place)
        run = latest_run(request.user, municipality=place)
        statuses = statuses_by_school(run, request.user, among=schools) if run else {}
        latest_context = {
            c.school_id: c
            for c in SchoolContext.objects.filter(school__in=schools).order_by("school_id", "year")
        }
        table = [
            {"school": s, "status": statuses.get(s.pk), "context": latest_context.get(s.pk)}
            for s in schools.order_by("name")
        ]
        objectivity = latest_objectivity_run(request.user, municipality=place)
        return {
            "table": table,
            "run": run,
            "objectivity_run": objectivity,
            "flagged": flagged_schools(objectivity, request.user, among=schools)
            if objectivity
            else [],
        }

    return render(
        request,
        "registry/municipality.html",
        {
            "place": place,
            **lazily(page, "table", "run", "objectivity_run", "flagged"),
            "fragment_key": (place.pk, scope_key(request.user)),
        },
    )


class SchoolFilter(Params):
    q = text_field()
    municipality = id_field()
    kind = choice_field(SchoolKind.choices)
    locality = choice_field(Locality.choices)
    status = choice_field(Status.choices)


@login_required
def schools(request: HttpRequest) -> HttpResponse:
    user = request.user
    params = SchoolFilter.parse(request.GET)
    q = params["q"].strip()

    def page() -> dict[str, Any]:  # read when the page's fragment is rendered
        rows = School.objects.restrict(user).select_related("municipality")
        if q:
            rows = rows.filter(Q(name__icontains=q) | Q(code__icontains=q))
        for param, lookup in (
            ("municipality", "municipality_id"),
            ("kind", "kind"),
            ("locality", "locality"),
        ):
            if params[param]:
                rows = rows.filter(**{lookup: params[param]})
        run = latest_run(user)
        status = params["status"]
        if status and run:
            rows = rows.filter(pk__in=run.statuses.filter(status=status).values("school_id"))
        page = Paginator(rows.order_by("municipality__name", "name"), 50).get_page(
            request.GET.get("page")
        )
        statuses = statuses_by_school(run, user, among=[s.pk for s in page]) if run else {}
        return {
            "page": page,
            "statuses": statuses,
            "run": run,
            "municipalities": Municipality.objects.restrict(user).order_by("name"),
            "query": query_without_page(request),
        }

    return render(
        request,
        "registry/schools.html",
        {
            "q": q,
            "kinds": SchoolKind.choices,
            "localities": Locality.choices,
            "params": request.GET,
            **lazily(page, "page", "statuses", "run", "municipalities", "query"),
            "fragment_key": (scope_key(request.user), sorted(request.GET.lists())),
        },
    )


def objectivity_signs(user: Any, card: School) -> dict[str, Any]:
    """The school's place in the latest list of signs of non-objective results, with its signs
    (None when the run does not list it)."""
    run = latest_objectivity_run(user, municipality=card.municipality)
    flagged = flagged_schools(run, user, among=[card.pk]) if run else []
    return {"run": run, "signs": flagged[0]["signs"] if flagged else None}


@login_required
def school(request: HttpRequest, pk: int) -> HttpResponse:
    card = get_object_or_404(
        School.objects.restrict(request.user).select_related("municipality__region"), pk=pk
    )
    year = latest_context_year()

    # The card's data is computed only when its fragment is rendered (once per state of the
    # data, `rendered_once` in the template): each part is a function the template calls.
    @cache
    def contexts() -> list[SchoolContext]:
        return list(card.contexts.order_by("year"))

    @cache
    def low_share() -> float:
        return low_share_of(card.municipality.region_id, card.municipality_id)

    @cache
    def profile() -> list[dict[str, Any]]:
        rows = school_profile(card, year) if year else []
        for factor in rows:  # the typical measures that answer each factor, from the library
            factor["measures"] = [m.text for m in for_factor(factor["code"])]
        return rows

    return render(
        request,
        "registry/school.html",
        {
            "school": card,
            "fragment_key": (card.pk, settings.PRIMARY_METHODOLOGY),
            "contexts": contexts,
            "context_table": cache(
                lambda: [
                    (label, [getattr(c, field) for c in contexts()])
                    for field, label in CONTEXT_ROWS
                ]
            ),
            "results": cache(lambda: school_results(card, low_share())),
            "low_share": low_share,
            "history": cache(lambda: school_history(card)),
            "objectivity_table": cache(lambda: school_table(card.pk)),
            "objectivity": cache(lambda: objectivity_signs(request.user, card)),
            "risk_year": year,
            "risk_profile": profile,
            "standing": cache(lambda: school_standing(card, year) if year else {}),
            "indicators": cache(lambda: school_values(card, year) if year else []),
            **school_section(request, card),
        },
    )


class ImportUpload(forms.Form):
    kind = forms.ChoiceField(error_messages={"required": "Выберите вид данных."})
    file = UploadField(IMPORT, error_messages={"required": "Выберите файл."})

    def __init__(self, *args: Any, kinds: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            (k, i.title) for k, i in kinds.items()
        ]


@login_required
def upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    kinds = importable(request.user)
    if not kinds:
        raise Http404
    if request.method == "POST":
        form = ImportUpload(request.POST, request.FILES, kinds=kinds)
        if not form.is_valid():
            messages.error(
                request, " ".join(str(e) for errors in form.errors.values() for e in errors)
            )
            return redirect("import")
        kind, upload_file = form.cleaned_data["kind"], form.cleaned_data["file"]
        stored = store_upload(upload_file)
        job = enqueue(
            "import",
            f"Загрузка «{upload_file.name}»: {IMPORTERS[kind].title}",
            {"kind": kind, "path": str(stored), "name": upload_file.name},
            request.user,
        )
        return redirect("job", pk=job.pk)
    return render(
        request,
        "registry/import.html",
        {
            "importers": [(k, i.title, i.columns) for k, i in kinds.items()],
            "recent": Job.objects.filter(user=request.user, kind="import")[:10],
        },
    )


@login_required
def template_file(request: HttpRequest, kind: str) -> FileResponse:
    if kind not in IMPORTERS:
        raise Http404
    path = Path(tempfile.mkdtemp()) / f"shablon_{kind}.xlsx"
    write_template(kind, path)
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"шаблон_{kind}.xlsx")
