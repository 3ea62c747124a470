"""Partnerships: a school supported by a partner school or a named mentor teacher, and the
suggestion of partners with the reasons.

A suggestion ranks the other schools of the region that are not in the risk lists of the latest
primary run by: how much better they do in the subjects the school needs (the share of «2» /
below the minimum in ВПР, ОГЭ, ЕГЭ over the year and the year before, in percentage points),
whether they are resilient (results above what a hard context predicts), how close their social
context is, and whether they are in the same municipality (there are no coordinates, only the
distance to the district centre)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from shnor.identification.choices import Status
from shnor.identification.history import latest_run
from shnor.identification.models import SchoolStatus
from shnor.identification.services import low_share_of
from shnor.registry.models import School
from shnor.risks.resilience import MIN_PARTICIPANTS, fit, subject_counts
from shnor.risks.services import context_and_results

DEFAULT_SUBJECTS = ("Русский язык", "Математика")
WEIGHTS = {"gain": 1.0, "resilient": 8.0, "same_municipality": 6.0, "context_gap": 4.0}


@dataclass
class Suggestion:
    school: School
    score: float
    reasons: list[str]
    subjects: list[str]


def needed_subjects(shares: pl.DataFrame, school_id: int, low_share: float) -> list[str]:
    """The subjects where the school's share of «2» / below the minimum is low: at or above the
    threshold of the methodology the list follows."""
    own = shares.filter(pl.col("school_id") == school_id).with_columns(
        share=pl.col("below") / pl.col("participants")
    )
    low = own.filter(pl.col("share") >= low_share).sort("share", descending=True)
    return low["subject"].to_list() or [s for s in DEFAULT_SUBJECTS if s in own["subject"]]


def suggest_partners(school: School, year: int, user: Any, limit: int = 5) -> list[Suggestion]:
    region_id = school.municipality.region_id
    shares = subject_counts(region_id, year)
    low_share = low_share_of(region_id, school.municipality_id)
    subjects = needed_subjects(shares, school.pk, low_share) or list(DEFAULT_SUBJECTS)
    pooled = (
        shares.filter(pl.col("subject").is_in(subjects))
        .group_by("school_id")
        .agg(pl.col("participants").sum(), pl.col("below").sum())
        .with_columns(share=100 * pl.col("below") / pl.col("participants"))
    )
    own = pooled.filter(pl.col("school_id") == school.pk)
    own_share = own["share"][0] if own.height else None
    data = context_and_results(region_id, year)
    context = data.select("school_id", "municipality_id", "distance_km", "social_index")
    try:
        resilient = fit(data).schools.filter(pl.col("resilient"))["school_id"]
    except ValueError:  # too few schools for a model
        resilient = pl.Series("school_id", [], pl.Int64)
    run = latest_run(user)
    listed = (
        set(
            SchoolStatus.objects.filter(
                run=run, status__in=(Status.LOW_RESULTS, Status.RISK_ZONE)
            ).values_list("school_id", flat=True)
        )
        if run
        else set()
    )
    own_context = context.filter(pl.col("school_id") == school.pk)
    own_index = own_context["social_index"][0] if own_context.height else None
    candidates = (
        pooled.filter(
            (pl.col("school_id") != school.pk)
            & (pl.col("participants") >= MIN_PARTICIPANTS)
            & ~pl.col("school_id").is_in(list(listed))
        )
        .join(context, on="school_id", how="left")
        .with_columns(
            gain=(pl.lit(own_share, pl.Float64) - pl.col("share")).fill_null(0.0),
            resilient=pl.col("school_id").is_in(resilient.to_list()),
            same_municipality=pl.col("municipality_id") == school.municipality_id,
            context_gap=(pl.col("social_index") - pl.lit(own_index, pl.Float64))
            .abs()
            .fill_null(2.0),
        )
        .filter(pl.col("gain") > 0 if own_share is not None else pl.lit(True))
        .with_columns(
            score=WEIGHTS["gain"] * pl.col("gain")
            + WEIGHTS["resilient"] * pl.col("resilient").cast(pl.Float64)
            + WEIGHTS["same_municipality"] * pl.col("same_municipality").cast(pl.Float64)
            - WEIGHTS["context_gap"] * pl.col("context_gap")
        )
        .sort("score", descending=True)
        .head(limit)
    )
    schools = School.objects.select_related("municipality").in_bulk(
        candidates["school_id"].to_list()
    )
    subjects_text = ", ".join(subjects)
    suggestions = []
    for row in candidates.iter_rows(named=True):
        reasons = [
            f"по предметам ({subjects_text}) «2» / ниже порога {decimal(row['share'])}%"
            + (f" против {decimal(own_share)}% у школы" if own_share is not None else "")
        ]
        if row["resilient"]:
            reasons.append("резильентная: результаты выше ожидаемых при сложном контексте")
        if row["social_index"] is not None and own_index is not None:
            reasons.append(
                f"социальный контекст {'похожий' if row['context_gap'] < 0.5 else 'другой'} "
                f"(индекс {decimal(row['social_index'], 2)} против {decimal(own_index, 2)})"
            )
        distance = row["distance_km"]
        reasons.append(
            ("тот же муниципалитет" if row["same_municipality"] else "другой муниципалитет")
            + (f", {distance:.0f} км до райцентра" if distance is not None else "")
        )
        suggestions.append(
            Suggestion(
                school=schools[row["school_id"]],
                score=row["score"],
                reasons=reasons,
                subjects=subjects,
            )
        )
    return suggestions


def decimal(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")
