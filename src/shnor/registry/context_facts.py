"""Facts derived from a school's context figures, each defined once: the expression that the
identification engine, the risk profiles and the school card compute, and its Russian label.
Before, students per computer had three formulas, and a school without a single computer was
«200 students per computer» to the engine and «no risk» to the risk factor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl


@dataclass(frozen=True)
class Fact:
    label: str
    expression: pl.Expr


FACTS: dict[str, Fact] = {
    # No computer at all counts as every student on one: the worst case, which every rule on
    # computers must see as a deficit; a missing figure stays missing.
    "students_per_computer": Fact(
        "обучающихся на один компьютер",
        pl.when(pl.col("computers") > 0)
        .then(pl.col("students") / pl.col("computers"))
        .when(pl.col("computers") == 0)
        .then(pl.col("students").cast(pl.Float64)),
    ),
    "vacancy_share": Fact(
        "доля вакансий среди ставок педагогов, %",
        100 * pl.col("vacancies") / (pl.col("teachers") + pl.col("vacancies")),
    ),
    "teachers_over_55_share": Fact(
        "доля педагогов старше 55 лет, %", 100 * pl.col("teachers_over_55") / pl.col("teachers")
    ),
    "ovz_share": Fact(
        "доля обучающихся с ОВЗ, %", 100 * pl.col("students_ovz") / pl.col("students")
    ),
}


def fact_columns(*names: str) -> dict[str, pl.Expr]:
    """The facts as columns to add to a frame of context figures."""
    return {name: FACTS[name].expression for name in names}


def fact_value(name: str, **figures: Any) -> float | None:
    """One fact of one school and year (a page showing a single context row)."""
    row = pl.DataFrame(
        {k: [v] for k, v in figures.items()}, schema=dict.fromkeys(figures, pl.Float64)
    )
    value = row.select(FACTS[name].expression.fill_nan(None)).item()
    return None if value is None else float(value)
