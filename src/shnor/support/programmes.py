"""Actions on programmes: build one from the school's risk profile, edit a draft, approve it
(frozen from then on), correct it as a new version, and record how measures are carried out.
Each action is one transaction with its audit row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max

from shnor.core.audit import record_audit, snapshot
from shnor.core.calendar import months_after
from shnor.core.uploads import EVIDENCE, check_upload
from shnor.registry.models import Municipality, School
from shnor.risks.services import school_profile
from shnor.support.choices import MeasureStatus, ProgrammeKind, ProgrammeStatus
from shnor.support.library import TypicalMeasure, for_factor, for_level
from shnor.support.models import PLAN_FIELDS, Measure, MeasureNote, Programme

EXECUTION_FIELDS = ("status", "done_on", "confirmed_by", "confirmed_on")


@dataclass
class Proposal:
    """A typical measure proposed for a school, with the risk factors it answers."""

    measure: TypicalMeasure
    factors: list[str] = field(default_factory=list)
    rank: int = 0  # the highest level (1 low … 3 high) among those factors
    preselected: bool = False


def proposals(school: School, year: int) -> list[Proposal]:
    """Typical measures for every risk factor the school has in the year, strongest first."""
    chosen: dict[str, Proposal] = {}
    for factor in school_profile(school, year):
        if not factor["rank"]:
            continue
        for typical in for_factor(factor["code"]):
            proposal = chosen.setdefault(typical.code, Proposal(typical))
            proposal.factors.append(factor["name"])
            proposal.rank = max(proposal.rank, factor["rank"])
    ranked = sorted(chosen.values(), key=lambda p: (-p.rank, p.measure.direction))
    # one measure for every medium or high factor to start from; the rest stay on offer
    covered: set[str] = set()
    for proposal in ranked:
        if proposal.rank >= 2 and not covered.issuperset(proposal.factors):
            proposal.preselected = True
            covered.update(proposal.factors)
    return ranked


def municipal_proposals() -> list[Proposal]:
    return [Proposal(m, rank=3, preselected=True) for m in for_level("municipality")]


def measure_from_library(typical: TypicalMeasure, start: date) -> dict[str, Any]:
    return {
        "direction": typical.direction,
        "factors": list(typical.factors),
        "text": typical.text,
        "deadline": months_after(start, typical.months),
        "expected_result": typical.result,
        "executors": typical.executors,
        "document": typical.document,
    }


def ensure_draft(programme: Programme) -> None:
    if programme.is_frozen:
        raise ValidationError(
            f"Программа «{programme.title}» (версия {programme.version}) утверждена и не "
            "меняется; для изменений создайте новую версию."
        )


def next_number(programme: Programme) -> int:
    return (programme.measures.aggregate(n=Max("number"))["n"] or 0) + 1


def add_measures(programme: Programme, rows: list[dict[str, Any]]) -> list[Measure]:
    start = next_number(programme)
    measures = []
    for offset, row in enumerate(rows):
        measure = Measure(programme=programme, number=start + offset, **row)
        measure.full_clean(exclude=["programme", "origin", "visit", "confirmed_by"])
        measures.append(measure)
    return Measure.objects.bulk_create(measures)


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


def working_draft(school: School, year: int, *, acting_user: Any) -> Programme:
    """Where new measures for the school go: the draft in progress, a correction of the
    approved programme, or a new school programme."""
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
            source="мероприятия по итогам посещений",
            acting_user=acting_user,
        )
    return (
        programme
        if not programme.is_frozen
        else do_revise_programme(programme, acting_user=acting_user)
    )


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


@dataclass
class Changes:
    added: list[Measure]
    removed: list[Measure]
    changed: list[tuple[Measure, list[tuple[str, str, str]]]]  # (field label, before, after)

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def changes_since_previous(programme: Programme) -> Changes | None:
    """What this version changes in the plan of the version it corrects."""
    if programme.previous_id is None:
        return None
    now = list(programme.measures.all())
    before = list(programme.previous.measures.all())
    kept = {m.origin_id for m in now if m.origin_id}
    labels = {f: Measure._meta.get_field(f).verbose_name for f in PLAN_FIELDS}
    changed = []
    by_pk = {m.pk: m for m in before}
    for measure in now:
        old = by_pk.get(measure.origin_id)
        if old is None:
            continue
        diffs = [
            (labels[f], display(getattr(old, f)), display(getattr(measure, f)))
            for f in PLAN_FIELDS
            if getattr(old, f) != getattr(measure, f)
        ]
        if diffs:
            changed.append((measure, diffs))
    return Changes(
        added=[m for m in now if m.origin_id is None],
        removed=[m for m in before if m.pk not in kept],
        changed=changed,
    )


def display(value: Any) -> str:
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return str(value) if value not in (None, "") else "—"
