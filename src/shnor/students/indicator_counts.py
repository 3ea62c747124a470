"""The students' counts the indicator catalogue adds up, per school and school year: students
assessed (distinct codes with a paper of the year), in the bank, with a route, with the next
procedure's outcome known, and who overcame their difficulties; and whether the school keeps
students' routes and a tutor's steps in them.

Counts only: no code leaves this module. The small groups are hidden where the indicators are
computed (indicators/engine.py), with the threshold and the word of students/difficulty_counts.py.
"""

from __future__ import annotations

from collections import defaultdict

import polars as pl

from shnor.registry.models import School
from shnor.students.choices import DifficultyStatus, Executor, Overcome
from shnor.students.models import Difficulty, RouteStep
from shnor.students.outcomes import statuses
from shnor.taskresults.frames import papers_frame

SCHEMA = {
    "school_id": pl.Int64,
    "year": pl.Int32,
    "students_difficulty": pl.Float64,
    "students_routed": pl.Float64,
    "students_outcome_known": pl.Float64,
    "students_overcome": pl.Float64,
    "routes_kept": pl.Float64,
    "tutor_steps": pl.Float64,
}


def student_overcome(outcomes: list[str]) -> bool | None:
    """A student overcame the difficulties when every one the next procedure has judged is
    overcome; None while none is judged yet."""
    judged = [o for o in outcomes if o != Overcome.WAITING]
    if not judged:
        return None
    return all(o == Overcome.OVERCOME for o in judged)


def bank_counts(region_id: int, years: list[int]) -> pl.DataFrame:
    bank = list(
        Difficulty.objects.filter(
            student__region_id=region_id, year__in=years, status=DifficultyStatus.CONFIRMED
        ).select_related("student", "route")
    )
    status = statuses(bank)
    tutored = set(
        RouteStep.objects.filter(
            route__difficulty__in=[d.pk for d in bank], executor=Executor.TUTOR
        ).values_list("route__difficulty_id", flat=True)
    )
    students: dict[tuple[int, int], dict[int, list[Difficulty]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for difficulty in bank:
        students[(difficulty.student.school_id, difficulty.year)][difficulty.student_id].append(
            difficulty
        )
    rows = []
    for (school, year), own in students.items():
        verdicts = [student_overcome([status[d.pk] for d in found]) for found in own.values()]
        routed = [any(hasattr(d, "route") for d in found) for found in own.values()]
        rows.append(
            (
                school,
                year,
                float(len(own)),
                float(sum(routed)),
                float(sum(v is not None for v in verdicts)),
                float(sum(v is True for v in verdicts)),
                float(any(routed)),
                float(any(d.pk in tutored for found in own.values() for d in found)),
            )
        )
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


def school_counts(region_id: int, years: list[int]) -> pl.DataFrame:
    """One row per school and year with papers or a bank: the counts of SCHEMA and
    `students_assessed`; a school with papers and an empty bank has zeros, not nulls."""
    assessed = (
        papers_frame(years=years)
        .join(
            pl.DataFrame(
                {
                    "school_id": list(
                        School.objects.filter(municipality__region_id=region_id).values_list(
                            "pk", flat=True
                        )
                    )
                },
                schema={"school_id": pl.Int64},
            ),
            on="school_id",
        )
        .group_by("school_id", pl.col("year").cast(pl.Int32))
        .agg(students_assessed=pl.col("student").n_unique().cast(pl.Float64))
    )
    bank = bank_counts(region_id, years)
    return assessed.join(bank, on=["school_id", "year"], how="full", coalesce=True).with_columns(
        pl.col(*[c for c in SCHEMA if c not in ("school_id", "year")]).fill_null(0.0)
    )
