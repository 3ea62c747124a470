"""Task-level results: the catalogue of a paper's tasks, students' papers with their task scores,
and the shares of task completion that ФИС ОКО's forms carry per school and territory."""

from __future__ import annotations

from django.db import models

from shnor.core.models import DomainModel
from shnor.core.scope import ScopePaths
from shnor.taskresults.choices import ShareLevel, TaskLevel

# The separator of the scores stored in one text column of a paper (see Paper.scores).
SCORE_SEPARATOR = ";"


class Task(DomainModel):
    """One task of a paper (procedure × subject × grade × year), with the skill it checks.

    The catalogue changes every year; it is public (the procedures' specifications)."""

    stamped = True

    year = models.PositiveSmallIntegerField("год")
    kind = models.ForeignKey(
        "assessments.ProcedureKind", verbose_name="процедура", on_delete=models.PROTECT
    )
    subject = models.ForeignKey(
        "assessments.Subject", verbose_name="предмет", on_delete=models.PROTECT
    )
    grade = models.PositiveSmallIntegerField("класс")
    label = models.CharField("номер задания", max_length=16)
    task_order = models.PositiveSmallIntegerField("порядок в работе")
    max_score = models.DecimalField("максимальный балл", max_digits=5, decimal_places=1)
    skill_code = models.CharField("код КЭС/КТ", max_length=64, blank=True)
    skill = models.CharField("проверяемое умение", max_length=1000, blank=True)
    level = models.CharField(
        "уровень сложности", max_length=16, choices=TaskLevel.choices, blank=True
    )

    class Meta:
        verbose_name = "задание"
        verbose_name_plural = "задания"
        ordering = ["year", "kind", "subject", "grade", "task_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "subject", "grade", "label"], name="task_unique"
            ),
            models.UniqueConstraint(
                fields=["year", "kind", "subject", "grade", "task_order"], name="task_order_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class Paper(DomainModel):
    """One student's paper in a procedure: its variant, total, mark and the task scores.

    A region sends millions of task scores a year, so a paper keeps its scores in one text
    column, in the order of the catalogue's tasks («1;0;2;;1», empty — not attempted), and
    readers explode them in Polars: a row per score would make the table ten times longer and
    the import ten times slower. The student is a pseudonymous code only; no names here."""

    stamped = True

    school = models.ForeignKey(
        "registry.School", verbose_name="школа", on_delete=models.CASCADE, related_name="papers"
    )
    year = models.PositiveSmallIntegerField("год")
    # No separate indexes on the procedure and the subject: the unique key starts with the year
    # and each extra index slows the bulk insert of hundreds of thousands of papers.
    kind = models.ForeignKey(
        "assessments.ProcedureKind",
        verbose_name="процедура",
        on_delete=models.PROTECT,
        db_index=False,
    )
    subject = models.ForeignKey(
        "assessments.Subject", verbose_name="предмет", on_delete=models.PROTECT, db_index=False
    )
    grade = models.PositiveSmallIntegerField("класс")
    student = models.CharField("код участника", max_length=32)
    variant = models.CharField("вариант", max_length=16, blank=True)
    total = models.FloatField("первичный балл")
    mark = models.PositiveSmallIntegerField("отметка", null=True, blank=True)
    journal_mark = models.PositiveSmallIntegerField(
        "отметка по журналу за предыдущий период", null=True, blank=True
    )
    scores = models.TextField("баллы за задания")

    scope_paths = ScopePaths.via_school("school")

    class Meta:
        verbose_name = "работа участника"
        verbose_name_plural = "работы участников"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "subject", "student"], name="paper_unique"
            )
        ]


class SchoolTaskShare(DomainModel):
    """A school's completion of one task, as ФИС ОКО's «Выполнение заданий» form gives it."""

    stamped = True

    school = models.ForeignKey(
        "registry.School",
        verbose_name="школа",
        on_delete=models.CASCADE,
        related_name="task_shares",
    )
    year = models.PositiveSmallIntegerField("год")
    kind = models.ForeignKey(
        "assessments.ProcedureKind", verbose_name="процедура", on_delete=models.PROTECT
    )
    subject = models.ForeignKey(
        "assessments.Subject", verbose_name="предмет", on_delete=models.PROTECT
    )
    grade = models.PositiveSmallIntegerField("класс")
    task = models.CharField("номер задания", max_length=16)
    task_order = models.PositiveSmallIntegerField("порядок в работе")
    done_percent = models.DecimalField("% выполнения", max_digits=5, decimal_places=2)
    participants = models.PositiveIntegerField("участников", null=True, blank=True)

    scope_paths = ScopePaths.via_school("school")

    class Meta:
        verbose_name = "выполнение задания школой"
        verbose_name_plural = "выполнение заданий школами"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "kind", "subject", "grade", "task"],
                name="school_task_share_unique",
            )
        ]


class ReferenceTaskShare(DomainModel):
    """A territory's completion of one task (municipality, region, Russia), from the forms.

    Public aggregate statistics: not restricted by scope."""

    stamped = True

    level = models.CharField("уровень", max_length=16, choices=ShareLevel.choices)
    municipality = models.ForeignKey(
        "registry.Municipality",
        verbose_name="муниципалитет",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    # The region whose figure it is (level «регион»), so that regions sharing a database keep
    # their own; empty for Russia.
    region = models.ForeignKey(
        "registry.Region", verbose_name="регион", null=True, blank=True, on_delete=models.CASCADE
    )
    year = models.PositiveSmallIntegerField("год")
    kind = models.ForeignKey(
        "assessments.ProcedureKind", verbose_name="процедура", on_delete=models.PROTECT
    )
    subject = models.ForeignKey(
        "assessments.Subject", verbose_name="предмет", on_delete=models.PROTECT
    )
    grade = models.PositiveSmallIntegerField("класс")
    task = models.CharField("номер задания", max_length=16)
    task_order = models.PositiveSmallIntegerField("порядок в работе")
    done_percent = models.DecimalField("% выполнения", max_digits=5, decimal_places=2)
    participants = models.PositiveIntegerField("участников", null=True, blank=True)

    class Meta:
        verbose_name = "выполнение задания по территории"
        verbose_name_plural = "выполнение заданий по территориям"
        indexes = [models.Index(fields=["year", "kind", "subject", "grade"])]
