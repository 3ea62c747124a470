"""The regional models read as their programmes do: level and dynamics together, dynamics with a
tolerance, each ВПР grade against the region's same grade, the seed's limits, the count in
proportion to the indicators a school has, and the region's average over the whole region."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from shnor.core.system import SystemUser
from shnor.identification.actions import do_run_identification
from shnor.identification.engine.evaluate import Evaluation
from shnor.identification.engine.inputs import Inputs
from shnor.identification.models import Methodology
from tests.conftest import add_results
from tests.identification_data import (
    YEAR,
    context,
    flags,
    inputs,
    reference,
    result,
    run,
    school,
    status_of,
)

RESULT_INDICATORS = [
    "oge_russian",
    "oge_math",
    "ege_russian",
    "ege_math",
    "vpr_russian",
    "vpr_math",
    "reading_4",
    "reading_6",
    "science_8",
]
YEARS = [YEAR - 2, YEAR - 1, YEAR]
NOISE = [0, 2, -2]  # year-to-year noise of ±2 points (percentage points for shares)


def series(school_id: int, values: list[float]) -> list[tuple[Any, ...]]:
    """Every result procedure of the Саянский model, three years; `values[i]` is the share of
    «2» in year i for ГИА and ВПР (in %), and the literacy mean is 100 − 2 × share."""
    rows = []
    for year, share in zip(YEARS, values, strict=True):
        for kind, subject, grade in [
            ("ОГЭ", "Русский язык", 9),
            ("ОГЭ", "Математика", 9),
            ("ЕГЭ", "Русский язык", 11),
            ("ЕГЭ", "Математика профильная", 11),
            *[("ВПР", s, g) for s in ("Русский язык", "Математика") for g in range(4, 9)],
        ]:
            rows.append(result(school_id, year, kind, subject, grade, 50, round(share / 2)))
        for subject, grade in [
            ("Читательская грамотность", 4),
            ("Читательская грамотность", 6),
            ("Естественнонаучная грамотность", 8),
        ]:
            rows.append(result(school_id, year, "ФГ", subject, grade, 50, None, 100 - 2 * share))
    return rows


def regional_figures(share: float) -> list[tuple[Any, ...]]:
    """The region's published figures for every grade of ВПР and literacy, every year."""
    rows = []
    for year in YEARS:
        rows += [
            reference("region", year, "ВПР", s, g, 1000, round(10 * share))
            for s in ("Русский язык", "Математика")
            for g in range(4, 9)
        ]
        rows += [
            reference("region", year, "ФГ", s, g, 1000, 0, 100 - 2 * share)
            for s, g in [
                ("Читательская грамотность", 4),
                ("Читательская грамотность", 6),
                ("Естественнонаучная грамотность", 8),
            ]
        ]
    return rows


def sayansky(rows: list[tuple[Any, ...]], regional_share: float = 15) -> Evaluation:
    return run(
        "sayansky",
        inputs([school(1)], rows, [context(1)], regional_figures(regional_share)),
    )


def result_flags(evaluation: Evaluation) -> dict[str, bool | None]:
    return {k: v for k, v in flags(evaluation, 1).items() if k in RESULT_INDICATORS}


def test_it_does_not_flag_a_flat_school_above_the_region_with_noise() -> None:
    evaluation = sayansky(series(1, [10 + n for n in NOISE]))
    got = result_flags(evaluation)
    assert all(v is False for v in got.values()), got  # applicable, and none triggered
    assert status_of(evaluation) == {1: "none"}


def test_it_flags_a_school_low_and_declining_for_three_years() -> None:
    evaluation = sayansky(series(1, [30, 36, 42]))
    assert all(result_flags(evaluation).values())
    assert status_of(evaluation) == {1: "low_results"}
    detail = evaluation.evidence.filter(pl.col("indicator") == "oge_math").row(0, named=True)[
        "detail"
    ]
    assert detail.startswith("доля «2» / ниже порога, % 2023–2025, 9 кл.: 36,0 (участников: 150")
    assert "динамика показателя за 2023–2025: 6,0 в год по 3 годам" in detail


def test_a_low_school_with_noise_only_has_no_positive_dynamics() -> None:
    got = result_flags(sayansky(series(1, [34 + n for n in NOISE])))
    assert got["oge_math"] and got["vpr_math"] and got["reading_4"]


def test_a_low_school_improving_beyond_the_tolerance_is_not_flagged() -> None:
    got = result_flags(sayansky(series(1, [44, 38, 32])))  # 38% over three years, −6 a year
    assert not any(got.values()), got


