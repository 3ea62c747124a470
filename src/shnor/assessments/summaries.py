"""Results of a school beside its municipality's and region's, aggregated in the database."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Sum

from shnor.assessments.choices import ReferenceLevel
from shnor.assessments.models import ReferenceResult, Result
from shnor.core.derived import derived_from
from shnor.registry.models import Municipality, School


def share(below: int | None, participants: int | None) -> float | None:
    return below / participants if participants and below is not None else None


@dataclass
class ProcedureRow:
    kind: str
    subject: str
    grade: int
    cells: dict[int, dict[str, Any]] = field(default_factory=dict)


def territory_shares(rows: Any, keys: tuple[str, ...]) -> dict[tuple[Any, ...], float | None]:
    aggregated = rows.values(*keys).annotate(b=Sum("below_min"), p=Sum("participants"))
    return {tuple(r[k] for k in keys): share(r["b"], r["p"]) for r in aggregated}


def averages(school: Any, years: list[int], keys: tuple[str, ...]) -> dict[str, dict]:
    """Share of «2»/below-minimum for the school's municipality and region: published figures
    where the reference table has them, computed from school results otherwise."""
    municipality = school.municipality
    return territory_averages(municipality.pk, municipality.region_id, tuple(years), keys)


@derived_from(Result, ReferenceResult, School, Municipality)
def territory_averages(
    municipality_id: int, region_id: int, years: tuple[int, ...], keys: tuple[str, ...]
) -> dict[str, dict]:
    # The region's figures aggregate every result of the region: computed once per state of
    # the results, not on every school card.
    base = Result.objects.filter(
        year__in=years, participants__gt=0, below_min__isnull=False
    ).annotate(kind_code=F("kind__code"), subject_name=F("subject__name"))
    reference = ReferenceResult.objects.filter(year__in=years, below_min__isnull=False).annotate(
        kind_code=F("kind__code"), subject_name=F("subject__name")
    )
    out = {}
    for name, computed_rows, published_rows in (
        (
            "municipality",
            base.filter(school__municipality=municipality_id),
            reference.filter(level=ReferenceLevel.MUNICIPALITY, municipality=municipality_id),
        ),
        (
            "region",
            base.filter(school__municipality__region=region_id),
            reference.filter(level=ReferenceLevel.REGION, region=region_id),
        ),
    ):
        values = territory_shares(computed_rows, keys)
        values.update(territory_shares(published_rows, keys))
        out[name] = values
    return out


@derived_from(Result, ReferenceResult, School, Municipality)
def school_results(school: Any, low_share: float) -> dict[str, Any]:
    """Rows per procedure with a cell per year, and chart series per kind × subject; a cell is
    highlighted at `low_share` (the threshold of the methodology the list follows)."""
    results = list(
        Result.objects.filter(school=school)
        .select_related("kind", "subject")
        .order_by("kind__order", "subject__order", "grade", "year")
    )
    years = sorted({r.year for r in results})
    per_grade = averages(school, years, ("kind_code", "subject_name", "grade", "year"))
    per_subject = averages(school, years, ("kind_code", "subject_name", "year"))
    rows: dict[tuple[str, str, int], ProcedureRow] = {}
    series: dict[tuple[str, str], dict[int, list[int]]] = defaultdict(dict)
    for r in results:
        key = (r.kind.code, r.subject.name, r.grade)
        row = rows.setdefault(key, ProcedureRow(*key))
        value = r.low_share
        row.cells[r.year] = {
            "share": value,
            "mean": r.mean_score,
            "participants": r.participants,
            "low": value is not None and value >= low_share - 1e-9,
            "raised": share(r.raised, r.participants) if r.raised is not None else None,
            "lowered": share(r.lowered, r.participants) if r.lowered is not None else None,
            "participation": share(r.participants, r.enrolled) if r.enrolled else None,
            "municipality": per_grade["municipality"].get((*key, r.year)),
            "region": per_grade["region"].get((*key, r.year)),
        }
        if r.below_min is not None and r.participants:
            totals = series[(r.kind.code, r.subject.name)].setdefault(r.year, [0, 0])
            totals[0] += r.below_min
            totals[1] += r.participants
    charts = []
    for (kind, subject), by_year in series.items():
        charts.append(
            {
                "title": f"{kind}, {subject}: доля «2» / ниже порога, %",
                "years": years,
                "school": [pct(share(*by_year[y])) if y in by_year else None for y in years],
                "municipality": [
                    pct(per_subject["municipality"].get((kind, subject, y))) for y in years
                ],
                "region": [pct(per_subject["region"].get((kind, subject, y))) for y in years],
            }
        )
    return {"years": years, "rows": list(rows.values()), "charts": charts}


def pct(value: float | None) -> float | None:
    return round(100 * value, 1) if value is not None else None
