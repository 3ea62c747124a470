"""Writes of the events and documents registers, each one transaction with its journal row."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from shnor.core.audit import record_audit, snapshot
from shnor.events.choices import EventKind
from shnor.events.models import Document, Event, Participation
from shnor.registry.models import School
from shnor.staff.choices import ActivityKind
from shnor.staff.models import Activity, Teacher
from shnor.support.models import Measure

# The teacher's activity record an event becomes; kinds the staff app has no word for are
# «методическое мероприятие».
ACTIVITY_KINDS = {
    EventKind.RMO: ActivityKind.RMO,
    EventKind.CONFERENCE: ActivityKind.CONFERENCE,
    EventKind.CONTEST: ActivityKind.CONTEST,
    EventKind.INTERNSHIP: ActivityKind.INTERNSHIP,
    EventKind.COURSE: ActivityKind.COURSE,
}


@transaction.atomic
def do_record_event(
    event: Event,
    *,
    schools: Iterable[School] = (),
    materials: UploadedFile | None = None,
    acting_user: Any,
) -> Event:
    """Save a new event (validated by its form) with its participating schools."""
    if materials is not None:
        event.materials = materials
    event.full_clean()
    event.save()
    event.schools.set(list(schools))
    record_audit(
        "events.event_recorded",
        actor=acting_user,
        target=event,
        summary=str(event),
        before={},
        schools=[s.code for s in event.schools.all()],
    )
    return event


@transaction.atomic
def do_add_participants(
    event: Event, teachers: Iterable[Teacher], *, acting_user: Any
) -> list[Participation]:
    """Record teachers' participation; each becomes the teacher's activity record and brings
    the teacher's school into the event's schools."""
    added = []
    for teacher in teachers:
        if Participation.objects.filter(event=event, teacher=teacher).exists():
            continue
        activity = Activity.objects.create(
            teacher=teacher,
            kind=ACTIVITY_KINDS.get(EventKind(event.kind), ActivityKind.EVENT),
            title=event.topic,
            date=event.date,
        )
        added.append(Participation.objects.create(event=event, teacher=teacher, activity=activity))
        event.schools.add(teacher.school_id)
    record_audit(
        "events.participants_added",
        actor=acting_user,
        target=event,
        summary=f"{event}: участников добавлено {len(added)}",
        teachers=[p.teacher_id for p in added],
    )
    return added


@transaction.atomic
def do_remove_participant(participation: Participation, *, acting_user: Any) -> None:
    event = participation.event
    if participation.activity is not None:
        participation.activity.delete()
    participation.delete()
    record_audit(
        "events.participant_removed",
        actor=acting_user,
        target=event,
        summary=f"{event}: участник исключён",
        teacher=participation.teacher_id,
    )


@transaction.atomic
def do_record_document(
    document: Document,
    *,
    measures: Iterable[Measure] = (),
    sites: Iterable[School] = (),
    file: UploadedFile | None = None,
    acting_user: Any,
) -> Document:
    """Save a new document (validated by its form) with the measures it confirms and the
    schools it names."""
    if file is not None:
        document.file = file
    document.full_clean()
    document.save()
    document.measures.set(list(measures))
    document.sites.set(list(sites))
    record_audit(
        "events.document_recorded",
        actor=acting_user,
        target=document,
        summary=str(document),
        before={},
        measures=[m.pk for m in document.measures.all()],
    )
    return document


@transaction.atomic
def do_publish_document(document: Document, public: bool, *, acting_user: Any) -> Document:
    """Mark a document public (shown without login) or take it off the public page."""
    before = snapshot(document)
    document.public = public
    document.save(update_fields=["public", "updated"])
    record_audit(
        "events.document_published" if public else "events.document_unpublished",
        actor=acting_user,
        target=document,
        summary=str(document),
        before=before,
    )
    return document
