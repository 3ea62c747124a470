"""Identification of 40,000 schools × 5 years under the federal criteria, against a plain DuckDB
query computing the same criteria from the same data, measured in the same run.

The synthetic results are written once as CSV and loaded into the database (not timed), and the
columnar snapshots of the tables are written, as an import does at its end (timed, printed
apart). Then:
  baseline — DuckDB reads the CSV and computes the list (one SQL query);
  shnor    — do_run_identification: reads the snapshots and the small tables, evaluates the
             methodology with every indicator's evidence, stores the run, 40,000 statuses and
             the evidence.
Both lists are compared school by school before the figures are printed.

    DATABASE_URL=… python benchmarks/identify_federal.py [--schools 40000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import backend, best_of, results_frame, schools_frame, setup_django

YEARS = [2021, 2022, 2023, 2024, 2025]
YEAR = YEARS[-1]

FEDERAL_SQL = """
WITH r AS (
    SELECT "Код ОО" AS code, "Год" AS year, "Процедура" AS kind, "Предмет" AS subject,
           "Класс" AS grade,
           "Участников" >= 5 AND "Не преодолели минимальный порог" IS NOT NULL AS valid,
           "Участников" >= 5 AND "Не преодолели минимальный порог"
               >= 0.3 * "Участников" - 1e-9 AS low
    FROM read_csv('{path}', delim=';', header=true)
    WHERE "Год" IN ({previous}, {year})
      AND "Процедура" IN ('ВПР', 'ОГЭ', 'ЕГЭ')
      AND "Предмет" IN ('Русский язык', 'Математика', 'Математика профильная',
                        'Математика базовая')
),
per_procedure AS (
    SELECT code, sum(low::int) = 2 AS always_low FROM r GROUP BY code, kind, subject, grade
),
two_low AS (SELECT code, sum(low::int) FILTER (WHERE year = {year}) AS n FROM r GROUP BY code),
same_twice AS (SELECT code, bool_or(always_low) AS hit FROM per_procedure GROUP BY code)
SELECT code FROM two_low JOIN same_twice USING (code) WHERE n >= 2 OR hit
"""


def load(schools_count: int, folder: Path) -> Path:
    from django.db import transaction

    from shnor.assessments.models import ProcedureKind, Result, Subject
    from shnor.core.bulk import analyze, insert_rows
    from shnor.registry.models import Municipality, Region, School

    schools = schools_frame(schools_count, municipalities=200)
    results = results_frame(schools, YEARS)
    path = folder / "results.csv"
    results.write_csv(path, separator=";")
    with transaction.atomic():
        region = Region.objects.create(name="Синтетическая область")
        places = {
            name: Municipality.objects.create(region=region, name=name).pk
            for name in schools["municipality"].unique().sort()
        }
        insert_rows(
            School,
            ("code", "name", "municipality_id", "kind", "locality"),
            [
                (c, n, places[m], k, loc)
                for c, n, m, k, loc in schools.select(
                    "code", "name", "municipality", "kind", "locality"
                ).iter_rows()
            ],
        )
        ids = dict(School.objects.values_list("code", "pk"))
        kinds = dict(ProcedureKind.objects.values_list("code", "pk"))
        subjects = dict(Subject.objects.values_list("name", "pk"))
        insert_rows(
            Result,
            ("school_id", "year", "kind_id", "subject_id", "grade", "participants", "below_min"),
            [
                (ids[c], y, kinds[k], subjects[s], g, p, b)
                for c, y, k, s, g, p, b in results.iter_rows()
            ],
        )
    analyze()
    print(f"loaded {schools_count} schools, {results.height:,} results", file=sys.stderr)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=40_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="shnor-bench-"))
    setup_django(folder)
    import duckdb

    from shnor.core.snapshots import SNAPSHOTS
    from shnor.core.system import SystemUser
    from shnor.identification.actions import do_run_identification
    from shnor.identification.data import load_inputs
    from shnor.identification.engine.evaluate import evaluate
    from shnor.identification.models import Methodology, Run

    csv_path = load(args.schools, folder)
    snapshots, _ = best_of(1, lambda: [snapshot.read() for snapshot in SNAPSHOTS.values()])
    query = FEDERAL_SQL.format(path=csv_path, year=YEAR, previous=YEAR - 1)
    baseline, listed = best_of(args.repeats, lambda: {r[0] for r in duckdb.sql(query).fetchall()})
    methodology = Methodology.objects.get(code="federal")
    definition = methodology.definition
    ours, run = best_of(
        args.repeats, lambda: do_run_identification(methodology, YEAR, acting_user=SystemUser())
    )
    ours_listed = set(
        run.statuses.filter(status="low_results").values_list("school__code", flat=True)
    )
    assert ours_listed == listed, (len(ours_listed), len(listed))
    assert Run.objects.count() == args.repeats
    print(
        f"identification benchmark on {backend()}: {args.schools:,} schools × {len(YEARS)} "
        f"years, federal criteria, {len(listed):,} schools listed (same list both ways)"
    )
    print(f"  columnar snapshots written after loading (once per import): {snapshots:.2f} s")
    print(f"  DuckDB query from CSV (baseline): {baseline:.2f} s")
    print(
        f"  shnor run, whole process:         {ours:.2f} s  "
        f"(ratio {ours / baseline:.2f}× the baseline)"
    )
    read, inputs = best_of(args.repeats, lambda: load_inputs(run.region_id, definition, YEAR))
    compute, _ = best_of(args.repeats, lambda: evaluate(definition, YEAR, inputs))
    print(
        f"    of which: reading {read:.2f} s ({inputs.results.height:,} results), "
        f"evaluating {compute:.2f} s, storing and the rest {ours - read - compute:.2f} s"
    )


if __name__ == "__main__":
    main()
