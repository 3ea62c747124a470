"""Support of schools: programmes and their measures (versioned: an approved programme is
frozen, a correction is a new version), curators and their visits, partnerships."""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar, Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from shnor.core.models import DomainModel, ScopedQuerySet
from shnor.core.scope import ScopePaths
from shnor.support.choices import (
    OPEN_STATUSES,
    MeasureStatus,
    ProgrammeKind,
    ProgrammeStatus,
    VisitKind,
)


class ProgrammeQuerySet(ScopedQuerySet["Programme"]):
    def current(self) -> Self:
        """The programmes in force: approved ones, and first drafts not yet approved (a draft
        correction of an approved programme is not counted twice)."""
        return self.filter(
            Q(status=ProgrammeStatus.APPROVED)
            | Q(status=ProgrammeStatus.DRAFT, previous__isnull=True)
        )


# A subclass's manager of its own is declared as a class variable, as DomainModel's is.
ProgrammeManager = models.Manager.from_queryset(ProgrammeQuerySet)


class Programme(DomainModel):
    """A municipal programme (МППКО, no school) or a school's programme, one version of it."""

    stamped = True

    kind = models.CharField("вид", max_length=16, choices=ProgrammeKind.choices)
    title = models.CharField("название", max_length=500)
    municipality = models.ForeignKey(
        "registry.Municipality",
        verbose_name="муниципалитет",
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    school = models.ForeignKey(
        "registry.School",
        verbose_name="школа",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    year_from = models.PositiveSmallIntegerField("начало, год")
    year_to = models.PositiveSmallIntegerField("окончание, год")
    version = models.PositiveSmallIntegerField("версия", default=1)
    previous = models.ForeignKey(
        "self",
        verbose_name="предыдущая версия",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
    )
    status = models.CharField(
        "состояние",
        max_length=16,
        choices=ProgrammeStatus.choices,
        default=ProgrammeStatus.DRAFT,
        db_index=True,
    )
    source = models.CharField("откуда", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="составил",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="утвердил",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_on = models.DateField("дата утверждения", null=True, blank=True)

    objects: ClassVar[ProgrammeManager] = ProgrammeManager()
    scope_paths = ScopePaths(
        region="municipality__region", municipality="municipality", school="school"
    )

    class Meta:
        verbose_name = "программа"
        verbose_name_plural = "программы"
        ordering = ["-year_from", "title", "-version"]

    def __str__(self) -> str:
        return f"{self.title} (версия {self.version})"

    def clean(self) -> None:
        if (self.kind == ProgrammeKind.MUNICIPAL) != (self.school_id is None):
            raise ValidationError(
                {"school": "МППКО составляется без школы, программа школы — для одной школы."}
            )
        if self.year_to < self.year_from:
            raise ValidationError({"year_to": "Окончание раньше начала."})

    @property
    def is_frozen(self) -> bool:
        return self.status != ProgrammeStatus.DRAFT


class MeasureQuerySet(ScopedQuerySet["Measure"]):
    def overdue(self, today: date) -> Self:
        return self.filter(deadline__lt=today, status__in=OPEN_STATUSES)

    def due(self, today: date, until: date) -> Self:
        return self.filter(deadline__gte=today, deadline__lte=until, status__in=OPEN_STATUSES)


# A subclass's manager of its own is declared as a class variable, as DomainModel's is.
MeasureManager = models.Manager.from_queryset(MeasureQuerySet)


PLAN_FIELDS = (
    "direction",
    "text",
    "period",
    "deadline",
    "expected_result",
    "executors",
    "document",
)


class Measure(DomainModel):
    """A measure of a programme: the plan (frozen with the programme) and its execution
    (status, evidence, comments), which follows the measure into later versions."""

    stamped = True

    programme = models.ForeignKey(
        Programme, verbose_name="программа", on_delete=models.CASCADE, related_name="measures"
    )
    number = models.PositiveSmallIntegerField("порядок", default=0)
    direction = models.CharField("направление", max_length=300, blank=True)
    factors = models.JSONField("факторы риска", default=list, blank=True)
    text = models.TextField("мероприятие")
    period = models.CharField("срок (как в документе)", max_length=200, blank=True)
    deadline = models.DateField("срок исполнения", null=True, blank=True)
    expected_result = models.TextField("ожидаемый результат", blank=True)
    executors = models.CharField("исполнители", max_length=500, blank=True)
    document = models.CharField("документ, подтверждающий результат", max_length=500, blank=True)
    financing = models.CharField("финансирование", max_length=300, blank=True)
    status = models.CharField(
        "состояние", max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED
    )
    done_on = models.DateField("выполнено", null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="подтвердил",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_on = models.DateField("подтверждено", null=True, blank=True)
    origin = models.ForeignKey(
        "self",
        verbose_name="то же мероприятие в предыдущей версии",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
    )
    visit = models.ForeignKey(
        "Visit",
        verbose_name="по итогам посещения",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )

    objects: ClassVar[MeasureManager] = MeasureManager()
    scope_paths = ScopePaths(
        region="programme__municipality__region",
        municipality="programme__municipality",
        school="programme__school",
    )

    class Meta:
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия"
        ordering = ["number", "pk"]

    def __str__(self) -> str:
        return self.text[:120]

    def clean(self) -> None:
        if not self.text.strip():
            raise ValidationError({"text": "Не указано мероприятие."})
        if self.status == MeasureStatus.OVERDUE:
            raise ValidationError({"status": "«Просрочено» определяется по сроку, не задаётся."})

    # The state on the day a page shows (`state(today)`), set by the pages; not stored.
    shown_state: str

    def state(self, today: date) -> str:
        """The status as shown: a planned or running measure past its deadline is overdue."""
        if self.status in OPEN_STATUSES and self.deadline and self.deadline < today:
            return MeasureStatus.OVERDUE
        return self.status


def evidence_path(note: MeasureNote, filename: str) -> str:
    """A folder of its own per file, so the file keeps the name the user gave it."""
    return f"evidence/{date.today():%Y}/{uuid.uuid4().hex}/{filename}"


class MeasureNote(DomainModel):
    """A comment on a measure, with an evidence file or without one."""

    # counted in the programme's table, which is rendered once per state of the data
    stamped = True

    measure = models.ForeignKey(
        Measure, verbose_name="мероприятие", on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="автор",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField("комментарий", blank=True)
    file = models.FileField(
        "файл-подтверждение", upload_to=evidence_path, max_length=300, blank=True
    )

    scope_paths = ScopePaths(
        region="measure__programme__municipality__region",
        municipality="measure__programme__municipality",
        school="measure__programme__school",
    )

    class Meta:
        verbose_name = "комментарий или подтверждение"
        verbose_name_plural = "комментарии и подтверждения"
        ordering = ["created"]

    def __str__(self) -> str:
        return self.text[:80] or self.file.name

    @property
    def file_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class CuratorAssignment(DomainModel):
    """A curator assigned to a school for a period, by an order of the education authority."""

    stamped = True

    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="куратор",
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    school = models.ForeignKey(
        "registry.School",
        verbose_name="школа",
        on_delete=models.CASCADE,
        related_name="curator_assignments",
    )
    starts = models.DateField("с")
    ends = models.DateField("по", null=True, blank=True)
    order = models.CharField("приказ о закреплении", max_length=200, blank=True)

    scope_paths = ScopePaths.via_school("school")

    class Meta:
        verbose_name = "закрепление куратора"
        verbose_name_plural = "закрепления кураторов"
        ordering = ["school__name", "-starts"]

    def __str__(self) -> str:
        return f"{self.curator.get_full_name() or self.curator.username} → {self.school}"

    def clean(self) -> None:
        if self.ends and self.ends < self.starts:
            raise ValidationError({"ends": "Окончание раньше начала."})


class Visit(DomainModel):
    """A curator's visit or consultation: planned (the curator's plan) or held, with findings
    and recommendations; follow-up measures go into the school programme."""

    stamped = True

    school = models.ForeignKey(
        "registry.School", verbose_name="школа", on_delete=models.CASCADE, related_name="visits"
    )
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="куратор",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    kind = models.CharField("вид", max_length=16, choices=VisitKind.choices)
    date = models.DateField("дата")
    topic = models.CharField("тема", max_length=500)
    held = models.BooleanField("проведено", default=False)
    participants = models.TextField("участники", blank=True)
    findings = models.TextField("выявлено", blank=True)
    recommendations = models.TextField("рекомендации", blank=True)

    scope_paths = ScopePaths.via_school("school")

    class Meta:
        verbose_name = "посещение"
        verbose_name_plural = "посещения"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}: {self.school}"


class Partnership(DomainModel):
    """A school supported by a partner school or by a named mentor teacher (seed 002)."""

    stamped = True

    school = models.ForeignKey(
        "registry.School",
        verbose_name="школа",
        on_delete=models.CASCADE,
        related_name="partnerships",
    )
    partner = models.ForeignKey(
        "registry.School",
        verbose_name="школа-партнёр",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partner_of",
    )
    mentor = models.CharField("педагог-наставник", max_length=300, blank=True)
    grades = models.CharField("классы", max_length=100, blank=True)
    subjects = models.CharField("предметы", max_length=300, blank=True)
    help = models.CharField("вид помощи", max_length=500)
    agreement_number = models.CharField("№ соглашения", max_length=50, blank=True)
    agreement_date = models.DateField("дата соглашения", null=True, blank=True)
    starts = models.DateField("с")
    ends = models.DateField("по", null=True, blank=True)

    scope_paths = ScopePaths.via_school("school")

    class Meta:
        verbose_name = "партнёрство"
        verbose_name_plural = "партнёрства"
        ordering = ["school__name", "-starts"]

    def __str__(self) -> str:
        return f"{self.school} ← {self.helper}"

    @property
    def helper(self) -> str:
        return str(self.partner.name) if self.partner is not None else self.mentor

    def clean(self) -> None:
        if not self.partner_id and not self.mentor.strip():
            raise ValidationError({"partner": "Укажите школу-партнёра или педагога-наставника."})
        if self.partner_id and self.partner_id == self.school_id:
            raise ValidationError({"partner": "Школа не может быть партнёром самой себе."})
        if not self.help.strip():
            raise ValidationError({"help": "Укажите вид помощи."})
