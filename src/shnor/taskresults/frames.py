"""Task-level results as Polars frames, read from the tables' columnar snapshots
(core/snapshots.py): a region's papers hold millions of task scores, and every aggregation over
them runs set-based here, never row by row through the ORM.

Every frame takes the same optional filters: `years`, `kind` (the procedure's code, «ВПР»),
`subject_id`, `grade`, `school_ids`. The column names and types are a contract with the
weak-skills and objectivity analyses (briefs: taskresults_contract.md)."""

from __future__ import annotations

from typing import Any

import polars as pl

from shnor.assessments.models import ProcedureKind
from shnor.core.derived import derived_from
from shnor.core.snapshots import Snapshot
from shnor.registry.models import School
from shnor.taskresults.choices import ShareLevel, ShareSource
from shnor.taskresults.models import (
    SCORE_SEPARATOR,
    Paper,
    ReferenceTaskShare,
    SchoolTaskShare,
    Task,
)

PAPER_KEY = ["year", "kind_id", "subject_id", "grade"]

TASKS = Snapshot(
    Task,
    {
        "year": pl.Int32,
        "kind_id": pl.Int64,
        "subject_id": pl.Int64,
        "grade": pl.Int16,
        "label": pl.String,
        "task_order": pl.Int16,
        "max_score": pl.Float64,
        "skill_code": pl.String,
        "skill": pl.String,
        "level": pl.String,
    },
)
PAPERS = Snapshot(
    Paper,
    {
        "school_id": pl.Int64,
        "year": pl.Int32,
        "kind_id": pl.Int64,
        "subject_id": pl.Int64,
        "grade": pl.Int16,
        "student": pl.String,
        "variant": pl.String,
        "total": pl.Float64,
        "mark": pl.Int16,
        "journal_mark": pl.Int16,
        "scores": pl.String,
    },
)
SHARE_COLUMNS: dict[str, Any] = {
    "year": pl.Int32,
    "kind_id": pl.Int64,
    "subject_id": pl.Int64,
    "grade": pl.Int16,
    "task": pl.String,
    "task_order": pl.Int16,
    "done_percent": pl.Float64,
    "participants": pl.Int64,
}
SCHOOL_SHARES = Snapshot(SchoolTaskShare, {"school_id": pl.Int64, **SHARE_COLUMNS})
REFERENCE_SHARES = Snapshot(
    ReferenceTaskShare,
    {
        "level": pl.String,
        "municipality_id": pl.Int64,
        "region_id": pl.Int64,
        **SHARE_COLUMNS,
    },
)

PAPER_COLUMNS = [
    "school_id",
    "municipality_id",
    "year",
    "kind",
    "subject_id",
    "grade",
    "student",
    "variant",
    "total",
    "mark",
    "journal_mark",
]
TASK_KEY = ["school_id", "municipality_id", "year", "kind", "subject_id", "grade", "task"]


def kind_codes() -> pl.DataFrame:
    return pl.DataFrame(
        list(ProcedureKind.objects.values_list("pk", "code")),
        schema={"kind_id": pl.Int64, "kind": pl.String},
        orient="row",
    )


def school_places() -> pl.DataFrame:
    """Each school's municipality and region."""
    return pl.DataFrame(
        list(School.objects.values_list("pk", "municipality_id", "municipality__region_id")),
        schema={"school_id": pl.Int64, "municipality_id": pl.Int64, "region_id": pl.Int64},
        orient="row",
    )


def narrowed(
    frame: pl.DataFrame,
    *,
    years: list[int] | None = None,
    kind: str | None = None,
    subject_id: int | None = None,
    grade: int | None = None,
    school_ids: list[int] | None = None,
) -> pl.DataFrame:
    """The rows of a frame keyed by ids (`kind_id`) that pass the filters, with `kind` as the
    procedure's code in place of its id."""
    conditions = []
    if years is not None:
        conditions.append(pl.col("year").is_in(years))
    if subject_id is not None:
        conditions.append(pl.col("subject_id") == subject_id)
    if grade is not None:
        conditions.append(pl.col("grade") == grade)
    if school_ids is not None and "school_id" in frame.columns:
        conditions.append(pl.col("school_id").is_in(school_ids))
    if conditions:
        frame = frame.filter(*conditions)
    frame = frame.join(kind_codes(), on="kind_id", how="inner")
    if kind is not None:
        frame = frame.filter(pl.col("kind") == kind)
    return frame.drop("kind_id")


