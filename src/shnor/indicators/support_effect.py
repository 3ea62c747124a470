"""The sections of the programme-effectiveness справка that answer «did the support work»:
supported schools against comparable unsupported ones (support/effectiveness.py), what can and
cannot be concluded, the measures described, and the exit of listed schools from the list
(identification/exit_criteria.py)."""

from __future__ import annotations

import base64
from typing import Any

from shnor.core.documents.content import Section, Table, cell, line_chart
from shnor.identification.exit_criteria import rule_text, run_exits, state_counts
from shnor.identification.history import latest_run
from shnor.registry.models import Municipality, School
from shnor.support.effectiveness import (
    AROUND,
    CALIPER,
    CAUTION,
    MIN_PAIRS,
    SKILLS_NOTE,
    SUPPORT_KINDS,
    Comparison,
    Estimate,
    comparison,
)


def interval(estimate: Estimate | None) -> str:
    if estimate is None:
        return "нет данных"
    if estimate.low is None or estimate.high is None:
        return cell(estimate.value)
    return f"{cell(estimate.value)} (от {cell(estimate.low)} до {cell(estimate.high)})"


def method_text(result: Comparison) -> list[str]:
    kinds = ", ".join(f"{SUPPORT_KINDS[k]} — {n}" for k, n in result.kinds.items())
    caliper = cell(CALIPER)
    return [
        f"Поддержка, начатая в {result.year} году: школ {result.supported}"
        + (f" ({kinds})." if kinds else ".")
        + f" С результатами до поддержки ({result.year - 1} год) и после ({result.year} год и "
        f"{result.year + 1}, если уже загружен): {result.with_data}. Сопоставлено пар: "
        f"{len(result.pairs)}; без пары: {result.unmatched}. Школ для сравнения (без "
        f"поддержки за {AROUND} года до и после): {result.candidates}.",
        "Школа, попавшая в список после неудачного года, на следующий год в среднем улучшается и "
        "без всякой поддержки (возврат к среднему). Поэтому собственное изменение поддержанных "
        "школ сравнивается с изменением похожих на них школ без поддержки: каждой поддержанной "
        "школе подобрана ближайшая школа региона по доле «2» за два года до поддержки, средней "
        "отметке, социальному индексу, числу обучающихся, расположению (город или село) и типу "
        f"школы; пара не составляется, если школы различаются в среднем больше чем на {caliper} "
        "стандартного отклонения признака. Эффект — разница изменений в паре (разность "
        "разностей), в скобках — 95% доверительный интервал.",
    ]


