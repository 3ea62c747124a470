"""Events and documents of «Таёжный район» in the demo, dated from the day of loading: the
school year's РМО, a diagnostic, a десант, an internship and a conference (held), a seminar
to come; the municipal orders, regulations and reports the seed's «есть ли …» indicators ask
for, some marked public, and a school's order approving its ШППКО."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from shnor.core.calendar import months_after
from shnor.core.documents.content import Report
from shnor.core.documents.render import to_pdf
from shnor.demo.generator import SMALL_MUNICIPALITY
from shnor.demo.support import supported_schools
from shnor.events.actions import do_add_participants, do_record_document, do_record_event
from shnor.events.choices import (
    DocumentKind,
    DocumentLevel,
    DocumentPurpose,
    EventKind,
    EventLevel,
)
from shnor.events.models import Document, Event
from shnor.registry.models import Municipality
from shnor.staff.choices import DeficitKind
from shnor.staff.models import Teacher
from shnor.support.models import Measure

ORGANISER = "Управление образования администрации Таёжного района"


def pdf(title: str) -> SimpleUploadedFile:
    """A one-page PDF with the title, standing for the signed document."""
    body = to_pdf(Report("document", title, ORGANISER, [], []), ORGANISER)
    return SimpleUploadedFile("document.pdf", body, content_type="application/pdf")


def seed_events(system: Any, today: date) -> dict[str, int]:
    place = Municipality.objects.get(name=SMALL_MUNICIPALITY)
    schools = supported_schools(place, set())
    teachers = list(Teacher.objects.filter(school__in=schools).order_by("school__name", "pk"))
    plan = [
        # (kind, months from today, topic, deficit kind, which teachers take part)
        (EventKind.RMO, -3, "Западающие вопросы подготовки к ОГЭ по математике", "", 0),
        (
            EventKind.DIAGNOSTICS,
            -2,
            "Диагностика предметных и методических компетенций учителей",
            "",
            1,
        ),
        (
            EventKind.LANDING,
            -2,
            "Методический десант: формирующее оценивание на уроках",
            DeficitKind.METHODICAL,
            2,
        ),
        (EventKind.INTERNSHIP, -1, "Стажировка на муниципальной стажировочной площадке", "", 3),
        (EventKind.CONFERENCE, -1, "Педагогическая конференция «Мои инновации»", "", 2),
        (EventKind.SEMINAR, 1, "Читательская грамотность: приёмы работы с текстом", "", None),
    ]
    for kind, months, topic, deficit, share in plan:
        held = months_after(today, months)
        event = do_record_event(
            Event(
                region=place.region,
                municipality=place,
                kind=kind,
                level=EventLevel.MUNICIPAL,
                date=held,
                organiser=ORGANISER,
                topic=topic,
                deficit_kind=deficit,
                materials_note="Презентация и рекомендации — в папке РМО на сайте управления.",
            ),
            schools=schools[:2] if kind == EventKind.LANDING else [],
            acting_user=system,
        )
        if share is not None:  # a planned event has no participants yet
            chosen = teachers if share == 1 else teachers[share::3]
            do_add_participants(event, chosen, acting_user=system)
    documents = [
        # (kind, purpose, months from today, number, title, public)
        (
            DocumentKind.ORDER,
            "",
            -14,
            "112",
            "Об утверждении муниципальной программы повышения качества образования",
            True,
        ),
        (
            DocumentKind.REGULATION,
            DocumentPurpose.MONITORING_LOW,
            -13,
            "118",
            "Положение о муниципальном мониторинге: показатели, определяющие ШНОР",
            True,
        ),
        (
            DocumentKind.REGULATION,
            DocumentPurpose.DEFICIT_SYSTEM,
            -12,
            "121",
            "Положение о мониторинге профессиональных дефицитов педагогических работников",
            False,
        ),
        (
            DocumentKind.ORDER,
            DocumentPurpose.RESOURCE_MONITORING,
            -4,
            "75",
            "О проведении мониторинга ресурсных дефицитов в школах зоны риска",
            True,
        ),
        (
            DocumentKind.ORDER,
            DocumentPurpose.INTERNSHIP_SITES,
            -3,
            "88",
            "Об организации деятельности муниципальных стажировочных площадок",
            False,
        ),
        (
            DocumentKind.REPORT,
            DocumentPurpose.RESULTS_REPORT,
            -1,
            "",
            "Аналитическая справка по мониторингу образовательных результатов ШНОР",
            True,
        ),
        (
            DocumentKind.PROTOCOL,
            "",
            -1,
            "3",
            "Протокол координационного совета по работе со ШНОР",
            False,
        ),
    ]
    municipal = Measure.objects.filter(programme__municipality=place, programme__school=None)
    for document_kind, purpose, months, number, title, public in documents:
        do_record_document(
            Document(
                region=place.region,
                municipality=place,
                level=DocumentLevel.MUNICIPALITY,
                kind=document_kind,
                number=number,
                date=months_after(today, months),
                title=title,
                purpose=purpose,
                public=public,
            ),
            measures=list(municipal.order_by("number")[:1])
            if document_kind == DocumentKind.PROTOCOL
            else [],
            sites=schools[-2:] if purpose == DocumentPurpose.INTERNSHIP_SITES else [],
            file=pdf(title) if public else None,
            acting_user=system,
        )
    for school in schools[:3]:
        do_record_document(
            Document(
                region=place.region,
                municipality=place,
                school=school,
                level=DocumentLevel.SCHOOL,
                kind=DocumentKind.ORDER,
                number="45-о",
                date=months_after(today, -9),
                title="Об утверждении школьной программы повышения качества образования",
                purpose=DocumentPurpose.SCHOOL_PROGRAMME,
            ),
            acting_user=system,
        )
    return {
        "мероприятий": Event.objects.filter(municipality=place).count(),
        "документов": Document.objects.filter(municipality=place).count(),
    }
