"""Risk pages: heat map, ШНСУ, resilient schools, clusters, resource deficits, questionnaire."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from shnor.accounts.choices import Action
from shnor.core.derived import lazily
from shnor.core.params import Params, choice_field, id_field, year_field
from shnor.core.scope import can, scope_key
from shnor.registry.models import Municipality, Region, School
from shnor.risks import services
from shnor.risks.actions import do_save_survey
from shnor.risks.catalogue import LEVEL_LABELS, factor_names, questionnaire
from shnor.risks.clusters import FEATURE_LABELS, FEATURES
from shnor.risks.deficits import DEFICITS, deficit_table, eliminated_share
from shnor.risks.facts import facts
from shnor.risks.models import SurveyAnswer
from shnor.risks.reports import METHOD_TEXT, clustering_docx, number


class RiskParams(Params):
    year = year_field()
    municipality = id_field()
    format = choice_field(["docx"])


def region_and_year(request: HttpRequest) -> tuple[Region, int, dict[str, Any]]:
    """The user's region, the year asked for (else the latest with data) and the parameters."""
    params = RiskParams.parse(request.GET)
    schools = School.objects.restrict(request.user)
    first = schools.select_related("municipality__region").first()
    year = services.latest_context_year()
    if first is None or year is None:
        raise Http404("Нет данных о школах")
    return first.municipality.region, params["year"] or year, params


def visible_ids(request: HttpRequest, municipality: int | None = None) -> set[int]:
    schools = School.objects.restrict(request.user)
    if municipality:
        schools = schools.filter(municipality_id=municipality)
    return set(schools.values_list("pk", flat=True))


def common(request: HttpRequest, tab: str, region: Region, year: int) -> dict[str, Any]:
    return {
        "tab": tab,
        "year": year,
        "region": region,
        "params": request.GET,
        "municipalities": Municipality.objects.restrict(request.user).order_by("name"),
        "years": [year - 1, year],
    }


@login_required
def heatmap(request: HttpRequest) -> HttpResponse:
    region, year, params = region_and_year(request)

    def page() -> dict[str, Any]:  # read when the page's fragment is rendered
        municipality = params["municipality"]
        if "municipality" not in request.GET:  # a region's 300 rows are not a picture
            first = Municipality.objects.restrict(request.user).order_by("name").first()
            municipality = first.pk if first else None
        data = services.heatmap(region.pk, year, visible_ids(request, municipality))
        context = common(request, "heatmap", region, year)
        context["params"] = {**request.GET.dict(), "municipality": str(municipality or "")}
        return {**context, **data}

    keys = ("tab", "year", "region", "params", "municipalities", "years")
    return render(
        request,
        "risks/heatmap.html",
        {
            **lazily(page, *keys, "factors", "rows", "levels"),
            "fragment_key": (scope_key(request.user), sorted(request.GET.lists())),
        },
    )


@login_required
def social(request: HttpRequest) -> HttpResponse:
    region, year, params = region_and_year(request)
    data = services.context_and_results(region.pk, year).filter(
        pl.col("school_id").is_in(list(visible_ids(request, params["municipality"])))
    )
    rows = data.filter(pl.col("social_index").is_not_null()).sort("social_index", descending=True)
    return render(
        request,
        "risks/social.html",
        {
            **common(request, "social", region, year),
            "rows": rows.to_dicts(),
            "count": int(rows["shnsu"].sum()) if rows.height else 0,
            "cutoff": rows["shnsu_cutoff"][0] if rows.height else None,
        },
    )


@login_required
def resilience(request: HttpRequest) -> HttpResponse:
    region, year, _ = region_and_year(request)
    try:
        result = services.resilience(region.pk, year)
    except ValueError as error:  # too few schools with context and results for the model
        return render(
            request,
            "risks/resilience.html",
            {**common(request, "resilience", region, year), "error": str(error)},
        )
    visible = visible_ids(request)
    listed = services.listed_schools(request.user)
    points = result.schools.filter(pl.col("school_id").is_in(list(visible))).with_columns(
        listed=pl.col("school_id").is_in(list(listed))
    )
    return render(
        request,
        "risks/resilience.html",
        {
            **common(request, "resilience", region, year),
            "points": points.select(
                "school_id",
                "name",
                "municipality",
                "social_index",
                "result",
                "predicted",
                "resilient",
                "listed",
            ).to_dicts(),
            "resilient": points.filter(pl.col("resilient"))
            .sort("residual", descending=True)
            .to_dicts(),
            "line": result.line,
            "r2": result.model.rsquared,
            "slope": result.model.params[1],
            "n": int(result.model.nobs),
            "cutoff": result.context_cutoff,
        },
    )


