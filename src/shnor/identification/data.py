"""Reading what a run needs from the database into the engine's frames, set-based.

Results, schools and their context come from the tables' columnar snapshots (assessments/frames.py,
identification/school_snapshots.py); procedure kinds, subjects, municipalities and reference
averages, all small, from the database. Results keep the years and procedure kinds the
definition looks at, and their integer keys are decoded with small lookup frames."""

from __future__ import annotations

from typing import Any

import polars as pl

from shnor.assessments.frames import results_frame
from shnor.assessments.models import ProcedureKind, Subject
from shnor.core.columnar import read_frame
from shnor.identification.engine.definition import bind, parameter_values
from shnor.identification.engine.inputs import SCHEMAS, Inputs, frame
from shnor.identification.school_snapshots import CONTEXTS, SCHOOLS
from shnor.registry.models import Municipality
from shnor.taskresults.frames import catalogue_frame, papers_frame, school_task_frame


def needed_years(definition: dict[str, Any], year: int) -> tuple[int, int]:
    """The earliest and latest year any indicator of the definition looks at."""
    params = parameter_values(definition)
    earliest = year
    for spec in (bind(i, params) for i in definition["indicators"]):
        if spec["block"] == "low_procedures":
            earliest = min(earliest, year + min(spec["years"]))
            if "pool" in spec:
                earliest = min(earliest, year - int(spec["pool"]["years"]) + 1)
        elif spec["block"] == "result_level" and "dynamics" in spec:
            earliest = min(earliest, year - int(spec["dynamics"]["window"]) + 1)
        elif spec["block"] == "context":
            earliest = min(earliest, year - int(spec.get("max_age", 1)))
        elif spec["block"] == "objectivity_sign" and "cohort" in spec:
            earliest = min(earliest, year - int(spec["cohort"]["later"]))
    return earliest, year


def needed_kinds(definition: dict[str, Any]) -> list[str] | None:
    """Procedure kinds the definition reads, or None when some indicator reads all."""
    params = parameter_values(definition)
    kinds: set[str] = set()
    for spec in (bind(i, params) for i in definition["indicators"]):
        if spec["block"] == "context":
            continue
        if spec["block"] == "objectivity_sign":
            # the signs read task-level data; only the ОГЭ cohort reads results
            if "cohort" in spec:
                kinds.update((spec["cohort"]["from_kind"], spec["cohort"]["to_kind"]))
            continue
        selected = spec.get("select", {}).get("kinds")
        if not selected:
            return None
        kinds.update(selected)
    return sorted(kinds)


KEYED_REFERENCE = {
    "level": pl.Utf8,
    "municipality_id": pl.Int64,
    "region_id": pl.Int64,
    "year": pl.Int32,
    "kind_id": pl.Int64,
    "subject_id": pl.Int64,
    "grade": pl.Int32,
    "participants": pl.Int64,
    "below_min": pl.Int64,
    "mean_score": pl.Float64,
}
NAMED = ("kind", "subject")


def decode(
    data: pl.DataFrame, kinds: pl.DataFrame, subjects: pl.DataFrame, name: str
) -> pl.DataFrame:
    """Keys → names, categorical (the engine filters and groups by them a lot); the lookups are
    categorical already, so a million rows get their names without a string each."""
    return (
        data.join(kinds.with_columns(pl.col("kind_id").cast(data.schema["kind_id"])), on="kind_id")
        .join(
            subjects.with_columns(pl.col("subject_id").cast(data.schema["subject_id"])),
            on="subject_id",
        )
        .select(
            pl.col(c).cast(pl.Categorical if c in NAMED else t) for c, t in SCHEMAS[name].items()
        )
    )


def load_inputs(region_id: int, definition: dict[str, Any], year: int) -> Inputs:
    first, last = needed_years(definition, year)
    wanted = needed_kinds(definition)
    kind_rows = ProcedureKind.objects.values_list("pk", "code")
    if wanted is not None:
        kind_rows = kind_rows.filter(code__in=wanted)
    kinds = pl.DataFrame(
        list(kind_rows), schema={"kind_id": pl.Int64, "kind": pl.Categorical}, orient="row"
    )
    subjects = pl.DataFrame(
        list(Subject.objects.values_list("pk", "name")),
        schema={"subject_id": pl.Int64, "subject": pl.Categorical},
        orient="row",
    )
    kind_ids = kinds["kind_id"].to_list() or [0]
    municipalities = pl.DataFrame(
        list(
            Municipality.objects.filter(region_id=region_id).values_list("pk", "name", "region_id")
        ),
        schema={"municipality_id": pl.Int64, "municipality": pl.Utf8, "region_id": pl.Int64},
        orient="row",
    )
    schools = frame(
        "schools",
        SCHOOLS.read().rename({"id": "school_id"}).join(municipalities, on="municipality_id"),
    )
    in_region = schools.select(pl.col("school_id").cast(pl.Int32))
    results = results_frame(first, last, kind_ids).join(in_region, on="school_id", how="semi")
    context = frame(
        "context",
        CONTEXTS.read()
        .filter(pl.col("year").is_between(first, last))
        .join(schools.select("school_id"), on="school_id", how="semi"),
    )
    in_kinds = f"kind_id IN ({', '.join(['%s'] * len(kind_ids))})"
    reference = read_frame(
        f"""SELECT level, municipality_id, region_id, year, kind_id, subject_id, grade,
                   participants, below_min, CAST(mean_score AS DOUBLE PRECISION)
            FROM assessments_referenceresult
            WHERE (region_id = %s OR region_id IS NULL) AND year BETWEEN %s AND %s
              AND {in_kinds}""",
        [region_id, first, last, *kind_ids],
        KEYED_REFERENCE,
    )
    papers, tasks = task_level_inputs(definition, year, schools, subjects)
    return Inputs(
        schools=schools,
        results=decode(results, kinds, subjects, "results"),
        context=context,
        reference=decode(reference, kinds, subjects, "reference"),
        # a run may then evaluate one municipality's schools: the region's average computed
        # from schools stays the region's
        territory=schools,
        papers=papers,
        tasks=tasks,
    )


def task_level_inputs(
    definition: dict[str, Any], year: int, schools: pl.DataFrame, subjects: pl.DataFrame
) -> tuple[pl.DataFrame | None, pl.DataFrame | None]:
    """The region's papers and task shares for the signs of non-objective results, over the
    years and kinds the signs read; (None, None) for a definition without them."""
    params = parameter_values(definition)
    signs = [
        spec
        for spec in (bind(i, params) for i in definition["indicators"])
        if spec["block"] == "objectivity_sign"
    ]
    if not signs:
        return None, None
    first = min(year - int(spec.get("years", 0)) for spec in signs)
    kinds = sorted({k for spec in signs for k in spec.get("select", {}).get("kinds") or []})
    region = schools["school_id"].to_list()
    names = subjects.with_columns(pl.col("subject").cast(pl.Utf8))

    def chosen(data: pl.DataFrame) -> pl.DataFrame:
        return data.filter(pl.col("kind").is_in(kinds)) if kinds else data

    papers = frame(
        "papers",
        chosen(papers_frame(years=list(range(first, year + 1)), school_ids=region)).join(
            names, on="subject_id"
        ),
    )
    catalogue = catalogue_frame(years=[year]).select(
        "year", "kind", "subject_id", "grade", "task", "level", "max_score"
    )
    tasks = frame(
        "tasks",
        chosen(school_task_frame(years=[year], school_ids=region))
        .join(catalogue, on=["year", "kind", "subject_id", "grade", "task"])
        .join(names, on="subject_id"),
    )
    return papers, tasks
