"""Indicators over the bank of students with difficulties (seed 000 1.2.5 and the related
targets): golden values per school, municipality and region on hand-made data; a value over
fewer than 5 students hidden with its counts on the dashboard, the school card, the monitoring
round and the effectiveness document; the 1.2.5 shares of schools read from the system."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from shnor.core.system import SystemUser
from shnor.indicators.actions import do_create_round
from shnor.indicators.engine import compute, current_values
from shnor.indicators.measures import measure_frame
from shnor.indicators.models import IndicatorValue
from shnor.registry.models import School, SchoolContext
from shnor.reports.builders import effectiveness_report
from shnor.students.actions import (
    do_add_route_step,
    do_build_student_route,
    do_confirm_student_difficulty,
)
from shnor.students.choices import DifficultyReason, Executor
from shnor.students.difficulty_counts import HIDDEN
from shnor.support.actions import do_create_programme
from shnor.support.choices import ProgrammeKind
from shnor.support.library import prevention_library
from shnor.support.programmes import measure_from_library
from tests.conftest import add_results
from tests.taskresults_data import kind_of, make_catalogue, make_papers, subject_of

YEAR = 2025
TASKS = [("1", 1, "1.1", "Сравнивать натуральные числа"), ("2", 2, "2.1", "Сравнивать дроби")]


def bank(
    school: School, prefix: str, assessed: int, failed: int, routed: int, overcome: int
) -> None:
    """`assessed` students write ВПР mathematics 5 in YEAR, the first `failed` get «2» and go
    into the bank, the first `routed` of them get a route (a tutor's step), and in grade 6 next
    year the first `overcome` of them get «3»."""
    codes = [f"{prefix}-{n:02d}" for n in range(assessed)]
    make_papers(
        school,
        YEAR,
        "ВПР",
        "Математика",
        5,
        [
            (c, [0, 0] if n < failed else [1, 2], 2 if n < failed else 4)
            for n, c in enumerate(codes)
        ],
    )
    make_papers(
        school,
        YEAR + 1,
        "ВПР",
        "Математика",
        6,
        [(c, [1, 1], 3 if n < overcome else 2) for n, c in enumerate(codes[:failed])],
    )
    system = SystemUser()
    for n, code in enumerate(codes[:failed]):
        difficulty = do_confirm_student_difficulty(
            school,
            code,
            year=YEAR,
            reason=DifficultyReason.VPR_FAIL,
            subject=subject_of("Математика"),
            kind=kind_of("ВПР"),
            source_year=YEAR,
            grade=5,
            acting_user=system,
        )
        if n < routed:
            route = do_build_student_route(difficulty, acting_user=system)
            do_add_route_step(
                route,
                title="Занятия с тьютором по дробям",
                executor=Executor.TUTOR,
                deadline=date(YEAR, 12, 20),
                acting_user=system,
            )


@pytest.fixture
def students(world: dict[str, Any]) -> dict[str, Any]:
    """North: school a (20 assessed, 8 in the bank, 6 with a route, 5 overcame) and school b
    (10, 3, 2, 1: a small group); south: school c with 4 assessed and an empty bank."""
    make_catalogue(YEAR, "ВПР", "Математика", 5, TASKS)
    make_catalogue(YEAR + 1, "ВПР", "Математика", 6, TASKS)
    schools = world["schools"]
    bank(schools["a"], "A", 20, 8, 6, 5)
    bank(schools["b"], "B", 10, 3, 2, 1)
    bank(schools["c"], "C", 4, 0, 0, 0)
    return world


def values_of(world: dict[str, Any]) -> dict[tuple[str, Any, Any], Any]:
    frame = compute(world["region"].pk, [YEAR]).filter(
        pl.col("indicator").str.contains("^students_|_share$")
    )
    return {
        (r["indicator"], r["municipality_id"], r["school_id"]): (
            r["value"],
            r["numerator"],
            r["denominator"],
        )
        for r in frame.iter_rows(named=True)
    }


def test_the_student_indicators_have_golden_values(students: dict[str, Any]) -> None:
    values = values_of(students)
    a, north = students["schools"]["a"], students["north"].pk
    # school a: 8 of 20 assessed in the bank; 6 of the 8 with a route; 5 of 8 judged overcame
    assert values[("students_difficulty_share", north, a.pk)] == (40.0, 8.0, 20.0)
    assert values[("students_routed_share", north, a.pk)] == (75.0, 6.0, 8.0)
    assert values[("students_overcome_share", north, a.pk)] == (62.5, 5.0, 8.0)
    # north adds up both schools: 11 of 30, 8 of 11 routed, 6 of 11 overcame
    assert values[("students_difficulty_share", north, None)][0] == pytest.approx(1100 / 30)
    assert values[("students_routed_share", north, None)][0] == pytest.approx(800 / 11)
    assert values[("students_overcome_share", north, None)][0] == pytest.approx(600 / 11)
    # the region: 11 of 34 assessed
    assert values[("students_difficulty_share", None, None)][0] == pytest.approx(1100 / 34)


def test_a_group_of_fewer_than_5_is_hidden_with_its_counts(students: dict[str, Any]) -> None:
    values = values_of(students)
    b, c = students["schools"]["b"], students["schools"]["c"]
    north, south = students["north"].pk, students["south"].pk
    hidden = (None, None, None)
    # school b: 3 in the bank (the share's numerator, the other shares' denominator)
    for code in ("students_difficulty_share", "students_routed_share", "students_overcome_share"):
        assert values[(code, north, b.pk)] == hidden
    # school c and its municipality: 4 assessed, none in the bank (a zero is not a group, the
    # denominator of four is)
    assert values[("students_difficulty_share", south, c.pk)] == hidden
    assert values[("students_difficulty_share", south, None)] == hidden
    # an indicator without small groups keeps its counts
    assert values[("gia_below_min_share", south, None)] != hidden


def test_the_pages_and_the_document_show_the_word(students: dict[str, Any], client: Client) -> None:
    region, south, c = students["region"], students["south"], students["schools"]["c"]
    client.force_login(students["users"]["region"])
    # the dashboards run over the years of the loaded results
    add_results(c, [(YEAR, "ВПР", "Математика", 5, 4, None)])
    page = client.get(reverse("indicators:municipality", args=[south.pk]), {"year": YEAR})
    assert page.status_code == 200
    row = page.content.decode().split("Доля слабоуспевающих и неуспевающих")[1].split("</tr>")[0]
    # the year's value hidden, the region's beside it shown (11 of 34)
    assert f'<b><span class="muted">{HIDDEN}</span>' in row and "32,4%" in row
    # the school card shows the indicators of the latest year of context data
    SchoolContext.objects.create(school=c, year=YEAR, students=40, teachers=6)
    card = client.get(reverse("school", args=[c.pk])).content.decode()
    assert HIDDEN in card.split("Доля слабоуспевающих и неуспевающих")[1].split("</tr>")[0]
    report = effectiveness_report(students["users"]["region"], region, south, YEAR)
    row_of = next(
        r
        for s in report.sections
        if s.table
        for r in s.table.rows
        if r[0].startswith("Доля слабоуспевающих")
    )
    assert row_of[2] == HIDDEN and row_of[4] == "—"
    chosen = do_create_round(region, YEAR, 9, acting_user=SystemUser())
    stored = IndicatorValue.objects.get(
        round=chosen, indicator="students_difficulty_share", municipality=south, school=None
    )
    assert (stored.value, stored.numerator, stored.denominator) == (None, None, None)
    round_page = client.get(
        reverse("indicators:round", args=[chosen.pk]), {"municipality": south.pk}
    )
    assert HIDDEN in round_page.content.decode()


def test_the_1_2_5_shares_of_schools_read_the_system(students: dict[str, Any]) -> None:
    a, north = students["schools"]["a"], students["north"]
    values = values_of(students)
    # a and b (north) keep students' routes with a tutor's steps, from which they count
    assert values[("individual_plans_share", north.pk, None)][0] == 100.0
    assert values[("tutoring_share", north.pk, None)][0] == 100.0
    assert values[("failure_prevention_share", north.pk, None)][0] == 0.0
    do_create_programme(
        kind=ProgrammeKind.PREVENTION,
        title="Программа профилактики учебной неуспешности",
        municipality=north,
        school=a,
        year_from=YEAR,
        year_to=YEAR + 1,
        measures=[measure_from_library(m, date(YEAR, 9, 1)) for m in prevention_library().values()],
        source="типовые мероприятия профилактики",
        acting_user=SystemUser(),
    )
    values = values_of(students)
    assert values[("failure_prevention_share", north.pk, None)][0] == 50.0
    # a programme of prevention is not a programme of quality (ШППКО)
    own = measure_frame(students["region"].pk, [YEAR], "federal").filter(
        pl.col("school_id") == a.pk
    )
    assert own.select("school_prevention", "with_programme").row(0) == (1.0, 0.0)
    # the stored values follow the new programme
    stored = current_values(students["region"].pk, [YEAR]).filter(
        (pl.col("indicator") == "failure_prevention_share")
        & (pl.col("municipality_id") == north.pk)
        & pl.col("school_id").is_null()
    )
    assert stored["value"].to_list() == [50.0]