def test_each_vpr_grade_is_compared_with_the_same_grade_of_the_region() -> None:
    rows = [result(1, y, "ВПР", "Математика", 4, 60, 5) for y in YEARS]  # 8.3% in grade 4
    figures = [
        reference("region", y, "ВПР", "Математика", g, 1000, below)
        for y in YEARS
        for g, below in ((4, 30), (8, 200))  # the region: grade 4 3%, grade 8 20%
    ]
    evaluation = run("sayansky", inputs([school(1)], rows, [context(1)], figures))
    row = evaluation.evidence.filter(pl.col("indicator") == "vpr_math").row(0, named=True)
    assert row["triggered"] and row["reference"] == pytest.approx(3.0)  # not the pooled 11.5%


def test_the_count_is_in_proportion_to_the_indicators_a_school_has() -> None:
    oge_only = [
        result(1, YEAR, "ОГЭ", "Русский язык", 9, 20, 1),  # 5% > 1%
        result(1, YEAR, "ОГЭ", "Математика", 9, 20, 2),  # 10% > 7%
    ]
    basic = run("comparative", inputs([school(1, "ООШ")], oge_only))
    full = run(
        "comparative",
        inputs(
            [school(1)],
            [
                *oge_only,
                result(1, YEAR, "ЕГЭ", "Русский язык", 11, 20, 0),
                result(1, YEAR, "ЕГЭ", "Математика профильная", 11, 20, 0),
            ],
        ),
    )
    # two limits of two applicable — as three of four; two of four is the risk zone
    assert status_of(basic) == {1: "low_results"} and status_of(full) == {1: "risk_zone"}


def test_ege_mathematics_is_base_and_profile_against_one_percent() -> None:
    rows = [
        result(1, YEAR, "ЕГЭ", "Математика профильная", 11, 30, 0),
        result(1, YEAR, "ЕГЭ", "Математика базовая", 11, 20, 1),  # 1 of 50: 2%
    ]
    row = (
        run("comparative", inputs([school(1)], rows))
        .evidence.filter(pl.col("indicator") == "ege_math_below")
        .row(0, named=True)
    )
    assert row["triggered"] and row["value"] == pytest.approx(2.0) and row["threshold"] == 1.0


def vpr_region() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Two municipalities: 1 with schools at 10% of «2», 2 with a school at 70%: the region's
    figure computed from its schools is 30%, the first municipality's own 10%."""
    schools = [
        school(1, municipality_id=1),
        school(2, municipality_id=1),
        school(3, municipality_id=2),
    ]
    rows = [
        result(s, y, "ВПР", "Математика", 5, 20, below)
        for y in YEARS
        for s, below in ((1, 2), (2, 2), (3, 14))
    ]
    return schools, rows


def test_a_municipal_evaluation_compares_with_the_whole_region() -> None:
    schools, rows = vpr_region()
    whole = inputs(schools, rows, [context(i) for i in (1, 2, 3)])
    municipal = Inputs(
        schools=whole.schools.filter(pl.col("municipality_id") == 1),
        results=whole.results,
        context=whole.context,
        reference=whole.reference,
        territory=whole.schools,
    )
    evaluation = run("sayansky", municipal)
    row = evaluation.evidence.filter(
        (pl.col("school_id") == 1) & (pl.col("indicator") == "vpr_math")
    ).row(0, named=True)
    assert row["reference"] == pytest.approx(30.0) and "рассчитано по школам" in row["detail"]
    assert set(evaluation.statuses["school_id"]) == {1, 2}


def test_a_municipal_run_compares_with_the_whole_region(world: dict[str, Any]) -> None:
    schools = world["schools"]
    for key, below in (("a", 2), ("b", 2), ("c", 14)):  # a, b in «Северный район», c in «Южный»
        add_results(schools[key], [(y, "ВПР", "Математика", 5, 20, below) for y in YEARS])
    run_ = do_run_identification(
        Methodology.objects.get(code="sayansky"),
        YEAR,
        acting_user=SystemUser(region=world["region"]),
        municipality=world["north"],
    )
    assert set(run_.statuses.values_list("school__code", flat=True)) == {"100", "200"}
    item = next(
        e
        for e in run_.evidence_items([schools["a"].pk])[schools["a"].pk]
        if e["indicator"] == "vpr_math"
    )
    assert item["reference"] == pytest.approx(30.0)
    assert (
        "среднее по региону для тех же классов и лет 30,0, рассчитано по школам" in item["detail"]
    )


def test_the_methodology_page_shows_why_each_choice_was_made(world: dict[str, Any]) -> None:
    client = Client()
    client.force_login(world["users"]["region"])
    page = client.get(
        reverse("identification:methodology", args=[Methodology.objects.get(code="sayansky").pk])
    ).content.decode()
    assert "Почему так: Программа не определяет «отсутствие положительной динамики»" in page
    assert "пропорционально применимым" in page
