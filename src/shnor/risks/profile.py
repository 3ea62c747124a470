"""Risk profiles: every factor's level for every school and year, with its evidence.

A condition gives a level rank (0 none … 3 high) from a fact by thresholds; a factor takes the
highest rank of its conditions; a factor whose facts are all unknown has no level («нет данных»),
which is not the same as «нет риска»."""

from __future__ import annotations

from typing import Any

import polars as pl

from shnor.risks.catalogue import LEVELS, factors
from shnor.risks.facts import fact_label


def condition_rank(condition: dict[str, Any]) -> pl.Expr:
    value = pl.col(condition["fact"]).cast(pl.Float64)
    if "equals" in condition:
        return (
            pl.when(value.is_null())
            .then(None)
            .when(value == float(condition["equals"]))
            .then(LEVELS.index(condition["level"]))
            .otherwise(0)
        )
    thresholds = condition.get("above") or condition["below"]
    rank: Any = pl.when(value.is_null()).then(None)
    for level in ("high", "medium", "low"):
        if level in thresholds:
            hit = (
                (value >= thresholds[level])
                if "above" in condition
                else (value <= thresholds[level])
            )
            rank = rank.when(hit).then(LEVELS.index(level))
    return rank.otherwise(0)


def shown(expr: pl.Expr, condition: dict[str, Any]) -> pl.Expr:
    """A fact as the evidence shows it: a yes/no fact (one a rule tests for equality) as
    «да/нет», a figure with a decimal comma."""
    if "equals" in condition:
        return pl.when(expr.cast(pl.Float64) > 0).then(pl.lit("да")).otherwise(pl.lit("нет"))
    return expr.cast(pl.Float64).round(2).cast(pl.Utf8).str.replace(".", ",", literal=True)


def evaluate_profiles(frame: pl.DataFrame) -> pl.DataFrame:
    """Long frame: school_id, year, factor, rank (null = no data), level, evidence."""
    parts = []
    for factor in factors():
        ranks = [condition_rank(c).alias(f"r{i}") for i, c in enumerate(factor["conditions"])]
        evidence = [
            pl.when(pl.col(c["fact"]).is_not_null()).then(
                pl.format("{}: {}", pl.lit(fact_label(c["fact"])), shown(pl.col(c["fact"]), c))
            )
            for c in factor["conditions"]
        ]
        parts.append(
            frame.select(
                "school_id",
                "year",
                factor=pl.lit(factor["code"]),
                rank=pl.max_horizontal(ranks).cast(pl.Int8),
                evidence=pl.concat_str(evidence, separator="; ", ignore_nulls=True),
            )
        )
    return pl.concat(parts).with_columns(
        level=pl.col("rank").replace_strict(
            dict(enumerate(LEVELS)), default=None, return_dtype=pl.Utf8
        ),
    )
