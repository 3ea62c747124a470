"""Writes of the staff app: teachers' deficits and their ИОМ."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from shnor.core.audit import record_audit
from shnor.staff.choices import ActivityKind, DeficitKind, ItemKind
from shnor.staff.individual_routes import STEPS, months_later
from shnor.staff.models import Activity, Deficit, Route, RouteItem, Teacher


@transaction.atomic
def do_record_deficit(
    teacher: Teacher,
    *,
    kind: str,
    topic: str,
    subject: str,
    source: str,
    found_on: date,
    acting_user: Any,
) -> Deficit:
    deficit = Deficit(
        teacher=teacher,
        kind=kind,
        topic=topic.strip(),
        subject=subject.strip(),
        source=source.strip(),
        found_on=found_on,
    )
    deficit.full_clean(exclude=["teacher"])
    deficit.save()
    record_audit(
        "staff.deficit_recorded", actor=acting_user, target=deficit, summary=f"{teacher}: {deficit}"
    )
    return deficit


@transaction.atomic
def do_build_route(
    teacher: Teacher, year: int, *, acting_user: Any, today: date | None = None
) -> Route:
    """The teacher's ИОМ for the year, with steps for every deficit that has none yet."""
    today = today or date.today()
    route, _ = Route.objects.get_or_create(teacher=teacher, year=year)
    start = max(today, date(year, 1, 10)) if today.year <= year else date(year, 1, 10)
    added = 0
    for deficit in teacher.deficits.filter(items__isnull=True):
        subject = f" «{deficit.subject}»" if deficit.subject else ""
        for kind, wording, months in STEPS[DeficitKind(deficit.kind)]:
            RouteItem.objects.create(
                route=route,
                kind=kind,
                deficit=deficit,
                title=wording.format(subject=subject, topic=deficit.topic),
                deadline=months_later(start, months, year),
            )
            added += 1
    record_audit(
        "staff.route_built",
        actor=acting_user,
        target=route,
        summary=f"{route}: добавлено шагов {added}",
    )
    return route


@transaction.atomic
def do_complete_item(item: RouteItem, *, acting_user: Any, on: date | None = None) -> RouteItem:
    """Mark a step done; a finished course counts as completed training (ПК)."""
    item.done_on = on or date.today()
    item.save(update_fields=["done_on", "updated"])
    if item.kind == ItemKind.COURSE:
        Activity.objects.create(
            teacher=item.route.teacher,
            kind=ActivityKind.COURSE,
            title=item.title,
            date=item.done_on,
        )
    record_audit("staff.item_completed", actor=acting_user, target=item, summary=item.title)
    return item
