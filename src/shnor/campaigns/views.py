"""Pages of the monitoring campaigns: the list, composing and sending a campaign, its
completion per school, the overdue forms, and a school's form on the page or as XLSX. Thin:
forms parse, actions write, tracking scopes."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from shnor.accounts.http import AuthenticatedHttpRequest
from shnor.campaigns.actions import do_create_campaign, do_save_answers, do_send_campaign
from shnor.campaigns.answering import AnswersForm, initial_of, shown_answer
from shnor.campaigns.definition import template_text
from shnor.campaigns.forms import CampaignForm, SendForm, UploadForm, campaign_initial
from shnor.campaigns.models import Assignment
from shnor.campaigns.tracking import (
    completion_counts,
    fillable,
    may_compose,
    overdue,
    visible_assignments,
    visible_campaigns,
    writable_campaigns,
)
from shnor.campaigns.workbook import WorkbookErrors, form_workbook, read_answers
from shnor.core.params import Params, choice_field
from shnor.core.uploads import store_upload


class AnswerAction(Params):
    action = choice_field(["save", "submit"])


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = date.today()
    campaigns = list(visible_campaigns(request.user).select_related("municipality"))
    forms = list(visible_assignments(request.user).order_by("campaign__deadline", "school__name"))
    by_campaign: dict[int, list[Assignment]] = {}
    for assignment in forms:
        by_campaign.setdefault(assignment.campaign_id, []).append(assignment)
    return render(
        request,
        "campaigns/index.html",
        {
            "rows": [(c, completion_counts(by_campaign.get(c.pk, []), today)) for c in campaigns],
            "forms": [(a, a.completion(today)) for a in forms if request.user.school_id],
            "may_compose": may_compose(request.user),
        },
    )


@login_required
def new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not may_compose(request.user):
        raise Http404
    form = CampaignForm(
        request.POST or None,
        user=request.user,
        initial=campaign_initial(template_text(), date.today()),
    )
    if request.method == "POST" and form.is_valid():
        campaign = do_create_campaign(form.save(commit=False), acting_user=request.user)
        messages.success(request, "Кампания создана: выберите школы")
        return redirect("campaigns:campaign", pk=campaign.pk)
    return render(request, "campaigns/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def campaign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shown = get_object_or_404(visible_campaigns(request.user), pk=pk)
    today = date.today()
    # sending is the composer's: inside the coordinator's own campaigns, not those only seen
    may_send = writable_campaigns(request.user).filter(pk=pk).exists()
    send = SendForm(request.POST or None, campaign=shown, user=request.user)
    if request.method == "POST":
        if not may_send:
            raise Http404
        if send.is_valid():
            added = do_send_campaign(shown, send.chosen(), acting_user=request.user)
            messages.success(request, f"Форма отправлена школам: {len(added)}")
            return redirect("campaigns:campaign", pk=pk)
    assignments = list(
        visible_assignments(request.user)
        .filter(campaign=shown)
        .select_related("school__municipality")
        .order_by("school__municipality__name", "school__name")
    )
    questions = shown.definition["questions"]
    return render(
        request,
        "campaigns/campaign.html",
        {
            "campaign": shown,
            "counts": completion_counts(assignments, today),
            "rows": [
                {
                    "assignment": a,
                    "completion": a.completion(today),
                    "answers": [
                        shown_answer(q, a.answers.get(f"q{n}")) for n, q in enumerate(questions, 1)
                    ],
                }
                for a in assignments
            ],
            "questions": questions,
            "send": send if may_send else None,
        },
        status=400 if send.errors else 200,
    )


@login_required
def overdue_forms(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "campaigns/overdue.html", {"forms": overdue(request.user, date.today())})


@login_required
def assignment(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shown = get_object_or_404(visible_assignments(request.user), pk=pk)
    may_fill = fillable(request.user).filter(pk=pk).exists()
    definition = shown.campaign.definition
    form = AnswersForm(definition, initial=initial_of(definition, shown.answers))
    if request.method == "POST":
        if not may_fill:
            raise Http404
        submit = AnswerAction.parse(request.POST)["action"] == "submit"
        form = AnswersForm(definition, request.POST, strict=submit)
        if form.is_valid():
            do_save_answers(shown, form.answers(), submit=submit, acting_user=request.user)
            messages.success(request, "Ответы сданы" if submit else "Черновик сохранён")
            return redirect("campaigns:assignment", pk=pk)
        messages.error(request, "Ответы не сохранены: исправьте отмеченные поля")
    return render(
        request,
        "campaigns/assignment.html",
        {
            "assignment": shown,
            "completion": shown.completion(date.today()),
            "form": form,
            "may_fill": may_fill,
            "upload": UploadForm(),
        },
        status=400 if form.errors else 200,
    )


@login_required
def assignment_xlsx(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    shown = get_object_or_404(visible_assignments(request.user), pk=pk)
    response = HttpResponse(
        form_workbook(shown),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"monitoring-{shown.campaign_id}-{shown.school.code}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def assignment_upload(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    shown = get_object_or_404(fillable(request.user), pk=pk)
    upload = UploadForm(request.POST, request.FILES)
    if not upload.is_valid():
        for errors in upload.errors.values():
            messages.error(request, " ".join(map(str, errors)))
        return redirect("campaigns:assignment", pk=pk)
    file = upload.cleaned_data["file"]
    stored = store_upload(file)
    try:
        answers = read_answers(shown, stored, file.name)
    except WorkbookErrors as error:
        for message in error.errors:
            messages.error(request, message)
        messages.error(request, "Файл не принят, ответы не изменены")
        return redirect("campaigns:assignment", pk=pk)
    finally:
        stored.unlink(missing_ok=True)
    do_save_answers(shown, answers, submit=True, acting_user=request.user)
    messages.success(request, f"Ответы из файла «{file.name}» сданы")
    return redirect("campaigns:assignment", pk=pk)
