"""The support dashboard (deadlines and coverage of the listed schools), the timeline and the
municipal lists of curators and partners with their documents."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from shnor.accounts.choices import Action
from shnor.accounts.http import AuthenticatedHttpRequest
from shnor.accounts.models import User
from shnor.core.derived import lazily
from shnor.core.params import parse_id, safe_next
from shnor.core.scope import can, scope_key
from shnor.identification.choices import Status
from shnor.identification.history import latest_run, statuses_by_school
from shnor.registry.models import Municipality, School
from shnor.support.actions import do_assign_curator, do_end_assignment
from shnor.support.choices import ProgrammeStatus
from shnor.support.curators import curators_for
from shnor.support.documents import (
    curator_list,
    curator_list_report,
    partner_list,
    partner_list_report,
)
from shnor.support.models import CuratorAssignment, Programme, Visit
from shnor.support.schedule import current_measures, deadlines, timeline
from shnor.support.views.common import document_response, optional_date, scoped

LISTED = (Status.LOW_RESULTS, Status.RISK_ZONE)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = date.today()

    def overview() -> dict[str, Any]:  # read when the page's fragment is rendered
        run = latest_run(user)
        listed = list(statuses_by_school(run, user, only=LISTED).values()) if run else []
        ids = [s.school_id for s in listed]
        with_programme = set(
            Programme.objects.current().filter(school__in=ids).values_list("school_id", flat=True)
        )
        with_curator = set(
            curator_list(user, today).filter(school__in=ids).values_list("school_id", flat=True)
        )
        with_partner = set(
            partner_list(user, today).filter(school__in=ids).values_list("school_id", flat=True)
        )
        coverage = [
            {
                "status": s,
                "flags": [
                    s.school_id in ids for ids in (with_programme, with_curator, with_partner)
                ],
            }
            for s in sorted(listed, key=lambda s: (s.status != Status.LOW_RESULTS, s.school.name))
        ]
        programmes = (
            Programme.objects.restrict(user)
            .current()
            .select_related("school", "municipality")
            .order_by("school__name")
        )
        return {
            "deadlines": deadlines(user, today),
            "coverage": coverage,
            "run": run,
            "programmes": programmes,
            "drafts": Programme.objects.restrict(user)
            .filter(status=ProgrammeStatus.DRAFT)
            .select_related("school", "municipality")
            .order_by("-updated"),
            "municipalities": Municipality.objects.restrict(user, Action.MANAGE_SUPPORT),
        }

    return render(
        request,
        "support/index.html",
        {
            **lazily(
                overview, "deadlines", "coverage", "run", "programmes", "drafts", "municipalities"
            ),
            "fragment_key": (scope_key(user),),
        },
    )


@login_required
def timeline_page(request: HttpRequest) -> HttpResponse:
    today = date.today()
    measures = current_measures(request.user)
    school = None
    if request.GET.get("school"):
        school = scoped(School.objects, request.user, Action.VIEW, request.GET["school"], "school")
        measures = measures.filter(programme__school=school)
    return render(
        request,
        "support/timeline.html",
        {"months": timeline(measures, today), "school": school, "today": today},
    )


@login_required
def curators(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = date.today()
    may_manage = can(user, Action.MANAGE_SUPPORT)
    if request.method == "POST" and may_manage:
        try:
            if request.POST.get("action") == "end":
                assignment = scoped(
                    CuratorAssignment.objects, user, Action.MANAGE_SUPPORT, request.POST.get("id")
                )
                do_end_assignment(
                    assignment,
                    ends=optional_date(request.POST.get("ends"), "По") or today,
                    acting_user=user,
                )
                messages.success(request, f"Закрепление завершено: {assignment}")
            else:
                school = scoped(
                    School.objects,
                    user,
                    Action.MANAGE_SUPPORT,
                    request.POST.get("school"),
                    "school",
                )
                curator = curators_for(school.municipality).get(
                    pk=parse_id(request.POST.get("curator"), "curator")
                )
                assignment = do_assign_curator(
                    school,
                    curator,
                    starts=optional_date(request.POST.get("starts"), "С") or today,
                    order=request.POST.get("order", ""),
                    acting_user=user,
                )
                messages.success(request, f"Куратор закреплён: {assignment}")
        except (ValidationError, User.DoesNotExist) as error:
            messages.error(request, f"Не сохранено: {error}")
        return redirect(safe_next(request, reverse("support:curators")))
    schools = School.objects.restrict(user, Action.MANAGE_SUPPORT).order_by("name")
    first = schools.select_related("municipality").first()
    return render(
        request,
        "support/curators.html",
        {
            "assignments": curator_list(user, today),
            "plan": Visit.objects.restrict(user)
            .filter(held=False, date__gte=today)
            .select_related("school", "curator")
            .order_by("curator__last_name", "date"),
            "may_manage": may_manage,
            "schools": schools,
            "curators": curators_for(first.municipality) if first else User.objects.none(),
            "today": today,
        },
    )


def territory(user: User) -> str:
    return user.scope_label


@login_required
def curators_document(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    today = date.today()
    report = curator_list_report(curator_list(request.user, today), territory(request.user), today)
    return document_response(report, fmt, territory(request.user), "kuratory")


@login_required
def partners(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = date.today()
    rows = partner_list(request.user, today)
    return render(
        request,
        "support/partners.html",
        {"report": partner_list_report(rows, territory(request.user), request.user, today)},
    )


@login_required
def partners_document(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    today = date.today()
    rows = partner_list(request.user, today)
    report = partner_list_report(rows, territory(request.user), request.user, today)
    return document_response(report, fmt, territory(request.user), "setevye_pary")
