"""A school's yearly outcome, defined once for everything that follows a school over the years
(exit from the list, the effect of support): the share of participants with «2» / below the
minimum threshold, and the mean mark, over the procedures the federal criteria read — ВПР, ОГЭ,
ЕГЭ in Russian and mathematics — summed over grades (a school has a few pupils per grade; one
grade's share jumps by chance)."""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from shnor.assessments.frames import results_frame
from shnor.assessments.models import ProcedureKind, Subject

OUTCOME_KINDS = ("ВПР", "ОГЭ", "ЕГЭ")
OUTCOME_SUBJECTS = ("Русский язык", "Математика", "Математика профильная", "Математика базовая")
# The mean mark is only comparable on the 2–5 scale: ЕГЭ's 100-point scores stay out of it.
MARK_KINDS = ("ВПР", "ОГЭ")

OUTCOMES: dict[str, str] = {
    "share_low": "доля «2» / ниже минимального порога, %",
    "mean_mark": "средняя отметка (ВПР, ОГЭ)",
}
# For the share of «2» a fall is the improvement; for the mean mark a rise.
LOWER_IS_BETTER = {"share_low": True, "mean_mark": False}
SCHEMA = {
    "school_id": pl.Int64,
    "year": pl.Int32,
    "participants": pl.Int64,
    "share_low": pl.Float64,
    "mean_mark": pl.Float64,
}


def school_outcomes(
    first_year: int, last_year: int, school_ids: Collection[int] | None = None
) -> pl.DataFrame:
    """One row per school and year with results: participants, share_low (%), mean_mark."""
    kinds = dict(ProcedureKind.objects.filter(code__in=OUTCOME_KINDS).values_list("pk", "code"))
    subjects = list(Subject.objects.filter(name__in=OUTCOME_SUBJECTS).values_list("pk", flat=True))
    if not kinds or not subjects:
        return pl.DataFrame(schema=SCHEMA)
    rows = results_frame(first_year, last_year, list(kinds)).filter(
        pl.col("subject_id").is_in(subjects), pl.col("participants") > 0
    )
    if school_ids is not None:
        rows = rows.filter(pl.col("school_id").is_in(list(school_ids)))
    marks = [pk for pk, code in kinds.items() if code in MARK_KINDS]
    counted = pl.col("below_min").is_not_null()
    scored = pl.col("kind_id").is_in(marks) & pl.col("mean_score").is_not_null()
    return (
        rows.group_by("school_id", "year")
        .agg(
            participants=pl.col("participants").filter(counted).sum(),
            low=pl.col("below_min").filter(counted).sum(),
            marked=pl.col("participants").filter(scored).sum(),
            mark_sum=(pl.col("mean_score") * pl.col("participants")).filter(scored).sum(),
        )
        .with_columns(
            share_low=pl.when(pl.col("participants") > 0).then(
                100 * pl.col("low") / pl.col("participants")
            ),
            mean_mark=pl.when(pl.col("marked") > 0).then(pl.col("mark_sum") / pl.col("marked")),
        )
        .select([pl.col(c).cast(t) for c, t in SCHEMA.items()])
        .sort("school_id", "year")
    )