@login_required
def clusters(request: HttpRequest) -> HttpResponse:
    region, year, params = region_and_year(request)
    municipality = params["municipality"]
    try:
        result = services.clustering(region.pk, year, visible_ids(request, municipality))
    except ValueError as error:
        return render(
            request,
            "risks/clusters.html",
            {**common(request, "clusters", region, year), "error": str(error)},
        )
    if params["format"] == "docx":
        place = Municipality.objects.filter(pk=municipality).first() if municipality else None
        response = HttpResponse(
            clustering_docx(result, place.name if place else region.name, year),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        response["Content-Disposition"] = f'attachment; filename="clusters_{year}.docx"'
        return response
    return render(
        request,
        "risks/clusters.html",
        {
            **common(request, "clusters", region, year),
            "result": result,
            "method": METHOD_TEXT.format(k=result.k, quality=number(result.quality, 2)),
            "profiles": result.profiles.to_dicts(),
            "features": [(f, FEATURE_LABELS[f]) for f in FEATURES if f != "log_students"],
            "schools": result.schools.sort("cluster", "name").to_dicts(),
        },
    )


@login_required
def deficits(request: HttpRequest) -> HttpResponse:
    region, year, params = region_and_year(request)
    visible = visible_ids(request, params["municipality"])
    frame = facts(region.pk, [year - 1, year])
    table = deficit_table(frame, year).filter(pl.col("school_id").is_in(list(visible)))
    names = frame.filter(pl.col("year") == year).select("school_id", "name", "municipality")
    table = table.join(names, on="school_id").sort("municipality", "name")
    risk_schools = services.risk_zone_schools(request.user)
    done, total = eliminated_share(table, risk_schools)
    return render(
        request,
        "risks/deficits.html",
        {
            **common(request, "deficits", region, year),
            "rows": table.to_dicts(),
            "deficits": [(code, label) for code, (label, _) in DEFICITS.items()],
            "done": done,
            "total": total,
            "share": done / total if total else None,
        },
    )


class SurveyParams(Params):
    school = id_field()
    year = year_field()


def survey_form(data: Any = None, initial: dict[str, int] | None = None) -> forms.Form:
    """One required answer on the questionnaire's scale per statement."""
    spec = questionnaire()
    scale = spec["scale"]
    choices = [
        (value, f"{value} — {label}")
        for value, label in zip(range(scale["min"], scale["max"] + 1), scale["labels"], strict=True)
    ]
    fields = {
        q["code"]: forms.TypedChoiceField(
            label=q["text"], choices=choices, coerce=int, widget=forms.RadioSelect
        )
        for q in spec["questions"]
    }
    return type("SurveyForm", (forms.Form,), fields)(data, initial=initial)


@login_required
def survey(request: HttpRequest) -> HttpResponse:
    """The questionnaire; a school (or its municipality) fills it in here for a year."""
    region, year, _ = region_and_year(request)
    params = SurveyParams.parse(request.GET)
    answerable = School.objects.restrict(request.user, Action.SELF_DIAGNOSIS).order_by("name")
    school = None
    if can(request.user, Action.SELF_DIAGNOSIS):
        school = (
            get_object_or_404(answerable, pk=params["school"])
            if params["school"]
            else answerable.first()
            if answerable.count() == 1
            else None
        )
    answer_year = params["year"] or year
    form = None
    if school is not None:
        stored = dict(
            SurveyAnswer.objects.filter(school=school, year=answer_year).values_list(
                "question", "value"
            )
        )
        form = survey_form(request.POST if request.method == "POST" else None, stored)
        if request.method == "POST" and form.is_valid():
            do_save_survey(school, answer_year, form.cleaned_data, acting_user=request.user)
            messages.success(
                request,
                f"Анкета школы «{school.short_name}» за {answer_year} год сохранена; "
                "профиль рисков пересчитан по ответам.",
            )
            return redirect(f"{request.path}?school={school.pk}&year={answer_year}")
    return render(
        request,
        "risks/questionnaire.html",
        {
            **common(request, "questionnaire", region, year),
            "q": questionnaire(),
            "factor_names": factor_names(),
            "levels": LEVEL_LABELS,
            "school": school,
            "answer_year": answer_year,
            "answer_years": sorted({year, answer_year, date.today().year}),
            "answerable": answerable,
            "form": form,
        },
    )
