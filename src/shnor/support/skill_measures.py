"""What a school's weak («западающие») skills propose: measures for its programme from the
library's skill measures (their text names the skills), subject deficits for its teachers of the
subject, and for the municipality topics of РМО/ШМО seminars ranked by how many of its schools
share them. The rule and the figures are in taskresults/weak_skills.py; the writes (adding a
measure to the programme draft, recording the deficits) are in support/actions.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import polars as pl

from shnor.core.calendar import months_after
from shnor.registry.models import Municipality, School
from shnor.staff.models import Teacher
from shnor.support.library import TypicalMeasure, skill_measures
from shnor.taskresults.weak_skills import (
    WeakSkillRule,
    region_topics,
    school_table,
    school_weak_skills,
    subject_names,
)

TOPIC_LENGTH = 300  # Deficit.topic


@dataclass
class WeakSkillGroup:
    """A school's weak tasks of one paper (procedure × subject × grade) in its latest year."""

    kind: str
    subject_id: int
    subject: str
    grade: int
    year: int
    tasks: list[dict[str, Any]] = field(default_factory=list)
    chart: dict[str, Any] = field(default_factory=dict)

    @property
    def procedure(self) -> str:
        return f"{self.kind} {self.year}"

    @property
    def skills(self) -> str:
        return skills_text(self.tasks)


def skill_name(task: dict[str, Any]) -> str:
    return task["skill"] or f"задание {task['task']}"


def skills_text(tasks: list[dict[str, Any]]) -> str:
    """The skills in quotes, each once, in the order given (a skill checked by two tasks is one
    skill to work on)."""
    names = list(dict.fromkeys(skill_name(t) for t in tasks))
    return "; ".join(f"«{name}»" for name in names)


def percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def paper_chart(own: pl.DataFrame, group: WeakSkillGroup) -> dict[str, Any]:
    """Every task of the paper in the group's year: the school, municipality and region in %,
    and the school a year before on the same skill (matched by skill, as tasks are renumbered)."""
    paper = own.filter(
        (pl.col("kind") == group.kind)
        & (pl.col("subject_id") == group.subject_id)
        & (pl.col("grade") == group.grade)
    )
    latest = paper.filter(pl.col("year") == group.year).sort("task_order", "task")
    before = dict(
        paper.filter(pl.col("year") == group.year - 1)
        .group_by("skill_key")
        .agg(pl.col("done").mean())
        .iter_rows()
    )
    return {
        "labels": [f"№ {t}" for t in latest["task"]],
        "skills": [skill_name(t) for t in latest.to_dicts()],
        "school": [percent(v) for v in latest["done"]],
        "municipality": [percent(v) for v in latest["municipality_done"]],
        "region": [percent(v) for v in latest["region_done"]],
        "before": [percent(before.get(k)) for k in latest["skill_key"]],
        "year": group.year,
    }


def school_groups(school: School, rule: WeakSkillRule) -> list[WeakSkillGroup]:
    """The school's weak skills per paper, latest year, each with the chart of its paper."""
    own = school_table(school.municipality.region_id, school.pk, rule)
    weak = school_weak_skills(own, school.pk)
    names = subject_names()
    groups: dict[tuple[str, int, int], WeakSkillGroup] = {}
    for task in weak.to_dicts():
        key = (task["kind"], task["subject_id"], task["grade"])
        group = groups.setdefault(
            key,
            WeakSkillGroup(
                kind=task["kind"],
                subject_id=task["subject_id"],
                subject=names.get(task["subject_id"], ""),
                grade=task["grade"],
                year=task["year"],
            ),
        )
        group.tasks.append(task)
    for group in groups.values():
        group.chart = paper_chart(own, group)
    return list(groups.values())


def find_group(
    school: School, rule: WeakSkillRule, *, kind: str, subject_id: int, grade: int
) -> WeakSkillGroup | None:
    return next(
        (
            g
            for g in school_groups(school, rule)
            if (g.kind, g.subject_id, g.grade) == (kind, subject_id, grade)
        ),
        None,
    )


def measure_text(typical: TypicalMeasure, group: WeakSkillGroup, schools: int = 0) -> str:
    return typical.text.format(
        subject=group.subject,
        grade=group.grade,
        procedure=group.procedure,
        skills=group.skills,
        schools=schools,
    )


def skill_measure_row(
    typical: TypicalMeasure, group: WeakSkillGroup, start: date
) -> dict[str, Any]:
    """A programme measure (the fields add_measures takes) for the group's weak skills."""
    return {
        "direction": typical.direction,
        "factors": [],
        "text": measure_text(typical, group),
        "deadline": months_after(start, typical.months),
        "expected_result": typical.result,
        "executors": typical.executors,
        "document": typical.document,
    }


def proposed_measures(group: WeakSkillGroup) -> list[tuple[TypicalMeasure, str]]:
    return [(m, measure_text(m, group)) for m in skill_measures("school")]


def deficit_topic(group: WeakSkillGroup) -> str:
    topic = f"Западающие умения ({group.procedure}, {group.grade} класс): {group.skills}"
    return topic if len(topic) <= TOPIC_LENGTH else topic[: TOPIC_LENGTH - 1] + "…"


def subject_teachers(school: School, subject: str) -> list[Teacher]:
    """The school's teachers of the subject, as their «предметы» name it (any case)."""
    wanted = subject.casefold()
    return [
        t
        for t in Teacher.objects.filter(school=school)
        if wanted in (s.casefold() for s in t.subject_list)
    ]


@dataclass
class RmoTopic:
    """A skill weak in several schools of a municipality: a topic for РМО and seminars."""

    kind: str
    subject: str
    grade: int
    year: int
    skill: str
    tasks: str
    schools: int
    judged_schools: int
    share: float
    previous_schools: int | None
    municipality_done: float | None
    region_done: float | None
    school_names: list[str]
    seminar: str


def rmo_topics(municipality: Municipality, rule: WeakSkillRule) -> list[RmoTopic]:
    """The municipality's weak skills of the latest year, most shared first, each with the
    library's seminar measure worded for it."""
    topics = region_topics(municipality.region_id, rule).filter(
        pl.col("municipality_id") == municipality.pk
    )
    names = subject_names()
    schools = {s.pk: s.short_name for s in School.objects.filter(municipality=municipality)}
    seminars = skill_measures("municipality")
    found = []
    for row in topics.to_dicts():
        task = {"skill": row["skill"], "task": row["tasks"]}
        group = WeakSkillGroup(
            kind=row["kind"],
            subject_id=row["subject_id"],
            subject=names.get(row["subject_id"], ""),
            grade=row["grade"],
            year=row["year"],
            tasks=[task],
        )
        found.append(
            RmoTopic(
                kind=row["kind"],
                subject=group.subject,
                grade=row["grade"],
                year=row["year"],
                skill=skill_name(task),
                tasks=row["tasks"],
                schools=row["schools"],
                judged_schools=row["judged_schools"],
                share=row["share"],
                previous_schools=row["previous_schools"],
                municipality_done=row["municipality_done"],
                region_done=row["region_done"],
                school_names=[schools.get(pk, "") for pk in row["school_ids"]],
                seminar="; ".join(measure_text(m, group, row["schools"]) for m in seminars),
            )
        )
    return found
