"""Golden tests of the weak-skill rule on hand-made frames (the columns of taskresults/frames.py),
and a property: the order of the input rows changes nothing."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from shnor.taskresults.weak_skills import (
    RULE_LABELS,
    RULE_WHY,
    WeakSkillRule,
    municipal_weak_skills,
    school_weak_skills,
    task_table,
    weak_tasks,
)

YEAR, KIND, SUBJECT, GRADE = 2026, "ВПР", 1, 5
# the margin, the level and the counts alone: chance in a small class has its own test
RULE = WeakSkillRule(z=0)

SCHOOL_SCHEMA = {
    "school_id": pl.Int64,
    "municipality_id": pl.Int64,
    "year": pl.Int32,
    "kind": pl.String,
    "subject_id": pl.Int64,
    "grade": pl.Int16,
    "task": pl.String,
    "task_order": pl.Int16,
    "participants": pl.Int64,
    "done": pl.Float64,
    "source": pl.String,
}
REFERENCE_SCHEMA = {
    "level": pl.String,
    "territory_id": pl.Int64,
    "year": pl.Int32,
    "kind": pl.String,
    "subject_id": pl.Int64,
    "grade": pl.Int16,
    "task": pl.String,
    "done": pl.Float64,
    "participants": pl.Int64,
}
CATALOGUE_SCHEMA = {
    "year": pl.Int32,
    "kind": pl.String,
    "subject_id": pl.Int64,
    "grade": pl.Int16,
    "task": pl.String,
    "task_order": pl.Int16,
    "max_score": pl.Float64,
    "skill_code": pl.String,
    "skill": pl.String,
    "level": pl.String,
}


def schools_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """rows: (school, municipality, task, participants, done[, year])."""
    return pl.DataFrame(
        [
            {
                "school_id": r[0],
                "municipality_id": r[1],
                "year": r[5] if len(r) > 5 else YEAR,
                "kind": KIND,
                "subject_id": SUBJECT,
                "grade": GRADE,
                "task": r[2],
                "task_order": int(r[2]),
                "participants": r[3],
                "done": r[4],
                "source": "papers",
            }
            for r in rows
        ],
        schema=SCHOOL_SCHEMA,
    )


def references_frame(rows: list[tuple[Any, ...]]) -> pl.DataFrame:
    """rows: (level, territory, task, done[, year])."""
    return pl.DataFrame(
        [
            {
                "level": r[0],
                "territory_id": r[1],
                "year": r[4] if len(r) > 4 else YEAR,
                "kind": KIND,
                "subject_id": SUBJECT,
                "grade": GRADE,
                "task": r[2],
                "done": r[3],
                "participants": None,
            }
            for r in rows
        ],
        schema=REFERENCE_SCHEMA,
    )


def catalogue_frame(
    tasks: dict[str, tuple[str, str]], years: tuple[int, ...] = (YEAR,)
) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "year": year,
                "kind": KIND,
                "subject_id": SUBJECT,
                "grade": GRADE,
                "task": task,
                "task_order": int(task),
                "max_score": 1.0,
                "skill_code": code,
                "skill": skill,
                "level": "базовый",
            }
            for year in years
            for task, (code, skill) in tasks.items()
        ],
        schema=CATALOGUE_SCHEMA,
    )


CATALOGUE = catalogue_frame(
    {"1": ("1.1", "Действия с дробями"), "2": ("2.3", "Решение текстовых задач"), "3": ("", "")}
)
NO_REFERENCES = references_frame([])


def row(table: pl.DataFrame, school: int, task: str) -> dict[str, Any]:
    (found,) = table.filter((pl.col("school_id") == school) & (pl.col("task") == task)).to_dicts()
    return found


def test_it_flags_a_task_below_the_region_by_the_margin_and_below_the_level() -> None:
    schools = schools_frame(
        [(1, 10, "1", 20, 0.30), (1, 10, "2", 20, 0.70), (2, 10, "1", 20, 0.60)]
    )
    references = references_frame([("region", None, "1", 0.60), ("region", None, "2", 0.90)])
    table = task_table(schools, references, CATALOGUE, RULE)
    weak = row(table, 1, "1")
    assert weak["weak"] and weak["gap"] == 30.0
    assert weak["skill_code"] == "1.1" and weak["skill"] == "Действия с дробями"
    assert weak["region_done"] == 0.60 and not weak["region_computed"]
    # 20 points below the region, but at 70 % the skill is not weak
    assert not row(table, 1, "2")["weak"]
    assert weak_tasks(table)["task"].to_list() == ["1"]


def test_it_computes_a_missing_region_figure_from_the_schools_weighted_by_participants() -> None:
    schools = schools_frame(
        [(1, 10, "1", 10, 0.20), (2, 10, "1", 30, 0.60), (3, 11, "1", 60, 0.50)]
    )
    table = task_table(schools, NO_REFERENCES, CATALOGUE, RULE)
    first = row(table, 1, "1")
    # (10·0,2 + 30·0,6 + 60·0,5) / 100 = 0,5
    assert first["region_done"] == 0.5 and first["region_computed"]
    # the municipality of schools 1 and 2: (10·0,2 + 30·0,6) / 40 = 0,5
    assert first["municipality_done"] == 0.5 and first["municipality_computed"]
    assert first["gap"] == 30.0 and first["weak"]


def test_it_prefers_imported_figures_to_computed_ones_and_keeps_them_per_municipality() -> None:
    schools = schools_frame([(1, 10, "1", 20, 0.40), (2, 11, "1", 20, 0.40)])
    references = references_frame(
        [("region", None, "1", 0.58), ("municipality", 10, "1", 0.45), ("russia", None, "1", 0.9)]
    )
    table = task_table(schools, references, CATALOGUE, RULE)
    assert row(table, 1, "1")["municipality_done"] == 0.45
    assert not row(table, 1, "1")["municipality_computed"]
    # no imported figure for municipality 11: its own school's mean
    assert row(table, 2, "1")["municipality_done"] == 0.40
    assert row(table, 2, "1")["municipality_computed"]
    assert row(table, 1, "1")["gap"] == 18.0 and row(table, 1, "1")["weak"]


def test_it_does_not_judge_a_school_with_too_few_participants() -> None:
    schools = schools_frame([(1, 10, "1", 4, 0.0), (2, 10, "1", 5, 0.0), (3, 10, "1", 100, 0.8)])
    table = task_table(schools, NO_REFERENCES, CATALOGUE, RULE)
    assert not row(table, 1, "1")["judged"] and not row(table, 1, "1")["weak"]
    assert row(table, 2, "1")["judged"] and row(table, 2, "1")["weak"]
    # the small school still counts in the regional figure: 80 / 109
    assert abs(row(table, 1, "1")["region_done"] - 80 / 109) < 1e-9


def test_equal_values_reach_the_margin_but_not_below_the_level() -> None:
    schools = schools_frame(
        [(1, 10, "1", 20, 0.35), (2, 10, "2", 20, 0.50), (1, 10, "3", 20, 0.3501)]
    )
    references = references_frame(
        [("region", None, "1", 0.50), ("region", None, "2", 0.70), ("region", None, "3", 0.50)]
    )
    table = task_table(schools, references, CATALOGUE, RULE)
    # exactly 15 points below (0,50 − 0,35 is 0,15000000000000002 in floating point)
    assert row(table, 1, "1")["gap"] == 15.0 and row(table, 1, "1")["weak"]
    # 20 points below, but exactly at the level of 50 %
    assert not row(table, 2, "2")["weak"]
    # 14,99 points below
    assert not row(table, 1, "3")["weak"]


def test_a_task_without_a_catalogue_entry_is_named_by_its_number() -> None:
    schools = schools_frame([(1, 10, "3", 20, 0.1), (2, 10, "3", 20, 0.9)])
    table = task_table(schools, NO_REFERENCES, CATALOGUE, RULE)
    assert row(table, 1, "3")["skill_key"] == "задание 3" and row(table, 1, "3")["weak"]


def test_the_rule_is_a_parameter() -> None:
    schools = schools_frame([(1, 10, "1", 20, 0.45), (2, 10, "1", 20, 0.60)])
    references = references_frame([("region", None, "1", 0.55)])
    assert not task_table(schools, references, CATALOGUE, RULE)["weak"].any()
    loose = WeakSkillRule(margin=10, level=50, z=0)
    assert row(task_table(schools, references, CATALOGUE, loose), 1, "1")["weak"]
    assert set(RULE_LABELS) == {f.name for f in fields(WeakSkillRule)} == set(RULE_WHY)


def test_a_schools_weak_skills_carry_their_history_over_the_years() -> None:
    last = YEAR
    schools = schools_frame(
        [
            (1, 10, "1", 20, 0.30, last - 1),
            (2, 10, "1", 20, 0.70, last - 1),
            (1, 10, "1", 20, 0.20, last),
            (2, 10, "1", 20, 0.80, last),
            (1, 10, "2", 20, 0.50, last),
            (2, 10, "2", 20, 0.50, last),
        ]
    )
    catalogue = catalogue_frame(
        {"1": ("1.1", "Действия с дробями"), "2": ("2.3", "Решение текстовых задач")},
        years=(last - 1, last),
    )
    table = task_table(schools, NO_REFERENCES, catalogue, RULE)
    weak = school_weak_skills(table, 1)
    assert weak["task"].to_list() == ["1"] and weak["year"].to_list() == [last]
    (history,) = weak["history"].to_list()
    assert [h["year"] for h in history] == [last - 1, last]
    assert [h["done"] for h in history] == [0.30, 0.20]
    assert [h["region_done"] for h in history] == [0.5, 0.5]
    assert [h["weak"] for h in history] == [True, True]
    assert school_weak_skills(table, 2).is_empty()


def test_the_municipality_ranks_skills_by_how_many_schools_are_weak_in_them() -> None:
    # municipality 10: skill 1.1 weak in schools 1, 2, 3 of 4 judged; skill 2.3 weak in 1 and 2
    # of 2 judged (school 3 has too few participants on it); the strong school 4 raises the region
    rows = [(s, 10, "1", 20, 0.2) for s in (1, 2, 3)] + [(6, 10, "1", 20, 0.9)]
    rows += [(1, 10, "2", 20, 0.1), (2, 10, "2", 20, 0.1), (3, 10, "2", 3, 0.1)]
    rows += [(4, 11, "1", 300, 0.9), (4, 11, "2", 300, 0.9), (5, 11, "2", 20, 0.1)]
    table = task_table(schools_frame(rows), NO_REFERENCES, CATALOGUE, RULE)
    topics = municipal_weak_skills(table, RULE)
    ours = topics.filter(pl.col("municipality_id") == 10)
    assert ours["skill_code"].to_list() == ["1.1", "2.3"]
    assert ours["schools"].to_list() == [3, 2]
    assert ours["judged_schools"].to_list() == [4, 2]
    assert ours["share"].to_list() == [0.75, 1.0]
    # municipality 11 has one weak school: below the two schools a РМО topic needs
    assert topics.filter(pl.col("municipality_id") == 11).is_empty()
    assert ours["previous_schools"].to_list() == [None, None]


def test_the_municipal_count_compares_with_the_year_before() -> None:
    rows = [(s, 10, "1", 20, 0.2, y) for s in (1, 2) for y in (YEAR - 1, YEAR)]
    rows += [(3, 10, "1", 20, 0.2, YEAR)]
    rows += [(4, 11, "1", 200, 0.9, y) for y in (YEAR - 1, YEAR)]
    catalogue = catalogue_frame({"1": ("1.1", "Действия с дробями")}, years=(YEAR - 1, YEAR))
    topics = municipal_weak_skills(
        task_table(schools_frame(rows), NO_REFERENCES, catalogue, RULE), RULE
    )
    assert topics.select("year", "schools", "previous_schools").rows() == [
        (YEAR, 3, 2),
        (YEAR - 1, 2, None),
    ]


shares = st.floats(min_value=0, max_value=1, allow_nan=False).map(lambda v: round(v, 3))


@settings(max_examples=40, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(1, 6),
            st.sampled_from(["1", "2", "3"]),
            st.integers(0, 30),
            shares,
            st.sampled_from([YEAR - 1, YEAR]),
        ),
        min_size=1,
        max_size=30,
        unique_by=lambda r: (r[0], r[1], r[4]),
    ),
    region=st.lists(
        st.tuples(st.sampled_from(["1", "2"]), shares), max_size=2, unique_by=lambda r: r[0]
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_shuffling_the_rows_changes_nothing(
    rows: list[tuple[Any, ...]], region: list[tuple[str, float]], seed: int
) -> None:
    schools = schools_frame([(s, 10 + s % 2, t, n, d, y) for s, t, n, d, y in rows])
    references = references_frame([("region", None, t, d) for t, d in region])
    catalogue = catalogue_frame(
        {"1": ("1.1", "Действия с дробями"), "2": ("1.1", "Дроби"), "3": ("", "")},
        years=(YEAR - 1, YEAR),
    )
    rule = WeakSkillRule(margin=10, level=60, min_participants=3, min_schools=1)

    def answers(s: pl.DataFrame, r: pl.DataFrame, c: pl.DataFrame) -> list[pl.DataFrame]:
        table = task_table(s, r, c, rule)
        return [table, school_weak_skills(table, 1), municipal_weak_skills(table, rule)]

    before = answers(schools, references, catalogue)
    after = answers(
        schools.sample(fraction=1, shuffle=True, seed=seed),
        references.sample(fraction=1, shuffle=True, seed=seed),
        catalogue.sample(fraction=1, shuffle=True, seed=seed),
    )
    for expected, got in zip(before, after, strict=True):
        assert_frame_equal(expected, got)


def test_a_share_imported_without_participants_is_judged_and_weighs_one() -> None:
    schools = schools_frame([(1, 10, "1", None, 0.1), (2, 10, "1", 3, 0.9)])
    table = task_table(schools, NO_REFERENCES, CATALOGUE, RULE)
    # (1·0,1 + 3·0,9) / 4 = 0,7
    assert row(table, 1, "1")["region_done"] == 0.7
    assert row(table, 1, "1")["judged"] and row(table, 1, "1")["weak"]
    assert not row(table, 2, "1")["judged"]


def test_a_gap_within_chance_for_the_class_size_is_not_weak() -> None:
    # the region does a task at 75 %; one standard error is 13,7 points for a class of 10 and
    # 3,1 points for a class of 200
    schools = schools_frame([(1, 10, "1", 10, 0.49), (2, 10, "1", 200, 0.45)])
    references = references_frame([("region", None, "1", 0.75)])
    table = task_table(schools, references, CATALOGUE, WeakSkillRule())
    small, large = row(table, 1, "1"), row(table, 2, "1")
    assert small["gap"] == 26.0 and not small["weak"]  # 1,9 standard errors: within chance
    assert large["gap"] == 30.0 and large["weak"]
    assert row(task_table(schools, references, CATALOGUE, RULE), 1, "1")["weak"]
