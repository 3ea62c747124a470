"""Weak skills on the pages: the school card's section (composed by overview), the actions that
take its proposals into the work (a measure into the programme draft, subject deficits for the
teachers) and the municipal page with the РМО topics. The rule's parameters come from the page."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shnor.accounts.choices import Action
from shnor.core.params import Params, id_field
from shnor.core.scope import can
from shnor.registry.models import Municipality, School
from shnor.support.actions import do_add_skill_measure, do_record_skill_deficits
from shnor.support.library import skill_measures
from shnor.support.skill_measures import (
    proposed_measures,
    rmo_topics,
    school_groups,
    subject_teachers,
)
from shnor.taskresults.weak_skills import RULE_LABELS, RULE_WHY, WeakSkillRule

DEFAULT_RULE = WeakSkillRule()


class RuleParams(Params):
    # localized: the page shows «12,5», and the same value comes back from its form
    margin = forms.FloatField(
        label=RULE_LABELS["margin"], required=False, min_value=0, max_value=100, localize=True
    )
    level = forms.FloatField(
        label=RULE_LABELS["level"], required=False, min_value=0, max_value=100, localize=True
    )
    min_participants = forms.IntegerField(
        label=RULE_LABELS["min_participants"], required=False, min_value=1, max_value=10_000
    )
    z = forms.FloatField(
        label=RULE_LABELS["z"], required=False, min_value=0, max_value=10, localize=True
    )
    min_schools = forms.IntegerField(
        label=RULE_LABELS["min_schools"], required=False, min_value=1, max_value=10_000
    )


def rule_from(data: Any) -> WeakSkillRule:
    """The rule the page asks for; a parameter left out keeps its default."""
    given = {k: v for k, v in RuleParams.parse(data).items() if v is not None}
    return WeakSkillRule(**{**asdict(DEFAULT_RULE), **given})


def rule_rows(rule: WeakSkillRule) -> list[dict[str, Any]]:
    """The parameters as the page shows them: name, label, value (and as written, with a
    decimal comma), default and why."""
    return [
        {
            "name": name,
            "label": label,
            "value": getattr(rule, name),
            "shown": f"{getattr(rule, name):g}".replace(".", ","),
            "default": getattr(DEFAULT_RULE, name),
            "why": RULE_WHY[name],
        }
        for name, label in RULE_LABELS.items()
    ]


def school_section(request: HttpRequest, school: School) -> dict[str, Any]:
    """The card's «Западающие умения»: per paper the weak tasks, the chart, the measures the
    library proposes and the teachers of the subject who would get the deficit."""
    rule = rule_from(request.GET)
    groups = school_groups(school, rule)
    may_edit = School.objects.restrict(request.user, Action.EDIT_PROGRAMME).filter(pk=school.pk)
    may_staff = School.objects.restrict(request.user, Action.MANAGE_STAFF).filter(pk=school.pk)
    editable, staffable = may_edit.exists(), may_staff.exists()
    return {
        "weak_groups": [
            {
                "group": group,
                "proposals": proposed_measures(group),
                "teachers": len(subject_teachers(school, group.subject)) if staffable else None,
            }
            for group in groups
        ],
        "weak_charts": [g.chart for g in groups],
        "weak_rule": rule,
        "weak_rule_rows": rule_rows(rule),
        "may_add_measure": editable,
        "may_record_deficits": staffable,
    }


class PaperForm(Params):
    kind = forms.CharField(max_length=16)
    subject = id_field(required=True)
    grade = forms.IntegerField(min_value=1, max_value=11)


def school_measure_codes() -> list[tuple[str, str]]:
    return [(m.code, m.code) for m in skill_measures("school")]


class MeasureForm(PaperForm):
    code = forms.ChoiceField(choices=school_measure_codes)


def back_to_card(school: School) -> HttpResponse:
    return redirect(reverse("school", args=[school.pk]) + "#weak-skills")


@login_required
@require_POST
def add_measure(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_object_or_404(School.objects.restrict(request.user, Action.EDIT_PROGRAMME), pk=pk)
    params = MeasureForm.parse(request.POST)
    try:
        measure = do_add_skill_measure(
            school,
            kind=params["kind"],
            subject_id=params["subject"],
            grade=params["grade"],
            code=params["code"],
            rule=rule_from(request.POST),
            acting_user=request.user,
        )
    except ValidationError as error:
        messages.error(request, f"Не добавлено: {' '.join(error.messages)}")
        return back_to_card(school)
    messages.success(
        request,
        f"Мероприятие добавлено в проект программы «{measure.programme.title}» "
        f"(версия {measure.programme.version}).",
    )
    return redirect("support:programme", pk=measure.programme_id)


@login_required
@require_POST
def record_deficits(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_object_or_404(School.objects.restrict(request.user, Action.MANAGE_STAFF), pk=pk)
    params = PaperForm.parse(request.POST)
    try:
        recorded = do_record_skill_deficits(
            school,
            kind=params["kind"],
            subject_id=params["subject"],
            grade=params["grade"],
            rule=rule_from(request.POST),
            acting_user=request.user,
        )
    except ValidationError as error:
        messages.error(request, f"Не записано: {' '.join(error.messages)}")
        return back_to_card(school)
    messages.success(request, f"Записано предметных дефицитов педагогам: {len(recorded)}.")
    return back_to_card(school)


@login_required
def municipality(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(Municipality.objects.restrict(request.user), pk=pk)
    rule = rule_from(request.GET)
    return render(
        request,
        "support/weak_skills_municipality.html",
        {
            "place": place,
            "topics": rmo_topics(place, rule),
            "rule": rule,
            "rule_rows": rule_rows(rule),
            "may_see_staff": can(request.user, Action.VIEW_PERSONAL),
        },
    )
