"""«Западающие» skills: the tasks (and the skills they check) a school does markedly worse than
the region, and the skills weak in many schools of a municipality (topics for РМО/ШМО).

The rule, one per page: a task is weak at a school in a year when the school had at least
`min_participants` participants on it, its `done` is at least `margin` percentage points below the
region's, and below the absolute `level`, and the gap is at least `z` standard errors of a class of
that size doing as well as the region (so that chance in a small class is not taken for a weak
skill; a share imported without its count of participants is taken as the form gives it). Equal
values count as reaching the margin and as not being below the level (a school exactly 15 points
below the region is weak; one at exactly 50 % is not). The municipal and regional figures are the
imported ones where a form brought them (`reference_task_frame`), else the participant-weighted mean
of the schools in the frame.

Everything here is a pure function over the polars frames of taskresults/frames.py, set-based,
and returns rows in a fixed order, so the order of the input rows never changes the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from shnor.assessments.models import Subject
from shnor.core.derived import derived_from
from shnor.registry.models import Municipality, School
from shnor.taskresults.frames import catalogue_frame, reference_task_frame, school_task_frame
from shnor.taskresults.models import Paper, ReferenceTaskShare, SchoolTaskShare, Task

KEYS = ["year", "kind", "subject_id", "grade", "task"]
PAPER = ["year", "kind", "subject_id", "grade"]
# Figures are kept to 1e-9 of a share: the weighted means then do not depend on the order in
# which rows were summed, and a gap of exactly the margin stays exactly the margin.
DIGITS = 9


@dataclass(frozen=True)
class WeakSkillRule:
    """The parameters of the rule; the labels are what the pages show beside the values."""

    margin: float = 15.0
    level: float = 50.0
    min_participants: int = 5
    z: float = 2.0
    min_schools: int = 2


RULE_LABELS = {
    "margin": "Ниже региона не меньше чем на, процентных пунктов",
    "level": "Выполнение в школе ниже, %",
    "min_participants": "Участников в школе не меньше",
    "z": "Отставание больше случайного: не меньше стандартных ошибок",
    "min_schools": "Тема РМО: школ с западающим умением не меньше",
}
RULE_WHY = {
    "margin": "отставание меньше 15 пунктов в классе из 20–30 человек — в пределах случайности",
    "level": "умение, которым владеет больше половины участников, не считается западающим",
    "min_participants": "у нескольких участников доля выполнения меняется скачками",
    "z": "в классе из 25 человек доля выполнения колеблется на 8–9 пунктов и без всякой "
    "причины; разрыв меньше двух таких колебаний может быть случайным (0 — не учитывать)",
    "min_schools": "тема семинара нужна, когда умение западает хотя бы в двух школах",
}


def weighted_done(schools: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """The participant-weighted `done` of the schools, per `by`; a school whose form gave no
    count of participants weighs one (as taskresults/frames.py counts it)."""
    weight = pl.col("participants").fill_null(1)
    return schools.group_by(by).agg(
        ((pl.col("done") * weight).sum() / weight.sum()).round(DIGITS).alias("done")
    )


def territory_figures(schools: pl.DataFrame, references: pl.DataFrame, level: str) -> pl.DataFrame:
    """`<level>_done` and `<level>_computed` per task (and municipality for "municipality"):
    imported where the reference frame has the figure, else computed from the schools."""
    by = ["municipality_id", *KEYS] if level == "municipality" else KEYS
    computed = weighted_done(schools.filter(pl.col("participants").fill_null(1) > 0), by)
    imported = references.filter(pl.col("level") == level)
    if level == "municipality":
        imported = imported.rename({"territory_id": "municipality_id"})
    imported = imported.select(*by, pl.col("done").cast(pl.Float64).alias("imported")).unique(
        subset=by, keep="any"
    )
    return (
        computed.join(imported, on=by, how="full", coalesce=True)
        .with_columns(
            pl.coalesce("imported", "done").alias(f"{level}_done"),
            pl.col("imported").is_null().alias(f"{level}_computed"),
        )
        .select(*by, f"{level}_done", f"{level}_computed")
    )


def skill_key() -> pl.Expr:
    """What identifies a skill across tasks and years: its code, else its wording, else the
    task itself (a catalogue without skills)."""
    return (
        pl.when(pl.col("skill_code") != "")
        .then(pl.col("skill_code"))
        .when(pl.col("skill") != "")
        .then(pl.col("skill"))
        .otherwise(pl.concat_str(pl.lit("задание "), pl.col("task")))
    )


def chance_gap() -> pl.Expr:
    """One standard error, in points, of the share of a class of the school's size whose
    participants each do the task as often as the region's."""
    share = pl.col("region_done").clip(0, 1)
    return ((share * (1 - share) / pl.col("participants")).sqrt() * 100).round(DIGITS - 2)


