"""Reading what a run needs from the database into the engine's frames, set-based.

Results are read as integer keys and decoded with small lookup frames, and only for the years
and procedure kinds the definition looks at: the read is the largest part of a run."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db import connection

from shnor.assessments.models import ProcedureKind, Subject
from shnor.core.columnar import read_frame
from shnor.identification.engine.definition import bind, parameter_values
from shnor.identification.engine.inputs import SCHEMAS, Inputs, frame


def needed_years(definition: dict[str, Any], year: int) -> tuple[int, int]:
    """The earliest and latest year any indicator of the definition looks at."""
    params = parameter_values(definition)
    earliest = year
    for spec in (bind(i, params) for i in definition["indicators"]):
        if spec["block"] == "low_procedures":
            earliest = min(earliest, year + min(spec["years"]))
        elif spec["block"] == "result_level" and "dynamics" in spec:
            earliest = min(earliest, year - int(spec["dynamics"]["window"]) + 1)
        elif spec["block"] == "context":
            earliest = min(earliest, year - int(spec.get("max_age", 1)))
    return earliest, year


def needed_kinds(definition: dict[str, Any]) -> list[str] | None:
    """Procedure kinds the definition reads, or None when some indicator reads all."""
    params = parameter_values(definition)
    kinds: set[str] = set()
    for spec in (bind(i, params) for i in definition["indicators"]):
        if spec["block"] == "context":
            continue
        selected = spec.get("select", {}).get("kinds")
        if not selected:
            return None
        kinds.update(selected)
    return sorted(kinds)


# Context as the database holds it: SQLite keeps booleans as integers.
STORED_CONTEXT = {**SCHEMAS["context"], "stable_internet": pl.Int8}
KEYED_RESULTS = {
    "school_id": pl.Int64,
    "year": pl.Int32,
    "kind_id": pl.Int64,
    "subject_id": pl.Int64,
    "grade": pl.Int32,
    "participants": pl.Int64,
    "below_min": pl.Int64,
    "mean_score": pl.Float64,
}
KEYED_REFERENCE = {
    "level": pl.Utf8,
    "municipality_id": pl.Int64,
    "region_id": pl.Int64,
    **{k: t for k, t in KEYED_RESULTS.items() if k != "school_id"},
}


def decode(
    data: pl.DataFrame, kinds: pl.DataFrame, subjects: pl.DataFrame, name: str
) -> pl.DataFrame:
    """Keys → names; categorical, since the engine filters and groups by them a lot."""
    return frame(name, data.join(kinds, on="kind_id").join(subjects, on="subject_id")).with_columns(
        pl.col("kind", "subject").cast(pl.Categorical)
    )


def load_inputs(region_id: int, definition: dict[str, Any], year: int) -> Inputs:
    first, last = needed_years(definition, year)
    wanted = needed_kinds(definition)
    kind_rows = ProcedureKind.objects.values_list("pk", "code")
    if wanted is not None:
        kind_rows = kind_rows.filter(code__in=wanted)
    kinds = pl.DataFrame(
        list(kind_rows), schema={"kind_id": pl.Int64, "kind": pl.Utf8}, orient="row"
    )
    subjects = pl.DataFrame(
        list(Subject.objects.values_list("pk", "name")),
        schema={"subject_id": pl.Int64, "subject": pl.Utf8},
        orient="row",
    )
    kind_ids = kinds["kind_id"].to_list() or [0]
    in_kinds = f"kind_id IN ({', '.join(['%s'] * len(kind_ids))})"
    schools = read_frame(
        """SELECT s.id AS school_id, s.code, s.name, m.id AS municipality_id,
                  m.name AS municipality, m.region_id, s.kind
           FROM registry_school s JOIN registry_municipality m ON m.id = s.municipality_id
           WHERE m.region_id = %s""",
        [region_id],
        SCHEMAS["schools"],
    )
    # A full scan beats SQLite's choice of the year index when most rows qualify.
    scan = " NOT INDEXED" if connection.vendor == "sqlite" else ""
    results = read_frame(
        f"""SELECT school_id, year, kind_id, subject_id, grade, participants, below_min,
                   CAST(mean_score AS DOUBLE PRECISION)
            FROM assessments_result{scan}
            WHERE year BETWEEN %s AND %s AND {in_kinds}""",
        [first, last, *kind_ids],
        KEYED_RESULTS,
    ).join(schools.select("school_id"), on="school_id", how="semi")
    context = (
        read_frame(
            """SELECT c.school_id, c.year, c.students, c.students_ovz, c.teachers, c.vacancies,
                  c.teachers_over_55, c.stable_internet, c.computers,
                  CAST(c.low_income_pct AS DOUBLE PRECISION),
                  CAST(c.single_parent_pct AS DOUBLE PRECISION),
                  CAST(c.non_native_pct AS DOUBLE PRECISION)
           FROM registry_schoolcontext c WHERE c.year BETWEEN %s AND %s""",
            [first, last],
            STORED_CONTEXT,
        )
        .with_columns(pl.col("stable_internet").cast(pl.Boolean))
        .join(schools.select("school_id"), on="school_id", how="semi")
    )
    reference = read_frame(
        f"""SELECT level, municipality_id, region_id, year, kind_id, subject_id, grade,
                   participants, below_min, CAST(mean_score AS DOUBLE PRECISION)
            FROM assessments_referenceresult
            WHERE (region_id = %s OR region_id IS NULL) AND year BETWEEN %s AND %s
              AND {in_kinds}""",
        [region_id, first, last, *kind_ids],
        KEYED_REFERENCE,
    )
    return Inputs(
        schools=schools,
        results=decode(results, kinds, subjects, "results"),
        context=context,
        reference=decode(reference, kinds, subjects, "reference"),
    )
