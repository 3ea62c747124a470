"""Seed 000 (Саянский район), раздел 4, indicators 1.2.1–1.2.6 on hand-made data: the «есть ли …»
indicators answered by the documents register, the shares of teachers and schools by the events
register (and the curators' visits), next to the indicators computed before."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from shnor.core.system import SystemUser
from shnor.events.actions import do_add_participants, do_record_document, do_record_event
from shnor.events.choices import DocumentKind, DocumentLevel, DocumentPurpose, EventKind
from shnor.events.models import Document, Event
from shnor.identification.choices import Movement, Status
from shnor.identification.models import Methodology, Run, SchoolStatus
from shnor.indicators.catalogue import by_code
from shnor.indicators.engine import compute
from shnor.registry.models import School, SchoolContext
from shnor.staff.choices import DeficitKind
from shnor.staff.models import Deficit, Teacher
from shnor.support.choices import VisitKind
from shnor.support.models import Visit

YEAR = 2025  # the year of the data these tests create

# Seed 000's indicators of 1.2.1–1.2.6 (municipal level and «уровень ОО») and their codes.
SEED_000 = {
    "1.2.1 п. 1": "identification_done",
    "1.2.1 п. 2": "monitoring_low_defined",
    "1.2.1 п. 3": "programme_risk_section",
    "1.2.1 п. 4": "monitoring_risk_defined",
    "1.2.1 п. 5": "deficit_schools_share",
    "1.2.1 ОО п. 1": "school_programme_present",
    "1.2.2 п. 1": "results_report_present",
    "1.2.3 п. 1": "deficit_system_present",
    "1.2.3 п. 2": "teachers_diagnosed_share",
    "1.2.3 п. 2 предметных": "teachers_diagnosed_subject_share",
    "1.2.3 п. 2 методических": "teachers_diagnosed_methodical_share",
    "1.2.3 п. 2 психолого-педагогических": "teachers_diagnosed_psychological_share",
    "1.2.4 п. 1": "teachers_supported_share",
    "1.2.4 п. 2": "network_share",
    "1.2.4 п. 3": "asset_share",
    "1.2.4 п. 4": "teachers_iom_share",
    "1.2.4 события": "schools_in_events_share",
    "1.2.4 события ОО": "teachers_in_events_share",
    "1.2.4 стажировочные площадки": "internship_sites_count",
    "1.2.4 стажировки": "teachers_internship_share",
    "1.2.4 школы-лидеры": "leaders_share",
    "1.2.4 десанты": "landing_share",
    "1.2.4 ШППКО": "programmes_share",
    "1.2.4 ОО справка об эффективности ШППКО": "programme_report_present",
    "1.2.5 п. 1": "failure_prevention_share",
    "1.2.5 п. 2": "individual_plans_share",
    "1.2.5 п. 3": "tutoring_share",
    "1.2.5 п. 4": "practices_system_present",
    "1.2.6 п. 1": "resource_monitoring_present",
    "1.2.6 п. 2": "risks_eliminated_share",
}


@pytest.fixture
def sayan(world: dict[str, Any]) -> dict[str, Any]:
    """North: school a in the list (10 teachers), b in the risk zone (10 teachers); south: c
    (5 teachers), no status. Context for the year and the year before."""
    schools = world["schools"]
    for school in (schools["a"], schools["b"], schools["c"]):
        for year in (YEAR - 1, YEAR):
            SchoolContext.objects.create(
                school=school, year=year, students=100, teachers=10, computers=20
            )
    run = Run.objects.create(
        methodology=Methodology.objects.get(code="federal"),
        year=YEAR,
        region=world["region"],
        definition={},
        fingerprint="test",
    )
    for key, status in (("a", Status.LOW_RESULTS), ("b", Status.RISK_ZONE), ("c", Status.NONE)):
        SchoolStatus.objects.create(
            run=run,
            school=schools[key],
            status=status,
            indicators_triggered=0,
            indicators_applicable=0,
            indicators_total=0,
            movement=Movement.ENTERED if status == Status.LOW_RESULTS else Movement.OUTSIDE,
        )
    teachers = {
        key: [
            Teacher.objects.create(school=schools[key], full_name=f"Педагог {key} {n}")
            for n in range(count)
        ]
        for key, count in (("a", 10), ("b", 10), ("c", 5))
    }
    return {**world, "teachers": teachers, "system": SystemUser(region=world["region"])}


def value(code: str, *, municipality: Any = None, school: School | None = None) -> float | None:
    values = compute(School.objects.first().municipality.region_id, [YEAR])  # type: ignore[union-attr]
    rows = values.filter((pl.col("indicator") == code) & (pl.col("year") == YEAR))
    if school is not None:
        rows = rows.filter(pl.col("school_id") == school.pk)
    else:
        rows = rows.filter(pl.col("school_id").is_null()).filter(
            pl.col("municipality_id") == municipality.pk
            if municipality is not None
            else pl.col("municipality_id").is_null()
        )
    assert rows.height == 1, (code, rows)
    return rows["value"][0]


def document(
    w: dict[str, Any],
    purpose: str,
    *,
    level: str = DocumentLevel.MUNICIPALITY,
    kind: str = DocumentKind.ORDER,
    on: date = date(YEAR - 1, 9, 1),
    school: School | None = None,
    sites: tuple[School, ...] = (),
) -> Document:
    municipality = school.municipality if school else w["north"]
    return do_record_document(
        Document(
            region=w["region"],
            municipality=None if level == DocumentLevel.REGION else municipality,
            school=school,
            level=level,
            kind=kind,
            date=on,
            title="Документ",
            purpose=purpose,
        ),
        sites=sites,
        acting_user=w["system"],
    )


def event(
    w: dict[str, Any],
    kind: str,
    teachers: list[Teacher],
    *,
    schools: tuple[School, ...] = (),
    deficit: str = "",
) -> Event:
    recorded = do_record_event(
        Event(
            region=w["region"],
            municipality=w["north"],
            kind=kind,
            date=date(YEAR, 3, 15),
            organiser="Управление образования",
            topic="Тема",
            deficit_kind=deficit,
        ),
        schools=schools,
        acting_user=w["system"],
    )
    do_add_participants(recorded, teachers, acting_user=w["system"])
    return recorded


@pytest.mark.django_db
def test_every_seed_indicator_is_in_the_catalogue_and_computed(sayan: dict[str, Any]) -> None:
    catalogue = by_code()
    assert set(SEED_000.values()) <= set(catalogue), set(SEED_000.values()) - set(catalogue)
    values = compute(sayan["region"].pk, [YEAR])
    computed = set(values.filter(pl.col("value").is_not_null())["indicator"].unique().to_list())
    # empty registers answer «нет» and 0 %; only a share whose denominator is empty here (no
    # school of the risk zone had a resource deficit a year before) has no value
    assert set(SEED_000.values()) - computed == {"risks_eliminated_share"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "purpose"),
    [
        ("monitoring_low_defined", DocumentPurpose.MONITORING_LOW),
        ("programme_risk_section", DocumentPurpose.PROGRAMME_RISK),
        ("monitoring_risk_defined", DocumentPurpose.MONITORING_RISK),
    ],
)
def test_1_2_1_monitoring_and_programme_sections_come_from_the_register(
    sayan: dict[str, Any], code: str, purpose: str
) -> None:
    north, south = sayan["north"], sayan["south"]
    assert value(code, municipality=north) == 0
    document(sayan, purpose)
    assert value(code, municipality=north) == 1
    assert value(code, municipality=south) == 0
    assert value(code) == 0  # the region: not every municipality has one
    document(sayan, purpose, level=DocumentLevel.REGION)
    assert value(code) == 1


@pytest.mark.django_db
def test_1_2_1_school_programme_is_the_schools_order(sayan: dict[str, Any]) -> None:
    a, b = sayan["schools"]["a"], sayan["schools"]["b"]
    document(sayan, DocumentPurpose.SCHOOL_PROGRAMME, level=DocumentLevel.SCHOOL, school=a)
    assert value("school_programme_present", school=a) == 1
    assert value("school_programme_present", school=b) == 0
    # an order of the year after is not in force yet
    document(
        sayan,
        DocumentPurpose.SCHOOL_PROGRAMME,
        level=DocumentLevel.SCHOOL,
        school=b,
        on=date(YEAR + 1, 1, 10),
    )
    assert value("school_programme_present", school=b) == 0


@pytest.mark.django_db
def test_1_2_2_results_report_counts_in_its_own_year_only(sayan: dict[str, Any]) -> None:
    a = sayan["schools"]["a"]
    report = DocumentKind.REPORT
    document(sayan, DocumentPurpose.RESULTS_REPORT, kind=report, on=date(YEAR - 1, 6, 1))
    assert value("results_report_present", municipality=sayan["north"]) == 0
    document(sayan, DocumentPurpose.RESULTS_REPORT, kind=report, on=date(YEAR, 6, 1))
    document(
        sayan,
        DocumentPurpose.RESULTS_REPORT,
        kind=report,
        level=DocumentLevel.SCHOOL,
        school=a,
        on=date(YEAR, 6, 1),
    )
    assert value("results_report_present", municipality=sayan["north"]) == 1
    assert value("results_report_present", school=a) == 1


@pytest.mark.django_db
def test_1_2_3_teachers_diagnosed_by_diagnostics_and_found_deficits(sayan: dict[str, Any]) -> None:
    a = sayan["teachers"]["a"]
    assert value("deficit_system_present", municipality=sayan["north"]) == 0
    document(sayan, DocumentPurpose.DEFICIT_SYSTEM, kind=DocumentKind.REGULATION)
    assert value("deficit_system_present", municipality=sayan["north"]) == 1
    event(sayan, EventKind.DIAGNOSTICS, a[:5], deficit=DeficitKind.METHODICAL)
    # a deficit found in the year needs a diagnostic: its teacher counts as diagnosed
    Deficit.objects.create(
        teacher=a[9],
        kind=DeficitKind.SUBJECT,
        topic="Геометрия",
        source="региональная диагностика",
        found_on=date(YEAR, 2, 1),
    )
    school = sayan["schools"]["a"]
    assert value("teachers_diagnosed_share", school=school) == 60
    assert value("teachers_diagnosed_share", municipality=sayan["north"]) == 30
    assert value("teachers_diagnosed_methodical_share", school=school) == 50
    assert value("teachers_diagnosed_subject_share", school=school) == 10
    assert value("teachers_diagnosed_psychological_share", school=school) == 0
    assert value("teachers_diagnosed_share", municipality=sayan["south"]) == 0


@pytest.mark.django_db
def test_1_2_4_support_events_internships_sites_and_landings(sayan: dict[str, Any]) -> None:
    north = sayan["north"]
    a, b = sayan["schools"]["a"], sayan["schools"]["b"]
    teachers = sayan["teachers"]
    assert value("schools_in_events_share", municipality=north) == 0
    event(sayan, EventKind.SEMINAR, teachers["a"][:4])
    event(sayan, EventKind.INTERNSHIP, teachers["b"][:2])
    # ШНОР only (school a): 4 of its 10 teachers took part in an event
    assert value("teachers_supported_share", municipality=north) == 40
    # every school: 6 of 20 teachers of the north
    assert value("teachers_in_events_share", municipality=north) == 30
    assert value("teachers_in_events_share", school=b) == 20
    assert value("teachers_internship_share", school=b) == 20
    assert value("schools_in_events_share", municipality=north) == 100
    # десанты: a curator's landing held at a counts, a planned one at b does not
    Visit.objects.create(
        school=a, kind=VisitKind.LANDING, date=date(YEAR, 4, 1), topic="Т", held=True
    )
    Visit.objects.create(school=b, kind=VisitKind.LANDING, date=date(YEAR, 5, 1), topic="Т")
    assert value("landing_share", municipality=north) == 50
    event(sayan, EventKind.FIELD_DAY, [], schools=(b,))
    assert value("landing_share", municipality=north) == 100
    assert value("internship_sites_count", municipality=north) == 0
    document(sayan, DocumentPurpose.INTERNSHIP_SITES, sites=(a, b))
    assert value("internship_sites_count", municipality=north) == 2
    assert value("internship_sites_count") == 2
    document(sayan, DocumentPurpose.PROGRAMME_REPORT, level=DocumentLevel.SCHOOL, school=a)
    assert value("programme_report_present", school=a) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "purpose"),
    [
        ("failure_prevention_share", DocumentPurpose.FAILURE_PREVENTION),
        ("individual_plans_share", DocumentPurpose.INDIVIDUAL_PLANS),
        ("tutoring_share", DocumentPurpose.TUTORING),
    ],
)
def test_1_2_5_school_shares_count_school_documents(
    sayan: dict[str, Any], code: str, purpose: str
) -> None:
    assert value(code, municipality=sayan["north"]) == 0
    document(sayan, purpose, level=DocumentLevel.SCHOOL, school=sayan["schools"]["a"])
    assert value(code, municipality=sayan["north"]) == 50
    assert value(code) == pytest.approx(100 / 3)


@pytest.mark.django_db
def test_1_2_5_practices_and_1_2_6_resource_monitoring(sayan: dict[str, Any]) -> None:
    north, c = sayan["north"], sayan["schools"]["c"]
    for code, purpose in (
        ("practices_system_present", DocumentPurpose.PRACTICES),
        ("resource_monitoring_present", DocumentPurpose.RESOURCE_MONITORING),
    ):
        assert value(code, municipality=north) == 0
        document(sayan, purpose)
        assert value(code, municipality=north) == 1
        document(sayan, purpose, level=DocumentLevel.SCHOOL, school=c)
        assert value(code, school=c) == 1
        assert value(code, municipality=sayan["south"]) == 0
