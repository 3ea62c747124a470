"""Evaluate a methodology for a year: every indicator's evidence, then a status per school."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from shnor.identification.engine.blocks import BLOCK_FUNCTIONS, EVIDENCE_SCHEMA, describe
from shnor.identification.engine.definition import bind, parameter_values, validate
from shnor.identification.engine.inputs import Inputs
from shnor.identification.engine.signs import objectivity_sign

FUNCTIONS = {**BLOCK_FUNCTIONS, "objectivity_sign": objectivity_sign}


@dataclass
class Evaluation:
    """statuses: one row per school; evidence: one row per school × indicator."""

    statuses: pl.DataFrame
    evidence: pl.DataFrame
    indicators: list[dict[str, Any]]


APPLICABLE = "{}__applicable"


def band_expression(band: dict[str, Any], codes: list[str]) -> pl.Expr:
    """The band's condition over the triggered indicators. With `normalise`, «at least `min`
    of the band's indicators» is scaled to those applicable to the school (rounded up, at
    least one): a rule written for a school with every procedure is kept in proportion for a
    school without grade 11 or without grades 5–9 — but never below half of `min` (rounded up),
    so that a school with data for one or two indicators is not listed on them alone."""
    chosen = band.get("indicators", codes)
    members = [pl.col(c) for c in chosen]
    combine = band["combine"]
    if combine == "any":
        return pl.any_horizontal(members)
    if combine == "all":
        return pl.all_horizontal(members)
    required: pl.Expr | int = int(band["min"])
    if band.get("normalise"):
        applicable = pl.sum_horizontal([pl.col(APPLICABLE.format(c)) for c in chosen])
        floor = math.ceil(int(band["min"]) / 2)
        required = (
            (int(band["min"]) * applicable / len(chosen) - 1e-9).ceil().clip(lower_bound=floor)
        )
    return pl.sum_horizontal(members) >= required


def evaluate(definition: dict[str, Any], year: int, inputs: Inputs) -> Evaluation:
    validate(definition)
    params = parameter_values(definition)
    excluded = bind(definition.get("exclude_school_kinds", []), params) or []
    schools = inputs.schools.filter(~pl.col("kind").is_in(excluded))
    scoped = replace(
        inputs,
        schools=schools,
        territory=inputs.schools if inputs.territory is None else inputs.territory,
    )
    indicators = [bind(spec, params) for spec in definition["indicators"]]
    codes = [spec["code"] for spec in indicators]

    queries = []
    for order, spec in enumerate(indicators):
        rows = FUNCTIONS[spec["block"]](spec, year, scoped)
        queries.append(
            schools.lazy()
            .select("school_id")
            .join(rows, on="school_id", how="left")
            .with_columns(
                pl.col("applicable").fill_null(False),
                pl.col("triggered").fill_null(False),
                pl.col("detail").fill_null("нет данных"),
                *(pl.col(k).fill_null(v) for k, v in describe(spec, year).items()),
                pl.col("value", "reference", "threshold").fill_nan(None),
                indicator=pl.lit(spec["code"]),
                order=pl.lit(order),
            )
        )
    frames = pl.collect_all(queries)
    evidence = pl.concat(frames) if frames else pl.DataFrame(schema=EVIDENCE_SCHEMA)

    wide = evidence.pivot(
        on="indicator", index="school_id", values="triggered", aggregate_function="first"
    ).select("school_id", *codes)
    if any(band.get("normalise") for band in definition["status"]["bands"]):
        wide = wide.join(
            evidence.pivot(
                on="indicator", index="school_id", values="applicable", aggregate_function="first"
            ).select("school_id", *(pl.col(c).alias(APPLICABLE.format(c)) for c in codes)),
            on="school_id",
        )
    applicable = (
        evidence.filter(pl.col("applicable"))
        .group_by("school_id")
        .agg(
            indicators_applicable=pl.len(),
            basis_applicable=pl.col("indicator")
            .is_in(definition["status"].get("insufficient_data", {}).get("indicators", codes))
            .sum(),
        )
    )
    status = pl.lit("none")
    for band in reversed(definition["status"]["bands"]):
        status = (
            pl.when(band_expression(bind(band, params), codes))
            .then(pl.lit(band["status"]))
            .otherwise(status)
        )
    basis = definition["status"].get("insufficient_data", {})
    statuses = (
        wide.join(applicable, on="school_id", how="left")
        .with_columns(pl.col("indicators_applicable", "basis_applicable").fill_null(0))
        .with_columns(
            status=status,
            indicators_triggered=pl.sum_horizontal(codes).cast(pl.Int64),
            indicators_total=pl.lit(len(codes), pl.Int64),
        )
        .with_columns(
            status=pl.when(
                (pl.col("status") == "none")
                & (pl.col("basis_applicable") < int(basis.get("min_applicable", 1)))
            )
            .then(pl.lit("insufficient_data"))
            .otherwise(pl.col("status"))
        )
        .select(
            "school_id",
            "status",
            "indicators_triggered",
            "indicators_applicable",
            "indicators_total",
        )
        .sort("school_id")
    )
    return Evaluation(
        statuses=statuses, evidence=evidence.sort("school_id", "order"), indicators=indicators
    )
