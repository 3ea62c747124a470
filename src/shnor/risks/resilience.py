"""Resilient schools: hard social context, results clearly above what the context predicts.

result: the share of ВПР, ОГЭ and ЕГЭ participants in Russian and mathematics who passed (no «2»,
not below the minimum), in per cent, pooled over the year and the year before (steadier for small
schools); schools with fewer than MIN_PARTICIPANTS are left out of the model. Model: ordinary
least squares result ~ social index over the schools of the region (statsmodels). Resilient:
social index in the worst third of the region and the observed result above the upper bound of
the model's 80% prediction interval for that school."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import polars as pl
import statsmodels.api as sm

from shnor.core.columnar import read_frame

MIN_PARTICIPANTS = 20
PREDICTION_ALPHA = 0.2
KINDS = ("ВПР", "ОГЭ", "ЕГЭ")
SUBJECTS = ("Русский язык", "Математика", "Математика профильная", "Математика базовая")


def subject_counts(region_id: int, year: int) -> pl.DataFrame:
    """school_id, subject, participants and those with «2» / below the minimum in ВПР, ОГЭ and
    ЕГЭ over the year and the year before, aggregated in the database."""
    return read_frame(
        f"""SELECT r.school_id, sub.name AS subject, SUM(r.participants) AS participants,
                   SUM(r.below_min) AS below
            FROM assessments_result r
            JOIN registry_school s ON s.id = r.school_id
            JOIN registry_municipality m ON m.id = s.municipality_id
            JOIN assessments_procedurekind k ON k.id = r.kind_id
            JOIN assessments_subject sub ON sub.id = r.subject_id
            WHERE m.region_id = %s AND r.year IN (%s, %s) AND r.below_min IS NOT NULL
              AND r.participants > 0 AND k.code IN ({", ".join(["%s"] * len(KINDS))})
            GROUP BY r.school_id, sub.name""",
        [region_id, year - 1, year, *KINDS],
        {"school_id": pl.Int64, "subject": pl.Utf8, "participants": pl.Int64, "below": pl.Int64},
    )


def result_scores(region_id: int, year: int) -> pl.DataFrame:
    """school_id, participants, result (% passed) in Russian and mathematics."""
    return (
        subject_counts(region_id, year)
        .filter(pl.col("subject").is_in(list(SUBJECTS)))
        .group_by("school_id")
        .agg(pl.col("participants").sum(), pl.col("below").sum())
        .with_columns(result=100 * (1 - pl.col("below") / pl.col("participants")))
    )


@dataclass
class Resilience:
    schools: pl.DataFrame  # one row per modelled school, with prediction and flags
    model: Any  # statsmodels RegressionResults
    context_cutoff: float

    @property
    def line(self) -> list[dict[str, float]]:
        """Two points of the prediction line across the observed index range."""
        index = self.schools["social_index"]
        low, high = cast(float, index.min()), cast(float, index.max())  # a Float64 column
        a, b = self.model.params
        return [{"x": x, "y": a + b * x} for x in (low, high)]


def fit(schools: pl.DataFrame) -> Resilience:
    """schools: one row each with `social_index`, `participants` and `result` (see
    result_scores). Needs five schools with both."""
    data = schools.filter(
        pl.col("social_index").is_not_null() & (pl.col("participants") >= MIN_PARTICIPANTS)
    ).sort("school_id")
    if data.height < 5:
        raise ValueError("для модели нужно не меньше пяти школ с контекстом и результатами")
    x = sm.add_constant(data["social_index"].to_numpy())
    model = sm.OLS(data["result"].to_numpy(), x).fit()
    frame = model.get_prediction(x).summary_frame(alpha=PREDICTION_ALPHA)
    cutoff = float(np.quantile(data["social_index"].to_numpy(), 2 / 3))
    schools = (
        data.with_columns(
            predicted=pl.Series(frame["mean"].to_numpy()),
            upper=pl.Series(frame["obs_ci_upper"].to_numpy()),
            residual=pl.Series(model.resid),
        )
        .with_columns(
            hard_context=pl.col("social_index") >= cutoff,
        )
        .with_columns(
            resilient=pl.col("hard_context") & (pl.col("result") > pl.col("upper")),
        )
    )
    return Resilience(schools=schools, model=model, context_cutoff=cutoff)
