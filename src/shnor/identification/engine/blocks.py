"""The building blocks of methodologies. Each block turns one indicator's (bound) spec, the run
year and the inputs into a lazy query of evidence rows: school_id, applicable, triggered, value,
reference, threshold, detail. A school without a row is taken as «not applicable». The queries
of all indicators are collected together, so Polars shares their common parts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from shnor.identification.engine.definition import CONTEXT_FIELDS
from shnor.identification.engine.inputs import Inputs

EPSILON = 1e-9
EVIDENCE_SCHEMA = {
    "school_id": pl.Int64,
    "applicable": pl.Boolean,
    "triggered": pl.Boolean,
    "value": pl.Float64,
    "reference": pl.Float64,
    "threshold": pl.Float64,
    "compare": pl.Utf8,
    "window": pl.Utf8,
    "detail": pl.Utf8,
}
EVIDENCE_COLUMNS = [pl.col(c).cast(t) for c, t in EVIDENCE_SCHEMA.items()]
METRIC_LABELS = {"share_low": "доля «2» / ниже порога, %", "mean_score": "средний балл"}
COMPARISON_LABELS = {
    "threshold": "порог",
    "municipality": "среднее по муниципалитету",
    "region": "среднее по региону",
    "russia": "среднее по России",
}
REFERENCE_LEVELS = {"municipality": "municipality_id", "region": "region_id", "russia": None}


def span(first: int, last: int) -> str:
    return str(last) if first == last else f"{first}–{last}"


def describe(spec: dict[str, Any], year: int) -> dict[str, str]:
    """What an indicator compares with, and over which years, in words for the evidence."""
    if spec["block"] == "low_procedures":
        years = sorted(year + offset for offset in spec["years"])
        return {
            "compare": f"доля «2» / ниже порога ≥ {float(spec['low_share']) * 100:g}%",
            "window": span(years[0], years[-1]),
        }
    if spec["block"] == "context":
        shown_value = "" if spec["op"] in ("is_true", "is_false") else f" {spec['value']}"
        return {
            "compare": f"{spec['op']}{shown_value}",
            "window": span(year - int(spec.get("max_age", 1)), year),
        }
    parts = []
    if "level" in spec:
        level = spec["level"]
        target = (
            f"{float(level['value']) * (100 if spec['metric'] == 'share_low' else 1):g}"
            if level["compare"] == "threshold"
            else COMPARISON_LABELS[level["compare"]]
        )
        parts.append(f"{level['op']} {target}")
    window = 1
    if "dynamics" in spec:
        window = int(spec["dynamics"]["window"])
        parts.append("нет положительной динамики")
    return {"compare": "; ".join(parts), "window": span(year - window + 1, year)}


def compare(left: pl.Expr, op: str, right: pl.Expr | float) -> pl.Expr:
    """The listed operators only; equality-inclusive ones tolerate floating-point noise."""
    right = right if isinstance(right, pl.Expr) else pl.lit(right)
    return {
        ">": left > right + EPSILON,
        ">=": left >= right - EPSILON,
        "<": left < right - EPSILON,
        "<=": left <= right + EPSILON,
        "==": (left - right).abs() <= EPSILON,
        "is_true": left.cast(pl.Boolean),
        "is_false": ~left.cast(pl.Boolean),
    }[op]


def selection(select: dict[str, Any]) -> pl.Expr:
    expr = pl.lit(True)
    if select.get("kinds"):
        expr &= pl.col("kind").is_in(select["kinds"])
    if select.get("subjects"):
        expr &= pl.col("subject").is_in(select["subjects"])
    if select.get("grades"):
        expr &= pl.col("grade").is_in(select["grades"])
    return expr


def shown(expr: pl.Expr, scale: float = 1.0, digits: int = 1) -> pl.Expr:
    """A number as Russian text (decimal comma), «нет данных» when missing."""
    return (
        (expr * scale)
        .round(digits)
        .cast(pl.Utf8)
        .str.replace(".", ",", literal=True)
        .fill_null("нет данных")
    )


# -- low procedures ------------------------------------------------------------------------


def procedure_rows(spec: dict[str, Any], years: list[int], inputs: Inputs) -> pl.LazyFrame:
    """Procedure results of the selection in the given years, each marked valid and low. The
    years are filtered last, so that indicators over other years share the rest of the plan."""
    return (
        inputs.results.lazy()
        .filter(selection(spec.get("select", {})))
        .with_columns(
            valid=(pl.col("participants") >= max(1, spec["min_participants"]))
            & pl.col("below_min").is_not_null(),
            share=pl.col("below_min") / pl.col("participants"),
        )
        .with_columns(low=pl.col("valid") & (pl.col("share") >= spec["low_share"] - EPSILON))
        .filter(pl.col("year").is_in(years))
    )


def joined(column: str, separator: str) -> pl.Expr:
    """After a group_by that gathered `column`'s texts as a list: sorted and joined into one
    (list functions: several times faster than str.join inside the aggregation)."""
    return pl.col(column).list.sort().list.join(separator)


def low_notes(rows: pl.LazyFrame, keys: list[str], separator: str) -> pl.LazyFrame:
    """«ВПР Математика 5 кл. (2025): 40,0%» for every low result, joined per `keys`; built for
    the low rows only, since most rows never need words."""
    return (
        rows.filter(pl.col("low"))
        .with_columns(
            note=pl.format(
                "{} {} {} кл. ({}): {}%",
                "kind",
                "subject",
                "grade",
                "year",
                shown(pl.col("share"), 100),
            )
        )
        .group_by(keys)
        .agg("note")
        .with_columns(note=joined("note", separator))
    )


def low_procedures(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    years = sorted(year + offset for offset in spec["years"])
    rows = procedure_rows(spec, years, inputs)
    mode = spec["mode"]
    if mode == "count_in_year":
        current = rows.filter(pl.col("year") == years[-1])
        per_school = (
            current.group_by("school_id")
            .agg(applicable=pl.col("valid").any(), value=pl.col("low").sum().cast(pl.Float64))
            .join(low_notes(current, ["school_id"], "; "), on="school_id", how="left")
            .with_columns(
                detail=pl.col("note"), triggered=pl.col("value") >= spec["min_count"] - EPSILON
            )
        )
    elif mode == "same_procedure_all_years":
        keys = ["school_id", "kind", "subject", "grade"]
        # Grouped separately on the valid and on the low rows: the low ones are few, and so are
        # the procedures low every year, the only ones that need words.
        complete = (
            rows.filter(pl.col("valid"))
            .group_by(keys)
            .len()
            .filter(pl.col("len") == len(years))
            .group_by("school_id")
            .agg(applicable=pl.lit(True))
        )
        low = rows.filter(pl.col("low"))
        always_low = low.join(
            low.group_by(keys).len().filter(pl.col("len") == len(years)), on=keys, how="semi"
        )
        notes = low_notes(always_low, keys, ", ")
        per_school = (
            complete.join(
                notes.group_by("school_id")
                .agg(value=pl.len().cast(pl.Float64), detail="note")
                .with_columns(detail=joined("detail", "; ")),
                on="school_id",
                how="full",
                coalesce=True,
            )
            .with_columns(
                pl.col("applicable").fill_null(False),
                pl.col("value").fill_null(0.0),
            )
            .with_columns(triggered=pl.col("value") >= 1)
        )
    else:  # any_procedure_each_year
        keys = ["school_id", "year"]
        per_year = (
            rows.group_by(keys)
            .agg(any_valid=pl.col("valid").any(), any_low=pl.col("low").any())
            .join(low_notes(rows, keys, ", "), on=keys, how="left")
        )
        per_school = (
            per_year.group_by("school_id")
            .agg(
                applicable=pl.col("any_valid").sum() == len(years),
                value=pl.col("any_low").sum().cast(pl.Float64),
                detail=pl.col("note").filter(pl.col("any_low")),
            )
            .with_columns(detail=joined("detail", "; "))
            .with_columns(triggered=pl.col("value") >= len(years))
        )
    return per_school.with_columns(
        triggered=pl.col("triggered") & pl.col("applicable"),
        reference=pl.lit(None, pl.Float64),
        threshold=pl.lit(float(spec["low_share"]) * 100),
        **{k: pl.lit(v) for k, v in describe(spec, year).items()},
        detail=pl.when(pl.col("detail").is_null() | (pl.col("detail") == ""))
        .then(pl.lit("низких результатов нет"))
        .otherwise(pl.col("detail")),
    ).select(EVIDENCE_COLUMNS)


# -- result level and dynamics ---------------------------------------------------------------


def aggregate(rows: pl.LazyFrame, keys: list[str], metric: str) -> pl.LazyFrame:
    """Participant-weighted metric over the grades and subjects of the selection."""
    measured = pl.col("below_min" if metric == "share_low" else "mean_score").is_not_null()
    weight = pl.col("participants").filter(measured).sum()
    total = (
        pl.col("below_min").filter(measured).sum()
        if metric == "share_low"
        else (pl.col("mean_score") * pl.col("participants")).filter(measured).sum()
    )
    return rows.group_by(keys).agg(
        participants=weight,
        metric=pl.when(weight > 0).then(total / weight),
    )


def comparison_values(
    spec: dict[str, Any], level: dict[str, Any], inputs: Inputs, metric: str, years: list[int]
) -> pl.LazyFrame | None:
    """Reference value per (key, year): the territory's published average, else computed."""
    compare_to = level["compare"]
    key = REFERENCE_LEVELS[compare_to]
    select = selection(spec.get("select", {}))
    keys = [key, "year"] if key else ["year"]
    published = aggregate(
        inputs.reference.lazy().filter(
            select & (pl.col("level") == compare_to) & pl.col("year").is_in(years)
        ),
        keys,
        metric,
    ).select(*keys, reference=pl.col("metric"), reference_source=pl.lit("опубликованное"))
    if level.get("fallback", "computed") != "computed" or key is None:
        return published
    computed = aggregate(
        inputs.results.lazy()
        .filter(select & pl.col("year").is_in(years) & (pl.col("participants") > 0))
        .join(inputs.schools.lazy().select("school_id", key), on="school_id"),
        keys,
        metric,
    ).select(*keys, computed=pl.col("metric"))
    return computed.join(published, on=keys, how="left").select(
        *keys,
        reference=pl.coalesce("reference", "computed"),
        reference_source=pl.when(pl.col("reference").is_not_null())
        .then(pl.lit("опубликованное"))
        .otherwise(pl.lit("рассчитано по школам")),
    )


