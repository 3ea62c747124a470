"""The ВПР objectivity table (ФИС ОКО's «объективность»): per school × subject × grade × year,
подлежащих, участников, % участия, понизили / подтвердили / повысили — the ВПР mark against the
journal mark for the previous term.

Computed from student-level papers (taskresults) where they exist, else read from the counts
imported with the results (assessments.Result: «Обучающихся», «Понизили», «Подтвердили»,
«Повысили»); the number to sit the paper (подлежащих) is the results' «Обучающихся» where given.
`objectivity_table` is pure; `school_table` and `territory_table` read the database."""

from __future__ import annotations

from typing import Any

import polars as pl

from shnor.assessments.models import Result, Subject
from shnor.identification.choices import Status
from shnor.identification.history import statuses_by_school, with_items
from shnor.identification.models import Run
from shnor.taskresults.frames import papers_frame

KEY = ["school_id", "year", "kind", "subject_id", "grade"]
COUNTS = ["lowered", "confirmed", "raised"]
TABLE_SCHEMA: dict[str, pl.DataType] = {
    "school_id": pl.Int64(),
    "year": pl.Int32(),
    "kind": pl.Utf8(),
    "subject_id": pl.Int64(),
    "grade": pl.Int16(),
    "enrolled": pl.Int64(),
    "participants": pl.Int64(),
    "participation": pl.Float64(),
    "lowered": pl.Int64(),
    "confirmed": pl.Int64(),
    "raised": pl.Int64(),
    "compared": pl.Int64(),
    "source": pl.Utf8(),
}
IMPORTED_SCHEMA = {c: TABLE_SCHEMA[c] for c in [*KEY, "enrolled", "participants", *COUNTS]}
SOURCES = {"papers": "по работам обучающихся", "form": "из загруженной формы"}


def keyed(data: pl.DataFrame) -> pl.DataFrame:
    return data.with_columns(pl.col(c).cast(TABLE_SCHEMA[c]) for c in KEY)


def objectivity_table(papers: pl.DataFrame, imported: pl.DataFrame) -> pl.DataFrame:
    """papers: papers_frame's columns; imported: KEY, enrolled, participants and the three
    counts (nullable). One row per key that has a comparison with the journal: the comparison
    from the papers where any exist for the key, else from the import. Участников are the
    results' count where imported (papers may be loaded for part of the participants), else the
    papers'; подлежащих always come from the results."""
    imported = (
        keyed(imported.select(IMPORTED_SCHEMA.keys()))
        if imported.height
        else (pl.DataFrame(schema=IMPORTED_SCHEMA))
    )
    both = pl.col("mark").is_not_null() & pl.col("journal_mark").is_not_null()
    from_papers = (
        keyed(papers)
        .group_by(KEY)
        .agg(
            participants=pl.len().cast(pl.Int64),
            lowered=(both & (pl.col("mark") < pl.col("journal_mark"))).sum().cast(pl.Int64),
            confirmed=(both & (pl.col("mark") == pl.col("journal_mark"))).sum().cast(pl.Int64),
            raised=(both & (pl.col("mark") > pl.col("journal_mark"))).sum().cast(pl.Int64),
            compared=both.sum().cast(pl.Int64),
        )
        .join(
            imported.select(*KEY, "enrolled", pl.col("participants").alias("reported")),
            on=KEY,
            how="left",
        )
        .with_columns(participants=pl.coalesce("reported", "participants"), source=pl.lit("papers"))
    )
    from_form = (
        imported.join(from_papers, on=KEY, how="anti")
        .filter(pl.any_horizontal(pl.col(c).is_not_null() for c in COUNTS))
        .with_columns(
            compared=pl.sum_horizontal(pl.col(c).fill_null(0) for c in COUNTS).cast(pl.Int64),
            source=pl.lit("form"),
        )
    )
    return (
        pl.concat([from_papers, from_form], how="diagonal_relaxed")
        .with_columns(
            participation=pl.when(pl.col("enrolled") > 0).then(
                pl.col("participants") / pl.col("enrolled")
            )
        )
        .select(pl.col(c).cast(t) for c, t in TABLE_SCHEMA.items())
        .sort(KEY)
    )


VPR = "ВПР"


def imported_counts(**filters: Any) -> pl.DataFrame:
    rows = (
        Result.objects.filter(kind__code=VPR, **filters)
        .values_list(
            "school_id",
            "year",
            "kind__code",
            "subject_id",
            "grade",
            "enrolled",
            "participants",
            *COUNTS,
        )
        .order_by()
    )
    return pl.DataFrame(list(rows), schema=IMPORTED_SCHEMA, orient="row")


def school_table(school_id: int) -> list[dict[str, Any]]:
    """A school's table, newest year first, with subject names and shares for the page."""
    table = objectivity_table(
        papers_frame(kind=VPR, school_ids=[school_id]), imported_counts(school_id=school_id)
    )
    return labelled(table.sort(["year", "subject_id", "grade"], descending=[True, False, False]))


def territory_table(school_ids: list[int], year: int) -> pl.DataFrame:
    """The table of the given schools in a year (a municipality's or the region's)."""
    return objectivity_table(
        papers_frame(kind=VPR, years=[year], school_ids=school_ids),
        imported_counts(school_id__in=school_ids, year=year),
    )


def totals(table: pl.DataFrame, by: tuple[str, ...] = ()) -> pl.DataFrame:
    """The table summed per year × subject × grade (and `by`, e.g. the municipality) over its
    schools; participation only where every school's подлежащих is known."""
    return (
        table.group_by(*by, "year", "kind", "subject_id", "grade")
        .agg(
            schools=pl.len(),
            enrolled=pl.when(pl.col("enrolled").null_count() == 0).then(pl.col("enrolled").sum()),
            participants=pl.col("participants").sum(),
            lowered=pl.col("lowered").sum(),
            confirmed=pl.col("confirmed").sum(),
            raised=pl.col("raised").sum(),
            compared=pl.col("compared").sum(),
            source=pl.col("source").unique().sort().str.join(", "),
        )
        .with_columns(
            participation=pl.when(pl.col("enrolled") > 0).then(
                pl.col("participants") / pl.col("enrolled")
            )
        )
        .sort(*by, "year", "subject_id", "grade")
    )


def labelled(table: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows for a page or a document: subject names, shares of the compared papers, the source
    in words."""
    names = dict(Subject.objects.values_list("pk", "name"))
    rows = []
    for row in table.iter_rows(named=True):
        compared = row["compared"] or 0
        rows.append(
            {
                **row,
                "subject": names.get(row["subject_id"], ""),
                "source_label": ", ".join(SOURCES[s] for s in row["source"].split(", ")),
                **{
                    f"{c}_share": (row[c] / compared if compared and row[c] is not None else None)
                    for c in COUNTS
                },
            }
        )
    return rows


def flagged_schools(run: Run, user: Any, among: Any = None) -> list[dict[str, Any]]:
    """The schools a run lists with signs of non-objective results (visible to the user, `among`
    these if given), each with its signs' evidence: label and detail."""
    statuses = statuses_by_school(run, user, only=[Status.OBJECTIVITY], among=among)
    rows = []
    for status in with_items(statuses.values()):
        rows.append(
            {
                "school": status.school,
                "count": status.indicators_triggered,
                "movement": status.get_movement_display(),
                "signs": [item for item in status.items if item["triggered"]],
            }
        )
    return sorted(rows, key=lambda r: (r["school"].municipality.name, r["school"].name))
