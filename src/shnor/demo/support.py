"""Support in the demo region, dated from today so that the deadline pages have something
overdue, something due soon and much done: the municipal programme of «Таёжный район», a
programme per school of its list (one still a draft, one corrected after a curator's visit),
curator assignments, visits held and planned, and partner pairs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from shnor.accounts.models import User
from shnor.core.calendar import months_after
from shnor.demo.generator import SMALL_MUNICIPALITY, YEARS
from shnor.identification.choices import Status
from shnor.identification.models import Run
from shnor.registry.models import Municipality, School
from shnor.support.actions import (
    do_add_partnership,
    do_approve_programme,
    do_assign_curator,
    do_create_programme,
    do_record_execution,
    do_record_visit,
)
from shnor.support.choices import MeasureStatus, ProgrammeKind, VisitKind
from shnor.support.library import for_level
from shnor.support.models import Programme
from shnor.support.partners import suggest_partners
from shnor.support.programmes import measure_from_library, proposals

SCHOOL_KINDS = [ProgrammeKind.SCHOOL, ProgrammeKind.ANTIRISK, ProgrammeKind.ROADMAP]
MENTOR = "Земцова Л. Н., учитель математики МБОУ «Кедровская СОШ № 2»"


def supported_schools(municipality: Municipality, curated: set[int]) -> list[School]:
    """Schools in the federal lists of the last years (support goes on after a school leaves
    the list), the curator's first."""
    runs = Run.objects.filter(methodology__code="federal", municipality__isnull=True)
    schools = School.objects.filter(
        municipality=municipality,
        identification_statuses__run__in=runs,
        identification_statuses__status__in=(Status.LOW_RESULTS, Status.RISK_ZONE),
    ).distinct()
    return sorted(schools, key=lambda s: (s.pk not in curated, s.name))


def carry_out(programme: Programme, confirmer: User, today: date) -> None:
    """Most measures that are due are done (with a comment, some with a file); every sixth
    runs late, every seventh has not started."""
    for n, measure in enumerate(programme.measures.filter(deadline__lt=today), start=1):
        if n % 6 == 0:
            do_record_execution(
                measure, status=MeasureStatus.IN_PROGRESS, acting_user=confirmer, may_confirm=True
            )
        elif n % 7 != 0:
            do_record_execution(
                measure,
                status=MeasureStatus.DONE,
                acting_user=confirmer,
                may_confirm=True,
                text="Выполнено в срок, материалы в папке куратора.",
                file=SimpleUploadedFile(
                    f"protokol_{measure.pk}.txt", f"Протокол: {measure.text}".encode()
                )
                if n % 2 == 0
                else None,
                on=measure.deadline,
            )


def seed_support(system: Any, today: date | None = None) -> dict[str, int]:
    today = today or date.today()
    start = months_after(today, -10)
    place = Municipality.objects.get(name=SMALL_MUNICIPALITY)
    mun = User.objects.get(username="mun")
    curator = User.objects.get(username="curator")
    municipal = do_create_programme(
        kind=ProgrammeKind.MUNICIPAL,
        title=f"Муниципальная программа повышения качества образования: {place.name}",
        municipality=place,
        school=None,
        year_from=start.year,
        year_to=start.year + 2,
        measures=[measure_from_library(m, start) for m in for_level("municipality")],
        source="конструктор МППКО",
        acting_user=mun,
    )
    do_approve_programme(municipal, acting_user=mun, on=start + timedelta(days=10))
    carry_out(municipal, mun, today)
    # The curator's four schools (README): assigned from the start of the support year, so
    # that the curator confirms their measures and holds visits there.
    curated = set(
        School.objects.filter(municipality=place).order_by("code").values_list("pk", flat=True)[:4]
    )
    for school in School.objects.filter(pk__in=curated).order_by("code"):
        do_assign_curator(
            school,
            curator,
            starts=start,
            order=f"приказ управления образования № 14 от {start:%d.%m.%Y}",
            acting_user=mun,
        )
    schools = supported_schools(place, curated)
    for n, school in enumerate(schools):
        chosen = [p.measure for p in proposals(school, YEARS[-1]) if p.preselected]
        programme = do_create_programme(
            kind=SCHOOL_KINDS[n % len(SCHOOL_KINDS)],
            title=f"Программа повышения качества образования: {school.short_name}",
            municipality=place,
            school=school,
            year_from=today.year,
            year_to=today.year + 1,
            measures=[measure_from_library(m, start) for m in chosen],
            source="конструктор по профилю рисков",
            acting_user=mun,
        )
        if n == len(schools) - 1:
            continue  # one programme awaits approval
        do_approve_programme(programme, acting_user=mun, on=start + timedelta(days=30))
        carry_out(programme, curator if school.pk in curated else mun, today)
        helpers = suggest_partners(school, YEARS[-1], system, limit=1)
        do_add_partnership(
            school,
            partner=None if n == 1 or not helpers else helpers[0].school,
            mentor=MENTOR if n == 1 or not helpers else "",
            grades="5–9",
            subjects=", ".join(helpers[0].subjects if helpers else ["Математика"]),
            help="консультативная, методическая, информационная помощь",
            agreement_number=f"{n + 1}/СВ",
            agreement_date=start + timedelta(days=20),
            starts=start + timedelta(days=20),
            acting_user=mun,
        )
    for n, school in enumerate(s for s in schools if s.pk in curated):
        held_on = start + timedelta(days=95 + 7 * n)
        visit = do_record_visit(
            school,
            kind=VisitKind.FIELD_DAY,
            on=held_on,
            topic="Подготовка к ВПР и ОГЭ по математике",
            held=True,
            participants="куратор, директор, заместитель по УВР, учителя математики",
            findings="Нет системной работы с обучающимися группы риска; "
            "результаты ВПР не разобраны на ШМО.",
            recommendations="Провести поэлементный анализ ВПР; составить ИУП для группы риска.",
            follow_ups=[
                {
                    "text": "Поэлементный анализ ВПР по математике на ШМО, "
                    "перечень «западающих» тем",
                    "deadline": held_on + timedelta(days=30),
                    "executors": "Руководитель ШМО учителей математики",
                    "document": "Протокол ШМО",
                }
            ],
            acting_user=curator,
        )
        revision = visit.follow_ups.get().programme
        if n == 0 and revision.previous_id:  # the other corrections await approval
            do_approve_programme(revision, acting_user=mun, on=held_on + timedelta(days=3))
        do_record_visit(
            school,
            kind=VisitKind.LANDING,
            on=today + timedelta(days=10 + 3 * n),
            topic="Формирующее оценивание на уроках",
            held=False,
            acting_user=curator,
        )
    return {"programmes": Programme.objects.count(), "schools_supported": len(schools)}
