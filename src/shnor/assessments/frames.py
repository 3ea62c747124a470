"""School results as a Polars frame of integer keys, read from the table's columnar snapshot
(core/snapshots.py): identification reads a million rows of it per run."""

from __future__ import annotations

import polars as pl

from shnor.assessments.models import Result
from shnor.core.snapshots import Snapshot

RESULTS = Snapshot(
    Result,
    {
        "school_id": pl.Int32,
        "year": pl.Int16,
        "kind_id": pl.Int32,
        "subject_id": pl.Int32,
        "grade": pl.Int16,
        "participants": pl.Int32,
        "below_min": pl.Int32,
        "mean_score": pl.Float64,
    },
)


def results_frame(first_year: int, last_year: int, kind_ids: list[int]) -> pl.DataFrame:
    """All schools' results of the years and procedure kinds."""
    return RESULTS.read().filter(
        pl.col("year").is_between(first_year, last_year), pl.col("kind_id").is_in(kind_ids)
    )
