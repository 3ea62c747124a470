"""Dashboards of indicators (regional and municipal) and monitoring rounds."""

from __future__ import annotations

from typing import Any

import polars as pl
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from shnor.accounts.choices import Action, Role
from shnor.accounts.http import AuthenticatedHttpRequest
from shnor.assessments.models import Result
from shnor.core.derived import lazily
from shnor.core.params import Params, id_field, text_field, year_field
from shnor.core.scope import can, scope_key
from shnor.indicators.actions import do_create_round
from shnor.indicators.catalogue import by_code, indicators
from shnor.indicators.dashboard import grid
from shnor.indicators.engine import current_values, hidden_word
from shnor.indicators.models import MonitoringRound
from shnor.indicators.rounds import round_table
from shnor.indicators.support_effect import page_sections, support_effect_sections
from shnor.registry.models import Municipality, Region, School
from shnor.risks.services import latest_context_year


def latest_result_year() -> int | None:
    return Result.objects.order_by("-year").values_list("year", flat=True).first()


class DashboardParams(Params):
    year = year_field()
    indicator = text_field(max_length=64)
    municipality = id_field()


class RoundParams(Params):
    year = year_field(required=True)
    month = forms.IntegerField(min_value=1, max_value=12)


def years_and_region(request: HttpRequest) -> tuple[Region, list[int], int]:
    params = DashboardParams.parse(request.GET)
    first = School.objects.restrict(request.user).select_related("municipality__region").first()
    # Indicators come from results as much as from context: a region that has loaded only
    # results still has its dashboards.
    latest = [latest_context_year(), latest_result_year()]
    last = max((y for y in latest if y is not None), default=None)
    if first is None or last is None:
        raise Http404("Нет данных")
    year = params["year"] or last
    return first.municipality.region, list(range(last - 4, last + 1)), year


def indicator_table(
    values: pl.DataFrame, year: int, municipality_id: int | None
) -> list[dict[str, Any]]:
    """Every indicator for the unit: value, last year's, target and the region beside it."""
    unit = values.filter(pl.col("school_id").is_null())
    mine = (
        unit.filter(pl.col("municipality_id") == municipality_id)
        if municipality_id
        else unit.filter(pl.col("municipality_id").is_null())
    )
    region = unit.filter(pl.col("municipality_id").is_null())
    lookup = {(r["indicator"], r["year"]): r for r in mine.iter_rows(named=True)}
    regional = {(r["indicator"], r["year"]): r for r in region.iter_rows(named=True)}
    rows = []
    for spec in indicators():
        now = lookup.get((spec["code"], year), {})
        before = lookup.get((spec["code"], year - 1), {})
        target = spec.get("targets", {}).get(year)
        value = now.get("value")
        meets = None
        if value is not None and target is not None:
            meets = value <= target if spec.get("lower_is_better") else value >= target
        rows.append(
            {
                "spec": spec,
                "value": value,
                "previous": before.get("value"),
                "numerator": now.get("numerator"),
                "denominator": now.get("denominator"),
                "target": target,
                "meets": meets,
                "region": regional.get((spec["code"], year), {}).get("value"),
                "hidden": hidden_word(spec, now),
                "previous_hidden": hidden_word(spec, before),
                "region_hidden": hidden_word(spec, regional.get((spec["code"], year))),
            }
        )
    return rows


def series(
    values: pl.DataFrame, code: str, years: list[int], municipality_id: int | None
) -> dict[str, Any]:
    unit = values.filter((pl.col("indicator") == code) & pl.col("school_id").is_null())
    region = {
        r["year"]: r["value"]
        for r in unit.filter(pl.col("municipality_id").is_null()).iter_rows(named=True)
    }
    own = (
        {
            r["year"]: r["value"]
            for r in unit.filter(pl.col("municipality_id") == municipality_id).iter_rows(named=True)
        }
        if municipality_id
        else {}
    )
    return {
        "years": years,
        "region": [region.get(y) for y in years],
        "unit": [own.get(y) for y in years] if municipality_id else None,
        "title": by_code()[code]["name"],
    }


def main_indicator(request: HttpRequest) -> dict[str, Any]:
    mains = [i for i in indicators() if i.get("main")]
    code = DashboardParams.parse(request.GET)["indicator"] or mains[0]["code"]
    spec = by_code().get(code)
    if spec is None or "bands" not in spec:
        raise Http404
    return spec


