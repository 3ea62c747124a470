"""Reading runs back: the latest list a user sees, a school's statuses over the years, and the
difference between two runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Count, Q

from shnor.accounts.choices import Role
from shnor.identification.models import Run, SchoolStatus


def latest_run(user: Any, code: str | None = None) -> Run | None:
    """The newest run the user sees, of the primary methodology when there is one."""
    runs = Run.objects.restrict(user).select_related("methodology")
    if user.role == Role.MUNICIPALITY:
        runs = runs.filter(Q(municipality__isnull=True) | Q(municipality=user.municipality_id))
    primary = runs.filter(methodology__code=code or settings.PRIMARY_METHODOLOGY)
    chosen = primary if code or primary.exists() else runs
    return chosen.order_by("-year", "-created").first()


def statuses_by_school(run: Run, user: Any, group: str | None = None) -> dict[Any, Any]:
    """The run's statuses visible to the user: per school, or counts per `group` and status."""
    rows = (
        SchoolStatus.objects.restrict(user)
        .filter(run=run)
        .select_related("school__municipality", "run")
    )
    if group:
        counts: dict[Any, dict[str, int]] = {}
        for row in rows.values(group, "status").annotate(n=Count("pk")):
            counts.setdefault(row[group], {})[row["status"]] = row["n"]
        return counts
    return {s.school_id: s for s in rows}


def with_items(statuses: Iterable[SchoolStatus]) -> list[SchoolStatus]:
    """The statuses with their evidence (`SchoolStatus.items`) read in one go per run."""
    statuses = list(statuses)
    by_run: dict[int, list[SchoolStatus]] = {}
    for status in statuses:
        by_run.setdefault(status.run_id, []).append(status)
    for group in by_run.values():
        items = group[0].run.evidence_items([s.school_id for s in group])
        for status in group:
            status.__dict__["items"] = items.get(status.school_id, [])
    return statuses


def visible_counts(run: Run, user: Any) -> dict[str, int]:
    """The run's counts of statuses and movements among the schools the user sees."""
    rows = SchoolStatus.objects.restrict(user).filter(run=run)
    counts: dict[str, int] = {"entered": 0, "stayed": 0, "left": 0}
    for field in ("status", "movement"):
        counts.update({row[field]: row["n"] for row in rows.values(field).annotate(n=Count("pk"))})
    counts["total"] = rows.count()
    return counts


def school_history(school: Any) -> list[SchoolStatus]:
    """The school's status in the latest run of each methodology and year, newest year first."""
    latest: dict[tuple[str, int], SchoolStatus] = {}
    for status in (
        SchoolStatus.objects.filter(school=school)
        .select_related("run__methodology")
        .order_by("run__created")
    ):
        latest[(status.run.methodology.code, status.run.year)] = status
    return sorted(latest.values(), key=lambda s: (-s.run.year, s.run.methodology.code))


def compare_runs(first: Run, second: Run, user: Any) -> list[dict[str, Any]]:
    """Schools whose status differs between two runs, with the indicators behind each."""
    a = statuses_by_school(first, user)
    b = statuses_by_school(second, user)
    pairs = [
        (a.get(school_id), b.get(school_id))
        for school_id in sorted(set(a) | set(b))
        if not (
            a.get(school_id) and b.get(school_id) and a[school_id].status == b[school_id].status
        )
    ]
    with_items(s for pair in pairs for s in pair if s)
    return [
        {
            "school": (left or right).school,  # type: ignore[union-attr]
            "left": left,
            "right": right,
            "left_reasons": [e for e in left.items if e["triggered"]] if left else [],
            "right_reasons": [e for e in right.items if e["triggered"]] if right else [],
        }
        for left, right in pairs
    ]
