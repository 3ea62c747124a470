"""The assessment catalogue and results per school × year × procedure × subject × grade."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from shnor.assessments.choices import ReferenceLevel, Scale
from shnor.assessments.rules import outcome_errors
from shnor.core.models import DomainModel
from shnor.core.scope import ScopePaths


class ProcedureKind(DomainModel):
    """A kind of assessment procedure: ВПР, ОГЭ, ЕГЭ, functional literacy, regional diagnostics."""

    code = models.CharField("код", max_length=16, unique=True)
    name = models.CharField("наименование", max_length=200)
    scale = models.CharField("шкала", max_length=8, choices=Scale.choices, default=Scale.MARKS)
    default_grade = models.PositiveSmallIntegerField("класс по умолчанию", null=True, blank=True)
    order = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "вид оценочной процедуры"
        verbose_name_plural = "виды оценочных процедур"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.code


class Subject(DomainModel):
    """A subject of assessment, with the other spellings users write in their tables."""

    name = models.CharField("наименование", max_length=100, unique=True)
    aliases = models.CharField("другие написания (через ;)", max_length=500, blank=True)
    order = models.PositiveSmallIntegerField("порядок", default=100)

    class Meta:
        verbose_name = "предмет"
        verbose_name_plural = "предметы"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class MinimumThreshold(DomainModel):
    """The minimum score of a procedure in a subject and year (ЕГЭ), from its specification."""

    kind = models.ForeignKey(ProcedureKind, verbose_name="процедура", on_delete=models.CASCADE)
    subject = models.ForeignKey(Subject, verbose_name="предмет", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField("год")
    min_score = models.PositiveSmallIntegerField("минимальный балл")

    class Meta:
        verbose_name = "минимальный порог"
        verbose_name_plural = "минимальные пороги"
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject", "year"], name="threshold_unique")
        ]


class Outcome(DomainModel):
    """Counts of an assessment's outcome, shared by school results and reference averages."""

    participants = models.PositiveIntegerField("участников", default=0)
    mark2 = models.PositiveIntegerField("отметка «2»", null=True, blank=True)
    mark3 = models.PositiveIntegerField("отметка «3»", null=True, blank=True)
    mark4 = models.PositiveIntegerField("отметка «4»", null=True, blank=True)
    mark5 = models.PositiveIntegerField("отметка «5»", null=True, blank=True)
    below_min = models.PositiveIntegerField(
        "не преодолели минимальный порог", null=True, blank=True
    )
    mean_score = models.DecimalField(
        "средний балл", max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        abstract = True

    @property
    def low_share(self) -> float | None:
        """Share of participants with «2» or below the minimum, 0..1."""
        if not self.participants or self.below_min is None:
            return None
        return self.below_min / self.participants

    def clean(self) -> None:
        errors = outcome_errors({f.name: getattr(self, f.name) for f in self._meta.fields})
        if errors:
            raise ValidationError(dict(errors))


class Result(Outcome):
    """A school's result in one procedure (kind × subject × grade) in one year."""

    stamped = True

    school = models.ForeignKey(
        "registry.School", verbose_name="школа", on_delete=models.CASCADE, related_name="results"
    )
    year = models.PositiveSmallIntegerField("год")
    kind = models.ForeignKey(ProcedureKind, verbose_name="процедура", on_delete=models.PROTECT)
    subject = models.ForeignKey(Subject, verbose_name="предмет", on_delete=models.PROTECT)
    grade = models.PositiveSmallIntegerField("класс")
    enrolled = models.PositiveIntegerField("обучающихся", null=True, blank=True)
    lowered = models.PositiveIntegerField("понизили", null=True, blank=True)
    confirmed = models.PositiveIntegerField("подтвердили", null=True, blank=True)
    raised = models.PositiveIntegerField("повысили", null=True, blank=True)

    scope_paths = ScopePaths.via_school("school")

    class Meta:
        verbose_name = "результат"
        verbose_name_plural = "результаты"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "kind", "subject", "grade"], name="result_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "kind", "subject"])]


class ReferenceResult(Outcome):
    """An average for a territory (municipality, region, Russia), as ФИС ОКО reports carry them.

    Public aggregate statistics: not restricted by scope.
    """

    stamped = True

    level = models.CharField("уровень", max_length=16, choices=ReferenceLevel.choices)
    territory = models.CharField("территория", max_length=200)
    municipality = models.ForeignKey(
        "registry.Municipality",
        verbose_name="муниципалитет",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    region = models.ForeignKey(
        "registry.Region", verbose_name="регион", null=True, blank=True, on_delete=models.CASCADE
    )
    year = models.PositiveSmallIntegerField("год")
    kind = models.ForeignKey(ProcedureKind, verbose_name="процедура", on_delete=models.PROTECT)
    subject = models.ForeignKey(Subject, verbose_name="предмет", on_delete=models.PROTECT)
    grade = models.PositiveSmallIntegerField("класс")

    class Meta:
        verbose_name = "средний показатель территории"
        verbose_name_plural = "средние показатели территорий"
        constraints = [
            models.UniqueConstraint(
                fields=["level", "territory", "year", "kind", "subject", "grade"],
                name="reference_unique",
            )
        ]


class Layout(DomainModel):
    """A region's own results form (a wide workbook: a block of columns per subject), mapped
    once to the import contract and recognised by its header rows on the next upload."""

    region = models.ForeignKey(
        "registry.Region", verbose_name="регион", on_delete=models.CASCADE, related_name="layouts"
    )
    name = models.CharField("наименование", max_length=200)
    # Header rows as read, merged cells spread, normalised without digits (a year in a header
    # changes every year; the form does not).
    signature = models.JSONField("заголовки формы", default=list)
    mapping = models.JSONField("сопоставление столбцов", default=dict)

    scope_paths = ScopePaths(region="region")

    class Meta:
        verbose_name = "форма результатов"
        verbose_name_plural = "формы результатов"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="layout_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SchoolAlias(DomainModel):
    """A school's name as a region's forms write it, confirmed once by a coordinator, so that
    the next file naming the school the same way matches it by itself."""

    region = models.ForeignKey(
        "registry.Region", verbose_name="регион", on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField("название (нормализованное)", max_length=500)
    written = models.CharField("название, как в файле", max_length=1000)
    school = models.ForeignKey(
        "registry.School",
        verbose_name="школа",
        on_delete=models.CASCADE,
        related_name="aliases",
    )

    scope_paths = ScopePaths.via_school("school")

    class Meta:
        verbose_name = "другое название школы"
        verbose_name_plural = "другие названия школ"
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="school_alias_unique")
        ]

    def __str__(self) -> str:
        return self.written
