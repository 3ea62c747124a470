"""Pages of the registers: the calendar and list of events, an event with its participants,
the documents register and a document. Thin: forms parse, actions write, registers scope."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from shnor.accounts.choices import Action
from shnor.accounts.http import AuthenticatedHttpRequest
from shnor.core.calendar import MONTH_NAMES
from shnor.core.params import Params, choice_field, id_field, year_field
from shnor.core.scope import restrict
from shnor.events.actions import (
    do_add_participants,
    do_publish_document,
    do_record_document,
    do_record_event,
    do_remove_participant,
)
from shnor.events.choices import DocumentKind, DocumentLevel, EventKind
from shnor.events.forms import DocumentForm, EventForm, ParticipantsForm
from shnor.events.models import Document, Participation
from shnor.events.registers import (
    may_write,
    month_entries,
    visible_documents,
    visible_events,
    writable,
)
from shnor.staff.models import Teacher


class CalendarParams(Params):
    year = year_field()
    month = forms.IntegerField(required=False, min_value=1, max_value=12)
    kind = choice_field(EventKind.choices)


class DocumentParams(Params):
    kind = choice_field(DocumentKind.choices)
    level = choice_field(DocumentLevel.choices)
    year = year_field()


class EventAction(Params):
    action = choice_field(["participants", "remove"])
    participation = id_field()


@login_required
def calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    params = CalendarParams.parse(request.GET)
    today = date.today()
    year, month = params["year"] or today.year, params["month"] or today.month
    previous = (year, month - 1) if month > 1 else (year - 1, 12)
    following = (year, month + 1) if month < 12 else (year + 1, 1)
    events = visible_events(request.user).select_related("municipality")
    if params["kind"]:
        events = events.filter(kind=params["kind"])
    return render(
        request,
        "events/calendar.html",
        {
            "title": f"Мероприятия: {MONTH_NAMES[month - 1]} {year}",
            "entries": month_entries(request.user, year, month),
            "previous": previous,
            "following": following,
            "events": events.filter(date__year=year).prefetch_related("schools")[:200],
            "year": year,
            "kinds": EventKind.choices,
            "kind": params["kind"],
            "may_write": may_write(request.user),
        },
    )


@login_required
def add_event(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_write(request.user) or request.user.school_id:
        raise Http404
    form = EventForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        event = do_record_event(
            form.save(commit=False),
            schools=form.cleaned_data["schools"],
            materials=form.cleaned_data.get("materials"),
            acting_user=request.user,
        )
        messages.success(request, "Мероприятие записано")
        return redirect("events:event", pk=event.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "events/form.html",
        {"form": form, "title": "Новое мероприятие", "multipart": True},
        status=status,
    )


@login_required
def event(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shown = get_object_or_404(
        visible_events(request.user).select_related("municipality", "region"), pk=pk
    )
    may_change = writable(visible_events(request.user), request.user).filter(pk=pk).exists()
    teachers = restrict(Teacher.objects.all(), request.user, Action.VIEW_PERSONAL)
    if shown.municipality_id:
        teachers = teachers.filter(school__municipality_id=shown.municipality_id)
    form = ParticipantsForm(
        request.POST if request.POST.get("action") == "participants" else None,
        teachers=teachers.select_related("school").order_by("school__name", "full_name"),
    )
    if request.method == "POST":
        if not may_change:
            raise Http404
        params = EventAction.parse(request.POST)
        if params["action"] == "participants":
            if form.is_valid():
                added = do_add_participants(
                    shown, form.cleaned_data["teachers"], acting_user=request.user
                )
                messages.success(request, f"Добавлено участников: {len(added)}")
                return redirect("events:event", pk=pk)
        elif params["action"] == "remove" and params["participation"]:
            participation = get_object_or_404(
                Participation.objects.filter(event=shown, teacher__in=teachers),
                pk=params["participation"],
            )
            do_remove_participant(participation, acting_user=request.user)
            messages.success(request, "Участник исключён")
            return redirect("events:event", pk=pk)
        else:
            raise Http404
    participations = (
        Participation.objects.filter(event=shown, teacher__in=teachers)
        .select_related("teacher__school")
        .order_by("teacher__school__name", "teacher__full_name")
    )
    return render(
        request,
        "events/event.html",
        {
            "event": shown,
            "schools": shown.schools.order_by("name"),
            "participations": participations,
            "participants_total": shown.participations.count(),
            "form": form,
            "may_change": may_change,
        },
        status=400 if form.errors else 200,
    )


@login_required
def materials(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    shown = get_object_or_404(visible_events(request.user), pk=pk)
    if not shown.materials:
        raise Http404
    return FileResponse(
        shown.materials.open("rb"),
        as_attachment=True,
        filename=Path(shown.materials.name).name,
    )


@login_required
def documents(request: AuthenticatedHttpRequest) -> HttpResponse:
    params = DocumentParams.parse(request.GET)
    shown = visible_documents(request.user).select_related("municipality", "school")
    for name in ("kind", "level"):
        if params[name]:
            shown = shown.filter(**{name: params[name]})
    if params["year"]:
        shown = shown.filter(date__year=params["year"])
    return render(
        request,
        "events/documents.html",
        {
            "documents": shown[:300],
            "kinds": DocumentKind.choices,
            "levels": DocumentLevel.choices,
            "params": params,
            "may_write": may_write(request.user),
        },
    )


@login_required
def add_document(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_write(request.user):
        raise Http404
    form = DocumentForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        document = do_record_document(
            form.save(commit=False),
            measures=form.cleaned_data["measures"],
            sites=form.cleaned_data["sites"],
            file=form.cleaned_data.get("file"),
            acting_user=request.user,
        )
        messages.success(request, "Документ записан")
        return redirect("events:document", pk=document.pk)
    return render(
        request,
        "events/form.html",
        {"form": form, "title": "Новый документ", "multipart": True},
        status=400 if form.errors else 200,
    )


class PublishParams(Params):
    public = choice_field(["1", "0"])


@login_required
def document(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shown = get_object_or_404(
        visible_documents(request.user).select_related("municipality", "school"), pk=pk
    )
    may_change = writable(Document.objects.all(), request.user).filter(pk=pk).exists()
    if request.method == "POST":
        if not may_change:
            raise Http404
        public = PublishParams.parse(request.POST)["public"]
        if not public:
            raise Http404
        do_publish_document(shown, public == "1", acting_user=request.user)
        messages.success(
            request, "Документ опубликован" if public == "1" else "Документ снят с публикации"
        )
        return redirect("events:document", pk=pk)
    context: dict[str, Any] = {
        "document": shown,
        "measures": shown.measures.select_related("programme"),
        "sites": shown.sites.order_by("name"),
        "may_change": may_change,
    }
    return render(request, "events/document.html", context)


@login_required
def document_file(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    shown = get_object_or_404(visible_documents(request.user), pk=pk)
    if not shown.file:
        raise Http404
    return FileResponse(
        shown.file.open("rb"), as_attachment=True, filename=Path(shown.file.name).name
    )
