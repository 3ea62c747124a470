"""Writes of the support app: programmes and their measures, execution, curators and visits,
partnerships, imported programmes; each in one transaction with its audit record."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from shnor.accounts.choices import Role
from shnor.accounts.models import User
from shnor.core.audit import record_audit, snapshot
from shnor.core.uploads import EVIDENCE, check_upload
from shnor.registry.models import Municipality, School
from shnor.staff.actions import do_record_deficit
from shnor.staff.choices import DeficitKind
from shnor.staff.models import Deficit
from shnor.support.choices import MeasureStatus, ProgrammeKind, ProgrammeStatus
from shnor.support.curators import active_assignments
from shnor.support.importers import parse_programme
from shnor.support.library import skill_library
from shnor.support.models import (
    PLAN_FIELDS,
    CuratorAssignment,
    Measure,
    MeasureNote,
    Partnership,
    Programme,
    Visit,
)
from shnor.support.programmes import EXECUTION_FIELDS, add_measures, ensure_draft
from shnor.support.skill_measures import (
    deficit_topic,
    find_group,
    skill_measure_row,
    subject_teachers,
)
from shnor.taskresults.weak_skills import WeakSkillRule


@transaction.atomic
def do_create_programme(
    *,
    kind: str,
    title: str,
    municipality: Municipality,
    school: School | None,
    year_from: int,
    year_to: int,
    measures: list[dict[str, Any]],
    source: str,
    acting_user: Any,
) -> Programme:
    programme = Programme(
        kind=kind,
        title=title.strip(),
        municipality=municipality,
        school=school,
        year_from=year_from,
        year_to=year_to,
        source=source,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    programme.full_clean()
    programme.save()
    add_measures(programme, measures)
    record_audit(
        "support.programme_created",
        actor=acting_user,
        target=programme,
        summary=f"{programme}: мероприятий {len(measures)} ({source})",
    )
    return programme


@transaction.atomic
def do_add_measure(programme: Programme, row: dict[str, Any], *, acting_user: Any) -> Measure:
    ensure_draft(programme)
    (measure,) = add_measures(programme, [row])
    record_audit("support.measure_added", actor=acting_user, target=measure, summary=measure.text)
    return measure


@transaction.atomic
def do_update_measure(measure: Measure, row: dict[str, Any], *, acting_user: Any) -> Measure:
    ensure_draft(measure.programme)
    before = snapshot(measure)
    for name, value in row.items():
        setattr(measure, name, value)
    measure.full_clean(exclude=["programme", "origin", "visit", "confirmed_by"])
    measure.save()
    record_audit(
        "support.measure_changed",
        actor=acting_user,
        target=measure,
        summary=measure.text,
        before=before,
    )
    return measure


@transaction.atomic
def do_remove_measure(measure: Measure, *, acting_user: Any) -> None:
    ensure_draft(measure.programme)
    record_audit("support.measure_removed", actor=acting_user, target=measure, summary=measure.text)
    measure.delete()


@transaction.atomic
def do_approve_programme(
    programme: Programme, *, acting_user: Any, on: date | None = None
) -> Programme:
    """Freeze the draft; it replaces the version it corrects, and the execution recorded on
    that version (statuses, evidence, comments) follows each measure into this one."""
    ensure_draft(programme)
    if not programme.measures.exists():
        raise ValidationError("В программе нет мероприятий.")
    before = snapshot(programme)
    programme.status = ProgrammeStatus.APPROVED
    programme.approved_by = acting_user if getattr(acting_user, "pk", None) else None
    programme.approved_on = on or date.today()
    programme.save()
    previous = programme.previous
    if previous is not None:
        for measure in programme.measures.filter(origin__isnull=False).select_related("origin"):
            for name in EXECUTION_FIELDS:
                setattr(measure, name, getattr(measure.origin, name))
            measure.save(update_fields=[*EXECUTION_FIELDS, "updated"])
            MeasureNote.objects.filter(measure=measure.origin).update(measure=measure)
        previous.status = ProgrammeStatus.SUPERSEDED
        previous.save(update_fields=["status", "updated"])
    record_audit(
        "support.programme_approved",
        actor=acting_user,
        target=programme,
        summary=str(programme),
        before=before,
        replaces=previous.pk if previous else None,
    )
    return programme


@transaction.atomic
def do_revise_programme(programme: Programme, *, acting_user: Any) -> Programme:
    """The draft correction of an approved programme (the existing one, if there is one)."""
    if programme.status != ProgrammeStatus.APPROVED:
        raise ValidationError("Новую версию создают из утверждённой программы.")
    draft = programme.revisions.filter(status=ProgrammeStatus.DRAFT).first()
    if draft is not None:
        return draft
    draft = Programme.objects.create(
        kind=programme.kind,
        title=programme.title,
        municipality=programme.municipality,
        school=programme.school,
        year_from=programme.year_from,
        year_to=programme.year_to,
        version=programme.version + 1,
        previous=programme,
        source=f"корректировка версии {programme.version}",
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    Measure.objects.bulk_create(
        [
            Measure(
                programme=draft,
                origin=m,
                number=m.number,
                factors=m.factors,
                financing=m.financing,
                visit=m.visit,
                **{f: getattr(m, f) for f in PLAN_FIELDS},
                **{f: getattr(m, f) for f in EXECUTION_FIELDS},
            )
            for m in programme.measures.all()
        ]
    )
    record_audit("support.programme_revised", actor=acting_user, target=draft, summary=str(draft))
    return draft


def working_draft(
    school: School,
    year: int,
    *,
    acting_user: Any,
    source: str = "мероприятия по итогам посещений",
) -> Programme:
    """Where new measures for the school go: the draft in progress, a correction of the
    approved programme, or a new school programme (`source` says why it was started)."""
    current = Programme.objects.current().filter(school=school).order_by("-year_to", "-pk")
    programme = current.first()
    if programme is None:
        return do_create_programme(
            kind=ProgrammeKind.SCHOOL,
            title=f"Программа повышения качества образования: {school.short_name}",
            municipality=school.municipality,
            school=school,
            year_from=year,
            year_to=year + 1,
            measures=[],
            source=source,
            acting_user=acting_user,
        )
    return (
        programme
        if not programme.is_frozen
        else do_revise_programme(programme, acting_user=acting_user)
    )


@transaction.atomic
def do_add_skill_measure(
    school: School,
    *,
    kind: str,
    subject_id: int,
    grade: int,
    code: str,
    rule: WeakSkillRule,
    acting_user: Any,
    today: date | None = None,
) -> Measure:
    """The library's measure for the school's weak skills of a paper, worded with those skills
    (found again here, not taken from the page), into the school's programme draft."""
    typical = skill_library().get(code)
    if typical is None or typical.level != "school":
        raise ValidationError("Такого мероприятия для школы в библиотеке нет.")
    group = find_group(school, rule, kind=kind, subject_id=subject_id, grade=grade)
    if group is None:
        raise ValidationError(
            f"У школы «{school.short_name}» нет западающих умений по этой процедуре, предмету "
            "и классу."
        )
    draft = working_draft(
        school, group.year + 1, acting_user=acting_user, source="по итогам анализа результатов"
    )
    start = max(today or date.today(), date(group.year, 9, 1))
    (measure,) = add_measures(draft, [skill_measure_row(typical, group, start)])
    record_audit(
        "support.skill_measure_added",
        actor=acting_user,
        target=measure,
        summary=f"{draft}: {measure.text}",
    )
    return measure


