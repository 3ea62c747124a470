"""Teachers (personal data: visible by role only), their professional deficits, individual
routes of professional development (ИОМ) and completed activities."""

from __future__ import annotations

from django.db import models

from shnor.core.models import DomainModel
from shnor.core.scope import ScopePaths
from shnor.staff.choices import (
    ActivityKind,
    AgeBand,
    Category,
    DeficitKind,
    Experience,
    ItemKind,
)


class Teacher(DomainModel):
    """A teacher of a school. Personal data: shown to the school, its curator and the
    municipal coordinator only, never in exports meant for publication."""

    stamped = True

    school = models.ForeignKey(
        "registry.School", verbose_name="школа", on_delete=models.CASCADE, related_name="teachers"
    )
    full_name = models.CharField("ФИО", max_length=200)
    subjects = models.CharField("предметы", max_length=300, blank=True)
    category = models.CharField(
        "категория", max_length=16, choices=Category.choices, default=Category.NONE
    )
    experience = models.CharField("стаж", max_length=10, choices=Experience.choices, blank=True)
    age_band = models.CharField("возраст", max_length=10, choices=AgeBand.choices, blank=True)
    load_hours = models.DecimalField(
        "нагрузка, часов в неделю", max_digits=4, decimal_places=1, null=True, blank=True
    )
    in_regional_network = models.BooleanField("в региональном сетевом объединении", default=False)
    in_methodical_asset = models.BooleanField("в региональном методическом активе", default=False)

    scope_paths = ScopePaths.via_school("school", personal=True)

    class Meta:
        verbose_name = "педагог"
        verbose_name_plural = "педагоги"
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "full_name"], name="teacher_unique_name")
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def subject_list(self) -> list[str]:
        return [s.strip() for s in self.subjects.split(",") if s.strip()]


class Deficit(DomainModel):
    """A professional deficit found by a diagnostic (or entered by the school)."""

    stamped = True

    teacher = models.ForeignKey(
        Teacher, verbose_name="педагог", on_delete=models.CASCADE, related_name="deficits"
    )
    kind = models.CharField("вид", max_length=32, choices=DeficitKind.choices)
    topic = models.CharField("тема", max_length=300)
    subject = models.CharField("предмет", max_length=100, blank=True)
    source = models.CharField("источник", max_length=200)
    found_on = models.DateField("дата диагностики")

    scope_paths = ScopePaths.via_school("teacher__school", personal=True)

    class Meta:
        verbose_name = "профессиональный дефицит"
        verbose_name_plural = "профессиональные дефициты"
        ordering = ["-found_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["teacher", "kind", "topic", "found_on"], name="deficit_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.topic}"


class Route(DomainModel):
    """A teacher's individual route of professional development (ИОМ) for a year."""

    stamped = True

    teacher = models.ForeignKey(
        Teacher, verbose_name="педагог", on_delete=models.CASCADE, related_name="routes"
    )
    year = models.PositiveSmallIntegerField("год")

    scope_paths = ScopePaths.via_school("teacher__school", personal=True)

    class Meta:
        verbose_name = "ИОМ"
        verbose_name_plural = "ИОМ"
        constraints = [models.UniqueConstraint(fields=["teacher", "year"], name="route_unique")]

    def __str__(self) -> str:
        return f"ИОМ {self.teacher}, {self.year}"

    @property
    def status(self) -> str:
        items = list(self.items.all())
        if not items:
            return "пуст"
        done = sum(1 for i in items if i.done_on)
        return "выполнен" if done == len(items) else f"выполняется ({done} из {len(items)})"


class RouteItem(DomainModel):
    """A step of an ИОМ: a course, an internship, mentoring or a methodical association."""

    stamped = True

    route = models.ForeignKey(
        Route, verbose_name="ИОМ", on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField("вид", max_length=16, choices=ItemKind.choices)
    title = models.CharField("содержание", max_length=400)
    deficit = models.ForeignKey(
        Deficit,
        verbose_name="дефицит",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
    )
    deadline = models.DateField("срок")
    done_on = models.DateField("выполнено", null=True, blank=True)

    scope_paths = ScopePaths.via_school("route__teacher__school", personal=True)

    class Meta:
        verbose_name = "пункт ИОМ"
        verbose_name_plural = "пункты ИОМ"
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.title


class Activity(DomainModel):
    """Something a teacher completed: courses (ПК), РМО/ШМО, contests, conferences."""

    stamped = True

    teacher = models.ForeignKey(
        Teacher, verbose_name="педагог", on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField("вид", max_length=16, choices=ActivityKind.choices)
    title = models.CharField("название", max_length=400)
    date = models.DateField("дата")
    hours = models.PositiveSmallIntegerField("часов", null=True, blank=True)

    scope_paths = ScopePaths.via_school("teacher__school", personal=True)

    class Meta:
        verbose_name = "мероприятие педагога"
        verbose_name_plural = "мероприятия педагогов"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"
