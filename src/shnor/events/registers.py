"""Who sees which entries of the registers, and the municipal calendar.

`restrict` narrows events and documents to the user's territory; on top of it every user with a
place in a region sees the region's own events and documents (a regional order binds every
municipality), and a school's user sees its municipality's documents as well as its own."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from shnor.accounts.choices import Action, Role
from shnor.core.scope import can, curator_assignments, restrict
from shnor.events.choices import DocumentLevel, EventKind
from shnor.events.models import Document, Event
from shnor.support.choices import VisitKind
from shnor.support.models import Visit

# Writing the registers: coordinators (Action.CHANGE) for the region or the municipality, a
# school's administration (Action.EDIT_PROGRAMME) for the school's own documents.
WRITE_ACTIONS = (Action.CHANGE, Action.EDIT_PROGRAMME)


def regions_of(user: Any) -> set[int]:
    """The regions of the user's places (for a curator: of the schools assigned today)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.school_id:
        return {user.school.municipality.region_id}
    if user.municipality_id:
        return {user.municipality.region_id}
    if user.region_id:
        return {user.region_id}
    if user.role == Role.CURATOR:
        return set(
            curator_assignments(user).values_list("school__municipality__region_id", flat=True)
        )
    return set()


def visible_events(user: Any) -> QuerySet[Event]:
    if not can(user, Action.VIEW):
        return Event.objects.none()
    own = restrict(Event.objects.all(), user)
    regional = Q(region_id__in=regions_of(user), municipality__isnull=True)
    return Event.objects.filter(Q(pk__in=own.values("pk")) | regional)


def visible_documents(user: Any) -> QuerySet[Document]:
    if not can(user, Action.VIEW):
        return Document.objects.none()
    own = restrict(Document.objects.all(), user)
    shared = Q(region_id__in=regions_of(user), level=DocumentLevel.REGION)
    if user.school_id:
        shared |= Q(municipality_id=user.school.municipality_id, level=DocumentLevel.MUNICIPALITY)
    return Document.objects.filter(Q(pk__in=own.values("pk")) | shared)


def may_write(user: Any) -> bool:
    return any(can(user, action) for action in WRITE_ACTIONS)


def writable(queryset: QuerySet[Any], user: Any) -> QuerySet[Any]:
    """The entries the user may change: inside the scope of one of the write actions."""
    for action in WRITE_ACTIONS:
        if can(user, action):
            return restrict(queryset, user, action)
    return queryset.none()


@dataclass(frozen=True)
class CalendarEntry:
    day: date
    kind: str  # the Russian word
    title: str
    place: str
    url: str


def month_entries(user: Any, year: int, month: int) -> list[CalendarEntry]:
    """The month's events and the curators' visits (десанты, выездные дни, консультации) of
    the user's territory, by day."""
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    entries = [
        CalendarEntry(
            e.date,
            EventKind(e.kind).label,
            e.topic,
            e.municipality.name if e.municipality else "регион",
            reverse("events:event", args=[e.pk]),
        )
        for e in visible_events(user)
        .filter(date__range=(first, last))
        .select_related("municipality")
    ]
    visits = restrict(Visit.objects.all(), user).filter(date__range=(first, last))
    entries += [
        CalendarEntry(
            v.date,
            VisitKind(v.kind).label + ("" if v.held else " (план)"),
            v.topic,
            v.school.short_name,
            reverse("support:school", args=[v.school_id]),
        )
        for v in visits.select_related("school")
    ]
    return sorted(entries, key=lambda e: (e.day, e.kind, e.title))