def task_table(
    schools: pl.DataFrame,
    references: pl.DataFrame,
    catalogue: pl.DataFrame,
    rule: WeakSkillRule,
) -> pl.DataFrame:
    """One row per school × year × kind × subject × grade × task: the school's `done`, the
    municipal and regional figures, the gap to the region in points, whether the school was
    judged (enough participants, a regional figure) and whether the task is weak, with the
    catalogue's skill. `schools` must hold the whole region for the regional mean to be one.
    A school share imported without its count of participants is judged: the form vouches
    for it."""
    region = territory_figures(schools, references, "region")
    municipality = territory_figures(schools, references, "municipality")
    skills = catalogue.select(*KEYS, "skill_code", "skill", "level").unique(subset=KEYS, keep="any")
    table = (
        schools.select("school_id", "municipality_id", *KEYS, "task_order", "participants", "done")
        .join(municipality, on=["municipality_id", *KEYS], how="left")
        .join(region, on=KEYS, how="left")
        .join(skills, on=KEYS, how="left")
        .with_columns(
            pl.col("skill_code").fill_null(""),
            pl.col("skill").fill_null(""),
            pl.col("level").fill_null(""),
            ((pl.col("region_done") - pl.col("done")) * 100).round(DIGITS - 2).alias("gap"),
        )
        .with_columns(
            (
                (pl.col("participants").fill_null(rule.min_participants) >= rule.min_participants)
                & pl.col("region_done").is_not_null()
            ).alias("judged"),
            skill_key().alias("skill_key"),
        )
        .with_columns(
            (
                pl.col("judged")
                & (pl.col("gap") >= rule.margin)
                & ((pl.col("done") * 100).round(DIGITS - 2) < rule.level)
                & (pl.col("participants").is_null() | (pl.col("gap") >= rule.z * chance_gap()))
            ).alias("weak")
        )
    )
    return table.sort(["school_id", *PAPER, "task_order", "task"])


# Kept per state of the data: the region's table takes 0,2 s warm on the demo (29,000 rows), the
# school card's budget is a few tens of milliseconds.
@derived_from(Paper, SchoolTaskShare, ReferenceTaskShare, Task, School, Municipality)
def region_table(region_id: int, rule: WeakSkillRule, **filters: Any) -> pl.DataFrame:
    """`task_table` over the region's schools from the stored data; `filters` as the frames
    take them (years, kind, subject_id, grade), never school_ids: the regional mean needs all."""
    school_ids = list(
        School.objects.filter(municipality__region_id=region_id).values_list("pk", flat=True)
    )
    references = reference_task_frame(**filters).filter(pl.col("region_id") == region_id)
    return task_table(
        school_task_frame(school_ids=school_ids, **filters),
        references,
        catalogue_frame(**filters),
        rule,
    )


@derived_from(Paper, SchoolTaskShare, ReferenceTaskShare, Task, School, Municipality)
def school_table(region_id: int, school_id: int, rule: WeakSkillRule) -> pl.DataFrame:
    """The school's rows of the region's table: what its card reads, a few hundred rows."""
    return region_table(region_id, rule).filter(pl.col("school_id") == school_id)


