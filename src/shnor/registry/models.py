"""The organisations: region → municipality → school, and each school's context per year."""

from __future__ import annotations

import re

from django.db import models

from shnor.core.models import DomainModel
from shnor.core.scope import ScopePaths
from shnor.registry.choices import TOP_GRADE, Locality, SchoolKind
from shnor.registry.context_facts import fact_value


class Region(DomainModel):
    """A region (субъект РФ): the top of the hierarchy and the regional coordinator's scope."""

    name = models.CharField("наименование", max_length=200, unique=True)

    scope_paths = ScopePaths(region="pk")

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Municipality(DomainModel):
    """A municipal district or city district with its education authority."""

    stamped = True

    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, related_name="municipalities"
    )
    name = models.CharField("наименование", max_length=200)

    scope_paths = ScopePaths(region="region", municipality="pk")

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="municipality_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class School(DomainModel):
    """A general education organisation (ОО), identified by its code."""

    stamped = True

    code = models.CharField("код ОО", max_length=32, unique=True)
    name = models.CharField("наименование ОО", max_length=500)
    municipality = models.ForeignKey(
        Municipality, verbose_name="муниципалитет", on_delete=models.PROTECT, related_name="schools"
    )
    kind = models.CharField(
        "тип ОО", max_length=16, choices=SchoolKind.choices, default=SchoolKind.SOSH
    )
    locality = models.CharField(
        "местность", max_length=8, choices=Locality.choices, default=Locality.CITY
    )
    distance_km = models.DecimalField(
        "расстояние до центра, км", max_digits=6, decimal_places=1, null=True, blank=True
    )

    scope_paths = ScopePaths.via_school("")

    class Meta:
        verbose_name = "школа"
        verbose_name_plural = "школы"
        ordering = ["municipality__name", "name"]

    def __str__(self) -> str:
        return self.short_name

    @property
    def short_name(self) -> str:
        """The name without the legal-form prefix users skip when they talk."""
        return re.sub(r"^(МБОУ|МКОУ|МАОУ|МОУ|ГБОУ|КГБОУ|ОГБОУ|ЧОУ)\s+", "", self.name)

    @property
    def top_grade(self) -> int:
        return TOP_GRADE[SchoolKind(self.kind)]


class SchoolContext(DomainModel):
    """What a school had in a year: students, staff, equipment, social context of families."""

    stamped = True

    school = models.ForeignKey(
        School, verbose_name="школа", on_delete=models.CASCADE, related_name="contexts"
    )
    year = models.PositiveSmallIntegerField("год")
    students = models.PositiveIntegerField("обучающихся", null=True, blank=True)
    students_ovz = models.PositiveIntegerField("обучающихся с ОВЗ", null=True, blank=True)
    teachers = models.PositiveIntegerField("педагогов", null=True, blank=True)
    vacancies = models.PositiveIntegerField("вакансий", null=True, blank=True)
    teachers_over_55 = models.PositiveIntegerField("педагогов старше 55 лет", null=True, blank=True)
    stable_internet = models.BooleanField("устойчивый интернет", null=True, blank=True)
    computers = models.PositiveIntegerField("компьютеров для обучения", null=True, blank=True)
    low_income_pct = models.DecimalField(
        "доля малообеспеченных семей, %", max_digits=5, decimal_places=1, null=True, blank=True
    )
    single_parent_pct = models.DecimalField(
        "доля неполных семей, %", max_digits=5, decimal_places=1, null=True, blank=True
    )
    non_native_pct = models.DecimalField(
        "доля детей, для которых русский язык не родной, %",
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
    )

    scope_paths = ScopePaths.via_school("school")

    class Meta:
        verbose_name = "контекст школы"
        verbose_name_plural = "контекст школ"
        ordering = ["school", "year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="context_unique_school_year")
        ]

    @property
    def students_per_computer(self) -> float | None:
        return fact_value("students_per_computer", students=self.students, computers=self.computers)

    @property
    def ovz_pct(self) -> float | None:
        return fact_value("ovz_share", students=self.students, students_ovz=self.students_ovz)