def comparison_sections(
    result: Comparison, names: dict[int, str], places: dict[int, str], *, brief: bool = False
) -> list[Section]:
    """names: the schools the reader may see by name; places: every paired school's
    municipality. brief: only the comparison and the conclusions (a monitoring round's page)."""
    rows = []
    for effect in result.effects:
        rows.append(
            [
                effect.label,
                str(effect.pairs),
                f"{cell(effect.supported_before)} → {cell(effect.supported_after)}",
                f"{cell(effect.control_before)} → {cell(effect.control_after)}",
                interval(effect.naive),
                interval(effect.did),
            ]
        )
    share = result.effects[0]
    chart = (
        line_chart(
            "Доля «2» / ниже минимального порога: поддержанные и сопоставимые школы",
            [result.year - 1, result.year],
            {
                "поддержанные": [share.supported_before, share.supported_after],
                "сопоставимые без поддержки": [share.control_before, share.control_after],
            },
        )
        if share.pairs
        else None
    )
    sections = [
        Section(
            "Сравнение с сопоставимыми школами",
            method_text(result),
            table=Table(
                [
                    "Результат",
                    "Пар школ",
                    "Поддержанные: до → после",
                    "Сопоставимые: до → после",
                    "Изменение поддержанных",
                    "Разница с сопоставимыми (95% интервал)",
                ],
                rows,
            ),
            chart=chart,
        ),
        Section(
            "Что можно и чего нельзя заключить",
            [
                *(effect.conclusion for effect in result.effects),
                f"Вывод делается не меньше чем по {MIN_PAIRS} парам школ. Сравнение учитывает "
                "только то, что измерено; школы, которым дали поддержку, могли отличаться и в "
                "неизмеренном (руководство, кадры), поэтому даже заметная разница — довод, а не "
                "доказательство.",
                SKILLS_NOTE,
            ],
        ),
    ]
    if brief:
        return sections
    if result.pairs:
        pair_rows = []
        for number, pair in enumerate(result.pairs, start=1):
            before, after = result.values[pair.supported]["share_low"]
            c_before, c_after = result.values[pair.control]["share_low"]
            pair_rows.append(
                [
                    str(number),
                    names.get(pair.supported, f"школа, {places[pair.supported]}"),
                    f"{cell(before)} → {cell(after)}",
                    f"школа, {places[pair.control]}",
                    f"{cell(c_before)} → {cell(c_after)}",
                ]
            )
        sections.append(
            Section(
                "Пары школ: доля «2» / ниже минимального порога, %",
                ["Сопоставимые школы названы муниципалитетом: сравнение не оценивает их работу."],
                table=Table(
                    ["№", "Поддержанная школа", "До → после", "Сопоставимая", "До → после"],
                    pair_rows,
                ),
            )
        )
    measure_rows = [
        [
            m.text,
            str(m.schools),
            str(m.pairs),
            interval(m.did)
            if m.pairs >= MIN_PAIRS
            else f"{cell(m.did.value if m.did else None)} (мало пар для интервала)",
        ]
        for m in result.measures
    ]
    sections.append(
        Section(
            "Меры и изменения результатов (описательно)",
            [
                "Для каждой типовой меры библиотеки — школы, которые её выполнили, против "
                "сопоставимых школ: разница изменений доли «2», п. п. (отрицательная — доля «2» "
                "снизилась сильнее, чем у сопоставимых).",
                CAUTION,
            ],
            table=Table(["Мера", "Школ выполнили", "Пар", "Разница с сопоставимыми"], measure_rows)
            if measure_rows
            else None,
        )
    )
    if not measure_rows:
        sections[-1].paragraphs.append("Выполненных типовых мер у сопоставленных школ нет.")
    return sections


def exit_section(user: Any, municipality: Municipality | None, year: int) -> Section:
    run = latest_run(user, municipality=municipality, year=year)
    if run is None or run.methodology is None:
        return Section("Выход из списка", [f"Выявление по результатам {year} года не проводилось."])
    exits = [
        e
        for e in run_exits(run, user)
        if municipality is None or e.school.municipality_id == municipality.pk
    ]
    counts = ", ".join(f"{label}: {n}" for label, n in state_counts(exits))
    return Section(
        "Выход из списка",
        [
            f"Школы, бывшие в списке «{run.methodology.name}» в последние годы, на запуске №"
            f"{run.pk} ({run.year} год): {counts}.",
            rule_text(run.definition),
        ],
        table=Table(
            [
                "Школа",
                "Оценка",
                "Последний год в списке",
                "Лет вне списка",
                "Снижение доли «2», п. п.",
                f"Прогноз доли «2» на {run.year + 1} год, %",
            ],
            [
                [
                    e.school.short_name,
                    e.get_state_display(),
                    str(e.listed_year),
                    str(e.years_outside),
                    cell(e.change),
                    f"{cell(e.forecast)} (от {cell(e.forecast_low)} до {cell(e.forecast_high)})"
                    if e.forecast is not None
                    else "мало лет для тренда",
                ]
                for e in exits
            ],
        )
        if exits
        else None,
    )


def support_effect_sections(
    user: Any, region: Any, municipality: Municipality | None, year: int, *, brief: bool = False
) -> list[Section]:
    result = comparison(region.pk, year, municipality.pk if municipality else None)
    ids = {p.supported for p in result.pairs} | {p.control for p in result.pairs}
    places = dict(School.objects.filter(pk__in=ids).values_list("pk", "municipality__name"))
    names = {s.pk: s.short_name for s in School.objects.restrict(user).filter(pk__in=ids)}
    if not result.supported:
        sections = [
            Section(
                "Сравнение с сопоставимыми школами",
                [f"Школ, поддержка которых началась в {year} году, нет: сравнивать нечего."],
            )
        ]
    else:
        sections = comparison_sections(result, names, places, brief=brief)
    return [*sections, exit_section(user, municipality, year)]


def page_sections(sections: list[Section]) -> list[dict[str, object]]:
    """Sections with their chart as a data address for an <img>."""
    return [
        {
            "section": s,
            "chart": "data:image/png;base64," + base64.b64encode(s.chart).decode()
            if s.chart
            else "",
        }
        for s in sections
    ]
