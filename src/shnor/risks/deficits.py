"""Resource-deficit monitoring (seed 000, indicator 1.2.6): which deficits a school had, which it
eliminated since the year before, and the share of risk-zone schools that eliminated theirs."""

from __future__ import annotations

import polars as pl

# The three resource deficits of the seed, with the same thresholds as the risk factors.
DEFICITS = {
    "no_internet": ("нет устойчивого интернета", pl.col("stable_internet") == 0),
    "few_computers": ("более 10 обучающихся на компьютер", pl.col("students_per_computer") > 10),
    "teacher_shortage": ("есть вакансии педагогов", pl.col("vacancies") > 0),
}


def deficit_table(facts: pl.DataFrame, year: int) -> pl.DataFrame:
    """One row per school: each deficit's presence in the year before and in the year."""
    flags = facts.select(
        "school_id", "year", *[expr.alias(code) for code, (_, expr) in DEFICITS.items()]
    )
    before = flags.filter(pl.col("year") == year - 1).drop("year")
    now = flags.filter(pl.col("year") == year).drop("year")
    table = before.join(now, on="school_id", how="full", coalesce=True, suffix="_now")
    return table.with_columns(
        had=pl.sum_horizontal([pl.col(c).fill_null(False) for c in DEFICITS]),
        has=pl.sum_horizontal([pl.col(f"{c}_now").fill_null(False) for c in DEFICITS]),
        eliminated=pl.sum_horizontal(
            [
                pl.col(c).fill_null(False) & (pl.col(f"{c}_now") == False)  # noqa: E712
                for c in DEFICITS
            ]
        ),
    ).with_columns(
        all_eliminated=(pl.col("had") > 0) & (pl.col("eliminated") == pl.col("had")),
    )


def eliminated_share(table: pl.DataFrame, risk_schools: set[int]) -> tuple[int, int]:
    """Risk-zone schools that had deficits the year before: (all eliminated, all with any)."""
    risky = table.filter(pl.col("school_id").is_in(list(risk_schools)) & (pl.col("had") > 0))
    return int(risky["all_eliminated"].sum()), risky.height
