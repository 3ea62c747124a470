"""Pages of the bank. Student-level pages (codes) go through restrict(VIEW_PERSONAL): the
school, its curator and the municipal coordinator; names only for the school's own account
(models.name_for). Writes go through restrict(MANAGE_STUDENTS): the school alone. Everyone
else sees the aggregates with small groups hidden."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from shnor.accounts.choices import Action, Role
from shnor.accounts.http import AuthenticatedHttpRequest
from shnor.assessments.models import ProcedureKind, Subject
from shnor.core.params import Params, year_field
from shnor.registry.models import School
from shnor.staff.models import Teacher
from shnor.students.actions import (
    do_add_route_note,
    do_add_route_step,
    do_build_student_route,
    do_complete_route_step,
    do_confirm_student_difficulty,
    do_dismiss_student_difficulty,
)
from shnor.students.bank import describe, pending, school_year, school_year_label, subject_names
from shnor.students.choices import DifficultyReason, DifficultyStatus, Executor, Overcome
from shnor.students.difficulty_counts import HIDDEN, picture
from shnor.students.exports import picture_xlsx
from shnor.students.models import Difficulty, RouteStep, Student, name_for
from shnor.students.outcomes import outcome, statuses
from shnor.students.weak_tasks import weak_tasks
from shnor.taskresults.frames import papers_frame


class YearParams(Params):
    year = year_field()


def chosen_year(request: AuthenticatedHttpRequest) -> int:
    return YearParams.parse(request.GET)["year"] or school_year(date.today())


def year_choices(year: int) -> list[tuple[int, str]]:
    current = school_year(date.today())
    return [(y, school_year_label(y)) for y in range(current, current - 4, -1)] + (
        [(year, school_year_label(year))] if year < current - 3 or year > current else []
    )


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.role == Role.SCHOOL and user.school_id:
        query = request.GET.urlencode()
        target = reverse("students:school", args=[user.school_id])
        return redirect(f"{target}?{query}" if query else target)
    year = chosen_year(request)
    schools = School.objects.restrict(user)
    return render(
        request,
        "students/picture.html",
        {
            "year": year,
            "year_label": school_year_label(year),
            "years": year_choices(year),
            "tables": picture(schools, year),
            "hidden": HIDDEN,
            "banks": School.objects.restrict(user, Action.VIEW_PERSONAL)
            .filter(students__difficulties__year=year)
            .distinct()
            .order_by("municipality__name", "name"),
        },
    )


@login_required
def picture_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    year = chosen_year(request)
    content = picture_xlsx(
        picture(School.objects.restrict(request.user), year),
        request.user.scope_label,
        school_year_label(year),
    )
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="students_bank_{year}.xlsx"'
    return response


class Decision(forms.Form):
    action = forms.ChoiceField(choices=[("confirm", ""), ("dismiss", ""), ("refer", "")])
    code = forms.CharField(max_length=32)
    reason = forms.ChoiceField(choices=DifficultyReason.choices, required=False)
    subject = forms.ModelChoiceField(Subject.objects.all(), required=False)
    grade = forms.IntegerField(min_value=1, max_value=11, required=False)
    note = forms.CharField(max_length=300, required=False)


def decide(request: AuthenticatedHttpRequest, chosen: School, year: int, form: Decision) -> str:
    """Apply the school's decision; the evidence is read again from the suggestions, never
    taken from the form. Returns the message shown."""
    data = form.cleaned_data
    subject = data["subject"]
    if data["action"] == "refer":
        if not data["note"]:
            raise ValueError("укажите, что отметил учитель")
        do_confirm_student_difficulty(
            chosen,
            data["code"].strip(),
            year=year,
            reason=DifficultyReason.REFERRAL,
            subject=subject,
            grade=data["grade"] or 1,
            detail=data["note"],
            note=data["note"],
            acting_user=request.user,
        )
        return f"Обучающийся {data['code']} включён в банк по направлению учителя"
    rows = (
        pending(year, [chosen.pk])
        .filter(
            pl.col("student") == data["code"],
            pl.col("reason") == data["reason"],
            pl.col("subject_id").eq_missing(subject.pk if subject else None),
        )
        .to_dicts()
    )
    if not rows:
        raise ValueError("такого предложения нет (возможно, решение уже принято)")
    row = rows[0]
    act = (
        do_confirm_student_difficulty
        if data["action"] == "confirm"
        else do_dismiss_student_difficulty
    )
    act(
        chosen,
        row["student"],
        year=year,
        reason=row["reason"],
        subject=subject,
        kind=ProcedureKind.objects.filter(code=row["kind"]).first() if row["kind"] else None,
        source_year=row["source_year"],
        grade=row["grade"],
        detail=describe(row, subject_names()),
        note=data["note"],
        acting_user=request.user,
    )
    done = "включён в банк" if data["action"] == "confirm" else "предложение отклонено"
    return f"Обучающийся {row['student']}: {done}"


@login_required
def school(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    chosen = get_object_or_404(School.objects.restrict(user, Action.VIEW_PERSONAL), pk=pk)
    may_manage = School.objects.restrict(user, Action.MANAGE_STUDENTS).filter(pk=pk).exists()
    year = chosen_year(request)
    if request.method == "POST":
        if not may_manage:
            raise Http404
        form = Decision(request.POST)
        if not form.is_valid():
            messages.error(
                request,
                "Не сохранено: "
                + "; ".join(
                    f"{form.fields[f].label or f}: {' '.join(map(str, e))}"
                    for f, e in form.errors.items()
                ),
            )
        else:
            try:
                messages.success(request, decide(request, chosen, year, form))
            except (ValidationError, ValueError) as error:
                messages.error(request, f"Не сохранено: {error}")
        return redirect(f"{reverse('students:school', args=[pk])}?year={year}")
    subjects = subject_names()
    suggested = [
        {
            **row,
            "detail": describe(row, subjects),
            "reason_label": DifficultyReason(row["reason"]).label,
            "subject": subjects.get(row["subject_id"], ""),
        }
        for row in pending(year, [chosen.pk]).to_dicts()
    ]
    decided = list(
        Difficulty.objects.filter(student__school=chosen, year=year)
        .select_related("student", "subject", "route", "kind")
        .order_by("student__grade", "student__code")
    )
    status = statuses([d for d in decided if d.status == DifficultyStatus.CONFIRMED])
    for d in decided:
        d.shown_name = name_for(d.student, user)
        d.outcome_label = Overcome(status[d.pk]).label if d.pk in status else ""
    names = {s.code: name_for(s, user) for s in Student.objects.filter(school=chosen)}
    for row in suggested:
        row["name"] = names.get(row["student"], "")
    return render(
        request,
        "students/school.html",
        {
            "school": chosen,
            "year": year,
            "year_label": school_year_label(year),
            "years": year_choices(year),
            "suggested": suggested,
            "confirmed": [d for d in decided if d.status == DifficultyStatus.CONFIRMED],
            "dismissed": [d for d in decided if d.status == DifficultyStatus.DISMISSED],
            "may_manage": may_manage,
            "subjects": Subject.objects.all(),
        },
    )


class RouteAction(forms.Form):
    action = forms.ChoiceField(choices=[("route", ""), ("step", ""), ("done", ""), ("note", "")])
    difficulty = forms.IntegerField(min_value=1)
    step = forms.IntegerField(min_value=1, required=False)
    title = forms.CharField(max_length=400, required=False)
    executor = forms.ChoiceField(choices=Executor.choices, required=False)
    teacher = forms.IntegerField(min_value=1, required=False)
    deadline = forms.DateField(required=False)
    task = forms.CharField(max_length=16, required=False)
    text = forms.CharField(max_length=1000, required=False)


def route_write(request: AuthenticatedHttpRequest, person: Student, data: dict[str, Any]) -> str:
    difficulty = get_object_or_404(Difficulty, pk=data["difficulty"], student=person)
    action = data["action"]
    if action == "route":
        do_build_student_route(difficulty, acting_user=request.user)
        return "ИОМ обучающегося составлен: добавьте шаги"
    route = getattr(difficulty, "route", None)
    if route is None:
        raise ValueError("сначала составьте ИОМ")
    if action == "step":
        if not data["title"] or not data["executor"] or not data["deadline"]:
            raise ValueError("укажите содержание, исполнителя и срок")
        weak = {}
        if data["task"] and difficulty.kind and difficulty.subject_id and difficulty.source_year:
            weak = {
                t["task"]: t
                for t in weak_tasks(
                    person.code,
                    person.school_id,
                    difficulty.source_year,
                    difficulty.kind.code,
                    difficulty.subject_id,
                )
            }
            if data["task"] not in weak:
                raise ValueError(f"задание {data['task']} не входит в западающие у обучающегося")
        skill = weak.get(data["task"], {})
        teacher = (
            get_object_or_404(Teacher, pk=data["teacher"], school_id=person.school_id)
            if data["teacher"]
            else None
        )
        do_add_route_step(
            route,
            title=data["title"],
            executor=data["executor"],
            deadline=data["deadline"],
            teacher=teacher,
            task=data["task"] or "",
            skill_code=skill.get("skill_code") or "",
            skill=skill.get("skill") or "",
            acting_user=request.user,
        )
        return "Шаг добавлен"
    if action == "done":
        step = get_object_or_404(RouteStep, pk=data["step"] or 0, route=route)
        do_complete_route_step(step, acting_user=request.user)
        return "Шаг отмечен выполненным"
    if not data["text"]:
        raise ValueError("запись пуста")
    do_add_route_note(route, data["text"], acting_user=request.user)
    return "Запись о продвижении добавлена"


@login_required
def student(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    person = get_object_or_404(
        Student.objects.restrict(user, Action.VIEW_PERSONAL).select_related("school"), pk=pk
    )
    may_manage = Student.objects.restrict(user, Action.MANAGE_STUDENTS).filter(pk=pk).exists()
    if request.method == "POST":
        if not may_manage:
            raise Http404
        form = RouteAction(request.POST)
        if not form.is_valid():
            messages.error(request, "Не сохранено: проверьте поля формы")
        else:
            try:
                messages.success(request, route_write(request, person, form.cleaned_data))
            except (ValidationError, ValueError) as error:
                messages.error(request, f"Не сохранено: {error}")
        return redirect("students:student", pk=pk)
    subjects = subject_names()
    papers = [
        {**p, "subject": subjects.get(p["subject_id"], "")}
        for p in papers_frame()
        .filter(pl.col("student") == person.code)
        .sort("year", "kind")
        .to_dicts()
    ]
    difficulties = list(
        person.difficulties.filter(status=DifficultyStatus.CONFIRMED)
        .select_related("subject", "kind", "route")
        .order_by("-year")
    )
    for d in difficulties:
        d.year_label = school_year_label(d.year)
        d.result = outcome(d)
        d.weak = (
            weak_tasks(person.code, person.school_id, d.source_year, d.kind.code, d.subject_id)
            if d.kind and d.subject_id and d.source_year
            else []
        )
    return render(
        request,
        "students/student.html",
        {
            "s": person,
            "name": name_for(person, user),
            "papers": papers,
            "difficulties": difficulties,
            "may_manage": may_manage,
            "executors": Executor.choices,
            "teachers": Teacher.objects.filter(school=person.school) if may_manage else [],
            "today": date.today().isoformat(),
        },
    )
