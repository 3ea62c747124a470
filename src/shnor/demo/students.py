"""The bank of students with difficulties in the demo region's «Таёжный район»: the schools'
decisions on the suggestions of the last year but one (most «2» confirmed, some dismissed),
routes for the confirmed ВПР «2» of grade 5 addressing their weak tasks, and the next
procedure for that class — ВПР of grade 6 in the last year — in which most students with a
route overcome the difficulty. In the last year the schools have decided on about half of the
suggestions (the demo school none: they wait for it); the rest wait for them. The demo
school's students carry fictional names.

Codes are those of the papers planted by demo/tasklevel.py: a code stays with its student, so
the grade-6 paper of the last year carries the code of the grade-5 paper before it.

Two schools keep a programme of prevention of learning failure from the library's typical
measures (the demo school's approved, the next one's a draft)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from shnor.accounts.models import User
from shnor.assessments.models import ProcedureKind, Subject
from shnor.core.bulk import analyze, insert_rows
from shnor.core.calendar import months_after
from shnor.demo.generator import SMALL_MUNICIPALITY, YEARS
from shnor.demo.tasklevel import BOUNDARIES, CATALOGUES, DIFFICULTY, catalogue_tasks
from shnor.registry.models import School
from shnor.staff.models import Teacher
from shnor.students.actions import (
    do_add_route_note,
    do_add_route_step,
    do_build_student_route,
    do_complete_route_step,
    do_confirm_student_difficulty,
    do_dismiss_student_difficulty,
)
from shnor.students.bank import describe, pending, subject_names
from shnor.students.choices import DifficultyReason, Executor
from shnor.students.models import Student
from shnor.students.weak_tasks import weak_tasks
from shnor.support.actions import do_approve_programme, do_create_programme
from shnor.support.choices import ProgrammeKind
from shnor.support.library import prevention_library
from shnor.support.programmes import measure_from_library
from shnor.taskresults.frames import papers_frame
from shnor.taskresults.models import SCORE_SEPARATOR, Paper, Task
from shnor.taskresults.paper_import import PAPER_FIELDS

# Fictional names for the demo school's own view (never shown to another role).
FIRST_NAMES = ["Алексей", "Мария", "Иван", "Дарья", "Никита", "Полина", "Егор", "Софья"]
LAST_NAMES = ["Ветров", "Орлова", "Соснин", "Кедрова", "Берёзкин", "Полякова", "Тайгин"]
# What the route plans per addressed weak task, by whom, months after the bank is formed.
STEPS = [
    ("Индивидуальные занятия по западающему умению", Executor.TEACHER, 2),
    ("Занятия с тьютором: отработка умения на практических заданиях", Executor.TUTOR, 4),
]
# Logit gains from one year to the next: every student, and on top of it a student with a
# route (overall and on the addressed tasks).
GROWTH, ROUTE_GROWTH, TASK_GROWTH = 0.2, 0.5, 1.2


def decide_year(
    system: Any, school: School, year: int, rng: np.random.Generator, share: float
) -> list[Any]:
    """Decide on `share` of the school's suggestions: «2» mostly confirmed, the rest by
    chance; returns the confirmed ВПР «2» of grade 5 (the ones given a route)."""
    subjects = subject_names()
    kinds = {k.code: k for k in ProcedureKind.objects.all()}
    by_pk = {s.pk: s for s in Subject.objects.all()}
    routed = []
    for row in pending(year, [school.pk]).to_dicts():
        if rng.random() > share:
            continue
        confirm = row["reason"] != DifficultyReason.TERM_MARKS or rng.random() < 0.5
        act = do_confirm_student_difficulty if confirm else do_dismiss_student_difficulty
        difficulty = act(
            school,
            row["student"],
            year=year,
            reason=row["reason"],
            subject=by_pk.get(row["subject_id"]),
            kind=kinds.get(row["kind"] or ""),
            source_year=row["source_year"],
            grade=row["grade"] or 1,
            detail=describe(row, subjects),
            note="" if confirm else "отметка исправлена по итогам четверти",
            acting_user=system,
            on=date(year, 9, 20),
        )
        if confirm and row["reason"] == DifficultyReason.VPR_FAIL and row["grade"] == 5:
            routed.append(difficulty)
    return routed


def build_routes(system: Any, routed: list[Any], today: date) -> dict[tuple[str, int], set[str]]:
    """Routes with a step per weak task (two at most), done where their date has passed;
    returns the addressed tasks per student code and subject."""
    addressed: dict[tuple[str, int], set[str]] = {}
    for difficulty in routed:
        student = difficulty.student
        teacher = Teacher.objects.filter(school_id=student.school_id).first()
        route = do_build_student_route(difficulty, acting_user=system)
        weak = weak_tasks(
            student.code,
            student.school_id,
            difficulty.source_year,
            "ВПР",
            difficulty.subject_id,
        )[:2]
        start = date(difficulty.year, 10, 1)
        for (title, executor, months), task in zip(STEPS, weak, strict=False):
            step = do_add_route_step(
                route,
                title=title,
                executor=executor,
                teacher=teacher if executor == Executor.TEACHER else None,
                deadline=start + timedelta(days=30 * months),
                task=task["task"],
                skill_code=task["skill_code"] or "",
                skill=task["skill"] or "",
                acting_user=system,
            )
            if step.deadline < today:
                do_complete_route_step(step, acting_user=system, on=step.deadline)
        do_add_route_note(
            route,
            "Посещает занятия, выполняет домашние задания по западающим темам",
            acting_user=system,
            on=start + timedelta(days=60),
        )
        addressed[(student.code, difficulty.subject_id)] = {t["task"] for t in weak}
    return addressed


def next_procedure(
    schools: list[School], addressed: dict[tuple[str, int], set[str]], rng: np.random.Generator
) -> int:
    """ВПР of grade 6 in the last year for the grade-5 class of the year before (the same
    tasks and skills as the grade-5 catalogue, so the skills can be compared)."""
    kind = ProcedureKind.objects.get(code="ВПР")
    before, year = YEARS[-2], YEARS[-1]
    previous = papers_frame(years=[before], kind="ВПР", grade=5, school_ids=[s.pk for s in schools])
    subjects = {s.name: s for s in Subject.objects.filter(name__in=["Математика", "Русский язык"])}
    tasks, rows = [], []
    for (subject_name, grade), catalogue in CATALOGUES.items():
        if grade != 5:
            continue
        subject = subjects[subject_name]
        tasks += catalogue_tasks(catalogue, year, kind, subject, 6)
        tops = np.array([t[1] for t in catalogue])
        difficulty = np.array([DIFFICULTY[t[4]] for t in catalogue])
        labels = [t[0] for t in catalogue]
        edges = np.ceil(np.array(BOUNDARIES) * tops.sum())
        for paper in previous.filter(pl.col("subject_id") == subject.pk).to_dicts():
            share = min(max(paper["total"] / tops.sum(), 0.05), 0.95)
            ability = np.log(share / (1 - share)) + GROWTH
            gain = np.zeros(len(catalogue))
            task_set = addressed.get((paper["student"], subject.pk))
            if task_set is not None:
                ability += ROUTE_GROWTH
                gain[[labels.index(t) for t in task_set if t in labels]] = TASK_GROWTH
            chance = 1 / (1 + np.exp(-(ability + gain - difficulty)))
            scores = rng.binomial(tops, chance)
            mark = int(2 + np.searchsorted(edges, scores.sum(), side="right"))
            rows.append(
                (
                    paper["school_id"],
                    year,
                    kind.pk,
                    subject.pk,
                    6,
                    paper["student"],
                    paper["variant"] or "1",
                    float(scores.sum()),
                    mark,
                    int(np.clip(mark + rng.choice([-1, 0, 0, 1]), 2, 5)),
                    SCORE_SEPARATOR.join(map(str, scores)),
                )
            )
    Task.objects.bulk_create(tasks)
    insert_rows(
        Paper,
        PAPER_FIELDS,
        rows,
    )
    analyze(Paper, Task)
    return len(rows)


def name_students(school: School, rng: np.random.Generator) -> int:
    """Fictional names for the demo school's students in the bank, for its own view."""
    students = list(Student.objects.filter(school=school))
    for student in students:
        first = FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]
        last = LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]
        if first[-1] == "я" or first[-1] == "а":
            last += "а" if not last.endswith("а") else ""
        student.name = f"{last} {first}"
    Student.objects.bulk_update(students, ["name"])
    return len(students)


