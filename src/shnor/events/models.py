"""The municipal events register (РМО, семинары, десанты, стажировки, конференции, диагностики)
with the schools and teachers taking part, and the documents register (приказы, протоколы,
справки, положения) whose entries confirm measures and answer the indicators that ask
«есть ли …»."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from shnor.core.models import DomainModel
from shnor.core.scope import ScopePaths
from shnor.events.choices import (
    DocumentKind,
    DocumentLevel,
    DocumentPurpose,
    EventKind,
    EventLevel,
)
from shnor.staff.choices import DeficitKind


class Event(DomainModel):
    """An event of the region or of a municipality (none: the region's own), with the schools
    and teachers taking part. A regional event is seen by every municipality of the region."""

    stamped = True

    region = models.ForeignKey(
        "registry.Region", verbose_name="регион", on_delete=models.CASCADE, related_name="events"
    )
    municipality = models.ForeignKey(
        "registry.Municipality",
        verbose_name="муниципалитет",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField("вид", max_length=16, choices=EventKind.choices)
    level = models.CharField(
        "уровень", max_length=16, choices=EventLevel.choices, default=EventLevel.MUNICIPAL
    )
    date = models.DateField("дата")
    organiser = models.CharField("организатор", max_length=300)
    topic = models.CharField("тема", max_length=500)
    subject = models.CharField("предмет", max_length=100, blank=True)
    deficit_kind = models.CharField(
        "дефициты, на которые направлено",
        max_length=32,
        choices=DeficitKind.choices,
        blank=True,
    )
    weak_skill = models.CharField("западающее умение (тема ВПР, ГИА)", max_length=300, blank=True)
    schools = models.ManyToManyField(
        "registry.School", verbose_name="школы-участники", blank=True, related_name="events"
    )
    materials = models.FileField("материалы", upload_to="events/%Y/", blank=True)
    materials_note = models.TextField("материалы: описание, ссылки", blank=True)

    scope_paths = ScopePaths(region="region", municipality="municipality")

    class Meta:
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия"
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%d.%m.%Y}: {self.topic}"


class Participation(DomainModel):
    """A teacher's participation in an event; it is also the teacher's activity record in the
    staff app (`activity`), written and removed with it."""

    stamped = True

    event = models.ForeignKey(
        Event, verbose_name="мероприятие", on_delete=models.CASCADE, related_name="participations"
    )
    teacher = models.ForeignKey(
        "staff.Teacher",
        verbose_name="педагог",
        on_delete=models.CASCADE,
        related_name="participations",
    )
    activity = models.OneToOneField(
        "staff.Activity",
        verbose_name="запись о мероприятии педагога",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="participation",
    )

    scope_paths = ScopePaths.via_school("teacher__school", personal=True)

    class Meta:
        verbose_name = "участие педагога"
        verbose_name_plural = "участие педагогов"
        constraints = [
            models.UniqueConstraint(fields=["event", "teacher"], name="participation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.teacher}: {self.event}"


class Document(DomainModel):
    """A document of the region, a municipality or a school: number, date, title, the file, what
    it confirms (`purpose`) and the measures it confirms. `public` documents are shown without
    login on the public page."""

    stamped = True

    region = models.ForeignKey(
        "registry.Region", verbose_name="регион", on_delete=models.CASCADE, related_name="documents"
    )
    municipality = models.ForeignKey(
        "registry.Municipality",
        verbose_name="муниципалитет",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    school = models.ForeignKey(
        "registry.School",
        verbose_name="школа",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="documents",
    )
    level = models.CharField("уровень", max_length=16, choices=DocumentLevel.choices)
    kind = models.CharField("вид", max_length=16, choices=DocumentKind.choices)
    number = models.CharField("номер", max_length=50, blank=True)
    date = models.DateField("дата")
    title = models.CharField("наименование", max_length=500)
    purpose = models.CharField(
        "что подтверждает", max_length=32, choices=DocumentPurpose.choices, blank=True
    )
    file = models.FileField("файл", upload_to="documents/%Y/", blank=True)
    public = models.BooleanField("публичный", default=False)
    measures = models.ManyToManyField(
        "support.Measure",
        verbose_name="подтверждает мероприятия",
        blank=True,
        related_name="documents",
    )
    sites = models.ManyToManyField(
        "registry.School",
        verbose_name="названные школы (стажировочные площадки)",
        blank=True,
        related_name="named_in_documents",
    )

    scope_paths = ScopePaths(region="region", municipality="municipality", school="school")

    class Meta:
        verbose_name = "документ"
        verbose_name_plural = "документы"
        ordering = ["-date", "pk"]
        constraints = [
            # the level names the place: a school document has its school and municipality, a
            # municipal one its municipality only, a regional one neither
            models.CheckConstraint(
                condition=(
                    Q(level=DocumentLevel.REGION, municipality__isnull=True, school__isnull=True)
                    | Q(
                        level=DocumentLevel.MUNICIPALITY,
                        municipality__isnull=False,
                        school__isnull=True,
                    )
                    | Q(
                        level=DocumentLevel.SCHOOL, municipality__isnull=False, school__isnull=False
                    )
                ),
                name="document_level_place",
            )
        ]

    def __str__(self) -> str:
        number = f" № {self.number}" if self.number else ""
        return f"{self.get_kind_display()}{number} от {self.date:%d.%m.%Y} «{self.title}»"