@transaction.atomic
def do_record_skill_deficits(
    school: School,
    *,
    kind: str,
    subject_id: int,
    grade: int,
    rule: WeakSkillRule,
    acting_user: Any,
    today: date | None = None,
) -> list[Deficit]:
    """A subject deficit «западающие умения …» for each of the school's teachers of the
    subject who has not got it yet; the municipal course order then counts them."""
    group = find_group(school, rule, kind=kind, subject_id=subject_id, grade=grade)
    if group is None:
        raise ValidationError("Западающих умений по этой процедуре, предмету и классу нет.")
    topic = deficit_topic(group)
    recorded = [
        do_record_deficit(
            teacher,
            kind=DeficitKind.SUBJECT,
            topic=topic,
            subject=group.subject,
            source=f"анализ результатов {group.procedure} по заданиям",
            found_on=today or date.today(),
            acting_user=acting_user,
        )
        for teacher in subject_teachers(school, group.subject)
        if not teacher.deficits.filter(kind=DeficitKind.SUBJECT, topic=topic).exists()
    ]
    return recorded


@transaction.atomic
def do_record_execution(
    measure: Measure,
    *,
    status: str,
    acting_user: Any,
    may_confirm: bool,
    text: str = "",
    file: UploadedFile | None = None,
    on: date | None = None,
) -> Measure:
    """A new execution status with an optional comment and evidence file. A curator or the
    municipality confirm a measure done by marking it; the school's mark awaits confirmation."""
    if status not in MeasureStatus.values or status == MeasureStatus.OVERDUE:
        raise ValidationError(f"Неизвестное состояние мероприятия «{status}».")
    if measure.programme.status == ProgrammeStatus.SUPERSEDED:
        raise ValidationError("Эта версия программы заменена; отмечайте выполнение в действующей.")
    before = snapshot(measure)
    measure.status = status
    done = status == MeasureStatus.DONE
    measure.done_on = (on or date.today()) if done else None
    confirmed = done and may_confirm
    measure.confirmed_by = acting_user if confirmed and getattr(acting_user, "pk", None) else None
    measure.confirmed_on = measure.done_on if confirmed else None
    measure.save()
    if text.strip() or file is not None:
        do_add_note(measure, text=text, file=file, acting_user=acting_user)
    record_audit(
        "support.measure_status",
        actor=acting_user,
        target=measure,
        summary=f"{measure.get_status_display()}: {measure.text}",
        before=before,
    )
    return measure


