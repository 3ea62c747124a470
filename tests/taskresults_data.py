"""Hand-made task-level data written through the models, for tests of the task-level frames and
of the analyses built on them (weak skills, objectivity)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from shnor.assessments.models import ProcedureKind, Subject
from shnor.registry.models import Municipality, Region, School
from shnor.taskresults.models import (
    SCORE_SEPARATOR,
    Paper,
    ReferenceTaskShare,
    SchoolTaskShare,
    Task,
)


def kind_of(code: str) -> ProcedureKind:
    return ProcedureKind.objects.get(code=code)


def subject_of(name: str) -> Subject:
    return Subject.objects.get(name=name)


def make_catalogue(
    year: int,
    kind: str,
    subject: str,
    grade: int,
    tasks: Iterable[tuple[Any, ...]],
) -> list[Task]:
    """tasks: (label, max_score[, skill_code, skill, level]); order is the order given."""
    made = []
    for order, task in enumerate(tasks, start=1):
        label, max_score, *rest = task
        skill_code, skill, level = (*rest, "", "", "")[:3]
        made.append(
            Task(
                year=year,
                kind=kind_of(kind),
                subject=subject_of(subject),
                grade=grade,
                label=str(label),
                task_order=order,
                max_score=Decimal(str(max_score)),
                skill_code=skill_code,
                skill=skill or f"Умение {label}",
                level=level or "базовый",
            )
        )
    return Task.objects.bulk_create(made)


def scores_text(scores: Sequence[float | None]) -> str:
    return SCORE_SEPARATOR.join("" if s is None else f"{s:g}" for s in scores)


def make_papers(
    school: School,
    year: int,
    kind: str,
    subject: str,
    grade: int,
    papers: Iterable[tuple[Any, ...]],
) -> list[Paper]:
    """papers: (student, scores[, mark[, journal_mark[, variant]]]); the total is the sum of the
    scores; scores follow the catalogue's order, None for a task not attempted."""
    made = []
    for paper in papers:
        student, scores, *rest = paper
        mark, journal_mark, variant = (*rest, None, None, "")[:3]
        made.append(
            Paper(
                school=school,
                year=year,
                kind=kind_of(kind),
                subject=subject_of(subject),
                grade=grade,
                student=student,
                variant=variant or "",
                total=float(sum(s or 0 for s in scores)),
                mark=mark,
                journal_mark=journal_mark,
                scores=scores_text(scores),
            )
        )
    return Paper.objects.bulk_create(made)


def make_school_shares(
    school: School,
    year: int,
    kind: str,
    subject: str,
    grade: int,
    shares: Iterable[tuple[Any, ...]],
) -> list[SchoolTaskShare]:
    """shares: (task, done_percent[, participants]) in the paper's order."""
    made = []
    for order, (task, percent, *rest) in enumerate(shares, start=1):
        made.append(
            SchoolTaskShare(
                school=school,
                year=year,
                kind=kind_of(kind),
                subject=subject_of(subject),
                grade=grade,
                task=str(task),
                task_order=order,
                done_percent=Decimal(str(percent)),
                participants=rest[0] if rest else None,
            )
        )
    return SchoolTaskShare.objects.bulk_create(made)


def make_reference_shares(
    level: str,
    territory: Municipality | Region | None,
    year: int,
    kind: str,
    subject: str,
    grade: int,
    shares: Iterable[tuple[Any, ...]],
) -> list[ReferenceTaskShare]:
    """level: municipality, region or russia; shares: (task, done_percent[, participants])."""
    municipality = territory if isinstance(territory, Municipality) else None
    region = municipality.region if municipality else territory
    made = []
    for order, (task, percent, *rest) in enumerate(shares, start=1):
        made.append(
            ReferenceTaskShare(
                level=level,
                municipality=municipality,
                region=region,
                year=year,
                kind=kind_of(kind),
                subject=subject_of(subject),
                grade=grade,
                task=str(task),
                task_order=order,
                done_percent=Decimal(str(percent)),
                participants=rest[0] if rest else None,
            )
        )
    return ReferenceTaskShare.objects.bulk_create(made)
