"""The bank of students with difficulties: suggestions from the criteria (golden), the
school's decisions, routes and their outcome in the next procedure, the import of students by
code, and small groups hidden in every aggregate."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from shnor.assessments.models import MinimumThreshold
from shnor.core.importing import importer_for
from shnor.core.models import AuditEvent
from shnor.core.system import SystemUser
from shnor.registry.models import School
from shnor.students.actions import (
    do_add_route_step,
    do_build_student_route,
    do_confirm_student_difficulty,
    do_dismiss_student_difficulty,
)
from shnor.students.bank import pending, suggestions
from shnor.students.choices import DifficultyReason, DifficultyStatus, Executor, Overcome
from shnor.students.difficulty_counts import HIDDEN, picture, shown, shown_share
from shnor.students.models import Difficulty, Student, name_for
from shnor.students.outcomes import outcome, statuses
from shnor.students.weak_tasks import weak_tasks
from shnor.support.choices import ProgrammeKind
from shnor.support.library import prevention_library
from shnor.support.models import Programme
from tests.tables import write_table
from tests.taskresults_data import kind_of, make_catalogue, make_papers, subject_of

YEAR = 2025
MATH5 = [
    ("1", 1, "1.1", "Сравнивать натуральные числа"),
    ("2", 2, "2.1", "Сравнивать обыкновенные дроби"),
    ("3", 2, "5.1", "Решать текстовые задачи"),
]
MATH6 = [
    ("1", 2, "2.1", "Сравнивать обыкновенные дроби"),
    ("2", 2, "5.1", "Решать текстовые задачи"),
    ("3", 1, "6.1", "Находить проценты"),
]


@pytest.fixture
def results(world: dict[str, Any]) -> dict[str, Any]:
    """School a: ВПР mathematics 5 of YEAR, ОГЭ and ЕГЭ papers, a flagged student."""
    school = world["schools"]["a"]
    make_catalogue(YEAR, "ВПР", "Математика", 5, MATH5)
    make_papers(
        school,
        YEAR,
        "ВПР",
        "Математика",
        5,
        [
            ("A-1", [1, 0, 0], 2, 3),  # «2»: suggested; weak tasks 2 and 3
            ("A-2", [1, 1, 1], 3, 2),  # journal «2»: suggested by term marks
            ("A-3", [1, 2, 2], 5, 5),  # nothing
            ("A-4", [0, 0, 1], 2, 2),  # «2» and journal «2»: two reasons
        ],
    )
    make_papers(school, YEAR, "ОГЭ", "Русский язык", 9, [("A-9", [], 2, 3)])
    make_papers(school, YEAR, "ЕГЭ", "Русский язык", 11, [("A-11", [20]), ("A-12", [40])])
    MinimumThreshold.objects.update_or_create(
        kind=kind_of("ЕГЭ"),
        subject=subject_of("Русский язык"),
        year=YEAR,
        defaults={"min_score": 24},
    )
    Student(school=school, code="A-7", year=YEAR, grade=7, disability=True).save()
    # another school's «2» stays out of school a's bank
    make_papers(world["schools"]["b"], YEAR, "ВПР", "Математика", 5, [("B-1", [0, 0, 0], 2, 2)])
    return world


def found(frame: Any) -> set[tuple[Any, ...]]:
    return {(r["student"], r["reason"]) for r in frame.to_dicts()}


def test_it_suggests_students_by_the_criteria(results: dict[str, Any]) -> None:
    school = results["schools"]["a"]
    assert found(suggestions(YEAR, [school.pk])) == {
        ("A-1", DifficultyReason.VPR_FAIL),
        ("A-2", DifficultyReason.TERM_MARKS),
        ("A-4", DifficultyReason.VPR_FAIL),
        ("A-4", DifficultyReason.TERM_MARKS),
        ("A-9", DifficultyReason.GIA_FAIL),
        ("A-11", DifficultyReason.BELOW_MINIMUM),
        ("A-7", DifficultyReason.DISABILITY),
    }
    # the papers of another year suggest nothing for this one
    assert found(suggestions(YEAR + 1, [school.pk])) == {("A-7", DifficultyReason.DISABILITY)}


def test_the_school_confirms_and_dismisses(results: dict[str, Any]) -> None:
    school, user = results["schools"]["a"], results["users"]["school"]
    math = subject_of("Математика")
    confirmed = do_confirm_student_difficulty(
        school,
        "A-1",
        year=YEAR,
        reason=DifficultyReason.VPR_FAIL,
        subject=math,
        kind=kind_of("ВПР"),
        source_year=YEAR,
        grade=5,
        acting_user=user,
    )
    do_dismiss_student_difficulty(
        school,
        "A-2",
        year=YEAR,
        reason=DifficultyReason.TERM_MARKS,
        subject=math,
        grade=5,
        note="исправлена в четверти",
        acting_user=user,
    )
    left = found(pending(YEAR, [school.pk]))
    assert ("A-1", DifficultyReason.VPR_FAIL) not in left
    assert ("A-2", DifficultyReason.TERM_MARKS) not in left
    assert ("A-4", DifficultyReason.VPR_FAIL) in left
    # a student made from the paper: the school year and grade of the paper
    assert (confirmed.student.grade, confirmed.student.year) == (5, YEAR - 1)
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "students.difficulty_confirmed",
        "students.difficulty_dismissed",
    }
    # deciding again changes the decision, not a second row
    do_dismiss_student_difficulty(
        school, "A-1", year=YEAR, reason=DifficultyReason.VPR_FAIL, subject=math, acting_user=user
    )
    assert Difficulty.objects.get(student__code="A-1").status == DifficultyStatus.DISMISSED
    # a code of another school's student is not the school's to decide on
    Student(school=results["schools"]["b"], code="B-1", year=YEAR, grade=5).save()
    with pytest.raises(ValueError):
        do_confirm_student_difficulty(
            school, "B-1", year=YEAR, reason=DifficultyReason.REFERRAL, acting_user=user
        )


def route_for(results: dict[str, Any], code: str, tasks: list[str]) -> Difficulty:
    school, user = results["schools"]["a"], results["users"]["school"]
    difficulty = do_confirm_student_difficulty(
        school,
        code,
        year=YEAR,
        reason=DifficultyReason.VPR_FAIL,
        subject=subject_of("Математика"),
        kind=kind_of("ВПР"),
        source_year=YEAR,
        grade=5,
        acting_user=user,
    )
    route = do_build_student_route(difficulty, acting_user=user)
    weak = {t["task"]: t for t in weak_tasks(code, school.pk, YEAR, "ВПР", difficulty.subject_id)}
    for task in tasks:
        do_add_route_step(
            route,
            title="Занятия по дробям",
            executor=Executor.TUTOR,
            deadline=date(YEAR, 12, 20),
            task=task,
            skill_code=weak[task]["skill_code"],
            skill=weak[task]["skill"],
            acting_user=user,
        )
    return Difficulty.objects.get(pk=difficulty.pk)


def test_the_next_procedure_tells_the_outcome(results: dict[str, Any]) -> None:
    school = results["schools"]["a"]
    assert [
        t["task"] for t in weak_tasks("A-1", school.pk, YEAR, "ВПР", subject_of("Математика").pk)
    ] == ["2", "3"]
    first = route_for(results, "A-1", ["2"])
    second = route_for(results, "A-4", ["2"])
    assert outcome(first).status == Overcome.WAITING
    make_catalogue(YEAR + 1, "ВПР", "Математика", 6, MATH6)
    make_papers(
        school,
        YEAR + 1,
        "ВПР",
        "Математика",
        6,
        [("A-1", [2, 1, 0], 3, 3), ("A-4", [1, 0, 0], 2, 2)],
    )
    overcome = outcome(first)
    assert overcome.status == Overcome.OVERCOME
    assert overcome.next_paper and overcome.next_paper["grade"] == 6
    assert [(s.skill, s.before, s.after) for s in overcome.skills] == [
        ("Сравнивать обыкновенные дроби", 0.0, 1.0)
    ]
    # still «2», but the addressed skill rose from 0 to a half: better, not overcome
    assert outcome(second).status == Overcome.PARTLY
    assert statuses([first, second]) == {
        first.pk: Overcome.OVERCOME,
        second.pk: Overcome.NOT_OVERCOME,
    }


def test_small_groups_are_hidden() -> None:
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]
    assert shown_share(4, 100) is None and shown_share(5, 4) is None
    assert shown_share(5, 20) == 25
    assert HIDDEN == "менее 5"


def test_the_picture_hides_a_school_of_four(results: dict[str, Any]) -> None:
    school, user = results["schools"]["a"], results["users"]["school"]
    for code in ("A-1", "A-4", "A-9", "A-11"):
        do_confirm_student_difficulty(
            school, code, year=YEAR, reason=DifficultyReason.REFERRAL, acting_user=user
        )
    tables = picture(School.objects.all(), YEAR)
    assert tables["total"] is None
    assert [(g.students, g.share) for g in tables["schools"]] == [(None, None)]
    do_confirm_student_difficulty(
        school, "A-2", year=YEAR, reason=DifficultyReason.REFERRAL, acting_user=user
    )
    tables = picture(School.objects.all(), YEAR)
    row = tables["schools"][0]
    # 5 of the 7 students with papers of the year at school a
    assert (tables["total"], row.students, row.assessed) == (5, 5, 7)
    assert row.share == pytest.approx(500 / 7)


STUDENT_HEADERS = [
    "Код ОО",
    "Код обучающегося",
    "Учебный год",
    "Класс",
    "Буква класса",
    "ФИО",
    "ОВЗ",
]


def test_students_load_by_code_with_names_from_the_school_only(
    world: dict[str, Any], tmp_path: Path
) -> None:
    rows = [
        STUDENT_HEADERS,
        ["100", "A-1", 2026, 6, "б", "Ёлкина Мария", "нет"],
        ["100", "A-2", 2026, 6, "а", "", "да"],
    ]
    school_user = world["users"]["school"]
    report = importer_for("students", school_user).run(write_table(tmp_path / "s.xlsx", rows))
    assert report.ok, report.problems
    student = Student.objects.get(code="A-1")
    assert (student.letter, student.region_id, student.name) == (
        "Б",
        world["region"].pk,
        "Ёлкина Мария",
    )
    assert Student.objects.get(code="A-2").disability
    assert name_for(student, school_user) == "Ёлкина Мария"
    for role in ("municipality", "curator", "region", "observer"):
        assert name_for(student, world["users"][role]) == ""
    # the municipality may not load the school's list at all
    with pytest.raises(PermissionDenied):
        importer_for("students", world["users"]["municipality"])
    # the console takes names only when it acts for the school's account
    console = importer_for("students", SystemUser()).run(write_table(tmp_path / "c.xlsx", rows))
    assert any("ФИО" in str(p) for p in console.problems)
    assert (
        importer_for("students", SystemUser(person=school_user))
        .run(write_table(tmp_path / "c2.xlsx", rows))
        .ok
    )
    # another school's account cannot take over the code
    rows_b = [STUDENT_HEADERS[:5], ["200", "A-1", 2026, 6, "а"]]
    report = importer_for("students", SystemUser()).run(write_table(tmp_path / "b.xlsx", rows_b))
    assert any("другой школы" in str(p) for p in report.problems)
    # a list without names keeps the names
    report = importer_for("students", school_user).run(
        write_table(tmp_path / "n.xlsx", [STUDENT_HEADERS[:5], ["100", "A-1", 2026, 7, "б"]])
    )
    assert report.ok and Student.objects.get(code="A-1").name == "Ёлкина Мария"


def test_a_school_builds_a_programme_of_prevention_from_the_library(
    world: dict[str, Any], client: Any
) -> None:
    school = world["schools"]["a"]
    client.force_login(world["users"]["school"])
    url = reverse("support:builder")
    query = f"?school={school.pk}&kind={ProgrammeKind.PREVENTION}"
    page = client.get(url + query).content.decode()
    typical = prevention_library()
    assert all(m.text in page for m in typical.values())
    # tutors and the ППМС centre's specialists are named among the executors
    assert "Тьюторы" in page and "Центра ППМС" in page
    assert client.get(url, {"school": school.pk, "kind": "nonsense"}).status_code == 400
    response = client.post(url + query, {"pick": list(typical), "kind": ProgrammeKind.PREVENTION})
    programme = Programme.objects.get(school=school)
    assert response.status_code == 302
    assert (programme.kind, programme.measures.count()) == (ProgrammeKind.PREVENTION, len(typical))
    assert programme.get_kind_display() == "Программа профилактики учебной неуспешности"