@transaction.atomic
def do_confirm_measure(measure: Measure, *, acting_user: Any, on: date | None = None) -> Measure:
    if measure.status != MeasureStatus.DONE:
        raise ValidationError("Подтвердить можно только выполненное мероприятие.")
    before = snapshot(measure)
    measure.confirmed_by = acting_user if getattr(acting_user, "pk", None) else None
    measure.confirmed_on = on or date.today()
    measure.save(update_fields=["confirmed_by", "confirmed_on", "updated"])
    record_audit(
        "support.measure_confirmed",
        actor=acting_user,
        target=measure,
        summary=str(measure),
        before=before,
    )
    return measure


@transaction.atomic
def do_add_note(
    measure: Measure, *, text: str, file: UploadedFile | None, acting_user: Any
) -> MeasureNote:
    if not text.strip() and file is None:
        raise ValidationError("Пустой комментарий: напишите текст или приложите файл.")
    if file is not None:
        check_upload(file, EVIDENCE)
    note = MeasureNote(
        measure=measure,
        text=text.strip(),
        author=acting_user if getattr(acting_user, "pk", None) else None,
    )
    if file is not None:
        note.file.save(file.name, file, save=False)
    note.save()
    record_audit(
        "support.note_added",
        actor=acting_user,
        target=measure,
        summary=note.text[:200] or note.file_name,
    )
    return note


@transaction.atomic
def do_assign_curator(
    school: School, curator: User, *, starts: date, order: str, acting_user: Any
) -> CuratorAssignment:
    """Assign a curator; from `starts` on the school is open to the curator's account
    (core/scope.py reads the assignments in force)."""
    if curator.role != Role.CURATOR:
        raise ValidationError(f"{curator.get_full_name() or curator.username} — не куратор.")
    if active_assignments(starts).filter(school=school, curator=curator).exists():
        raise ValidationError(f"Куратор уже закреплён за школой «{school.short_name}».")
    assignment = CuratorAssignment(
        curator=curator, school=school, starts=starts, order=order.strip()
    )
    assignment.full_clean()
    assignment.save()
    record_audit(
        "support.curator_assigned",
        actor=acting_user,
        target=assignment,
        summary=str(assignment),
        before={},
    )
    return assignment


