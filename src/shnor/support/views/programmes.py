"""A programme and its measures: the plan (edited while a draft), approval, corrections as new
versions with their changes, execution with evidence, comments and confirmation."""

from __future__ import annotations

from datetime import date
from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from shnor.accounts.choices import Action
from shnor.support.actions import (
    do_add_measure,
    do_add_note,
    do_approve_programme,
    do_confirm_measure,
    do_record_execution,
    do_remove_measure,
    do_revise_programme,
    do_update_measure,
)
from shnor.support.choices import MeasureStatus, ProgrammeStatus
from shnor.support.documents import programme_report
from shnor.support.models import Measure, MeasureNote, Programme
from shnor.support.programmes import changes_since_previous
from shnor.support.views.common import allowed, document_response, measure_row, scoped

SETTABLE = [c for c in MeasureStatus.choices if c[0] != MeasureStatus.OVERDUE]


@login_required
def programme(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    shown = scoped(
        Programme.objects.select_related("school", "municipality", "approved_by", "previous"),
        user,
        Action.VIEW,
        pk,
    )
    may_edit = allowed(Programme.objects, user, Action.EDIT_PROGRAMME, pk)
    may_approve = allowed(Programme.objects, user, Action.APPROVE_PROGRAMME, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        target = shown
        try:
            if action == "add" and may_edit:
                do_add_measure(shown, measure_row(request.POST), acting_user=user)
                messages.success(request, "Мероприятие добавлено")
            elif action == "approve" and may_approve:
                do_approve_programme(shown, acting_user=user)
                messages.success(request, f"Программа утверждена (версия {shown.version})")
            elif action == "revise" and (may_edit or may_approve):
                target = do_revise_programme(shown, acting_user=user)
                messages.success(request, f"Открыта версия {target.version} для корректировки")
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, f"Не сохранено: {'; '.join(error.messages)}")
        return redirect("support:programme", pk=target.pk)
    today = date.today()

    @cache
    def measures() -> list[Measure]:  # read when the table's fragment is rendered
        rows = list(shown.measures.prefetch_related("notes").select_related("visit"))
        for measure in rows:
            measure.shown_state = measure.state(today)
        return rows

    return render(
        request,
        "support/programme.html",
        {
            "p": shown,
            "measures": measures,
            "changes": cache(lambda: changes_since_previous(shown)),
            "fragment_key": (shown.pk, today),
            "draft": shown.status == ProgrammeStatus.DRAFT,
            "may_edit": may_edit,
            "may_approve": may_approve,
            "newer": shown.revisions.order_by("-version").first(),
            "today": today,
        },
    )


@login_required
def programme_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    shown = scoped(Programme.objects.select_related("municipality"), request.user, Action.VIEW, pk)
    report = programme_report(shown, date.today())
    organisation = f"Управление образования: {shown.municipality.name}"
    return document_response(report, fmt, organisation, f"programma_{shown.pk}_v{shown.version}")


@login_required
def measure(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    shown = scoped(
        Measure.objects.select_related("programme__school", "confirmed_by", "visit"),
        user,
        Action.VIEW,
        pk,
    )
    may_edit = allowed(Measure.objects, user, Action.EDIT_PROGRAMME, pk)
    may_confirm = allowed(Measure.objects, user, Action.CONFIRM_MEASURE, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "edit" and may_edit:
                do_update_measure(shown, measure_row(request.POST), acting_user=user)
                messages.success(request, "Мероприятие изменено")
            elif action == "remove" and may_edit:
                do_remove_measure(shown, acting_user=user)
                messages.success(request, "Мероприятие удалено из проекта")
                return redirect("support:programme", pk=shown.programme_id)
            elif action == "status" and (may_edit or may_confirm):
                do_record_execution(
                    shown,
                    status=request.POST.get("status", ""),
                    acting_user=user,
                    may_confirm=may_confirm,
                    text=request.POST.get("text", ""),
                    file=request.FILES.get("file"),
                )
                messages.success(request, f"Состояние: {shown.get_status_display()}")
            elif action == "confirm" and may_confirm:
                do_confirm_measure(shown, acting_user=user)
                messages.success(request, "Выполнение подтверждено")
            elif action == "note" and (may_edit or may_confirm):
                do_add_note(
                    shown,
                    text=request.POST.get("text", ""),
                    file=request.FILES.get("file"),
                    acting_user=user,
                )
                messages.success(request, "Комментарий добавлен")
            else:
                raise Http404
        except ValidationError as error:
            messages.error(request, f"Не сохранено: {'; '.join(error.messages)}")
        return redirect("support:measure", pk=pk)
    return render(
        request,
        "support/measure.html",
        {
            "m": shown,
            "state": shown.state(date.today()),
            "notes": shown.notes.select_related("author"),
            "may_edit": may_edit and not shown.programme.is_frozen,
            "may_execute": (may_edit or may_confirm)
            and shown.programme.status != ProgrammeStatus.SUPERSEDED,
            "may_confirm": may_confirm,
            "may_comment": may_edit or may_confirm,
            "statuses": SETTABLE,
        },
    )


@login_required
def note_file(request: HttpRequest, pk: int) -> FileResponse:
    note = scoped(MeasureNote.objects, request.user, Action.VIEW, pk)
    if not note.file:
        raise Http404
    return FileResponse(note.file.open("rb"), as_attachment=True, filename=note.file_name)
