"""The support documents users file and send: a programme, the curator list for the приказ and
the list of partner pairs laid out as seed 002's appendix. Built as report content, so they come
out as DOCX (through the replaceable Word template), XLSX and PDF like every report."""

from __future__ import annotations

from datetime import date
from typing import Any

from shnor.accounts.choices import Action
from shnor.core.documents.content import Report, Section, Table
from shnor.core.scope import can
from shnor.support.choices import MeasureStatus
from shnor.support.models import CuratorAssignment, Partnership, Programme


def day(value: date | None) -> str:
    return f"{value:%d.%m.%Y}" if value else ""


def programme_report(programme: Programme, today: date) -> Report:
    sections: dict[str, list[list[Any]]] = {}
    for measure in programme.measures.all():
        sections.setdefault(measure.direction or "Мероприятия", []).append(
            [
                str(measure.number),
                measure.text,
                measure.period or day(measure.deadline),
                measure.expected_result,
                measure.executors,
                measure.document,
                MeasureStatus(measure.state(today)).label,
            ]
        )
    headers = [
        "№",
        "Мероприятие",
        "Срок исполнения",
        "Ожидаемые результаты",
        "Исполнители",
        "Документ, закрепляющий результат",
        "Состояние",
    ]
    approved = f"утверждена {day(programme.approved_on)}" if programme.approved_on else "проект"
    return Report(
        kind="programme",
        title=programme.title,
        subtitle=(
            f"{programme.get_kind_display()} на {programme.year_from}–{programme.year_to} годы; "
            f"версия {programme.version}, {approved}"
        ),
        sections=[
            Section(heading=direction, table=Table(headers, rows))
            for direction, rows in sections.items()
        ],
        sources=[
            f"Программа в системе shnor, версия {programme.version} ({programme.source or 'ввод'})"
            f"; состояние мероприятий на {day(today)}"
        ],
    )


def curator_list_report(assignments: Any, territory: str, today: date) -> Report:
    rows = [
        [
            str(n),
            a.school.name,
            a.school.municipality.name,
            a.curator.get_full_name() or a.curator.username,
            day(a.starts),
            day(a.ends),
            a.order,
        ]
        for n, a in enumerate(assignments, start=1)
    ]
    return Report(
        kind="curators",
        title="Список кураторов школ с низкими образовательными результатами",
        subtitle=f"{territory}, на {day(today)}",
        sections=[
            Section(
                heading="Закрепление кураторов",
                table=Table(["№", "Школа", "Муниципалитет", "Куратор", "С", "По", "Приказ"], rows),
            )
        ],
        sources=["Закрепления кураторов в системе shnor"],
    )


def helper_name(partnership: Partnership, user: Any) -> str:
    """The partner school, or the mentor teacher — named only to those who see personal data."""
    if partnership.partner is not None:
        return partnership.partner.name
    if can(user, Action.VIEW_PERSONAL):
        return partnership.mentor
    return "педагог-наставник (ФИО не показывается)"


def partnership_note(partnership: Partnership) -> str:
    parts = [partnership.help]
    if partnership.grades:
        parts.append(f"{partnership.grades} классы")
    if partnership.subjects:
        parts.append(partnership.subjects)
    if partnership.agreement_number or partnership.agreement_date:
        parts.append(
            f"соглашение № {partnership.agreement_number or 'б/н'} от "
            f"{day(partnership.agreement_date) or '—'}"
        )
    return "; ".join(parts)


def partner_list_report(partnerships: Any, territory: str, user: Any, today: date) -> Report:
    rows = [[p.school.name, helper_name(p, user), partnership_note(p)] for p in partnerships]
    return Report(
        kind="partners",
        title=(
            "Список участников сетевого взаимодействия школ с низкими образовательными "
            "результатами и школ, функционирующих в неблагоприятных социальных условиях, "
            "со школами, демонстрирующими высокие образовательные результаты"
        ),
        subtitle=f"{territory}, на {day(today)}",
        sections=[
            Section(
                heading="Сетевые пары",
                table=Table(
                    [
                        "Наименование школ с низкими образовательными результатами или школ, "
                        "функционирующих в неблагоприятных социальных условиях",
                        "Наименование школ-сетевых партнеров",
                        "Примечание",
                    ],
                    rows,
                ),
            )
        ],
        sources=["Партнёрства в системе shnor"],
    )


def active(queryset: Any, today: date) -> Any:
    return queryset.filter(starts__lte=today).exclude(ends__lt=today)


def curator_list(user: Any, today: date) -> Any:
    return active(
        CuratorAssignment.objects.restrict(user).select_related("school__municipality", "curator"),
        today,
    ).order_by("school__municipality__name", "school__name")


def partner_list(user: Any, today: date) -> Any:
    return active(
        Partnership.objects.restrict(user).select_related("school__municipality", "partner"),
        today,
    ).order_by("school__municipality__name", "school__name")
