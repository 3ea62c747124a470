"""What a teacher's ИОМ (individual route) plans: the steps for each kind of deficit, their
deadlines and the year a route built today covers. The writes are in staff/actions.py."""

from __future__ import annotations

from datetime import date

from shnor.core.calendar import months_after
from shnor.staff.choices import DeficitKind, ItemKind

# What a route proposes for each kind of deficit: (step, wording, months from the start).
STEPS = {
    DeficitKind.SUBJECT: [
        (ItemKind.COURSE, "Курсы ПК по предмету{subject}: {topic}", 3),
        (ItemKind.ASSOCIATION, "РМО{subject}: разбор «западающей» темы «{topic}»", 6),
    ],
    DeficitKind.METHODICAL: [
        (ItemKind.INTERNSHIP, "Стажировка на муниципальной стажировочной площадке: {topic}", 4),
        (ItemKind.MENTORING, "Наставничество педагога школы-лидера: {topic}", 8),
    ],
    DeficitKind.PSYCHOLOGICAL: [
        (ItemKind.COURSE, "Курсы ПК по психолого-педагогическим компетенциям: {topic}", 3),
        (ItemKind.MENTORING, "Сопровождение педагогом-психологом: {topic}", 6),
    ],
}


def months_later(start: date, months: int, year: int) -> date:
    """A step's deadline: `months` after the start, within the route's year."""
    return min(months_after(start, months), date(year, 12, 20))


def route_year(today: date) -> int:
    """The calendar year a route built today plans: this year while at least a quarter of it
    is left, else the next, so that a route built in December does not end in three weeks."""
    return today.year if today.month <= 9 else today.year + 1
