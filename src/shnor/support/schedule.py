"""Deadlines: reading the periods programmes are written with («май-июнь 2021», «2021-2024»,
«Декабрь 2021-2024г.», «до 15.03.2024»), what is due and overdue in a user's scope, and the
timeline of measures by month."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shnor.accounts.choices import Action
from shnor.core.calendar import MONTH_NAMES, month_end
from shnor.support.choices import MeasureStatus
from shnor.support.models import Measure, Programme, Visit

MONTHS = {
    "январ": 1,
    "феврал": 2,
    "март": 3,
    "апрел": 4,
    "ма": 5,  # май, мая
    "июн": 6,
    "июл": 7,
    "август": 8,
    "сентябр": 9,
    "октябр": 10,
    "ноябр": 11,
    "декабр": 12,
}
MONTH_PATTERN = re.compile(
    r"(?<![а-яё])(январ|феврал|март|апрел|ма(?:й|я)|июн|июл|август|сентябр|октябр|ноябр|декабр)"
)
DATE_PATTERN = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?!\d)")
YEAR_PATTERN = re.compile(r"(?<!\d)(20\d{2})(?!\d)")
SOON_DAYS = 30


def parse_deadline(text: str, default_year: int | None = None) -> date | None:
    """The last day a period allows, or None when it names no date («в течение года»,
    «постоянно», «по графику»)."""
    lowered = str(text or "").lower().replace("ё", "е")
    dates = DATE_PATTERN.findall(lowered)
    if dates:
        day, month, year = dates[-1]
        full_year = int(year) + 2000 if len(year) == 2 else int(year)
        try:
            return date(full_year, int(month), int(day))
        except ValueError:
            return None
    years = [int(y) for y in YEAR_PATTERN.findall(lowered)]
    months = [MONTHS["ма" if m.startswith("ма") else m] for m in MONTH_PATTERN.findall(lowered)]
    year = max(years) if years else default_year
    if year is None:
        return None
    if months:
        return month_end(year, months[-1])
    if years and "учебн" in lowered:
        return date(year, 5, 31)
    return date(year, 12, 31) if years else None


@dataclass
class Deadlines:
    today: date
    overdue: list[Measure]
    soon: list[Measure]
    visits: list[Visit]


def current_measures(user: Any) -> Any:
    """Measures of the programmes in force within the user's scope."""
    return (
        Measure.objects.restrict(user, Action.VIEW)
        .filter(programme__in=Programme.objects.current())
        .select_related("programme__school", "programme__municipality")
    )


def deadlines(user: Any, today: date | None = None, **narrow: Any) -> Deadlines:
    """Overdue measures, measures due within SOON_DAYS and planned visits, optionally
    narrowed (e.g. programme__school=…)."""
    today = today or date.today()
    until = today + timedelta(days=SOON_DAYS)
    measures = current_measures(user).filter(**narrow)
    visit_filter = {k.replace("programme__", ""): v for k, v in narrow.items()}
    visits = (
        Visit.objects.restrict(user)
        .filter(held=False, date__gte=today, date__lte=until, **visit_filter)
        .select_related("school", "curator")
        .order_by("date")
    )
    return Deadlines(
        today=today,
        overdue=list(measures.overdue(today).order_by("deadline")),
        soon=list(measures.due(today, until).order_by("deadline")),
        visits=list(visits),
    )


def overdue_count(user: Any, today: date | None = None) -> int:
    return current_measures(user).overdue(today or date.today()).count()


@dataclass
class Month:
    label: str
    measures: list[Measure]
    counts: dict[str, int]


def timeline(measures: Any, today: date) -> list[Month]:
    """Measures with a deadline, by month, each with the state it has today."""
    months: dict[tuple[int, int], list[Measure]] = {}
    for measure in measures.exclude(deadline=None).order_by("deadline", "pk"):
        measure.shown_state = measure.state(today)
        months.setdefault((measure.deadline.year, measure.deadline.month), []).append(measure)
    return [
        Month(
            label=f"{MONTH_NAMES[month - 1]} {year}",
            measures=items,
            counts={
                state: sum(1 for m in items if m.shown_state == state)
                for state in MeasureStatus.values
            },
        )
        for (year, month), items in months.items()
    ]
