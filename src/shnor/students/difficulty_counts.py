"""The bank in aggregates, for everyone outside the school: students with difficulties by
school, grade, subject and reason, the share of those assessed, how many have a route and how
many overcame the difficulty in the next procedure. A group of fewer than SMALL_GROUP students
is never shown as a number: a count of 1–4 (and the share built on it) could point at a child."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db.models import QuerySet

from shnor.registry.models import School
from shnor.students.choices import DifficultyReason, DifficultyStatus, Overcome
from shnor.students.models import Difficulty
from shnor.students.outcomes import statuses
from shnor.taskresults.frames import papers_frame

SMALL_GROUP = 5
HIDDEN = "менее 5"


def shown(count: int) -> int | None:
    """The count as it may be shown: None for a small group (1–4), zero stays zero."""
    return None if 0 < count < SMALL_GROUP else count


def shown_share(part: int, whole: int) -> float | None:
    """part/whole in percent, None where either is a small group or there is no whole."""
    if not whole or shown(part) is None or whole < SMALL_GROUP:
        return None
    return 100 * part / whole


@dataclass
class Group:
    label: str
    students: int | None
    assessed: int | None
    share: float | None
    with_route: int | None
    overcome: int | None


def grouped(
    difficulties: list[Difficulty],
    key: Callable[[Difficulty], Any],
    label: Callable[[Any], str],
    assessed: dict[Any, int],
    status: dict[int, str],
    *,
    by_key: bool = False,
) -> list[Group]:
    """One row per key: distinct students, of them with a route and overcome (suppressed)."""
    students: dict[Any, set[int]] = defaultdict(set)
    routed: dict[Any, set[int]] = defaultdict(set)
    overcome: dict[Any, set[int]] = defaultdict(set)
    for d in difficulties:
        k = key(d)
        students[k].add(d.student_id)
        if hasattr(d, "route"):
            routed[k].add(d.student_id)
        if status.get(d.pk) == Overcome.OVERCOME:
            overcome[k].add(d.student_id)
    rows = []
    for k in sorted(students, key=lambda k: (k,) if by_key else (label(k),)):
        count = len(students[k])
        whole = assessed.get(k, 0)
        rows.append(
            Group(
                label=label(k),
                students=shown(count),
                assessed=whole or None,
                share=shown_share(count, whole),
                with_route=shown(len(routed[k])),
                overcome=shown(len(overcome[k])),
            )
        )
    return rows


def bank_of(schools: QuerySet[School], year: int) -> list[Difficulty]:
    return list(
        Difficulty.objects.filter(
            student__school__in=schools, year=year, status=DifficultyStatus.CONFIRMED
        ).select_related("student", "student__school__municipality", "subject", "route", "kind")
    )


def assessed_counts(school_ids: list[int], year: int) -> dict[str, dict[Any, int]]:
    """Distinct students with a paper of the year, per school, grade and subject."""
    papers = papers_frame(years=[year], school_ids=school_ids)
    counts: dict[str, dict[Any, int]] = {}
    for name, column in (("school", "school_id"), ("grade", "grade"), ("subject", "subject_id")):
        frame = papers.group_by(column).agg(pl.col("student").n_unique().alias("n"))
        counts[name] = dict(zip(frame[column].to_list(), frame["n"].to_list(), strict=True))
    return counts


def picture(schools: QuerySet[School], year: int) -> dict[str, Any]:
    """The tables of the municipal page and its export."""
    bank = bank_of(schools, year)
    status = statuses(bank)
    assessed = assessed_counts(list(schools.values_list("pk", flat=True)), year)
    names = {s.pk: s for s in schools.select_related("municipality")}
    total = len({d.student_id for d in bank})
    return {
        "total": shown(total),
        "schools": grouped(
            bank,
            lambda d: d.student.school_id,
            lambda k: f"{names[k].municipality.name}: {names[k].short_name}" if k in names else "",
            assessed["school"],
            status,
        ),
        "grades": grouped(
            bank,
            lambda d: d.student.grade,
            lambda k: f"{k} класс",
            assessed["grade"],
            status,
            by_key=True,
        ),
        "subjects": grouped(
            bank,
            lambda d: d.subject_id or 0,
            lambda k: (
                next((d.subject.name for d in bank if d.subject_id == k and d.subject), "")
                or "без предмета"
            ),
            assessed["subject"],
            status,
        ),
        "reasons": grouped(
            bank,
            lambda d: d.reason,
            lambda k: DifficultyReason(k).label,
            {},
            status,
        ),
    }
