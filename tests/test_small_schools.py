"""Small schools: results below the minimum number of participants are said to be left out,
with their n, and pooled by grades or years into an indicator of the risk zone."""

from __future__ import annotations

import polars as pl
import pytest

from shnor.identification.engine.evaluate import Evaluation
from tests.identification_data import YEAR, inputs, result, run, school, status_of


def evidence(evaluation: Evaluation, school_id: int, indicator: str) -> dict:
    rows = evaluation.evidence.filter(
        (pl.col("school_id") == school_id) & (pl.col("indicator") == indicator)
    )
    return rows.row(0, named=True)


THREE_GRADES = [  # 4 + 3 + 4 participants in one year, 4 of 11 with «2» (36.4%)
    result(1, YEAR, "ВПР", "Математика", 4, 4, 1),
    result(1, YEAR, "ВПР", "Математика", 5, 3, 1),
    result(1, YEAR, "ВПР", "Математика", 6, 4, 2),
]
THREE_YEARS = [  # the same procedure in three years, 4 + 3 + 4 participants
    result(1, YEAR - 2, "ОГЭ", "Математика", 9, 4, 1),
    result(1, YEAR - 1, "ОГЭ", "Математика", 9, 3, 1),
    result(1, YEAR, "ОГЭ", "Математика", 9, 4, 2),
]


@pytest.mark.parametrize("code", ["federal", "strezhevoy"])
def test_it_puts_a_small_school_with_pooled_low_grades_in_the_risk_zone(code: str) -> None:
    evaluation = run(code, inputs([school(1, "ООШ")], THREE_GRADES))
    assert status_of(evaluation) == {1: "risk_zone"}
    pooled = evidence(evaluation, 1, "low_small_pooled")
    assert pooled["applicable"] and pooled["triggered"] and pooled["value"] == 1
    assert pooled["detail"] == (
        "объединено: ВПР Математика 4, 5, 6 кл. (2025): 4 из 11 = 36,4% — низкий"
    )
    # the literal rule of the list does not count them, and says why
    literal = evidence(evaluation, 1, "low_two_procedures")
    assert not literal["applicable"]
    assert (
        "ВПР Математика 5 кл. (2025) — исключено: 3 участника при минимуме 5" in literal["detail"]
    )


def test_it_pools_years_back_from_the_run_year_until_the_minimum() -> None:
    evaluation = run("federal", inputs([school(1, "ООШ")], THREE_YEARS))
    assert status_of(evaluation) == {1: "risk_zone"}
    pooled = evidence(evaluation, 1, "low_small_pooled")
    # 4 (2025) + 3 (2024) = 7 reach the minimum of 5: 2023 is not needed
    assert (
        pooled["detail"] == "объединено: ОГЭ Математика 9 кл. (2024–2025): 3 из 7 = 42,9% — низкий"
    )
    assert pooled["window"] == "2023–2025"


def test_it_does_not_pool_years_when_told_not_to() -> None:
    evaluation = run("federal", inputs([school(1, "ООШ")], THREE_YEARS), pool_years=1)
    assert status_of(evaluation) == {1: "insufficient_data"}
    pooled = evidence(evaluation, 1, "low_small_pooled")
    assert pooled["detail"] == "ОГЭ Математика 9 кл. (2025) — исключено: 4 участника при минимуме 5"


def test_a_pooled_school_that_is_not_low_is_judged_not_insufficient() -> None:
    fine = [result(1, YEAR, "ВПР", "Математика", g, 4, 0) for g in (4, 5, 6)]
    evaluation = run("federal", inputs([school(1, "ООШ")], fine))
    assert status_of(evaluation) == {1: "none"}
    assert "0 из 12 = 0,0%" in evidence(evaluation, 1, "low_small_pooled")["detail"]


def test_results_large_enough_on_their_own_are_never_pooled() -> None:
    rows = [
        result(1, YEAR, "ВПР", "Математика", 4, 20, 1),
        result(1, YEAR, "ВПР", "Математика", 5, 3, 3),
    ]
    pooled = evidence(run("federal", inputs([school(1)], rows)), 1, "low_small_pooled")
    assert not pooled["applicable"]
    assert pooled["detail"] == "ВПР Математика 5 кл. (2025) — исключено: 3 участника при минимуме 5"


@pytest.mark.parametrize(
    ("participants", "words"),
    [(1, "1 участник"), (4, "4 участника"), (12, "12 участников"), (22, "22 участника")],
)
def test_an_excluded_procedure_says_so_with_its_n(participants: int, words: str) -> None:
    rows = [result(1, YEAR, "ОГЭ", "Математика", 9, participants, 2)]
    evaluation = run("federal", inputs([school(1)], rows), min_participants=25)
    detail = evidence(evaluation, 1, "low_one_procedure")["detail"]
    assert detail == f"ОГЭ Математика 9 кл. (2025) — исключено: {words} при минимуме 25"
    assert "низких результатов нет" not in detail


def test_counted_and_excluded_procedures_are_told_apart() -> None:
    rows = [
        result(1, YEAR, "ВПР", "Математика", 5, 20, 1),
        result(1, YEAR, "ОГЭ", "Математика", 9, 4, 2),
    ]
    detail = evidence(run("federal", inputs([school(1)], rows)), 1, "low_one_procedure")["detail"]
    assert detail == (
        "низких результатов нет; "
        "ОГЭ Математика 9 кл. (2025) — исключено: 4 участника при минимуме 5"
    )


def test_the_sayansky_level_pools_three_years_of_a_small_school() -> None:
    rows = [
        result(1, YEAR - 2 + i, "ОГЭ", "Математика", 9, n, b)
        for i, (n, b) in enumerate([(4, 2), (3, 1), (4, 2)])
    ]
    row = evidence(run("sayansky", inputs([school(1, "ООШ")], rows)), 1, "oge_math")
    assert row["detail"].startswith(
        "доля «2» / ниже порога, % 2023–2025, 9 кл.: 45,45 (участников: 11; сравнение: порог 30,0)"
    )
    # no year has five participants: the trend is not told, so the indicator is not applicable
    assert "динамика за 2023–2025 не определена" in row["detail"] and not row["applicable"]
