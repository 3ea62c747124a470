"""Import of a 200,000-row results CSV: rows per second, first load and a repeat with no changes.

DATABASE_URL=… python benchmarks/import_results.py   (SQLite in a temporary folder by default)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import backend, results_frame, schools_frame, setup_django, timed

ROWS = 200_000


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="shnor-bench-"))
    setup_django(folder)
    from shnor.core.importing import importer_for
    from shnor.core.system import SystemUser
    from shnor.registry.models import Region

    schools = schools_frame(ROWS // (5 * 14) + 1, municipalities=40)
    results = results_frame(schools, [2021, 2022, 2023, 2024, 2025]).head(ROWS)
    schools_csv, results_csv = folder / "schools.csv", folder / "results.csv"
    schools.select(
        pl_alias("code", "Код ОО"),
        pl_alias("name", "Наименование ОО"),
        pl_alias("municipality", "Муниципалитет"),
        pl_alias("kind", "Тип ОО"),
        pl_alias("locality", "Местность"),
    ).write_csv(schools_csv, separator=";")
    results.write_csv(results_csv, separator=";")
    user = SystemUser(region=Region.objects.create(name="Синтетическая область"))
    log: dict[str, float] = {}
    with timed("schools", log):
        assert importer_for("schools", user).run(schools_csv).ok
    with timed("results, first load", log):
        first = importer_for("results", user).run(results_csv)
    with timed("results, same file again", log):
        second = importer_for("results", user).run(results_csv)
    assert first.ok and first.added == ROWS, first.summary
    assert second.ok and second.added == second.changed == 0, second.summary
    print(f"import benchmark on {backend()}: {ROWS} rows")
    print(
        f"  first load:   {log['results, first load']:.1f} s, "
        f"{ROWS / log['results, first load']:,.0f} rows/s"
    )
    print(
        f"  same again:   {log['results, same file again']:.1f} s, "
        f"{ROWS / log['results, same file again']:,.0f} rows/s (no changes)"
    )


def pl_alias(column: str, header: str):
    import polars as pl

    return pl.col(column).alias(header)


if __name__ == "__main__":
    main()
