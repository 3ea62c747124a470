"""Risk pages: heat map, ШНСУ, resilient schools, clusters, resource deficits, questionnaire."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from shnor.registry.models import Municipality, Region, School
from shnor.risks import services
from shnor.risks.catalogue import LEVEL_LABELS, questionnaire
from shnor.risks.clusters import FEATURE_LABELS, FEATURES
from shnor.risks.deficits import DEFICITS, deficit_table, eliminated_share
from shnor.risks.facts import facts
from shnor.risks.reports import clustering_docx


def region_and_year(request: HttpRequest) -> tuple[Region, int]:
    schools = School.objects.restrict(request.user)
    first = schools.select_related("municipality__region").first()
    year = services.latest_context_year()
    if first is None or year is None:
        raise Http404("Нет данных о школах")
    return first.municipality.region, int(request.GET.get("year") or year)


def visible_ids(request: HttpRequest, municipality: str | None = None) -> set[int]:
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
    region, year = region_and_year(request)
    municipality = request.GET.get("municipality")
    if municipality is None:  # a region's 300 rows are not a picture: start with one place
        first = Municipality.objects.restrict(request.user).order_by("name").first()
        municipality = str(first.pk) if first else ""
    data = services.heatmap(region.pk, year, visible_ids(request, municipality))
    context = common(request, "heatmap", region, year)
    context["params"] = {**request.GET.dict(), "municipality": municipality}
    return render(request, "risks/heatmap.html", {**context, **data})


@login_required
def social(request: HttpRequest) -> HttpResponse:
    region, year = region_and_year(request)
    data = services.context_and_results(region.pk, year).filter(
        pl.col("school_id").is_in(list(visible_ids(request, request.GET.get("municipality"))))
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
    region, year = region_and_year(request)
    result = services.resilience(region.pk, year)
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
            "summary": result.model.summary().as_text(),
            "r2": result.model.rsquared,
            "slope": result.model.params[1],
            "n": int(result.model.nobs),
            "cutoff": result.context_cutoff,
        },
    )


@login_required
def clusters(request: HttpRequest) -> HttpResponse:
    region, year = region_and_year(request)
    municipality = request.GET.get("municipality")
    try:
        result = services.clustering(region.pk, year, visible_ids(request, municipality))
    except ValueError as error:
        return render(
            request,
            "risks/clusters.html",
            {**common(request, "clusters", region, year), "error": str(error)},
        )
    if request.GET.get("format") == "docx":
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
            "profiles": result.profiles.to_dicts(),
            "features": [(f, FEATURE_LABELS[f]) for f in FEATURES if f != "log_students"],
            "schools": result.schools.sort("cluster", "name").to_dicts(),
        },
    )


@login_required
def deficits(request: HttpRequest) -> HttpResponse:
    region, year = region_and_year(request)
    visible = visible_ids(request, request.GET.get("municipality"))
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


@login_required
def survey(request: HttpRequest) -> HttpResponse:
    region, year = region_and_year(request)
    return render(
        request,
        "risks/questionnaire.html",
        {
            **common(request, "questionnaire", region, year),
            "q": questionnaire(),
            "levels": LEVEL_LABELS,
        },
    )
