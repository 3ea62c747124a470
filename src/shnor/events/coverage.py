"""What the registers give the indicators (seed 000, §4): per school and year, the teachers
taking part in events, diagnosed, on internships, the десанты held there, the school documents
in force; per municipality and year, the documents in force.

A справка or a протокол counts in the year of its date; an order, a regulation, a programme
from its year on (it stays in force until replaced). A teacher is diagnosed in a year when they
took part in a diagnostic event of the register or a deficit of theirs was found that year
(a found deficit needs a diagnostic)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import polars as pl

from shnor.events.choices import (
    DATED_KINDS,
    SCHOOL_VISIT_KINDS,
    DocumentLevel,
    DocumentPurpose,
    EventKind,
)
from shnor.events.models import Document, Event, Participation
from shnor.staff.choices import DeficitKind
from shnor.staff.models import Deficit
from shnor.support.choices import VisitKind
from shnor.support.models import Visit

# Diagnosed per kind of deficit: the measure's suffix for each kind.
DIAGNOSED = {
    DeficitKind.SUBJECT: "teachers_diagnosed_subject",
    DeficitKind.METHODICAL: "teachers_diagnosed_methodical",
    DeficitKind.PSYCHOLOGICAL: "teachers_diagnosed_psychological",
}
# School documents the municipal shares count (1.2.5 п. 1–3, ШППКО, стажировочные площадки).
SCHOOL_PURPOSES = (
    DocumentPurpose.SCHOOL_PROGRAMME,
    DocumentPurpose.PROGRAMME_REPORT,
    DocumentPurpose.FAILURE_PREVENTION,
    DocumentPurpose.INDIVIDUAL_PLANS,
    DocumentPurpose.TUTORING,
    DocumentPurpose.PRACTICES,
    DocumentPurpose.RESULTS_REPORT,
    DocumentPurpose.RESOURCE_MONITORING,
)
PEOPLE = (
    "teachers_in_events",
    "teachers_diagnosed",
    *DIAGNOSED.values(),
    "teachers_internship",
)
SCHOOL_FLAGS = ("school_in_events", "school_landing", "internship_site")


def doc_measure(purpose: str) -> str:
    return f"doc_{purpose}"


# The measures the registers give, per school and year.
COLUMNS = (*PEOPLE, *SCHOOL_FLAGS, *(doc_measure(p) for p in SCHOOL_PURPOSES))


def in_force(kind: str, year_of_date: int, year: int) -> bool:
    return year_of_date == year if kind in DATED_KINDS else year_of_date <= year


def register_measures(region_id: int, years: list[int]) -> pl.DataFrame:
    """One row per school and year that has anything in the registers."""
    rows: dict[tuple[int, int], dict[str, Any]] = defaultdict(dict)

    def teachers(key: tuple[int, int], measure: str) -> set[int]:
        found: set[int] = rows[key].setdefault(measure, set())
        return found

    wanted = set(years)
    participations = Participation.objects.filter(
        teacher__school__municipality__region_id=region_id, event__date__year__in=years
    ).values_list(
        "teacher_id",
        "teacher__school_id",
        "event__date__year",
        "event__kind",
        "event__deficit_kind",
    )
    for teacher, school, year, kind, deficit_kind in participations:
        teachers((school, year), "teachers_in_events").add(teacher)
        rows[(school, year)]["school_in_events"] = 1.0
        if kind == EventKind.INTERNSHIP:
            teachers((school, year), "teachers_internship").add(teacher)
        if kind == EventKind.DIAGNOSTICS:
            teachers((school, year), "teachers_diagnosed").add(teacher)
            for deficit, measure in DIAGNOSED.items():
                if deficit_kind in ("", deficit):  # a diagnostic of no kind covers every kind
                    teachers((school, year), measure).add(teacher)
    deficits = Deficit.objects.filter(
        teacher__school__municipality__region_id=region_id, found_on__year__in=years
    ).values_list("teacher_id", "teacher__school_id", "found_on__year", "kind")
    for teacher, school, year, kind in deficits:
        teachers((school, year), "teachers_diagnosed").add(teacher)
        if kind in DIAGNOSED:
            teachers((school, year), DIAGNOSED[DeficitKind(kind)]).add(teacher)
    # Schools taking part as schools (no teacher named) count for the events' reach too.
    for school, year, kind in Event.schools.through.objects.filter(
        event__region_id=region_id, event__date__year__in=years
    ).values_list("school_id", "event__date__year", "event__kind"):
        rows[(school, year)]["school_in_events"] = 1.0
        if kind in SCHOOL_VISIT_KINDS:
            rows[(school, year)]["school_landing"] = 1.0
    landings = Visit.objects.filter(
        school__municipality__region_id=region_id,
        date__year__in=years,
        held=True,
        kind__in=[VisitKind.LANDING, VisitKind.FIELD_DAY],
    ).values_list("school_id", "date__year")
    for school, year in landings:
        rows[(school, year)]["school_landing"] = 1.0
    documents = Document.objects.filter(region_id=region_id, level=DocumentLevel.SCHOOL).exclude(
        purpose=""
    )
    for school, kind, purpose, on in documents.values_list("school_id", "kind", "purpose", "date"):
        for year in wanted:
            if in_force(kind, on.year, year):
                rows[(school, year)][doc_measure(purpose)] = 1.0
    sites = Document.objects.filter(
        region_id=region_id, purpose=DocumentPurpose.INTERNSHIP_SITES
    ).values_list("sites", "kind", "date")
    for school, kind, on in sites:
        for year in wanted:
            if school is not None and in_force(kind, on.year, year):
                rows[(school, year)]["internship_site"] = 1.0
    return pl.DataFrame(
        [
            {
                "school_id": school,
                "year": year,
                **{c: float(len(v)) if isinstance(v := values.get(c), set) else v for c in COLUMNS},
            }
            for (school, year), values in rows.items()
            if year in wanted
        ],
        schema={"school_id": pl.Int64, "year": pl.Int32, **dict.fromkeys(COLUMNS, pl.Float64)},
    )


def municipal_documents(region_id: int, years: list[int], purpose: str) -> dict[Any, set[int]]:
    """For each year, the municipalities with a document of the purpose in force (key None: the
    region's own documents)."""
    found: dict[Any, set[int]] = defaultdict(set)
    documents = Document.objects.filter(region_id=region_id, purpose=purpose).exclude(
        level=DocumentLevel.SCHOOL
    )
    for municipality, kind, on in documents.values_list("municipality_id", "kind", "date"):
        for year in years:
            if in_force(kind, on.year, year):
                found[year].add(municipality)
    return found


def school_documents(region_id: int, years: list[int], purpose: str) -> dict[int, set[int]]:
    """For each year, the schools with their own document of the purpose in force."""
    found: dict[int, set[int]] = defaultdict(set)
    documents = Document.objects.filter(
        region_id=region_id, purpose=purpose, level=DocumentLevel.SCHOOL
    )
    for school, kind, on in documents.values_list("school_id", "kind", "date"):
        for year in years:
            if in_force(kind, on.year, year):
                found[year].add(school)
    return found
