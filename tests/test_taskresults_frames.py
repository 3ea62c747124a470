"""The task-level frames on hand-made data: shares computed from papers equal the hand
computation, student data wins over imported shares, territories are imported or computed."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from shnor.assessments.models import Subject
from shnor.taskresults.frames import (
    catalogue_frame,
    paper_scores_frame,
    papers_frame,
    reference_task_frame,
    school_task_frame,
    territory_task_frame,
)
from tests.taskresults_data import (
    make_catalogue,
    make_papers,
    make_reference_shares,
    make_school_shares,
)

YEAR = 2026
MATH = "Математика"


@pytest.fixture
def tasks(world: dict[str, Any]) -> dict[str, Any]:
    make_catalogue(
        YEAR,
        "ВПР",
        MATH,
        5,
        [("1", 1, "1.1", "Счёт", "базовый"), ("2", 2, "2.3", "Дроби", "повышенный"), ("3", 1)],
    )
    a, b = world["schools"]["a"], world["schools"]["b"]
    make_papers(
        a,
        YEAR,
        "ВПР",
        MATH,
        5,
        [("S1", [1, 2, 0], 5, 4, "1"), ("S2", [0, 1, None], 3, 3), ("S3", [1, 0, 1], 4, 5)],
    )
    make_papers(b, YEAR, "ВПР", MATH, 5, [("S4", [1, 2, 1], 5, 5)])
    return world


def test_it_lists_the_catalogue(tasks: dict[str, Any]) -> None:
    frame = catalogue_frame(years=[YEAR], kind="ВПР", grade=5)
    assert frame["task"].to_list() == ["1", "2", "3"]
    assert frame["max_score"].to_list() == [1.0, 2.0, 1.0]
    assert frame.schema["year"] == pl.Int32 and frame.schema["grade"] == pl.Int16
    assert frame.row(1, named=True)["skill_code"] == "2.3"
    assert catalogue_frame(kind="ОГЭ").is_empty()


def test_it_explodes_scores_in_catalogue_order(tasks: dict[str, Any]) -> None:
    a = tasks["schools"]["a"]
    frame = paper_scores_frame(school_ids=[a.pk]).sort("student", "task_order")
    assert frame.height == 9
    s2 = frame.filter(pl.col("student") == "S2")
    assert s2["task"].to_list() == ["1", "2", "3"]
    assert s2["score"].to_list() == [0.0, 1.0, None]
    assert s2["total"].to_list() == [1.0] * 3
    assert frame.filter(pl.col("student") == "S1")["variant"].to_list() == ["1"] * 3
    assert frame.filter(pl.col("student") == "S2")["variant"].null_count() == 3
    assert set(frame["municipality_id"]) == {a.municipality_id}


def test_it_gives_one_row_per_paper(tasks: dict[str, Any]) -> None:
    frame = papers_frame(years=[YEAR]).sort("student")
    assert frame["student"].to_list() == ["S1", "S2", "S3", "S4"]
    assert frame["mark"].to_list() == [5, 3, 4, 5]
    assert frame["journal_mark"].to_list() == [4, 3, 5, 5]
    assert frame["kind"].unique().to_list() == ["ВПР"]


def test_it_computes_school_shares_from_papers(tasks: dict[str, Any]) -> None:
    a = tasks["schools"]["a"]
    frame = school_task_frame(school_ids=[a.pk])
    # by hand: task 1 — (1+0+1)/3/1; task 2 — (2+1+0)/3/2; task 3 — (0+0+1)/3/1 (not attempted
    # counts as nothing)
    assert frame["task"].to_list() == ["1", "2", "3"]
    assert frame["done"].to_list() == pytest.approx([2 / 3, 1 / 2, 1 / 3])
    assert frame["participants"].to_list() == [3, 3, 3]
    assert set(frame["source"]) == {"papers"}


def test_school_shares_agree_with_the_exploded_scores(tasks: dict[str, Any]) -> None:
    """The shares summed per task without exploding the papers equal the means of the
    exploded scores, also for a paper stored before its catalogue grew (fewer scores)."""
    b = tasks["schools"]["b"]
    make_papers(b, YEAR, "ВПР", MATH, 5, [("S5", [1, 1])])
    exploded = (
        paper_scores_frame()
        .group_by("school_id", "task")
        .agg(
            pl.len().cast(pl.Int64).alias("participants"),
            (pl.col("score").fill_null(0).mean() / pl.col("max_score").first()).alias("done"),
        )
        .sort("school_id", "task")
    )
    shares = school_task_frame().select("school_id", "task", "participants", "done")
    assert shares.sort("school_id", "task").equals(exploded)
    ours = shares.filter(pl.col("school_id") == b.pk).sort("task")
    assert ours["participants"].to_list() == [2, 2, 1]
    assert ours["done"].to_list() == pytest.approx([1, 3 / 4, 1])


def test_student_data_wins_over_imported_shares(tasks: dict[str, Any]) -> None:
    a, c = tasks["schools"]["a"], tasks["schools"]["c"]
    make_school_shares(a, YEAR, "ВПР", MATH, 5, [("1", 10, 3), ("2", 10, 3), ("3", 10, 3)])
    make_school_shares(c, YEAR, "ВПР", MATH, 5, [("1", 40, 20), ("2", 55.5, 20)])
    frame = school_task_frame(years=[YEAR])
    ours = frame.filter(pl.col("school_id") == a.pk)
    assert set(ours["source"]) == {"papers"}
    assert ours["done"].to_list() == pytest.approx([2 / 3, 1 / 2, 1 / 3])
    theirs = frame.filter(pl.col("school_id") == c.pk)
    assert theirs["done"].to_list() == pytest.approx([0.4, 0.555])
    assert set(theirs["source"]) == {"form"}


def test_territories_are_imported_or_computed(tasks: dict[str, Any]) -> None:
    north, region = tasks["north"], tasks["region"]
    make_reference_shares("region", region, YEAR, "ВПР", MATH, 5, [("1", 70, 1000)])
    make_reference_shares("russia", None, YEAR, "ВПР", MATH, 5, [("1", 65), ("2", 50)])
    imported = reference_task_frame(years=[YEAR])
    assert set(imported["level"]) == {"region", "russia"}
    regional = territory_task_frame("region", years=[YEAR]).sort("task_order")
    # task 1 imported; tasks 2 and 3 computed from the four papers of schools a and b
    assert regional["computed"].to_list() == [False, True, True]
    assert regional["done"].to_list() == pytest.approx([0.7, (2 + 1 + 0 + 2) / 4 / 2, 2 / 4])
    municipal = territory_task_frame("municipality", school_ids=[tasks["schools"]["a"].pk])
    assert set(municipal["territory_id"]) == {north.pk}
    assert municipal.filter(pl.col("task") == "1")["done"].item() == pytest.approx(3 / 4)
    assert municipal["participants"].to_list() == [4, 4, 4]
    assert territory_task_frame("russia")["done"].to_list() == pytest.approx([0.65, 0.5])


def test_filters_narrow_every_frame(tasks: dict[str, Any]) -> None:
    other = Subject.objects.get(name="Русский язык").pk
    for frame in (
        catalogue_frame(subject_id=other),
        paper_scores_frame(subject_id=other),
        papers_frame(years=[YEAR - 1]),
        school_task_frame(grade=8),
    ):
        assert frame.is_empty()
