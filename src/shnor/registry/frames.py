"""Schools and their context as Polars frames, read from the tables' columnar snapshots
(core/snapshots.py): identification reads every school of a region per run."""

from __future__ import annotations

import polars as pl

from shnor.core.snapshots import Snapshot
from shnor.registry.models import School, SchoolContext

SCHOOLS = Snapshot(
    School,
    {
        "id": pl.Int64,
        "code": pl.Utf8,
        "name": pl.Utf8,
        "municipality_id": pl.Int64,
        "kind": pl.Utf8,
    },
)

# SQLite keeps booleans as integers: stable_internet is read as one and cast by the reader.
CONTEXTS = Snapshot(
    SchoolContext,
    {
        "school_id": pl.Int64,
        "year": pl.Int32,
        "students": pl.Int64,
        "students_ovz": pl.Int64,
        "teachers": pl.Int64,
        "vacancies": pl.Int64,
        "teachers_over_55": pl.Int64,
        "stable_internet": pl.Int8,
        "computers": pl.Int64,
        "low_income_pct": pl.Float64,
        "single_parent_pct": pl.Float64,
        "non_native_pct": pl.Float64,
    },
)
