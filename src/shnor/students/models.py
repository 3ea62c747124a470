"""Students by pseudonymous code, the bank of students with learning difficulties (the school's
decisions on what the criteria suggest) and the students' individual routes (ИОМ обучающегося).

A student's name is optional and belongs to the student's own school only: pages show it to
that school's accounts and to no one else, and no export or report carries it (students/privacy.py).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from shnor.accounts.choices import Role
from shnor.core.models import DomainModel
from shnor.core.scope import ScopePaths
from shnor.students.choices import (
    STORED_STATUSES,
    DifficultyReason,
    Executor,
)


class Student(DomainModel):
    """A student: a code unique within the region (the code of the task-level papers), the
    school, grade and class letter in a school year (its first calendar year)."""

    stamped = True

    # The region the code is unique in; always the school's region (set in clean/save).
    region = models.ForeignKey(
        "registry.Region", verbose_name="регион", on_delete=models.CASCADE, editable=False
    )
    school = models.ForeignKey(
        "registry.School", verbose_name="школа", on_delete=models.CASCADE, related_name="students"
    )
    code = models.CharField("код обучающегося", max_length=32)
    year = models.PositiveSmallIntegerField("учебный год")
    grade = models.PositiveSmallIntegerField("класс")
    letter = models.CharField("буква класса", max_length=4, blank=True)
    name = models.CharField("ФИО (видно только своей школе)", max_length=200, blank=True)
    disability = models.BooleanField("ОВЗ", default=False)

    scope_paths = ScopePaths.via_school("school", personal=True)

    class Meta:
        verbose_name = "обучающийся"
        verbose_name_plural = "обучающиеся"
        ordering = ["grade", "letter", "code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="student_code_unique")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def class_label(self) -> str:
        return f"{self.grade}{self.letter}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.region_id = self.school.municipality.region_id
        super().save(*args, **kwargs)


class Difficulty(DomainModel):
    """The school's decision on one reason for one student in a school year: in the bank or
    dismissed. Suggestions themselves are computed from the results (students/bank.py)."""

    stamped = True

    student = models.ForeignKey(
        Student, verbose_name="обучающийся", on_delete=models.CASCADE, related_name="difficulties"
    )
    year = models.PositiveSmallIntegerField("учебный год")
    subject = models.ForeignKey(
        "assessments.Subject",
        verbose_name="предмет",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    reason = models.CharField("основание", max_length=16, choices=DifficultyReason.choices)
    detail = models.CharField("подробности", max_length=300, blank=True)
    # The procedure and year of the paper that gave the reason: the next one tells the outcome.
    kind = models.ForeignKey(
        "assessments.ProcedureKind",
        verbose_name="процедура",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    source_year = models.PositiveSmallIntegerField("год процедуры", null=True, blank=True)
    status = models.CharField("решение школы", max_length=16, choices=STORED_STATUSES)
    decided_on = models.DateField("дата решения")
    note = models.CharField("комментарий школы", max_length=300, blank=True)

    scope_paths = ScopePaths.via_school("student__school", personal=True)

    # Words for the pages, set by students/views.py; not stored.
    shown_name: str
    outcome_label: str
    year_label: str
    result: Any
    weak: list[dict[str, Any]]

    class Meta:
        verbose_name = "затруднение обучающегося"
        verbose_name_plural = "банк обучающихся с затруднениями"
        ordering = ["year", "student__grade", "student__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "year", "subject", "reason"],
                condition=Q(subject__isnull=False),
                name="difficulty_unique_subject",
            ),
            models.UniqueConstraint(
                fields=["student", "year", "reason"],
                condition=Q(subject__isnull=True),
                name="difficulty_unique_general",
            ),
        ]

    def __str__(self) -> str:
        subject = f", {self.subject}" if self.subject_id else ""
        return f"{self.student}: {self.get_reason_display()}{subject}"


class LearningRoute(DomainModel):
    """A student's individual route (ИОМ обучающегося) addressing one difficulty of the bank."""

    stamped = True

    difficulty = models.OneToOneField(
        Difficulty, verbose_name="затруднение", on_delete=models.CASCADE, related_name="route"
    )

    scope_paths = ScopePaths.via_school("difficulty__student__school", personal=True)

    class Meta:
        verbose_name = "ИОМ обучающегося"
        verbose_name_plural = "ИОМ обучающихся"

    def __str__(self) -> str:
        return f"ИОМ {self.difficulty.student}"


class RouteStep(DomainModel):
    """A step of a student's route: what is done, by whom, for which weak skill, by when."""

    stamped = True

    route = models.ForeignKey(
        LearningRoute, verbose_name="ИОМ", on_delete=models.CASCADE, related_name="steps"
    )
    title = models.CharField("содержание", max_length=400)
    # The weak skill addressed: the task of the paper that showed it and its skill.
    task = models.CharField("задание", max_length=16, blank=True)
    skill_code = models.CharField("код умения", max_length=64, blank=True)
    skill = models.CharField("умение", max_length=1000, blank=True)
    executor = models.CharField("исполнитель", max_length=20, choices=Executor.choices)
    teacher = models.ForeignKey(
        "staff.Teacher",
        verbose_name="ответственный педагог",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    deadline = models.DateField("срок")
    done_on = models.DateField("выполнено", null=True, blank=True)

    scope_paths = ScopePaths.via_school("route__difficulty__student__school", personal=True)

    class Meta:
        verbose_name = "шаг ИОМ обучающегося"
        verbose_name_plural = "шаги ИОМ обучающихся"
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.teacher_id and self.executor != Executor.TEACHER:
            raise ValidationError(
                {"teacher": "педагога по ФИО указывают только для учителя-предметника"}
            )


class RouteNote(DomainModel):
    """A note on the student's progress along the route."""

    stamped = True

    route = models.ForeignKey(
        LearningRoute, verbose_name="ИОМ", on_delete=models.CASCADE, related_name="notes"
    )
    written_on = models.DateField("дата")
    text = models.CharField("запись о продвижении", max_length=1000)

    scope_paths = ScopePaths.via_school("route__difficulty__student__school", personal=True)

    class Meta:
        verbose_name = "запись о продвижении"
        verbose_name_plural = "записи о продвижении"
        ordering = ["written_on", "pk"]

    def __str__(self) -> str:
        return self.text


def name_for(student: Student, user: Any) -> str:
    """The student's name as `user` may see it: only an account of the student's own school
    (never an administrator, a curator or a coordinator)."""
    if getattr(user, "role", None) == Role.SCHOOL and user.school_id == student.school_id:
        return student.name
    return ""
