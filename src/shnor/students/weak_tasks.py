"""A student's weak tasks in one paper: the tasks where the student scored less than half of
the maximum, with the skill each checks (the catalogue's wording), read from the task-level
frames. A route's steps address these skills."""

from __future__ import annotations

from typing import Any

import polars as pl

from shnor.taskresults.frames import catalogue_frame, paper_scores_frame

# A task is weak for the student below half of its maximum: on one- and two-point tasks of the
# ВПР that is «not done» (0 of 1, 0 of 2), on longer ones less than half of the criteria met.
WEAK_SHARE = 0.5


def paper_tasks(code: str, school_id: int, year: int, kind: str, subject_id: int) -> pl.DataFrame:
    """Each task of the student's paper with its score, share and skill."""
    scores = paper_scores_frame(
        years=[year], kind=kind, subject_id=subject_id, school_ids=[school_id]
    ).filter(pl.col("student") == code)
    catalogue = catalogue_frame(years=[year], kind=kind, subject_id=subject_id)
    return (
        scores.join(
            catalogue.select("grade", "task", "skill_code", "skill", "level"),
            on=["grade", "task"],
            how="left",
        )
        .with_columns(share=pl.col("score").fill_null(0) / pl.col("max_score"))
        .sort("task_order")
    )


def weak_tasks(
    code: str, school_id: int, year: int, kind: str, subject_id: int
) -> list[dict[str, Any]]:
    """The weak tasks of the paper: task, skill_code, skill, score, max_score, share."""
    tasks = paper_tasks(code, school_id, year, kind, subject_id)
    return (
        tasks.filter(pl.col("share") < WEAK_SHARE)
        .select("task", "skill_code", "skill", "level", "score", "max_score", "share")
        .to_dicts()
    )