def catalogue_frame(**filters: Any) -> pl.DataFrame:
    """One row per catalogue task."""
    filters.pop("school_ids", None)
    return (
        narrowed(TASKS.read(), **filters)
        .rename({"label": "task"})
        .select(
            "year",
            "kind",
            "subject_id",
            "grade",
            "task",
            "task_order",
            "max_score",
            "skill_code",
            "skill",
            "level",
        )
        .sort("year", "kind", "subject_id", "grade", "task_order")
    )


def with_places(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.join(school_places().drop("region_id"), on="school_id", how="left")


def papers_frame(**filters: Any) -> pl.DataFrame:
    """One row per paper (its scores left out)."""
    papers = narrowed(PAPERS.read(), **filters)
    return (
        with_places(papers).with_columns(pl.col("variant").replace("", None)).select(PAPER_COLUMNS)
    )


def paper_scores_frame(**filters: Any) -> pl.DataFrame:
    """One row per paper × task: the scores exploded from each paper's text column and put
    beside the catalogue's tasks in the catalogue's order."""
    papers = PAPERS.read()
    tasks = catalogue_positions()
    scores = (
        narrowed(papers, **filters)
        .with_columns(
            pl.col("variant").replace("", None),
            pl.col("scores").str.split(SCORE_SEPARATOR).alias("score"),
        )
        .with_columns(position=pl.int_ranges(1, pl.col("score").list.len() + 1, dtype=pl.Int32))
        .explode("score", "position")
        .with_columns(pl.col("score").replace("", None).cast(pl.Float64))
    )
    tasks = narrowed(tasks).select(
        "year",
        "kind",
        "subject_id",
        "grade",
        "position",
        pl.col("label").alias("task"),
        "task_order",
        "max_score",
    )
    joined = scores.join(tasks, on=["year", "kind", "subject_id", "grade", "position"])
    return with_places(joined).select(
        *PAPER_COLUMNS[:8],
        "task",
        "task_order",
        "score",
        "max_score",
        "total",
        "mark",
        "journal_mark",
    )


def catalogue_positions() -> pl.DataFrame:
    """The catalogue's tasks with `position`: the place of a task's score in its papers'
    scores, 1-based (papers keep their scores in the catalogue's order)."""
    return TASKS.read().with_columns(
        position=pl.col("task_order").rank("ordinal").over(PAPER_KEY).cast(pl.Int32)
    )


@derived_from(Paper, Task)
def task_shares_of_papers() -> pl.DataFrame:
    """Per school × paper (year, procedure id, subject, grade) × catalogue task: the papers that
    carry the task and their share of its maximum, once per state of the papers and the
    catalogue. A region's papers hold ten million scores; exploding them into a row each made
    the region's weak-skills table take 15 s, so the papers of each catalogue are read as one
    column per task (`list.get`) and summed per school: the whole table then takes 1.5 s for
    714,000 papers (benchmarks/task_scores.py)."""
    tasks = catalogue_positions()
    papers = PAPERS.read().select("school_id", *PAPER_KEY, "scores")
    parts = []
    for key, group in papers.partition_by(PAPER_KEY, as_dict=True).items():
        own = tasks.filter(
            pl.all_horizontal(pl.col(c) == v for c, v in zip(PAPER_KEY, key, strict=True))
        ).sort("position")
        count = own.height
        if count == 0:
            continue
        score = pl.col("score")
        sums = (
            group.lazy()
            .select("school_id", pl.col("scores").str.split(SCORE_SEPARATOR).alias("score"))
            .group_by("school_id")
            .agg(
                # an empty score (not attempted) counts as none: `cast` makes it null, `sum`
                # skips it; a paper stored before its catalogue grew carries fewer scores
                *[
                    score.list.get(i, null_on_oob=True)
                    .cast(pl.Float64, strict=False)
                    .sum()
                    .alias(f"sum{i}")
                    for i in range(count)
                ],
                *[(score.list.len() > i).sum().alias(f"n{i}") for i in range(count)],
            )
            .collect()
        )
        parts += [
            sums.select(
                "school_id",
                *[
                    pl.lit(v, dtype=PAPERS.columns[c]).alias(c)
                    for c, v in zip(PAPER_KEY, key, strict=True)
                ],
                pl.lit(task["label"]).alias("task"),
                pl.lit(task["task_order"], dtype=pl.Int16).alias("task_order"),
                pl.col(f"n{i}").cast(pl.Int64).alias("participants"),
                (pl.col(f"sum{i}") / pl.col(f"n{i}") / task["max_score"]).alias("done"),
            ).filter(pl.col("participants") > 0)
            for i, task in enumerate(own.iter_rows(named=True))
        ]
    schema = {
        "school_id": pl.Int64,
        **{c: PAPERS.columns[c] for c in PAPER_KEY},
        "task": pl.String,
        "task_order": pl.Int16,
        "participants": pl.Int64,
        "done": pl.Float64,
    }
    return pl.concat(parts) if parts else pl.DataFrame(schema=schema)


def school_task_frame(**filters: Any) -> pl.DataFrame:
    """One row per school × year × procedure × subject × grade × task: the share of the task's
    maximum attained on average (a task not attempted counts as no score), computed from the
    papers where they are stored, else as the forms give it."""
    from_papers = (
        with_places(narrowed(task_shares_of_papers(), **filters))
        .with_columns(source=pl.lit(ShareSource.PAPERS.value))
        .select(*TASK_KEY, "task_order", "participants", "done", "source")
    )
    from_forms = (
        with_places(narrowed(SCHOOL_SHARES.read(), **filters))
        .with_columns(done=pl.col("done_percent") / 100, source=pl.lit(ShareSource.FORM.value))
        .select(from_papers.columns)
        .join(from_papers.select(TASK_KEY), on=TASK_KEY, how="anti")
    )
    return pl.concat([from_papers, from_forms]).sort(
        "school_id", "year", "kind", "subject_id", "grade", "task_order"
    )


REFERENCE_COLUMNS = [
    "level",
    "territory_id",
    "region_id",
    "year",
    "kind",
    "subject_id",
    "grade",
    "task",
    "task_order",
    "done",
    "participants",
]


def reference_task_frame(**filters: Any) -> pl.DataFrame:
    """The territories' shares as imported: level, territory_id (the municipality for level
    «municipality», else null), region_id (null for Russia)."""
    filters.pop("school_ids", None)
    return (
        narrowed(REFERENCE_SHARES.read(), **filters)
        .with_columns(territory_id=pl.col("municipality_id"), done=pl.col("done_percent") / 100)
        .select(REFERENCE_COLUMNS)
    )


def territory_task_frame(level: str, **filters: Any) -> pl.DataFrame:
    """A level's shares per territory: imported where the forms carry them, else computed from
    the schools' shares weighted by their participants (a school without a count weighs one),
    with `computed` saying which. Russia's figures can only be imported.

    `school_ids` picks territories (the municipalities or regions of those schools); each
    territory's computed figure is always over all of its schools."""
    school_ids = filters.pop("school_ids", None)
    places = school_places()
    imported = reference_task_frame(**filters).filter(pl.col("level") == level)
    key = ["territory_id", "region_id", "year", "kind", "subject_id", "grade", "task"]
    if level == ShareLevel.RUSSIA:
        computed = imported.clear()
    else:
        schools = school_task_frame(**filters).join(
            places.select("school_id", "region_id"), on="school_id", how="left"
        )
        territory = pl.col("municipality_id") if level == ShareLevel.MUNICIPALITY else pl.lit(None)
        computed = (
            schools.with_columns(
                territory_id=territory.cast(pl.Int64),
                weight=pl.col("participants").fill_null(1).cast(pl.Float64),
            )
            .group_by(key)
            .agg(
                pl.col("task_order").first(),
                ((pl.col("done") * pl.col("weight")).sum() / pl.col("weight").sum()).alias("done"),
                pl.col("participants").sum().cast(pl.Int64),
            )
            .with_columns(level=pl.lit(level))
            .select(REFERENCE_COLUMNS)
            .join(imported.select(key), on=key, how="anti", nulls_equal=True)
        )
    frame = pl.concat(
        [
            imported.with_columns(computed=pl.lit(False)),
            computed.with_columns(computed=pl.lit(True)),
        ]
    )
    if school_ids is not None:
        chosen = places.filter(pl.col("school_id").is_in(school_ids))
        if level == ShareLevel.MUNICIPALITY:
            frame = frame.filter(pl.col("territory_id").is_in(chosen["municipality_id"].implode()))
        elif level == ShareLevel.REGION:
            frame = frame.filter(pl.col("region_id").is_in(chosen["region_id"].implode()))
    return frame.sort(
        "region_id", "territory_id", "year", "kind", "subject_id", "grade", "task_order"
    )
