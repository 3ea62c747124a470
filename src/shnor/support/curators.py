"""Curators: assignment to schools (the list for the приказ), their plan of visits and the
visits held, whose follow-up measures go into the school's programme."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from shnor.accounts.choices import Role
from shnor.accounts.models import User
from shnor.core.audit import record_audit, snapshot
from shnor.core.scope import in_force
from shnor.registry.models import Municipality, School
from shnor.support.models import CuratorAssignment, Measure, Visit
from shnor.support.programmes import add_measures, working_draft


def curators_for(municipality: Municipality) -> QuerySet[User]:
    """The curators a municipality can assign: those of its region or of no region."""
    return User.objects.filter(role=Role.CURATOR, is_active=True).filter(
        Q(region=municipality.region_id) | Q(region__isnull=True)
    )


def active_assignments(on: date | None = None) -> QuerySet[CuratorAssignment]:
    return CuratorAssignment.objects.filter(in_force(on or date.today()))


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
