"""What the next procedure says about a difficulty: the student's first paper in the subject
after the one that gave the reason (any procedure), its mark against the reason's, and for
every weak skill a route addressed, the share done before and after."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from shnor.students.choices import DifficultyReason, Overcome
from shnor.students.models import Difficulty
from shnor.students.weak_tasks import paper_tasks
from shnor.taskresults.frames import papers_frame

# A mark of 3 or more in the next procedure means the difficulty is overcome (the criteria
# suggest at «2»); an addressed skill counts as improved when its share done rose by a quarter
# of its maximum (one point of a four-point task, a one-point task now done).
PASSING_MARK = 3
SKILL_GAIN = 0.25


@dataclass
class SkillChange:
    skill: str
    before: float | None
    after: float | None

    @property
    def improved(self) -> bool:
        return (
            self.before is not None
            and self.after is not None
            and self.after - self.before >= SKILL_GAIN
        )


@dataclass
class Outcome:
    status: str
    next_paper: dict[str, Any] | None = None
    skills: list[SkillChange] = field(default_factory=list)

    @property
    def label(self) -> str:
        return Overcome(self.status).label


def next_papers(difficulties: list[Difficulty]) -> dict[int, dict[str, Any]]:
    """Each difficulty's next paper in its subject: the first of a later year (by year, then
    procedure) of the same student code. Difficulties without a subject have none."""
    with_subject = [d for d in difficulties if d.subject_id]
    if not with_subject:
        return {}
    first_year = min((d.source_year or d.year) for d in with_subject)
    codes = {d.student.code for d in with_subject}
    papers = (
        papers_frame(years=list(range(first_year + 1, first_year + 12)))
        .filter(pl.col("student").is_in(list(codes)))
        .sort("year", "kind")
    )
    by_key: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for paper in papers.to_dicts():
        by_key.setdefault((paper["student"], paper["subject_id"]), []).append(paper)
    found = {}
    for difficulty in with_subject:
        after = difficulty.source_year or difficulty.year
        later = [
            p
            for p in by_key.get((difficulty.student.code, difficulty.subject_id or 0), [])
            if p["year"] > after
        ]
        if later:
            found[difficulty.pk] = later[0]
    return found


def mark_status(difficulty: Difficulty, paper: dict[str, Any] | None) -> str:
    """Overcome or not by the mark of the next paper (the journal mark for term marks)."""
    if paper is None:
        return Overcome.WAITING
    mark = paper["mark"]
    if difficulty.reason == DifficultyReason.TERM_MARKS and paper["journal_mark"] is not None:
        mark = paper["journal_mark"]
    if mark is None:
        return Overcome.WAITING
    return Overcome.OVERCOME if mark >= PASSING_MARK else Overcome.NOT_OVERCOME


def statuses(difficulties: list[Difficulty]) -> dict[int, str]:
    """Each difficulty's status by marks alone, for the aggregates and the indicators."""
    papers = next_papers(difficulties)
    return {d.pk: mark_status(d, papers.get(d.pk)) for d in difficulties}


def skill_shares(tasks: pl.DataFrame) -> dict[str, float]:
    """The share done per skill (by code, else by wording) of a paper's tasks."""
    keyed = tasks.with_columns(
        key=pl.when(pl.col("skill_code").fill_null("") != "")
        .then(pl.col("skill_code"))
        .otherwise(pl.col("skill"))
    )
    grouped = keyed.group_by("key").agg(
        (pl.col("score").fill_null(0).sum() / pl.col("max_score").sum()).alias("share")
    )
    return {row["key"]: row["share"] for row in grouped.to_dicts() if row["key"]}


def outcome(difficulty: Difficulty) -> Outcome:
    """The status with the next paper and the change of every skill the route addressed."""
    paper = next_papers([difficulty]).get(difficulty.pk)
    status = mark_status(difficulty, paper)
    result = Outcome(status, paper)
    route = getattr(difficulty, "route", None)
    if paper is None or route is None or not difficulty.kind_id or not difficulty.subject_id:
        return result
    before = skill_shares(
        paper_tasks(
            difficulty.student.code,
            difficulty.student.school_id,
            difficulty.source_year or difficulty.year,
            difficulty.kind.code if difficulty.kind else "",
            difficulty.subject_id,
        )
    )
    after = skill_shares(
        paper_tasks(
            paper["student"], paper["school_id"], paper["year"], paper["kind"], paper["subject_id"]
        )
    )
    seen = set()
    for step in route.steps.all():
        key = step.skill_code or step.skill
        if not key or key in seen:
            continue
        seen.add(key)
        result.skills.append(SkillChange(step.skill or key, before.get(key), after.get(key)))
    if status == Overcome.NOT_OVERCOME and any(s.improved for s in result.skills):
        result.status = Overcome.PARTLY
    return result
