"""The page «Объективность ВПР» of a region or a municipality: the schools with signs of
non-objective results (the latest run of that methodology, a list kept apart from ШНОР) and the
objectivity table — per municipality for the region, per school for a municipality."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from shnor.accounts.choices import Role
from shnor.assessments.models import Result
from shnor.core.params import Params, id_field, year_field
from shnor.identification.history import latest_objectivity_run
from shnor.identification.objectivity import (
    VPR,
    flagged_schools,
    labelled,
    territory_table,
    totals,
)
from shnor.registry.models import Municipality, School
from shnor.taskresults.models import Paper


class ObjectivityFilter(Params):
    year = year_field()
    municipality = id_field()


def vpr_years(school_ids: list[int]) -> list[int]:
    """Years with ВПР papers or ВПР results of these schools, newest first."""
    years = set(
        Paper.objects.filter(kind__code=VPR, school__in=school_ids)
        .values_list("year", flat=True)
        .distinct()
    )
    years.update(
        Result.objects.filter(kind__code=VPR, school__in=school_ids)
        .exclude(lowered=None, confirmed=None, raised=None)
        .values_list("year", flat=True)
        .distinct()
    )
    return sorted(years, reverse=True)


@login_required
def objectivity(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    params = ObjectivityFilter.parse(request.GET)
    municipalities = Municipality.objects.restrict(user).order_by("name")
    place = None
    if params["municipality"]:
        place = get_object_or_404(municipalities, pk=params["municipality"])
    elif user.role == Role.MUNICIPALITY:
        place = user.municipality
    schools = School.objects.restrict(user).select_related("municipality")
    if place is not None:
        schools = schools.filter(municipality=place)
    names = {s.pk: (s.short_name, s.municipality_id) for s in schools}
    school_ids = list(names)
    years = vpr_years(school_ids)
    year = params["year"] or (years[0] if years else None)
    run = latest_objectivity_run(user, municipality=place, year=year)
    table = territory_table(school_ids, year) if year else None
    rows: list[dict[str, Any]] = []
    if table is not None and table.height:
        places = pl.DataFrame(
            [(pk, m) for pk, (_, m) in names.items()],
            schema={"school_id": pl.Int64, "municipality_id": pl.Int64},
            orient="row",
        )
        table = table.join(places, on="school_id")
        if place is None:
            municipality_names = dict(municipalities.values_list("pk", "name"))
            rows = [
                {**r, "name": municipality_names.get(r["municipality_id"], "")}
                for r in labelled(totals(table, by=("municipality_id",)))
            ]
        else:
            rows = [{**r, "name": names[r["school_id"]][0]} for r in labelled(table)]
    return render(
        request,
        "identification/objectivity.html",
        {
            "place": place,
            "year": year,
            "years": years,
            "municipalities": municipalities,
            "may_choose_municipality": user.role != Role.MUNICIPALITY,
            "run": run,
            "flagged": flagged_schools(run, user, among=school_ids) if run else [],
            "rows": rows,
            "overall": labelled(totals(table)) if table is not None and table.height else [],
        },
    )