@login_required
def regional(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role == Role.MUNICIPALITY:
        return redirect("indicators:municipality", pk=request.user.municipality_id)
    region, years, year = years_and_region(request)

    def page() -> dict[str, Any]:  # read when the page's fragment is rendered
        values = current_values(region.pk, years)
        spec = main_indicator(request)
        units = []
        for municipality in Municipality.objects.restrict(request.user).order_by("name"):
            rows = values.filter(
                (pl.col("indicator") == spec["code"])
                & (pl.col("municipality_id") == municipality.pk)
                & pl.col("school_id").is_null()
            )
            by_year = {r["year"]: r["value"] for r in rows.iter_rows(named=True)}
            units.append(
                {
                    "name": municipality.name,
                    "value": by_year.get(year),
                    "previous": by_year.get(year - 1),
                    "url": reverse("indicators:municipality", args=[municipality.pk]),
                }
            )
        return {
            "year": year,
            "years": years,
            "spec": spec,
            "mains": [i for i in indicators() if i.get("main")],
            "grid": grid(spec, units),
            "table": indicator_table(values, year, None),
            "chart": series(values, spec["code"], years, None),
            "unit_label": "муниципалитеты",
        }

    return render(
        request,
        "indicators/dashboard.html",
        {
            "title": f"Показатели: {region.name}",
            **lazily(
                page, "year", "years", "spec", "mains", "grid", "table", "chart", "unit_label"
            ),
            "fragment_key": (request.path, scope_key(request.user), sorted(request.GET.lists())),
        },
    )


@login_required
def municipal(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Municipality.objects.restrict(request.user), pk=pk)
    region, years, year = years_and_region(request)

    def page() -> dict[str, Any]:  # read when the page's fragment is rendered
        values = current_values(region.pk, years)
        spec = main_indicator(request)
        schools = School.objects.restrict(request.user).filter(municipality=place)
        rows = values.filter(
            (pl.col("indicator") == spec["code"])
            & pl.col("school_id").is_in(list(schools.values_list("pk", flat=True)))
        )
        by_school: dict[int, dict[int, float]] = {}
        for row in rows.iter_rows(named=True):
            by_school.setdefault(row["school_id"], {})[row["year"]] = row["value"]
        units = [
            {
                "name": s.short_name,
                "url": reverse("school", args=[s.pk]),
                "value": by_school.get(s.pk, {}).get(year),
                "previous": by_school.get(s.pk, {}).get(year - 1),
            }
            for s in schools
        ]
        return {
            "year": year,
            "years": years,
            "spec": spec,
            "mains": [i for i in indicators() if i.get("main") and "school" in i["levels"]],
            "grid": grid(spec, units),
            "table": indicator_table(values, year, place.pk),
            "chart": series(values, spec["code"], years, place.pk),
            "unit_label": "школы",
        }

    return render(
        request,
        "indicators/dashboard.html",
        {
            "title": f"Показатели: {place.name}",
            "place": place,
            **lazily(
                page, "year", "years", "spec", "mains", "grid", "table", "chart", "unit_label"
            ),
            "fragment_key": (request.path, scope_key(request.user), sorted(request.GET.lists())),
        },
    )


@login_required
def rounds(request: HttpRequest) -> HttpResponse:
    region, years, year = years_and_region(request)
    if request.method == "POST":
        if not can(request.user, Action.RUN):
            raise Http404
        params = RoundParams.parse(request.POST)
        created = do_create_round(region, params["year"], params["month"], acting_user=request.user)
        messages.success(request, f"Создан срез: {created.title}")
        return redirect("indicators:round", pk=created.pk)
    return render(
        request,
        "indicators/rounds.html",
        {
            "rounds": MonitoringRound.objects.restrict(request.user).filter(region=region),
            "may_create": can(request.user, Action.RUN),
            "years": years,
            "year": year,
        },
    )


@login_required
def round_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    chosen = get_object_or_404(MonitoringRound.objects.restrict(request.user), pk=pk)
    municipality = (
        request.user.municipality_id
        if request.user.role == Role.MUNICIPALITY
        else DashboardParams.parse(request.GET)["municipality"]
    )
    return render(
        request,
        "indicators/round.html",
        {
            "round": chosen,
            "rows": round_table(chosen, municipality),
            # not frozen with the round: the comparison reads the results loaded since
            "sections": page_sections(
                support_effect_sections(
                    request.user,
                    chosen.region,
                    Municipality.objects.restrict(request.user).filter(pk=municipality).first()
                    if municipality
                    else None,
                    chosen.year,
                    brief=True,
                )
            ),
            "municipalities": Municipality.objects.restrict(request.user).order_by("name"),
            "params": request.GET,
        },
    )
