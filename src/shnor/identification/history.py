"""Reading runs back: the latest list a user sees, a school's statuses over the years, and the
difference between two runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q

from shnor.accounts.choices import Role
from shnor.identification.choices import ListSource, Status
from shnor.identification.engine.definition import listed_status
from shnor.identification.models import Methodology, Run, SchoolStatus
from shnor.identification.services import primary_codes
from shnor.registry.models import Municipality


def latest_run(
    user: Any,
    code: str | None = None,
    *,
    municipality: Municipality | None = None,
    year: int | None = None,
) -> Run | None:
    """«The list» a page shows (of `year`, else the newest year). For the region: its own runs
    of its primary methodology — a municipality's run of its schools alone never stands for
    the region. For a municipality (the municipal coordinator's, or the one whose page it is):
    the run of its own primary methodology if it chose one, else of the region's, its own run
    or the region's whichever is newer. `code` asks for one methodology instead."""
    if municipality is None and user.role == Role.MUNICIPALITY:
        municipality = user.municipality
    runs = (
        Run.objects.restrict(user)
        .filter(source=ListSource.METHODOLOGY)
        .select_related("methodology", "region", "municipality")
        .order_by("-year", "-created")
    )
    if year is not None:
        runs = runs.filter(year=year)
    if municipality is not None:
        runs = runs.filter(
            Q(municipality__isnull=True, region=municipality.region_id)
            | Q(municipality=municipality)
        )
        region_id: int | None = municipality.region_id
    else:
        runs = runs.filter(municipality__isnull=True)
        region_id = getattr(user, "region_id", None) or (
            runs.values_list("region_id", flat=True).first()
        )
    if code:
        return runs.filter(methodology__code=code).first()
    if region_id is None:
        return None
    region_code, own_code = primary_codes(region_id, municipality.pk if municipality else None)
    runs = runs.filter(region_id=region_id)
    for chosen in (own_code, region_code):
        run = runs.filter(methodology__code=chosen).first() if chosen else None
        if run is not None:
            return run
    # a list of signs of non-objective results is never «the list» (it is kept apart)
    return runs.exclude(methodology__code__in=objectivity_codes()).first()


def objectivity_codes() -> list[str]:
    """Codes of the methodologies whose list is of schools with signs of non-objective results
    (a handful of rows: read whole)."""
    return sorted(
        {
            code
            for code, definition in Methodology.objects.values_list("code", "definition")
            if listed_status(definition) == Status.OBJECTIVITY
        }
    )


def latest_objectivity_run(
    user: Any, *, municipality: Municipality | None = None, year: int | None = None
) -> Run | None:
    """The newest list of schools with signs of non-objective results a page shows beside «the
    list», chosen as `latest_run` chooses a methodology's run."""
    runs = [
        run
        for code in objectivity_codes()
        if (run := latest_run(user, code, municipality=municipality, year=year)) is not None
    ]
    return max(runs, key=lambda r: (r.year, r.created), default=None)


def statuses_by_school(
    run: Run,
    user: Any,
    group: str | None = None,
    only: Iterable[str] | None = None,
    among: Any = None,
) -> dict[Any, Any]:
    """The run's statuses visible to the user: per school, or counts per `group` and status;
    `only` these statuses and `among` these schools (ids or a queryset), if given — a page
    that shows a dozen schools does not read the region's three hundred."""
    rows = (
        SchoolStatus.objects.restrict(user).filter(run=run).select_related("school__municipality")
    )
    if only is not None:
        rows = rows.filter(status__in=list(only))
    if among is not None:
        rows = rows.filter(school__in=among)
    if group:
        counts: dict[Any, dict[str, int]] = {}
        for row in rows.values(group, "status").annotate(n=Count("pk")):
            counts.setdefault(row[group], {})[row["status"]] = row["n"]
        return counts
    statuses = {}
    for status in rows:
        # the one run, not joined again for every row: its definition is a large JSON that
        # took 80 ms to parse 300 times on the support overview
        status.run = run
        statuses[status.school_id] = status
    return statuses


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
    """The school's status in the latest list of each methodology or received source and year,
    newest year first."""
    latest: dict[tuple[str, int], SchoolStatus] = {}
    for status in (
        SchoolStatus.objects.filter(school=school)
        .select_related("run__methodology")
        .order_by("run__created")
    ):
        latest[(list_key(status.run), status.run.year)] = status
    return [latest[key] for key in sorted(latest, key=lambda k: (-k[1], k[0]))]


def list_key(run: Run) -> str:
    """What makes lists the same list across runs: the methodology code or the source."""
    return run.methodology.code if run.methodology else run.source


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
