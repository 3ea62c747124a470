"""Reading what a run needs from the database into the engine's frames, set-based."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db import connection

from shnor.identification.engine.definition import bind, parameter_values
from shnor.identification.engine.inputs import Inputs, frame


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


def fetch(sql: str, params: list[Any], name: str) -> pl.DataFrame:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return frame(name, rows) if rows else frame(name)


def load_inputs(region_id: int, definition: dict[str, Any], year: int) -> Inputs:
    first, last = needed_years(definition, year)
    kinds = needed_kinds(definition)
    kind_filter = ""
    params: list[Any] = [region_id, first, last]
    if kinds is not None:
        kind_filter = f"AND k.code IN ({', '.join(['%s'] * len(kinds))})" if kinds else "AND 1=0"
        params += kinds
    schools = fetch(
        """SELECT s.id, s.code, s.name, m.id, m.name, m.region_id, s.kind
           FROM registry_school s JOIN registry_municipality m ON m.id = s.municipality_id
           WHERE m.region_id = %s""",
        [region_id],
        "schools",
    )
    results = fetch(
        f"""SELECT r.school_id, r.year, k.code, sub.name, r.grade, r.participants, r.below_min,
                   CAST(r.mean_score AS DOUBLE PRECISION)
            FROM assessments_result r
            JOIN registry_school s ON s.id = r.school_id
            JOIN registry_municipality m ON m.id = s.municipality_id
            JOIN assessments_procedurekind k ON k.id = r.kind_id
            JOIN assessments_subject sub ON sub.id = r.subject_id
            WHERE m.region_id = %s AND r.year BETWEEN %s AND %s {kind_filter}""",
        params,
        "results",
    )
    context = fetch(
        """SELECT c.school_id, c.year, c.students, c.students_ovz, c.teachers, c.vacancies,
                  c.teachers_over_55, c.stable_internet, c.computers,
                  CAST(c.low_income_pct AS DOUBLE PRECISION),
                  CAST(c.single_parent_pct AS DOUBLE PRECISION),
                  CAST(c.non_native_pct AS DOUBLE PRECISION)
           FROM registry_schoolcontext c
           JOIN registry_school s ON s.id = c.school_id
           JOIN registry_municipality m ON m.id = s.municipality_id
           WHERE m.region_id = %s AND c.year BETWEEN %s AND %s""",
        [region_id, first, last],
        "context",
    )
    reference = fetch(
        f"""SELECT rr.level, rr.municipality_id, rr.region_id, rr.year, k.code, sub.name,
                   rr.grade, rr.participants, rr.below_min,
                   CAST(rr.mean_score AS DOUBLE PRECISION)
            FROM assessments_referenceresult rr
            JOIN assessments_procedurekind k ON k.id = rr.kind_id
            JOIN assessments_subject sub ON sub.id = rr.subject_id
            WHERE (rr.region_id = %s OR rr.region_id IS NULL) AND rr.year BETWEEN %s AND %s
            {kind_filter}""",
        params,
        "reference",
    )
    return Inputs(schools=schools, results=results, context=context, reference=reference)