@transaction.atomic
def do_end_assignment(
    assignment: CuratorAssignment, *, ends: date, acting_user: Any
) -> CuratorAssignment:
    before = snapshot(assignment)
    assignment.ends = ends
    assignment.full_clean()
    assignment.save()
    record_audit(
        "support.curator_released",
        actor=acting_user,
        target=assignment,
        summary=str(assignment),
        before=before,
    )
    return assignment


@transaction.atomic
def do_record_visit(
    school: School,
    *,
    kind: str,
    on: date,
    topic: str,
    held: bool,
    participants: str = "",
    findings: str = "",
    recommendations: str = "",
    follow_ups: list[dict[str, Any]] | None = None,
    acting_user: Any,
    visit: Visit | None = None,
) -> Visit:
    """A planned visit (the curator's plan) or one held with its findings. Follow-up measures
    go into the school's working draft: a correction of an approved programme is opened
    for them, so what the municipality approved stays as approved."""
    visit = visit or Visit(school=school)
    visit.kind, visit.date, visit.topic, visit.held = kind, on, topic.strip(), held
    visit.participants = participants.strip()
    visit.findings = findings.strip()
    visit.recommendations = recommendations.strip()
    if visit.curator_id is None and getattr(acting_user, "role", None) == Role.CURATOR:
        visit.curator = acting_user
    visit.full_clean()
    visit.save()
    added: list[Measure] = []
    if follow_ups:
        if not held:
            raise ValidationError("Мероприятия по итогам добавляются к проведённому посещению.")
        draft = working_draft(school, on.year, acting_user=acting_user)
        added = add_measures(
            draft,
            [
                {
                    "direction": "По итогам посещения куратора",
                    **row,
                    "expected_result": row.get("expected_result", ""),
                    "visit": visit,
                }
                for row in follow_ups
            ],
        )
    record_audit(
        "support.visit_recorded",
        actor=acting_user,
        target=visit,
        summary=f"{visit}; мероприятий по итогам: {len(added)}",
    )
    return visit


@transaction.atomic
def do_add_partnership(
    school: School,
    *,
    partner: School | None,
    mentor: str,
    grades: str,
    subjects: str,
    help: str,
    agreement_number: str,
    agreement_date: date | None,
    starts: date,
    acting_user: Any,
) -> Partnership:
    partnership = Partnership(
        school=school,
        partner=partner,
        mentor=mentor.strip(),
        grades=grades.strip(),
        subjects=subjects.strip(),
        help=help.strip(),
        agreement_number=agreement_number.strip(),
        agreement_date=agreement_date,
        starts=starts,
    )
    partnership.full_clean()
    partnership.save()
    record_audit(
        "support.partnership_added", actor=acting_user, target=partnership, summary=str(partnership)
    )
    return partnership


@transaction.atomic
def do_end_partnership(partnership: Partnership, *, ends: date, acting_user: Any) -> Partnership:
    before = snapshot(partnership)
    partnership.ends = ends
    partnership.full_clean()
    partnership.save()
    record_audit(
        "support.partnership_ended",
        actor=acting_user,
        target=partnership,
        summary=str(partnership),
        before=before,
    )
    return partnership


def do_import_programme(
    path: Path,
    file: str,
    *,
    kind: str,
    title: str,
    municipality: Municipality,
    school: School | None,
    year_from: int,
    year_to: int,
    acting_user: Any,
) -> Programme:
    """A new draft programme with the measures of the file; nothing is written on a problem."""
    measures = parse_programme(path, file, year_from)
    return do_create_programme(
        kind=kind,
        title=title,
        municipality=municipality,
        school=school,
        year_from=year_from,
        year_to=year_to,
        measures=measures,
        source=f"импорт: {file}",
        acting_user=acting_user,
    )