def weak_tasks(table: pl.DataFrame) -> pl.DataFrame:
    return table.filter(pl.col("weak"))


def school_weak_skills(table: pl.DataFrame, school_id: int) -> pl.DataFrame:
    """The school's tasks that are weak in the latest year of their subject and grade, each
    with its figures in every year the same skill was checked (`history`: year, done,
    municipality_done, region_done, weak), strongest gap first within a paper."""
    own = table.filter(pl.col("school_id") == school_id)
    latest = own.group_by(["kind", "subject_id", "grade"]).agg(pl.col("year").max())
    weak = own.join(latest, on=["kind", "subject_id", "grade", "year"]).filter(pl.col("weak"))
    history = (
        own.group_by(["kind", "subject_id", "grade", "skill_key", "year"])
        .agg(
            pl.col("done").mean().round(DIGITS),
            pl.col("municipality_done").mean().round(DIGITS),
            pl.col("region_done").mean().round(DIGITS),
            pl.col("weak").any(),
        )
        .sort("year")
        .group_by(["kind", "subject_id", "grade", "skill_key"])
        .agg(pl.struct("year", "done", "municipality_done", "region_done", "weak").alias("history"))
    )
    return weak.join(history, on=["kind", "subject_id", "grade", "skill_key"], how="left").sort(
        ["kind", "subject_id", "grade", "year", pl.col("gap"), "task_order", "task"],
        descending=[False, False, False, False, True, False, False],
    )


def municipal_weak_skills(table: pl.DataFrame, rule: WeakSkillRule) -> pl.DataFrame:
    """Per municipality × year × kind × subject × grade × skill: in how many schools the skill
    is weak (in any of its tasks) and which, of how many judged, the share, the tasks, the
    municipal and
    regional figures; only skills weak in at least `min_schools` schools, ranked by the number
    of schools, then the share. `previous_schools` is the same count a year before (null when
    the skill was not checked then)."""
    by = ["municipality_id", *PAPER, "skill_key"]
    counts = (
        table.filter(pl.col("judged"))
        .group_by(by)
        .agg(
            pl.col("school_id").filter(pl.col("weak")).n_unique().alias("schools"),
            pl.col("school_id").n_unique().alias("judged_schools"),
            pl.col("school_id").filter(pl.col("weak")).unique().sort().alias("school_ids"),
            pl.col("skill").sort().first(),
            pl.col("skill_code").sort().first(),
            pl.col("task").unique().sort().str.join(", ").alias("tasks"),
            pl.col("municipality_done").mean().round(DIGITS),
            pl.col("region_done").mean().round(DIGITS),
        )
        .with_columns((pl.col("schools") / pl.col("judged_schools")).round(DIGITS).alias("share"))
    )
    previous = counts.select(
        *[c for c in by if c != "year"],
        (pl.col("year") + 1).alias("year"),
        pl.col("schools").alias("previous_schools"),
    )
    return (
        counts.filter(pl.col("schools") >= rule.min_schools)
        .join(previous, on=by, how="left")
        .sort(
            [
                "municipality_id",
                "year",
                "schools",
                "share",
                "kind",
                "subject_id",
                "grade",
                "skill_key",
            ],
            descending=[False, True, True, True, False, False, False, False],
        )
    )


def latest_year(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """The rows of the latest year of each group `by` (a subject and grade is not tested every
    year, so «the latest» is per paper)."""
    return frame.filter(pl.col("year") == pl.col("year").max().over(by))


def subject_names() -> dict[int, str]:
    return dict(Subject.objects.values_list("pk", "name"))


def region_topics(region_id: int, rule: WeakSkillRule, **filters: Any) -> pl.DataFrame:
    """The municipal weak skills of every municipality of the region, latest year per paper."""
    topics = municipal_weak_skills(region_table(region_id, rule, **filters), rule)
    return latest_year(topics, ["municipality_id", "kind", "subject_id", "grade"])
