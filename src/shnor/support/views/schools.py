"""A school's support: its programmes, curator, partners and visits; the programme builder
from the risk profile; the import of an existing programme; partner suggestions."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from shnor.accounts.choices import Action
from shnor.core.params import Params, choice_field, id_field, parse_id, year_field
from shnor.core.tabular import UnreadableFile
from shnor.core.uploads import PROGRAMME, check_upload
from shnor.registry.models import Municipality, School
from shnor.risks.services import latest_context_year
from shnor.support.actions import (
    do_add_partnership,
    do_create_programme,
    do_end_partnership,
    do_import_programme,
    do_record_visit,
)
from shnor.support.choices import ProgrammeKind, VisitKind
from shnor.support.documents import helper_name
from shnor.support.importers import ProgrammeImportError
from shnor.support.library import library, prevention_library
from shnor.support.models import Visit
from shnor.support.partners import suggest_partners
from shnor.support.programmes import (
    measure_from_library,
    municipal_proposals,
    prevention_proposals,
    proposals,
)
from shnor.support.schedule import deadlines
from shnor.support.views.common import allowed, measure_row, optional_date, scoped

SCHOOL_KINDS = [k for k in ProgrammeKind.choices if k[0] != ProgrammeKind.MUNICIPAL]
BLANK_ROWS = 3


class ProgrammeParams(Params):
    school = id_field()
    municipality = id_field()
    year_from = year_field()
    year_to = year_field()


class BuilderParams(Params):
    kind = choice_field([ProgrammeKind.PREVENTION])


class PartnerParams(Params):
    partner = id_field()


def report_year() -> int:
    return latest_context_year() or date.today().year


@login_required
def school(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    place = scoped(School.objects.select_related("municipality"), user, Action.VIEW, pk)
    partnerships = place.partnerships.select_related("partner").order_by("-starts")
    return render(
        request,
        "support/school.html",
        {
            "school": place,
            "programmes": place.programmes.order_by("-year_from", "-version"),
            "assignments": place.curator_assignments.select_related("curator"),
            "partners": [(p, helper_name(p, user)) for p in partnerships],
            "visits": place.visits.select_related("curator").prefetch_related("follow_ups"),
            "deadlines": deadlines(user, programme__school=place),
            "may_edit": allowed(School.objects, user, Action.EDIT_PROGRAMME, pk),
            "may_visit": allowed(School.objects, user, Action.RECORD_VISIT, pk),
            "may_manage": allowed(School.objects, user, Action.MANAGE_SUPPORT, pk),
            "visit_kinds": VisitKind.choices,
            "today": date.today(),
        },
    )


def source_of(place: School | None, prevention: bool) -> str:
    if place is None:
        return "конструктор МППКО"
    return "типовые мероприятия профилактики" if prevention else "конструктор по профилю рисков"


@login_required
def builder(request: HttpRequest) -> HttpResponse:
    """A new programme from typical measures: for a school by its risk profile (or, for a
    programme of prevention of learning failure, its own measures), for a municipality (МППКО)
    from the municipal measures."""
    user = request.user
    year = report_year()
    school_id = request.GET.get("school")
    # a programme of prevention is a school's own
    kind = BuilderParams.parse(request.GET)["kind"]
    prevention = bool(school_id) and kind == ProgrammeKind.PREVENTION
    typical = prevention_library() if prevention else library()
    if school_id:
        place = scoped(
            School.objects.select_related("municipality"),
            user,
            Action.EDIT_PROGRAMME,
            school_id,
            "school",
        )
        municipality, offered, kinds = place.municipality, proposals(place, year), SCHOOL_KINDS
        title = f"Программа повышения качества образования: {place.short_name}"
        if prevention:
            offered = prevention_proposals()
            kinds = [(ProgrammeKind.PREVENTION, ProgrammeKind.PREVENTION.label)]
            title = f"Программа профилактики учебной неуспешности: {place.short_name}"
    else:
        place = None
        municipality = scoped(
            Municipality.objects,
            user,
            Action.MANAGE_SUPPORT,
            request.GET.get("municipality"),
            "municipality",
        )
        offered, kinds = municipal_proposals(), [ProgrammeKind.choices[0]]
        title = f"Муниципальная программа повышения качества образования: {municipality.name}"
    # a programme for the year after the data, its deadlines counted from today at the earliest
    start = max(date.today(), date(year + 1, 1, 15))
    if request.method == "POST":
        post = request.POST
        years = ProgrammeParams.parse(post)
        try:
            chosen = [
                {
                    **measure_from_library(typical[code], start),
                    **{k: v for k, v in measure_row(post, f"m-{code}-").items() if v},
                }
                for code in post.getlist("pick")
            ]
            added = [
                measure_row(post, f"new-{n}-")
                for n in range(BLANK_ROWS)
                if post.get(f"new-{n}-text", "").strip()
            ]
            programme = do_create_programme(
                kind=post.get("kind", kinds[0][0]),
                title=post.get("title") or title,
                municipality=municipality,
                school=place,
                year_from=years["year_from"] or start.year,
                year_to=years["year_to"] or start.year + 1,
                measures=chosen + added,
                source=source_of(place, prevention),
                acting_user=user,
            )
        except (ValidationError, ValueError, KeyError) as error:
            messages.error(request, f"Программа не создана: {error}")
        else:
            messages.success(request, f"Создан проект программы: мероприятий {len(chosen + added)}")
            return redirect("support:programme", pk=programme.pk)
    return render(
        request,
        "support/builder.html",
        {
            "school": place,
            "municipality": municipality,
            "proposals": offered,
            "kinds": kinds,
            "title": title,
            "year": year,
            "start": start,
            "blank_rows": range(BLANK_ROWS),
            "prevention": prevention,
        },
    )


@login_required
def import_programme(request: HttpRequest) -> HttpResponse:
    user = request.user
    schools = School.objects.restrict(user, Action.EDIT_PROGRAMME).select_related("municipality")
    # the municipal programme is the municipality's own (a school keeps only its programme)
    municipalities = Municipality.objects.restrict(user, Action.MANAGE_SUPPORT)
    if not schools.exists() and not municipalities.exists():
        raise Http404
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError("Выберите файл программы (DOCX, XLSX, XLS, ODS или CSV).")
            check_upload(upload, PROGRAMME)
            params = ProgrammeParams.parse(request.POST)
            place = schools.get(pk=params["school"]) if params["school"] else None
            municipality = (
                place.municipality
                if place
                else municipalities.get(pk=parse_id(params["municipality"], "municipality"))
            )
            year_from = params["year_from"] or report_year()
            with tempfile.TemporaryDirectory() as folder:
                name = upload.name or ""  # a file sent in a form always has a name
                path = Path(folder) / f"upload{Path(name).suffix.lower()}"
                path.write_bytes(upload.read())
                programme = do_import_programme(
                    path,
                    name,
                    kind=ProgrammeKind.MUNICIPAL if place is None else request.POST.get("kind", ""),
                    title=request.POST.get("title") or Path(name).stem,
                    municipality=municipality,
                    school=place,
                    year_from=year_from,
                    year_to=params["year_to"] or year_from,
                    acting_user=user,
                )
        except ProgrammeImportError as error:
            return render(
                request,
                "support/import.html",
                {
                    "problems": error.problems,
                    "schools": schools,
                    "municipalities": municipalities,
                    "kinds": ProgrammeKind.choices,
                    "year": report_year(),
                },
                status=400,
            )
        except (ValidationError, UnreadableFile, ValueError) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else error
            messages.error(request, f"Не загружено: {text}")
        except (School.DoesNotExist, Municipality.DoesNotExist):
            raise Http404 from None
        else:
            messages.success(
                request, f"Загружено мероприятий: {programme.measures.count()} (проект программы)"
            )
            return redirect("support:programme", pk=programme.pk)
    return render(
        request,
        "support/import.html",
        {
            "schools": schools,
            "municipalities": municipalities,
            "kinds": ProgrammeKind.choices,
            "chosen": request.GET.get("school"),
            "year": report_year(),
        },
    )


@login_required
def partners_for(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    place = scoped(School.objects.select_related("municipality"), user, Action.VIEW, pk)
    may_manage = allowed(School.objects, user, Action.MANAGE_SUPPORT, pk)
    if request.method == "POST" and request.POST.get("action") == "end":
        if not may_manage:
            raise Http404
        partnership = get_object_or_404(
            place.partnerships, pk=parse_id(request.POST.get("id"), "id")
        )
        do_end_partnership(partnership, ends=date.today(), acting_user=user)
        messages.success(request, f"Партнёрство завершено: {partnership}")
        return redirect("support:school", pk=pk)
    if request.method == "POST":
        if not may_manage:
            raise Http404
        try:
            partner_id = PartnerParams.parse(request.POST)["partner"]
            do_add_partnership(
                place,
                # a partner may be any school of the region, not only of the user's scope
                partner=School.objects.get(
                    pk=partner_id, municipality__region=place.municipality.region_id
                )
                if partner_id
                else None,
                mentor=request.POST.get("mentor", ""),
                grades=request.POST.get("grades", ""),
                subjects=request.POST.get("subjects", ""),
                help=request.POST.get("help", ""),
                agreement_number=request.POST.get("agreement_number", ""),
                agreement_date=optional_date(request.POST.get("agreement_date"), "Дата соглашения"),
                starts=optional_date(request.POST.get("starts"), "С") or date.today(),
                acting_user=user,
            )
        except (ValidationError, School.DoesNotExist) as error:
            messages.error(request, f"Не сохранено: {error}")
        else:
            messages.success(request, "Партнёрство записано")
            return redirect("support:school", pk=pk)
    return render(
        request,
        "support/suggestions.html",
        {
            "school": place,
            "suggestions": suggest_partners(place, report_year(), user),
            "may_manage": may_manage,
            "today": date.today(),
        },
    )


@login_required
def visit(request: HttpRequest, pk: int) -> HttpResponse:
    """Plan a visit or record one held (a planned one when `visit` is given)."""
    user = request.user
    place = scoped(School.objects, user, Action.RECORD_VISIT, pk)
    if request.method != "POST":
        return redirect("support:school", pk=pk)
    post = request.POST
    existing = None
    if post.get("visit"):
        existing = scoped(
            Visit.objects.filter(school=place), user, Action.RECORD_VISIT, post["visit"], "visit"
        )
    try:
        follow_ups = [
            measure_row(post, f"follow-{n}-")
            for n in range(BLANK_ROWS)
            if post.get(f"follow-{n}-text", "").strip()
        ]
        recorded = do_record_visit(
            place,
            kind=post.get("kind", ""),
            on=optional_date(post.get("date"), "Дата") or date.today(),
            topic=post.get("topic", ""),
            held=post.get("held") == "1",
            participants=post.get("participants", ""),
            findings=post.get("findings", ""),
            recommendations=post.get("recommendations", ""),
            follow_ups=follow_ups,
            acting_user=user,
            visit=existing,
        )
    except ValidationError as error:
        messages.error(request, f"Не сохранено: {'; '.join(error.messages)}")
    else:
        added = recorded.follow_ups.count()
        messages.success(
            request,
            f"{recorded}: записано"
            + (f"; мероприятий в программу школы: {added}" if added else ""),
        )
    return redirect("support:school", pk=pk)
