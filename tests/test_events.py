"""The events and documents registers: writes through the pages, the teacher's activity record,
scope by role, the journal, and bad input answered with a message."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shnor.core.models import AuditEvent
from shnor.core.system import SystemUser
from shnor.events.actions import do_record_document, do_record_event
from shnor.events.choices import DocumentKind, DocumentLevel, EventKind
from shnor.events.models import Document, Event, Participation
from shnor.staff.choices import ActivityKind
from shnor.staff.models import Activity, Teacher
from shnor.support.choices import VisitKind
from shnor.support.models import Visit

ON = date(2026, 10, 14)  # the day the events and documents here are dated


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_event(world: dict[str, Any], municipality: Any, topic: str) -> Event:
    return do_record_event(
        Event(
            region=world["region"],
            municipality=municipality,
            kind=EventKind.RMO,
            date=ON,
            organiser="Управление образования",
            topic=topic,
        ),
        acting_user=SystemUser(region=world["region"]),
    )


def make_document(world: dict[str, Any], title: str, **place: Any) -> Document:
    return do_record_document(
        Document(region=world["region"], kind=DocumentKind.ORDER, date=ON, title=title, **place),
        acting_user=SystemUser(region=world["region"]),
    )


@pytest.mark.django_db
def test_it_records_an_event_with_teachers_as_their_activities(world: dict[str, Any]) -> None:
    a = world["schools"]["a"]
    teachers = [Teacher.objects.create(school=a, full_name=f"Петрова {n}") for n in range(2)]
    client = client_of(world["users"]["municipality"])
    response = client.post(
        reverse("events:add"),
        {
            "municipality": world["north"].pk,
            "kind": EventKind.INTERNSHIP,
            "level": "municipal",
            "date": ON.isoformat(),
            "organiser": "Управление образования",
            "topic": "Стажировка по функциональной грамотности",
            "schools": [a.pk],
        },
    )
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == reverse("events:event", args=[event.pk])
    assert event.municipality == world["north"] and list(event.schools.all()) == [a]
    assert AuditEvent.objects.filter(action="events.event_recorded", object_id=str(event.pk))
    response = client.post(
        reverse("events:event", args=[event.pk]),
        {"action": "participants", "teachers": [t.pk for t in teachers]},
    )
    assert response.status_code == 302
    activities = Activity.objects.filter(teacher__in=teachers)
    assert activities.count() == 2
    assert {a.kind for a in activities} == {ActivityKind.INTERNSHIP}
    assert {a.date for a in activities} == {ON}
    participation = Participation.objects.filter(event=event).first()
    assert participation is not None
    client.post(
        reverse("events:event", args=[event.pk]),
        {"action": "remove", "participation": participation.pk},
    )
    assert Activity.objects.filter(teacher__in=teachers).count() == 1
    assert AuditEvent.objects.filter(action="events.participant_removed").exists()


@pytest.mark.django_db
def test_a_seminar_becomes_a_methodical_event_of_the_teacher(world: dict[str, Any]) -> None:
    teacher = Teacher.objects.create(school=world["schools"]["a"], full_name="Сидорова")
    event = make_event(world, world["north"], "Семинар")
    event.kind = EventKind.SEMINAR
    event.save()
    client_of(world["users"]["municipality"]).post(
        reverse("events:event", args=[event.pk]),
        {"action": "participants", "teachers": [teacher.pk]},
    )
    assert Activity.objects.get(teacher=teacher).kind == ActivityKind.EVENT


@pytest.mark.django_db
def test_events_are_seen_within_the_territory(world: dict[str, Any]) -> None:
    own = make_event(world, world["north"], "РМО северных")
    other = make_event(world, world["south"], "РМО южных")
    regional = make_event(world, None, "Региональная конференция")
    users = world["users"]
    expected = {
        "municipality": {own, regional},
        "school": {own, regional},
        "region": {own, other, regional},
        "observer": {own, other, regional},
        "outsider": set(),
    }
    for role, seen in expected.items():
        client = client_of(users[role])
        for event in (own, other, regional):
            status = client.get(reverse("events:event", args=[event.pk])).status_code
            assert status == (200 if event in seen else 404), (role, event.topic, status)
    # a school writes no event, but records its own teachers' attendance (and no one else's)
    school = client_of(users["school"])
    assert school.get(reverse("events:add")).status_code == 404
    mine = Teacher.objects.create(school=world["schools"]["a"], full_name="Своя")
    theirs = Teacher.objects.create(school=world["schools"]["b"], full_name="Чужая")
    url = reverse("events:event", args=[own.pk])
    assert school.post(url, {"action": "participants", "teachers": [theirs.pk]}).status_code == 400
    assert school.post(url, {"action": "participants", "teachers": [mine.pk]}).status_code == 302
    assert [p.teacher for p in own.participations.all()] == [mine]
    assert client_of(users["observer"]).get(reverse("events:add")).status_code == 404


@pytest.mark.django_db
def test_the_calendar_shows_events_and_curators_visits(world: dict[str, Any]) -> None:
    make_event(world, world["north"], "РМО учителей математики")
    Visit.objects.create(
        school=world["schools"]["b"], kind=VisitKind.LANDING, date=ON, topic="Десант в школу № 2"
    )
    page = client_of(world["users"]["municipality"]).get(
        reverse("events:calendar"), {"year": ON.year, "month": ON.month}
    )
    text = page.content.decode()
    assert "РМО учителей математики" in text
    assert "Десант в школу № 2" in text and "методический десант (план)" in text


@pytest.mark.django_db
def test_documents_are_seen_by_level_and_place(world: dict[str, Any]) -> None:
    a, c = world["schools"]["a"], world["schools"]["c"]
    north = make_document(
        world, "Приказ северный", municipality=world["north"], level=DocumentLevel.MUNICIPALITY
    )
    south = make_document(
        world, "Приказ южный", municipality=world["south"], level=DocumentLevel.MUNICIPALITY
    )
    regional = make_document(world, "Приказ региональный", level=DocumentLevel.REGION)
    own = make_document(
        world, "Приказ школы 1", municipality=world["north"], school=a, level=DocumentLevel.SCHOOL
    )
    other = make_document(
        world, "Приказ школы 3", municipality=world["south"], school=c, level=DocumentLevel.SCHOOL
    )
    expected = {
        "municipality": {north, regional, own},
        "school": {north, regional, own},
        "region": {north, south, regional, own, other},
        "outsider": set(),
    }
    for role, seen in expected.items():
        text = client_of(world["users"][role]).get(reverse("events:documents")).content.decode()
        for document in (north, south, regional, own, other):
            assert (document.title in text) == (document in seen), (role, document.title)


@pytest.mark.django_db
def test_a_school_records_its_own_documents_only(
    world: dict[str, Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = client_of(world["users"]["school"])
    base = {
        "level": DocumentLevel.SCHOOL,
        "kind": DocumentKind.ORDER,
        "date": ON.isoformat(),
        "title": "Об утверждении ШППКО",
        "purpose": "school_programme",
    }
    refused = client.post(
        reverse("events:add_document"), {**base, "school": world["schools"]["b"].pk}
    )
    assert refused.status_code == 400 and not Document.objects.exists()
    upload = SimpleUploadedFile("prikaz.pdf", b"%PDF-1.4 test")
    accepted = client.post(
        reverse("events:add_document"), {**base, "school": world["schools"]["a"].pk, "file": upload}
    )
    document = Document.objects.get()
    assert accepted.status_code == 302
    assert (document.level, document.school, document.municipality) == (
        DocumentLevel.SCHOOL,
        world["schools"]["a"],
        world["north"],
    )
    assert AuditEvent.objects.filter(action="events.document_recorded").exists()
    assert client.get(reverse("events:document_file", args=[document.pk])).status_code == 200
    outsider = client_of(world["users"]["outsider"])
    assert outsider.get(reverse("events:document_file", args=[document.pk])).status_code == 404


@pytest.mark.django_db
def test_bad_input_is_a_message(world: dict[str, Any], settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = client_of(world["users"]["municipality"])
    assert client.get(reverse("events:calendar"), {"month": "13"}).status_code == 400
    assert client.get(reverse("events:documents"), {"kind": "указ"}).status_code == 400
    # a municipal coordinator writes no regional document
    regional = client.post(
        reverse("events:add_document"),
        {
            "level": DocumentLevel.REGION,
            "municipality": world["north"].pk,
            "kind": DocumentKind.ORDER,
            "date": ON.isoformat(),
            "title": "Т",
        },
    )
    assert regional.status_code == 400 and "Региональный документ" in regional.content.decode()
    # a file that is not what its extension says
    fake = SimpleUploadedFile("prikaz.pdf", b"MZ not a pdf")
    response = client.post(
        reverse("events:add_document"),
        {
            "level": DocumentLevel.MUNICIPALITY,
            "municipality": world["north"].pk,
            "kind": DocumentKind.ORDER,
            "date": "31.02.2026",
            "title": "Приказ",
            "file": fake,
        },
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "не похож на PDF" in text and "Введите правильную дату" in text
    assert not Document.objects.exists()
    event = client.post(
        reverse("events:add"),
        {"municipality": world["south"].pk, "kind": "rmo", "date": ON.isoformat(), "topic": "Т"},
    )
    assert event.status_code == 400 and not Event.objects.exists()


@pytest.mark.django_db
def test_publishing_a_document_is_journalled(world: dict[str, Any]) -> None:
    document = make_document(
        world, "Приказ", municipality=world["north"], level=DocumentLevel.MUNICIPALITY
    )
    client = client_of(world["users"]["municipality"])
    client.post(reverse("events:document", args=[document.pk]), {"public": "1"})
    document.refresh_from_db()
    assert document.public
    row = AuditEvent.objects.get(action="events.document_published")
    assert row.data["changes"] == {"public": [False, True]}
    # the region reads it but does not publish a municipality's document for it
    response = client_of(world["users"]["observer"]).post(
        reverse("events:document", args=[document.pk]), {"public": "0"}
    )
    assert response.status_code == 404
    assert (
        client.post(reverse("events:document", args=[document.pk]), {"public": "да"}).status_code
        == 400
    )