def seed_prevention(schools: list[School], today: date) -> int:
    """Programmes of prevention of learning failure for the school year running, by the
    municipal coordinator: the first school's approved, the second's still a draft."""
    mun = User.objects.get(username="mun")
    start = months_after(today, -3)
    for n, school in enumerate(schools[:2]):
        programme = do_create_programme(
            kind=ProgrammeKind.PREVENTION,
            title=f"Программа профилактики учебной неуспешности: {school.short_name}",
            municipality=school.municipality,
            school=school,
            year_from=YEARS[-1],
            year_to=YEARS[-1] + 1,
            measures=[measure_from_library(m, start) for m in prevention_library().values()],
            source="типовые мероприятия профилактики",
            acting_user=mun,
        )
        if n == 0:
            do_approve_programme(programme, acting_user=mun, on=start + timedelta(days=14))
    return min(len(schools), 2)


def seed_students(system: Any, seed: int, today: date, demo_school: School) -> dict[str, int]:
    rng = np.random.default_rng(seed)
    schools = list(School.objects.filter(municipality__name=SMALL_MUNICIPALITY).order_by("code"))
    routed = []
    for school in schools:
        routed += decide_year(system, school, YEARS[-2], rng, share=1.0)
    addressed = build_routes(system, routed, today)
    papers = next_procedure(schools, addressed, rng)
    for school in schools:
        # the demo school's own suggestions of the running year wait for its decision
        decide_year(system, school, YEARS[-1], rng, share=0.0 if school == demo_school else 0.5)
    return {
        "обучающихся": Student.objects.count(),
        "ИОМ": len(routed),
        "работ следующей процедуры": papers,
        "с именами": name_students(demo_school, rng),
        "программ профилактики": seed_prevention(
            sorted(schools, key=lambda s: s != demo_school), today
        ),
    }
