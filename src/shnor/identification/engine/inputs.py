"""The data an identification run reads, as Polars frames with fixed schemas."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any, Literal

import polars as pl

# Polars takes a type class (pl.Int64) as well as an instance (pl.Datetime("us")).
SCHEMAS: dict[str, dict[str, pl.DataType | type[pl.DataType]]] = {
    "schools": {
        "school_id": pl.Int64,
        "code": pl.Utf8,
        "name": pl.Utf8,
        "municipality_id": pl.Int64,
        "municipality": pl.Utf8,
        "region_id": pl.Int64,
        "kind": pl.Utf8,
    },
    "results": {
        "school_id": pl.Int64,
        "year": pl.Int32,
        "kind": pl.Utf8,
        "subject": pl.Utf8,
        "grade": pl.Int32,
        "participants": pl.Int64,
        "below_min": pl.Int64,
        "mean_score": pl.Float64,
    },
    "context": {
        "school_id": pl.Int64,
        "year": pl.Int32,
        "students": pl.Int64,
        "students_ovz": pl.Int64,
        "teachers": pl.Int64,
        "vacancies": pl.Int64,
        "teachers_over_55": pl.Int64,
        "stable_internet": pl.Boolean,
        "computers": pl.Int64,
        "low_income_pct": pl.Float64,
        "single_parent_pct": pl.Float64,
        "non_native_pct": pl.Float64,
    },
    "reference": {
        "level": pl.Utf8,
        "municipality_id": pl.Int64,
        "region_id": pl.Int64,
        "year": pl.Int32,
        "kind": pl.Utf8,
        "subject": pl.Utf8,
        "grade": pl.Int32,
        "participants": pl.Int64,
        "below_min": pl.Int64,
        "mean_score": pl.Float64,
    },
    # student-level papers (taskresults' papers_frame, subject decoded): the signs of
    # non-objective results read them
    "papers": {
        "school_id": pl.Int64,
        "year": pl.Int32,
        "kind": pl.Utf8,
        "subject": pl.Utf8,
        "grade": pl.Int32,
        "student": pl.Utf8,
        "total": pl.Float64,
        "mark": pl.Int16,
        "journal_mark": pl.Int16,
    },
    # a school's share of every task done (taskresults' school_task_frame) with the task's
    # level and max score from the catalogue
    "tasks": {
        "school_id": pl.Int64,
        "year": pl.Int32,
        "kind": pl.Utf8,
        "subject": pl.Utf8,
        "grade": pl.Int32,
        "task": pl.Utf8,
        "participants": pl.Int64,
        "done": pl.Float64,
        "level": pl.Utf8,
        "max_score": pl.Float64,
    },
}


def frame(name: str, data: pl.DataFrame | Iterable[Any] | None = None) -> pl.DataFrame:
    """A frame of the named schema from rows (dicts or tuples), columns, or nothing."""
    schema = SCHEMAS[name]
    if data is None:
        return pl.DataFrame(schema=schema)
    if isinstance(data, pl.DataFrame):
        return data.select([pl.col(c).cast(t) for c, t in schema.items()])
    rows = list(data)
    orient: Literal["row"] | None = "row" if rows and isinstance(rows[0], (tuple, list)) else None
    return pl.DataFrame(rows, schema=schema, orient=orient, strict=False)


@dataclass
class Inputs:
    """schools: the schools evaluated; territory: the schools whose results make a territory's
    average computed from schools (all of the region, also when only one municipality's schools
    are evaluated); None means the schools evaluated. papers and tasks: task-level data for the
    signs of non-objective results, over the whole region; None means none loaded."""

    schools: pl.DataFrame
    results: pl.DataFrame
    context: pl.DataFrame
    reference: pl.DataFrame
    territory: pl.DataFrame | None = None
    papers: pl.DataFrame | None = None
    tasks: pl.DataFrame | None = None

    def fingerprint(self) -> str:
        """A digest of the data, independent of row order."""
        digest = hashlib.sha256()
        for f in fields(self):
            data: pl.DataFrame | None = getattr(self, f.name)
            if data is None:
                continue
            row_hash = int(data.hash_rows(seed=0).sum()) if data.height else 0
            digest.update(f"{f.name}:{data.height}:{row_hash};".encode())
        return digest.hexdigest()[:16]
