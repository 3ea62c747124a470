"""What the risk pages show, assembled from facts, profiles and the statistical models."""

from __future__ import annotations

from typing import Any

import polars as pl

from shnor.assessments.models import Result
from shnor.core.derived import derived_from
from shnor.identification.choices import Status
from shnor.identification.history import latest_run
from shnor.identification.models import SchoolStatus
from shnor.registry.models import Municipality, School, SchoolContext
from shnor.risks.catalogue import LEVEL_LABELS, LEVELS, factors
from shnor.risks.clusters import Clustering, cluster
from shnor.risks.facts import facts
from shnor.risks.models import SurveyAnswer
from shnor.risks.profile import evaluate_profiles
from shnor.risks.resilience import Resilience, fit, result_scores
from shnor.risks.social import shnsu


def latest_context_year() -> int | None:
    return SchoolContext.objects.order_by("-year").values_list("year", flat=True).first()


@derived_from(School, Municipality, SchoolContext, SurveyAnswer)
def region_profiles(region_id: int, years: tuple[int, ...]) -> pl.DataFrame:
    """Every school's factor levels of the region in these years, evaluated once per state of
    the data they read rather than on every school card."""
    return evaluate_profiles(facts(region_id, list(years)))


def school_profile(school: Any, year: int) -> list[dict[str, Any]]:
    """Every factor for the school in the year and the year before, with evidence."""
    levels = region_profiles(school.municipality.region_id, (year - 1, year)).filter(
        pl.col("school_id") == school.pk
    )
    by_key = {(r["factor"], r["year"]): r for r in levels.iter_rows(named=True)}
    rows = []
    for factor in factors():
        now = by_key.get((factor["code"], year), {})
        before = by_key.get((factor["code"], year - 1), {})
        rows.append(
            {
                "code": factor["code"],
                "name": factor["name"],
                "rank": now.get("rank"),
                "level": LEVEL_LABELS.get(now.get("level") or "", None),
                "rank_before": before.get("rank"),
                "evidence": now.get("evidence") or "",
                "change": (
                    None
                    if now.get("rank") is None or before.get("rank") is None
                    else now["rank"] - before["rank"]
                ),
            }
        )
    return rows


def heatmap(region_id: int, year: int, school_ids: set[int]) -> dict[str, Any]:
    frame = facts(region_id, [year]).filter(pl.col("school_id").is_in(list(school_ids)))
    levels = evaluate_profiles(frame)
    cells = {(r["school_id"], r["factor"]): r for r in levels.iter_rows(named=True)}
    schools = frame.select("school_id", "name", "municipality").sort("municipality", "name")
    return {
        "factors": factors(),
        "rows": [
            {
                "school_id": s["school_id"],
                "name": s["name"],
                "municipality": s["municipality"],
                "cells": [cells.get((s["school_id"], f["code"])) for f in factors()],
            }
            for s in schools.iter_rows(named=True)
        ],
        "levels": [(level, LEVEL_LABELS[level]) for level in LEVELS],
    }


def schools_with_status(user: Any, statuses: tuple[str, ...]) -> set[int]:
    """Schools with these statuses in the latest run of the primary methodology."""
    run = latest_run(user)
    if run is None:
        return set()
    return set(
        SchoolStatus.objects.filter(run=run, status__in=statuses).values_list(
            "school_id", flat=True
        )
    )


def listed_schools(user: Any) -> set[int]:
    return schools_with_status(user, (Status.LOW_RESULTS,))


def risk_zone_schools(user: Any) -> set[int]:
    return schools_with_status(user, (Status.LOW_RESULTS, Status.RISK_ZONE))


# What the social index, resilience and clusters read: context, survey and results.
STANDING_SOURCES = (School, Municipality, SchoolContext, SurveyAnswer, Result)


@derived_from(*STANDING_SOURCES)
def context_and_results(region_id: int, year: int) -> pl.DataFrame:
    indexed = shnsu(facts(region_id, [year]))
    return indexed.join(result_scores(region_id, year), on="school_id", how="left")


@derived_from(*STANDING_SOURCES)
def resilience(region_id: int, year: int) -> Resilience:
    return fit(context_and_results(region_id, year))


def school_standing(school: Any, year: int) -> dict[str, Any]:
    """The school's social index, ШНСУ flag and place against the resilience model."""
    data = context_and_results(school.municipality.region_id, year)
    try:
        model = resilience(school.municipality.region_id, year)
    except ValueError:  # too few schools for a model
        model = None
    own = data.filter(pl.col("school_id") == school.pk)
    standing = own.to_dicts()[0] if own.height else {}
    if model is not None:
        row = model.schools.filter(pl.col("school_id") == school.pk)
        if row.height:
            standing.update(row.select("predicted", "resilient").to_dicts()[0])
    return standing


@derived_from(*STANDING_SOURCES)
def clustering(region_id: int, year: int, school_ids: set[int] | None = None) -> Clustering:
    data = context_and_results(region_id, year)
    if school_ids is not None:
        data = data.filter(pl.col("school_id").is_in(list(school_ids)))
    return cluster(data)
