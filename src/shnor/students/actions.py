"""Writes of the students app: students by code, the school's decisions on the bank, students'
routes. Each is one transaction with its journal row; the journal names students by code only."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from shnor.assessments.models import ProcedureKind, Subject
from shnor.core.audit import record_audit, snapshot
from shnor.registry.models import School
from shnor.staff.models import Teacher
from shnor.students.choices import DifficultyReason, DifficultyStatus, Executor
from shnor.students.models import Difficulty, LearningRoute, RouteNote, RouteStep, Student


def student_for(school: School, code: str, *, year: int, grade: int) -> Student:
    """The student with this code in the school's region, made from a paper when the school
    has not loaded its list yet; a code of another school's student is refused."""
    student = Student.objects.filter(region_id=school.municipality.region_id, code=code).first()
    if student is None:
        student = Student(school=school, code=code, year=year, grade=grade)
        student.save()
    elif student.school_id != school.pk:
        raise ValueError(f"обучающийся с кодом {code} числится в другой школе")
    return student


@transaction.atomic
def do_decide_student_difficulty(
    school: School,
    code: str,
    *,
    year: int,
    reason: str,
    status: str,
    subject: Subject | None = None,
    kind: ProcedureKind | None = None,
    source_year: int | None = None,
    grade: int = 0,
    detail: str = "",
    note: str = "",
    acting_user: Any,
    on: date | None = None,
) -> Difficulty:
    """The school's decision on a suggestion (or a referral): the student in the bank of the
    school year, or the suggestion dismissed. Deciding again changes the decision."""
    if status not in (DifficultyStatus.CONFIRMED, DifficultyStatus.DISMISSED):
        raise ValueError(f"решение «{status}» не предусмотрено")
    if reason not in DifficultyReason.values:
        raise ValueError(f"основание «{reason}» не предусмотрено")
    student = student_for(school, code, year=(source_year or year + 1) - 1, grade=grade)
    difficulty = Difficulty.objects.filter(
        student=student, year=year, subject=subject, reason=reason
    ).first()
    before = snapshot(difficulty) if difficulty else {}
    if difficulty is None:
        difficulty = Difficulty(student=student, year=year, subject=subject, reason=reason)
    difficulty.kind = kind
    difficulty.source_year = source_year
    difficulty.detail = detail[:300]
    difficulty.status = status
    difficulty.note = note.strip()[:300]
    difficulty.decided_on = on or date.today()
    difficulty.save()
    action = (
        "students.difficulty_confirmed"
        if status == DifficultyStatus.CONFIRMED
        else "students.difficulty_dismissed"
    )
    record_audit(
        action, actor=acting_user, target=difficulty, summary=str(difficulty), before=before
    )
    return difficulty


def do_confirm_student_difficulty(school: School, code: str, **fields: Any) -> Difficulty:
    return do_decide_student_difficulty(school, code, status=DifficultyStatus.CONFIRMED, **fields)


def do_dismiss_student_difficulty(school: School, code: str, **fields: Any) -> Difficulty:
    return do_decide_student_difficulty(school, code, status=DifficultyStatus.DISMISSED, **fields)


@transaction.atomic
def do_build_student_route(difficulty: Difficulty, *, acting_user: Any) -> LearningRoute:
    """The route for a difficulty of the bank (one per difficulty)."""
    if difficulty.status != DifficultyStatus.CONFIRMED:
        raise ValueError("ИОМ составляют только для обучающегося, включённого в банк")
    route, created = LearningRoute.objects.get_or_create(difficulty=difficulty)
    if created:
        record_audit(
            "students.route_built", actor=acting_user, target=route, summary=str(difficulty)
        )
    return route


@transaction.atomic
def do_add_route_step(
    route: LearningRoute,
    *,
    title: str,
    executor: str,
    deadline: date,
    teacher: Teacher | None = None,
    task: str = "",
    skill_code: str = "",
    skill: str = "",
    acting_user: Any,
) -> RouteStep:
    """A step of the route; a named teacher must be of the student's school."""
    school_id = route.difficulty.student.school_id
    if teacher is not None and teacher.school_id != school_id:
        raise ValueError("ответственный педагог должен работать в школе обучающегося")
    if executor not in Executor.values:
        raise ValueError(f"исполнитель «{executor}» не предусмотрен")
    step = RouteStep(
        route=route,
        title=title.strip(),
        executor=executor,
        teacher=teacher,
        deadline=deadline,
        task=task,
        skill_code=skill_code,
        skill=skill,
    )
    step.full_clean()
    step.save()
    record_audit("students.step_added", actor=acting_user, target=step, summary=step.title)
    return step


@transaction.atomic
def do_complete_route_step(
    step: RouteStep, *, acting_user: Any, on: date | None = None
) -> RouteStep:
    before = snapshot(step)
    step.done_on = on or date.today()
    step.save(update_fields=["done_on", "updated"])
    record_audit(
        "students.step_completed", actor=acting_user, target=step, summary=step.title, before=before
    )
    return step


@transaction.atomic
def do_add_route_note(
    route: LearningRoute, text: str, *, acting_user: Any, on: date | None = None
) -> RouteNote:
    note = RouteNote(route=route, text=text.strip(), written_on=on or date.today())
    note.full_clean()
    note.save()
    record_audit(
        "students.note_added", actor=acting_user, target=note, summary=str(route.difficulty)
    )
    return note
