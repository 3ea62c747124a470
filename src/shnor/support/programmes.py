"""Programmes: the measures proposed from the school's risk profile and the library, the rules
of a draft (frozen once approved), and the changes of a version against the previous one. The
writes (create, edit, approve, correct, record execution) are in support/actions.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Max

from shnor.core.calendar import months_after
from shnor.core.models import concrete_field
from shnor.registry.models import School
from shnor.risks.services import school_profile
from shnor.support.library import TypicalMeasure, for_factor, for_level, prevention_library
from shnor.support.models import PLAN_FIELDS, Measure, Programme

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


def prevention_proposals() -> list[Proposal]:
    """A programme of prevention of learning failure starts from all its typical measures."""
    return [Proposal(m, rank=3, preselected=True) for m in prevention_library().values()]


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
    assert programme.previous is not None  # its id is set
    now = list(programme.measures.all())
    before = list(programme.previous.measures.all())
    kept = {m.origin_id for m in now if m.origin_id}
    labels = {f: str(concrete_field(Measure, f).verbose_name) for f in PLAN_FIELDS}
    changed = []
    by_pk: dict[int | None, Measure] = {m.pk: m for m in before}
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
