"""The four kinds of аналитическая справка, built from the stored data and indicators."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import polars as pl
from django.db.models import Sum

from shnor.assessments.models import Result
from shnor.core.documents.content import Report, Section, Table, bar_chart, cell, line_chart
from shnor.identification.choices import Status
from shnor.identification.explain import explain
from shnor.identification.history import (
    latest_objectivity_run,
    latest_run,
    statuses_by_school,
    with_items,
)
from shnor.identification.objectivity import flagged_schools
from shnor.indicators.catalogue import indicators
from shnor.indicators.engine import current_values, hidden_word
from shnor.indicators.support_effect import support_effect_sections
from shnor.registry.models import Municipality, School
from shnor.risks.services import school_profile

KINDS = {
    "identification": "Аналитическая справка по итогам идентификации ШНОР",
    "dynamics": "Аналитическая справка о динамике результатов оценочных процедур",
    "effectiveness": "Аналитическая справка об эффективности программы поддержки ШНОР",
    "passport": "Паспорт школы",
}


def territory(region: Any, municipality: Municipality | None) -> str:
    return municipality.name if municipality else region.name


def figure(value: Any) -> str:
    """A stored number as an official reads it: a count without «,0», a fraction with a decimal
    comma, a yes/no fact as «да»/«нет»."""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, int | float | Decimal) and float(value).is_integer():
        return str(int(value))
    return cell(float(value) if isinstance(value, Decimal) else value)


def identification_report(
    user: Any,
    region: Any,
    municipality: Municipality | None,
    year: int,
    school: School | None = None,
) -> Report:
    run = latest_run(user, municipality=municipality, year=year)
    if run is None:
        return Report(
            "identification",
            KINDS["identification"],
            f"{territory(region, municipality)}, {year} год",
            [Section("Итоги", [f"Выявление по результатам {year} года ещё не проводилось."])],
            [],
        )
    assert run.methodology is not None  # latest_run reads runs of a methodology only
    statuses = statuses_by_school(run, user)
    if municipality:
        statuses = {
            k: v for k, v in statuses.items() if v.school.municipality_id == municipality.pk
        }
    listed = sorted(
        with_items(s for s in statuses.values() if s.status == Status.LOW_RESULTS),
        key=lambda s: (s.school.municipality.name, s.school.name),
    )
    counts: dict[str, int] = defaultdict(int)
    per_place: dict[str, int] = defaultdict(int)
    for status in statuses.values():
        counts[status.status] += 1
        if status.status == Status.LOW_RESULTS:
            per_place[status.school.municipality.name] += 1
    summary = Section(
        "Итоги",
        [
            f"Методика: {run.methodology.name}, версия {run.methodology.version}; результаты "
            f"{run.year} года; запуск №{run.pk} от {run.created:%d.%m.%Y}.",
            f"Всего школ: {len(statuses)}. ШНОР: {counts[Status.LOW_RESULTS]}, в зоне риска: "
            f"{counts[Status.RISK_ZONE]}, недостаточно данных: {counts[Status.INSUFFICIENT_DATA]}.",
            f"По сравнению с предыдущим запуском вошли в список: "
            f"{sum(1 for s in statuses.values() if s.movement == 'entered')}, остались: "
            f"{sum(1 for s in statuses.values() if s.movement == 'stayed')}, вышли: "
            f"{sum(1 for s in statuses.values() if s.movement == 'left')}.",
        ],
        chart=bar_chart("ШНОР по муниципалитетам", list(per_place), list(per_place.values()))
        if per_place
        else None,
    )
    table = Section(
        "Список ШНОР",
        table=Table(
            ["№", "Муниципалитет", "Школа", "Основания"],
            [
                [str(n), s.school.municipality.name, s.school.name, explain(s.status, s.items)]
                for n, s in enumerate(listed, start=1)
            ],
        ),
    )
    objectivity, sources = objectivity_sections(user, municipality, run.year)
    return Report(
        "identification",
        KINDS["identification"],
        f"{territory(region, municipality)}, {run.year} год",
        [summary, table, *objectivity],
        [
            f"Запуск выявления №{run.pk} от {run.created:%d.%m.%Y}",
            f"Методика «{run.methodology.name}», версия {run.methodology.version}: "
            f"{run.methodology.source}",
            *sources,
        ],
    )


def objectivity_sections(
    user: Any, municipality: Municipality | None, year: int
) -> tuple[list[Section], list[str]]:
    """The schools with signs of non-objective results of the year, with their signs — a list
    kept apart from ШНОР — and its source; nothing when no such run exists."""
    run = latest_objectivity_run(user, municipality=municipality, year=year)
    if run is None or run.methodology is None:
        return [], []
    among = School.objects.filter(municipality=municipality) if municipality else None
    flagged = flagged_schools(run, user, among=among)
    section = Section(
        "Школы с признаками необъективности результатов ВПР",
        [
            f"Перечень ведётся отдельно от списка ШНОР и в него не входит. Методика: "
            f"{run.methodology.name}, версия {run.methodology.version}; результаты {run.year} "
            f"года; школ с признаками: {len(flagged)}."
        ],
        table=Table(
            ["№", "Муниципалитет", "Школа", "Признаки"],
            [
                [
                    str(n),
                    f["school"].municipality.name,
                    f["school"].name,
                    "; ".join(f"{s['label']}: {s['detail']}" for s in f["signs"]),
                ]
                for n, f in enumerate(flagged, start=1)
            ],
        )
        if flagged
        else None,
    )
    return [section], [
        f"Расчёт признаков необъективности №{run.pk} от {run.created:%d.%m.%Y}",
        f"Методика «{run.methodology.name}», версия {run.methodology.version}: "
        f"{run.methodology.source}",
    ]


def dynamics_report(
    user: Any,
    region: Any,
    municipality: Municipality | None,
    year: int,
    school: School | None = None,
) -> Report:
    rows = Result.objects.restrict(user).filter(
        school__municipality__region=region, below_min__isnull=False, participants__gt=0
    )
    if municipality:
        rows = rows.filter(school__municipality=municipality)
    if school:
        rows = rows.filter(school=school)
    sums = (
        rows.values("kind__code", "subject__name", "year")
        .annotate(b=Sum("below_min"), p=Sum("participants"))
        .order_by("kind__code", "subject__name", "year")
    )
    years = sorted({r["year"] for r in sums})
    series: dict[tuple[str, str], dict[int, float]] = defaultdict(dict)
    for r in sums:
        series[(r["kind__code"], r["subject__name"])][r["year"]] = 100 * r["b"] / r["p"]
    sections = []
    for kind in sorted({k for k, _ in series}):
        subjects = {s: v for (k, s), v in series.items() if k == kind}
        sections.append(
            Section(
                f"{kind}: доля участников с «2» / ниже минимального порога, %",
                table=Table(
                    ["Предмет", *map(str, years)],
                    [[s, *(cell(v.get(y)) for y in years)] for s, v in subjects.items()],
                ),
                chart=line_chart(
                    kind, years, {s: [v.get(y) for y in years] for s, v in subjects.items()}
                ),
            )
        )
    where = school.name if school else territory(region, municipality)
    return Report(
        "dynamics",
        KINDS["dynamics"],
        f"{where}, {years[0] if years else ''}–{year}",
        sections or [Section("Результаты", ["Результатов нет."])],
        [
            "Результаты оценочных процедур, загруженные в систему: суммы участников и не "
            "преодолевших порог по территории"
        ],
    )


def effectiveness_report(
    user: Any,
    region: Any,
    municipality: Municipality | None,
    year: int,
    school: School | None = None,
) -> Report:
    years = list(range(year - 4, year + 1))
    values = current_values(region.pk, years).filter(pl.col("school_id").is_null())
    unit = (
        values.filter(pl.col("municipality_id") == municipality.pk)
        if municipality
        else values.filter(pl.col("municipality_id").is_null())
    )
    lookup = {(r["indicator"], r["year"]): r for r in unit.iter_rows(named=True)}
    rows = []
    for spec in indicators():
        now = lookup.get((spec["code"], year), {})
        before = lookup.get((spec["code"], year - 1), {})
        target = spec.get("targets", {}).get(year)
        rows.append(
            [
                spec["name"],
                hidden_word(spec, before) or cell(before.get("value")),
                hidden_word(spec, now) or cell(now.get("value")),
                cell(float(target)) if target is not None else "—",
                f"{figure(now['numerator'])} / {figure(now['denominator'])}"
                if now.get("denominator")
                else "—",
            ]
        )
    main = next(i for i in indicators() if i.get("main"))
    chart = line_chart(
        main["name"],
        years,
        {
            territory(region, municipality): [
                lookup.get((main["code"], y), {}).get("value") for y in years
            ]
        },
    )
    return Report(
        "effectiveness",
        KINDS["effectiveness"],
        f"{territory(region, municipality)}, {year} год",
        [
            Section(
                "Показатели программы",
                [
                    "Значения рассчитаны по данным системы; «нет данных» — данных для расчёта "
                    "нет (не ноль)."
                ],
                table=Table(
                    [
                        "Показатель",
                        str(year - 1),
                        str(year),
                        "Цель",
                        "Расчёт (числитель / знаменатель)",
                    ],
                    rows,
                ),
                chart=chart,
            ),
            *support_effect_sections(user, region, municipality, year),
        ],
        [
            "Каталог показателей системы (расчёт по данным на дату справки)",
            *(f"{i['name']}: {i['source']}" for i in indicators()),
            "Сравнение с сопоставимыми школами: результаты оценочных процедур (ВПР, ОГЭ, ЕГЭ; "
            "русский язык и математика), контекст школ, программы поддержки, закрепления "
            "кураторов и партнёрства; выход из списка — запуски выявления",
        ],
    )


def passport_report(
    user: Any,
    region: Any,
    municipality: Municipality | None,
    year: int,
    school: School | None = None,
) -> Report:
    if school is None:
        raise ValueError("Для паспорта школы выберите школу")
    contexts = list(school.contexts.order_by("year"))
    context_rows = [
        [label, *(figure(getattr(c, field)) for c in contexts)]
        for field, label in (
            ("students", "Обучающихся"),
            ("teachers", "Педагогов"),
            ("vacancies", "Вакансий"),
            ("computers", "Компьютеров"),
            ("stable_internet", "Устойчивый интернет"),
            ("low_income_pct", "Малообеспеченные семьи, %"),
        )
    ]
    profile = school_profile(school, year)
    dynamics = dynamics_report(user, region, None, year, school)
    return Report(
        "passport",
        KINDS["passport"],
        school.name,
        [
            Section(
                "Общие сведения",
                [
                    f"Код ОО: {school.code}. Муниципалитет: {school.municipality.name}. Тип: "
                    f"{school.get_kind_display()}, {school.get_locality_display()}."
                ],
            ),
            Section("Контекст", table=Table(["", *(str(c.year) for c in contexts)], context_rows)),
            Section(
                f"Профиль рисков {year}",
                table=Table(
                    ["Фактор", "Уровень", "Основание"],
                    [[f["name"], f["level"] or "нет данных", f["evidence"]] for f in profile],
                ),
            ),
            *dynamics.sections,
        ],
        ["Карточка школы: контекст, результаты, анкета самодиагностики"],
    )


BUILDERS = {
    "identification": identification_report,
    "dynamics": dynamics_report,
    "effectiveness": effectiveness_report,
    "passport": passport_report,
}