def result_level(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    metric = spec["metric"]
    dynamics = spec.get("dynamics")
    window = int(dynamics["window"]) if dynamics else 1
    years = list(range(year - window + 1, year + 1))
    school_rows = inputs.results.lazy().filter(
        selection(spec.get("select", {}))
        & pl.col("year").is_in(years)
        & (pl.col("participants") > 0)
    )
    per_year = aggregate(school_rows, ["school_id", "year"], metric).filter(
        (pl.col("participants") >= spec.get("min_participants", 1)) & pl.col("metric").is_not_null()
    )
    schools = inputs.schools.lazy().select("school_id", "municipality_id", "region_id")
    result = schools.join(
        per_year.filter(pl.col("year") == year).select("school_id", current=pl.col("metric")),
        on="school_id",
        how="left",
    )
    scale = 100.0 if metric == "share_low" else 1.0
    applicable, triggered = pl.lit(True), pl.lit(True)
    detail_parts: list[pl.Expr] = []
    threshold = pl.lit(None, pl.Float64)
    if "level" in spec:
        level = spec["level"]
        if level["compare"] == "threshold":
            result = result.with_columns(
                reference=pl.lit(float(level["value"])),
                reference_source=pl.lit("фиксированный порог"),
            )
            threshold = pl.lit(float(level["value"]) * scale)
        else:
            key = REFERENCE_LEVELS[level["compare"]]
            values = comparison_values(spec, level, inputs, metric, [year])
            values = values.filter(pl.col("year") == year).drop("year")
            if key:
                result = result.join(values, on=key, how="left")
            else:
                result = result.join(values, how="cross")
        applicable &= pl.col("current").is_not_null() & pl.col("reference").is_not_null()
        triggered &= compare(pl.col("current"), level["op"], pl.col("reference"))
        detail_parts.append(
            pl.format(
                "{} {}: {} (сравнение: {} {}, {})",
                pl.lit(METRIC_LABELS[metric]),
                pl.lit(year),
                shown(pl.col("current"), scale, 2),
                pl.lit(COMPARISON_LABELS[level["compare"]]),
                shown(pl.col("reference"), scale, 2),
                pl.col("reference_source").fill_null("нет"),
            )
        )
    else:
        result = result.with_columns(reference=pl.lit(None, pl.Float64))
    if dynamics:
        sign = -1.0 if metric == "share_low" else 1.0  # for shares of «2», lower is better
        slopes = (
            per_year.with_columns(
                x=(pl.col("year") - year).cast(pl.Float64), y=pl.col("metric") * scale
            )
            .group_by("school_id")
            .agg(
                points=pl.len(),
                sx=pl.col("x").sum(),
                sy=pl.col("y").sum(),
                sxx=(pl.col("x") ** 2).sum(),
                sxy=(pl.col("x") * pl.col("y")).sum(),
            )
            .with_columns(spread=pl.col("points") * pl.col("sxx") - pl.col("sx") ** 2)
            .with_columns(
                slope=pl.when(pl.col("spread") > 0).then(
                    (pl.col("points") * pl.col("sxy") - pl.col("sx") * pl.col("sy"))
                    / pl.col("spread")
                )
            )
        )
        result = result.join(
            slopes.select("school_id", "points", "slope"), on="school_id", how="left"
        )
        min_points = int(dynamics.get("min_points", 2))
        applicable &= pl.col("points").fill_null(0) >= min_points
        triggered &= sign * pl.col("slope") <= float(dynamics.get("tolerance", 0)) + EPSILON
        detail_parts.append(
            pl.format(
                "динамика за {}–{}: {} в год по {} точкам",
                pl.lit(years[0]),
                pl.lit(year),
                shown(pl.col("slope"), 1, 2),
                pl.col("points").fill_null(0),
            )
        )
    return (
        result.with_columns(
            applicable=applicable.fill_null(False),
        )
        .with_columns(
            triggered=(triggered.fill_null(False) & pl.col("applicable")),
            value=pl.col("current") * scale if "level" in spec else pl.col("slope"),
            reference=None
            if spec.get("level", {}).get("compare") == "threshold"
            else pl.col("reference") * scale,
            threshold=threshold,
            **{k: pl.lit(v) for k, v in describe(spec, year).items()},
            detail=pl.concat_str(detail_parts, separator="; ") if detail_parts else pl.lit(""),
        )
        .select(EVIDENCE_COLUMNS)
    )


# -- context -------------------------------------------------------------------------------

CONTEXT_EXPRESSIONS: dict[str, pl.Expr] = {
    "stable_internet": pl.col("stable_internet"),
    "students_per_computer": pl.when(pl.col("computers") > 0)
    .then(pl.col("students") / pl.col("computers"))
    .when(pl.col("computers") == 0)
    .then(pl.col("students").cast(pl.Float64)),
    "vacancies": pl.col("vacancies").cast(pl.Float64),
    "vacancy_share": 100 * pl.col("vacancies") / (pl.col("teachers") + pl.col("vacancies")),
    "teachers_over_55_share": 100 * pl.col("teachers_over_55") / pl.col("teachers"),
    "ovz_share": 100 * pl.col("students_ovz") / pl.col("students"),
    "low_income_pct": pl.col("low_income_pct"),
    "single_parent_pct": pl.col("single_parent_pct"),
    "non_native_pct": pl.col("non_native_pct"),
}


def context(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    """A context field of the run year, or of the latest earlier year within `max_age` years."""
    field = spec["field"]
    max_age = int(spec.get("max_age", 1))
    latest = (
        inputs.context.lazy()
        .filter(pl.col("year").is_between(year - max_age, year))
        .with_columns(field_value=CONTEXT_EXPRESSIONS[field])
        .filter(pl.col("field_value").is_not_null())
        .sort("year")
        .group_by("school_id")
        .last()
    )
    op = spec["op"]
    numeric = op not in ("is_true", "is_false")
    value = pl.col("field_value").cast(pl.Float64)
    return latest.with_columns(
        applicable=pl.lit(True),
        triggered=compare(pl.col("field_value"), op, float(spec["value"]) if numeric else 0.0),
        value=value,
        reference=pl.lit(None, pl.Float64),
        threshold=pl.lit(float(spec["value"]) if numeric else None, pl.Float64),
        compare=pl.lit(describe(spec, year)["compare"]),
        window=pl.col("year").cast(pl.Utf8),
        detail=pl.format(
            "{} ({}): {}",
            pl.lit(CONTEXT_FIELDS[field]),
            "year",
            pl.when(pl.col("field_value").cast(pl.Utf8) == "true")
            .then(pl.lit("да"))
            .when(pl.col("field_value").cast(pl.Utf8) == "false")
            .then(pl.lit("нет"))
            .otherwise(shown(value)),
        ),
    ).select(EVIDENCE_COLUMNS)


BLOCK_FUNCTIONS: dict[str, Callable[[dict[str, Any], int, Inputs], pl.LazyFrame]] = {
    "low_procedures": low_procedures,
    "result_level": result_level,
    "context": context,
}
