"""Teachers' pages. Personal pages go through restrict(VIEW_PERSONAL); changes through
restrict(MANAGE_STAFF); the municipal picture and the course order are aggregates."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from shnor.accounts.choices import Action, Role
from shnor.accounts.http import AuthenticatedHttpRequest
from shnor.core.params import Params, choice_field, id_field
from shnor.core.scope import can
from shnor.registry.models import School
from shnor.staff.actions import do_build_route, do_complete_item, do_record_deficit
from shnor.staff.choices import DeficitKind
from shnor.staff.individual_routes import route_year
from shnor.staff.models import Deficit, RouteItem, Teacher
from shnor.staff.picture import (
    course_order,
    course_order_xlsx,
    deficits_by_subject,
    staffing,
    weak_skill_needs,
)


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.user.role == Role.SCHOOL and request.user.school_id:
        return redirect("staff:school", pk=request.user.school_id)
    deficits = Deficit.objects.filter(teacher__school__in=School.objects.restrict(request.user))
    return render(
        request,
        "staff/picture.html",
        {
            "rows": deficits_by_subject(deficits),
            "kinds": DeficitKind.choices,
            "order": course_order(
                deficits, weak_skill_needs(School.objects.restrict(request.user))
            )[:50],
            "schools": School.objects.restrict(request.user, Action.VIEW_PERSONAL)
            .filter(teachers__isnull=False)
            .distinct()
            .order_by("municipality__name", "name"),
        },
    )


@login_required
def order_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    deficits = Deficit.objects.filter(teacher__school__in=School.objects.restrict(request.user))
    territory = request.user.scope_label
    response = HttpResponse(
        course_order_xlsx(
            course_order(deficits, weak_skill_needs(School.objects.restrict(request.user))),
            territory,
        ),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="order_pk.xlsx"'
    return response


@login_required
def school(request: HttpRequest, pk: int) -> HttpResponse:
    chosen = get_object_or_404(School.objects.restrict(request.user, Action.VIEW_PERSONAL), pk=pk)
    teachers = Teacher.objects.filter(school=chosen).prefetch_related("routes__items", "deficits")
    return render(
        request,
        "staff/school.html",
        {
            "school": chosen,
            "teachers": teachers,
            "staffing": staffing(teachers),
            "deficits": deficits_by_subject(Deficit.objects.filter(teacher__school=chosen)),
            "kinds": DeficitKind.choices,
        },
    )


class TeacherAction(Params):
    action = choice_field(["deficit", "route", "done"])
    found_on = forms.DateField(required=False)
    item = id_field()


@login_required
def teacher(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(
        Teacher.objects.restrict(request.user, Action.VIEW_PERSONAL).select_related("school"), pk=pk
    )
    may_manage = Teacher.objects.restrict(request.user, Action.MANAGE_STAFF).filter(pk=pk).exists()
    year = route_year(date.today())
    if request.method == "POST":
        if not may_manage:
            raise Http404
        params = TeacherAction.parse(request.POST)
        action = params["action"]
        try:
            if action == "deficit":
                do_record_deficit(
                    person,
                    kind=request.POST.get("kind", ""),
                    topic=request.POST.get("topic", ""),
                    subject=request.POST.get("subject", ""),
                    source=request.POST.get("source") or "самодиагностика школы",
                    found_on=params["found_on"] or date.today(),
                    acting_user=request.user,
                )
                messages.success(request, "Дефицит записан")
            elif action == "route":
                route = do_build_route(person, year, acting_user=request.user)
                messages.success(request, f"ИОМ на {route.year} год: {route.status}")
            elif action == "done":
                item = get_object_or_404(RouteItem, pk=params["item"], route__teacher=person)
                do_complete_item(item, acting_user=request.user)
                messages.success(request, "Пункт ИОМ отмечен выполненным")
        except (ValidationError, ValueError) as error:
            messages.error(request, f"Не сохранено: {error}")
        return redirect("staff:teacher", pk=pk)
    return render(
        request,
        "staff/teacher.html",
        {
            "t": person,
            "may_manage": may_manage,
            "kinds": DeficitKind.choices,
            "routes": person.routes.prefetch_related("items__deficit").order_by("-year"),
            "today": date.today().isoformat(),
            "may_view_school": can(request.user, Action.VIEW),
        },
    )
