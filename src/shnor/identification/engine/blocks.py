"""The building blocks of methodologies. Each block turns one indicator's (bound) spec, the run
year and the inputs into a lazy query of evidence rows: school_id, applicable, triggered, value,
reference, threshold, detail. A school without a row is taken as «not applicable». The queries
of all indicators are collected together, so Polars shares their common parts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from shnor.identification.engine.definition import CONTEXT_FIELDS, METRICS, OPERATORS
from shnor.identification.engine.inputs import Inputs
from shnor.registry.context_facts import FACTS, fact_columns

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
        limit = f"доля «2» / ниже порога ≥ {float(spec['low_share']) * 100:g}%"
        if spec["mode"] == "small_pooled":
            first = year - int(spec["pool"].get("years", 1)) + 1
            return {"compare": f"{limit}, малочисленные — объединённо", "window": span(first, year)}
        return {"compare": limit, "window": span(years[0], years[-1])}
    if spec["block"] == "context":
        shown_value = (
            "" if spec["op"] in ("is_true", "is_false") else f" {spec['value']}".replace(".", ",")
        )
        return {
            "compare": f"{OPERATORS[spec['op']]}{shown_value}",
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
        parts.append(f"{OPERATORS[level['op']]} {target.replace('.', ',')}")
    window = 1
    if "dynamics" in spec:
        window = int(spec["dynamics"]["window"])
        tolerance = f"{float(spec['dynamics'].get('tolerance', 0)):g}".replace(".", ",")
        parts.append(f"нет положительной динамики (улучшение ≤ {tolerance} в год)")
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


def participants_word(n: pl.Expr) -> pl.Expr:
    """«участник», «участника» or «участников», by the Russian rule for the number n."""
    last, tens = n % 10, n % 100
    return (
        pl.when((last == 1) & (tens != 11))
        .then(pl.lit("участник"))
        .when(last.is_between(2, 4) & ~tens.is_between(12, 14))
        .then(pl.lit("участника"))
        .otherwise(pl.lit("участников"))
    )


def excluded(n: pl.Expr, minimum: int) -> pl.Expr:
    """«исключено: 4 участника при минимуме 5» — a result left out is said to be left out."""
    return pl.format("исключено: {} {} при минимуме {}", n, participants_word(n), pl.lit(minimum))


def procedure_name(grades: pl.Expr | str = "grade", years: pl.Expr | str = "year") -> pl.Expr:
    return pl.format("{} {} {} кл. ({})", "kind", "subject", grades, years)


def procedure_rows(spec: dict[str, Any], years: list[int], inputs: Inputs) -> pl.LazyFrame:
    """Procedure results of the selection in the given years, each marked valid, small (left
    out for too few participants) and low. The years are filtered last, so that indicators over
    other years share the rest of the plan."""
    minimum = max(1, spec["min_participants"])
    return (
        inputs.results.lazy()
        .filter(selection(spec.get("select", {})))
        .with_columns(
            valid=(pl.col("participants") >= minimum) & pl.col("below_min").is_not_null(),
            small=pl.col("participants").is_between(1, minimum - 1),
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
        .with_columns(note=pl.format("{}: {}%", procedure_name(), shown(pl.col("share"), 100)))
        .group_by(keys)
        .agg("note")
        .with_columns(note=joined("note", separator))
    )


def left_out(rows: pl.LazyFrame, minimum: int) -> pl.LazyFrame:
    """Per school: whether any result counted, and the results left out with their n."""
    return rows.group_by("school_id").agg(
        any_valid=pl.col("valid").any(),
        left_out=pl.format(
            "{} — {}", procedure_name(), excluded(pl.col("participants"), minimum)
        ).filter(pl.col("small")),
    )


def pooled_units(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    """The run year's results too small on their own, pooled: the grades of one procedure and
    subject (`pool.grades`) and/or earlier years (`pool.years`, the run year included), year
    by year back from the run year until the pooled participants reach the minimum. Results
    large enough on their own are never pooled; a unit always holds the run year."""
    pool = spec["pool"]
    minimum = max(1, spec["min_participants"])
    keys = ["school_id", "kind", "subject"] + ([] if pool.get("grades") else ["grade"])
    per_year = (
        inputs.results.lazy()
        .filter(
            selection(spec.get("select", {}))
            & pl.col("year").is_between(year - int(pool.get("years", 1)) + 1, year)
            & pl.col("participants").is_between(1, minimum - 1)
            & pl.col("below_min").is_not_null()
        )
        .group_by([*keys, "year"])
        .agg(n=pl.col("participants").sum(), below=pl.col("below_min").sum(), grades="grade")
        .sort([*keys, "year"], descending=[False] * len(keys) + [True])
        .with_columns(
            before=pl.col("n").cum_sum().over(keys) - pl.col("n"),
            latest=pl.col("year").max().over(keys),
        )
        # a year is pooled while the years after it have not yet reached the minimum
        .filter((pl.col("latest") == year) & (pl.col("before") < minimum))
    )
    return (
        per_year.group_by(keys)
        .agg(
            n=pl.col("n").sum(),
            below=pl.col("below").sum(),
            first=pl.col("year").min(),
            grades=pl.col("grades").explode().unique().sort(),
        )
        .with_columns(
            grades=pl.col("grades").list.eval(pl.element().cast(pl.Utf8)).list.join(", "),
            years=pl.when(pl.col("first") == year)
            .then(pl.lit(str(year)))
            .otherwise(pl.format("{}–{}", "first", pl.lit(year))),
            share=pl.col("below") / pl.col("n"),
        )
        .with_columns(
            valid=pl.col("n") >= minimum,
            low=(pl.col("n") >= minimum) & (pl.col("share") >= spec["low_share"] - EPSILON),
            name=procedure_name("grades", "years"),
        )
    )


def small_pooled(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    """Per school: the pooled units that reached the minimum, and how many of them are low."""
    units = pooled_units(spec, year, inputs).with_columns(
        note=pl.when(pl.col("valid"))
        .then(
            pl.format(
                "{}: {} из {} = {}%{}",
                "name",
                "below",
                "n",
                shown(pl.col("share"), 100),
                pl.when(pl.col("low")).then(pl.lit(" — низкий")).otherwise(pl.lit("")),
            )
        )
        .otherwise(
            pl.format("{} — {}", "name", excluded(pl.col("n"), max(1, spec["min_participants"])))
        )
    )
    return (
        units.group_by("school_id")
        .agg(
            applicable=pl.col("valid").any(),
            value=pl.col("low").sum().cast(pl.Float64),
            detail=pl.format("объединено: {}", "note").filter(pl.col("valid")),
            left_out=pl.col("note").filter(~pl.col("valid")),
        )
        .with_columns(
            triggered=pl.col("value") >= spec.get("min_count", 1) - EPSILON,
            detail=joined("detail", "; "),
            left_out=joined("left_out", "; "),
            any_valid=pl.col("applicable"),
        )
    )


def low_procedures(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    years = sorted(year + offset for offset in spec["years"])
    minimum = max(1, spec["min_participants"])
    rows = procedure_rows(spec, years, inputs)
    mode = spec["mode"]
    if mode == "small_pooled":
        per_school = small_pooled(spec, year, inputs)
    elif mode == "count_in_year":
        current = rows.filter(pl.col("year") == years[-1])
        per_school = (
            current.group_by("school_id")
            .agg(applicable=pl.col("valid").any(), value=pl.col("low").sum().cast(pl.Float64))
            .join(low_notes(current, ["school_id"], "; "), on="school_id", how="left")
            .with_columns(
                detail=pl.col("note"), triggered=pl.col("value") >= spec["min_count"] - EPSILON
            )
        )
        rows = current
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
    if mode != "small_pooled":
        per_school = per_school.join(
            left_out(rows, minimum).with_columns(left_out=joined("left_out", "; ")),
            on="school_id",
            how="full",
            coalesce=True,
        )
    has_notes = pl.col("detail").is_not_null() & (pl.col("detail") != "")
    # what was found, or that nothing counted was low; then what was left out and why — a
    # school whose results were all left out is never told «низких результатов нет»
    detail = pl.concat_str(
        pl.when(has_notes)
        .then(pl.col("detail"))
        .when(pl.col("any_valid").fill_null(False))
        .then(pl.lit("низких результатов нет")),
        pl.when(pl.col("left_out") != "").then(pl.col("left_out")),
        separator="; ",
        ignore_nulls=True,
    )
    return per_school.with_columns(
        applicable=pl.col("applicable").fill_null(False),
        triggered=pl.col("triggered").fill_null(False) & pl.col("applicable").fill_null(False),
        value=pl.col("value").fill_null(0.0),
        reference=pl.lit(None, pl.Float64),
        threshold=pl.lit(float(spec["low_share"]) * 100),
        **{k: pl.lit(v) for k, v in describe(spec, year).items()},
        detail=pl.when(detail != "").then(detail),
    ).select(EVIDENCE_COLUMNS)


# -- result level and dynamics ---------------------------------------------------------------


def measured(rows: pl.LazyFrame, metric: str) -> pl.LazyFrame:
    """Rows with the metric present, and their weighted total (count of «2», or score × n)."""
    return rows.filter(
        (pl.col("participants") > 0)
        & pl.col("below_min" if metric == "share_low" else "mean_score").is_not_null()
    ).with_columns(
        total=pl.col("below_min").cast(pl.Float64)
        if metric == "share_low"
        else pl.col("mean_score") * pl.col("participants")
    )


PROCEDURE_KEYS = ["year", "kind", "subject", "grade"]


def territory_figures(
    spec: dict[str, Any], level: dict[str, Any], inputs: Inputs, metric: str, years: list[int]
) -> pl.LazyFrame:
    """The territory's figure for every procedure (year × kind × subject × grade): its
    published average, else — unless `fallback: none` — the participant-weighted average of
    the territory's schools. «The region's schools» are all of them (`Inputs.territory`), also
    when a run evaluates one municipality's schools only."""
    compare_to = level["compare"]
    key = REFERENCE_LEVELS[compare_to]
    keys = [key, *PROCEDURE_KEYS] if key else PROCEDURE_KEYS
    select = selection(spec.get("select", {})) & pl.col("year").is_in(years)
    published = (
        measured(inputs.reference.lazy().filter(select & (pl.col("level") == compare_to)), metric)
        .group_by(keys)
        .agg(figure=pl.col("total").sum() / pl.col("participants").sum())
        .with_columns(computed=pl.lit(False))
    )
    if level.get("fallback", "computed") != "computed" or key is None:
        return published
    territory = inputs.territory if inputs.territory is not None else inputs.schools
    computed = (
        measured(inputs.results.lazy().filter(select), metric)
        .join(territory.lazy().select("school_id", key), on="school_id")
        .group_by(keys)
        .agg(own=pl.col("total").sum() / pl.col("participants").sum())
    )
    return computed.join(published, on=keys, how="left").select(
        *keys,
        figure=pl.coalesce("figure", "own"),
        computed=pl.col("figure").is_null(),
    )


def slope_of(points: pl.LazyFrame, year: int) -> pl.LazyFrame:
    """Least-squares slope of y over the years, per school, from the points given."""
    return (
        points.with_columns(x=(pl.col("year") - year).cast(pl.Float64))
        .group_by("school_id")
        .agg(
            points=pl.len(),
            sx=pl.col("x").sum(),
            sy=pl.col("y").sum(),
            sxx=(pl.col("x") ** 2).sum(),
            sxy=(pl.col("x") * pl.col("y")).sum(),
        )
        .with_columns(spread=pl.col("points") * pl.col("sxx") - pl.col("sx") ** 2)
        .select(
            "school_id",
            "points",
            slope=pl.when(pl.col("spread") > 0).then(
                (pl.col("points") * pl.col("sxy") - pl.col("sx") * pl.col("sy")) / pl.col("spread")
            ),
        )
    )


def result_level(spec: dict[str, Any], year: int, inputs: Inputs) -> pl.LazyFrame:
    """A metric of the selection against a threshold or a territory's figure (`level`), and/or
    its least-squares trend (`dynamics`). A territory's figure is taken procedure by procedure
    — each ВПР grade against the same grade — and weighted by the school's participants, so
    a school is compared with what the territory shows for the same classes and years.
    `level.over: window` measures the level over the dynamics window pooled (a small school's
    years add up), `year` (the default) in the run year alone. The trend is that of the gap to
    the territory when compared with one (the yearly change of the tests cancels), else of the
    metric; positive dynamics is an improvement of more than `tolerance` a year."""
    metric = spec["metric"]
    scale = 100.0 if metric == "share_low" else 1.0
    minimum = max(1, int(spec.get("min_participants", 1)))
    dynamics = spec.get("dynamics")
    level: dict[str, Any] = spec.get("level") or {}
    window = int(dynamics["window"]) if dynamics else 1
    years = list(range(year - window + 1, year + 1))
    over_window = bool(level and level.get("over") == "window")
    level_years = years if over_window else [year]
    rows = measured(
        inputs.results.lazy().filter(
            selection(spec.get("select", {})) & pl.col("year").is_in(years)
        ),
        metric,
    )
    to_territory = bool(level) and level["compare"] != "threshold"
    if to_territory:
        key = REFERENCE_LEVELS[level["compare"]]
        figures = territory_figures(spec, level, inputs, metric, years)
        on = [key, *PROCEDURE_KEYS] if key else PROCEDURE_KEYS
        if key:
            rows = rows.join(inputs.schools.lazy().select("school_id", key), on="school_id")
        # classes without the territory's figure are not compared
        rows = rows.join(figures, on=on, how="inner")
    else:
        rows = rows.with_columns(
            figure=pl.lit(float(level["value"]) if level else None, pl.Float64),
            computed=pl.lit(False),
        )
    per_year = (
        rows.group_by("school_id", "year")
        .agg(
            n=pl.col("participants").sum(),
            total=pl.col("total").sum(),
            expected=(pl.col("figure") * pl.col("participants")).sum(),
            variance=(pl.col("figure") * (1 - pl.col("figure")) * pl.col("participants")).sum(),
            computed=pl.col("computed").any(),
            grades=pl.col("grade").unique().sort(),
        )
        .with_columns(metric=pl.col("total") / pl.col("n"), figure=pl.col("expected") / pl.col("n"))
    )
    schools = inputs.schools.lazy().select("school_id")
    at_level = (
        per_year.filter(pl.col("year").is_in(level_years))
        .group_by("school_id")
        .agg(
            n=pl.col("n").sum(),
            current=pl.col("total").sum() / pl.col("n").sum(),
            reference=pl.col("expected").sum() / pl.col("n").sum(),
            # how far the school's count of «2» is from the territory's, in standard errors
            # of a binomial count with the territory's share in every class
            z=(pl.col("total").sum() - pl.col("expected").sum()) / pl.col("variance").sum().sqrt(),
            computed=pl.col("computed").any(),
            grades=pl.col("grades").explode().unique().sort(),
            first=pl.col("year").min(),
        )
        .with_columns(grades=pl.col("grades").list.eval(pl.element().cast(pl.Utf8)).list.join(", "))
    )
    result = schools.join(at_level, on="school_id", how="left")
    applicable, triggered = pl.lit(True), pl.lit(True)
    detail_parts: list[pl.Expr] = []
    if level:
        enough = pl.col("n").fill_null(0) >= minimum
        applicable &= enough & pl.col("current").is_not_null()
        # `margin` (p.p. or points) and, for shares, `z` (standard errors) keep a difference
        # within the noise of a few dozen participants from counting as «ниже среднего»
        worse = 1.0 if level["op"] in (">", ">=") else -1.0
        margin = float(level.get("margin", 0)) / scale
        triggered &= compare(pl.col("current"), level["op"], pl.col("reference") + worse * margin)
        z = float(level.get("z", 0))
        if z and metric == "share_low" and to_territory:
            triggered &= (worse * pl.col("z")) > z
        years_shown = span(level_years[0], year)
        target = (
            pl.format(
                "{} {}",
                pl.lit(COMPARISON_LABELS[level["compare"]] + " для тех же классов и лет"),
                shown(pl.col("reference"), scale, 2),
            )
            if to_territory
            else pl.format("порог {}", shown(pl.col("reference"), scale, 2))
        )
        source = (
            pl.when(pl.col("computed"))
            .then(pl.lit(", рассчитано по школам"))
            .otherwise(pl.lit(", опубликованное"))
            if to_territory
            else pl.lit("")
        )
        if z and metric == "share_low" and to_territory:
            source = pl.format(
                "{}; отклонение {} ст. ошибки при нужных {}",
                source,
                shown(pl.col("z"), 1, 1),
                pl.lit(f"{z:g}".replace(".", ",")),
            )
        detail_parts.append(
            pl.when(pl.col("n").is_null())
            .then(pl.lit(None, pl.Utf8))
            .when(enough)
            .then(
                pl.format(
                    "{} {}, {} кл.: {} (участников: {}; сравнение: {}{})",
                    pl.lit(METRICS[metric]),
                    pl.lit(years_shown),
                    "grades",
                    shown(pl.col("current"), scale, 2),
                    "n",
                    target,
                    source,
                )
            )
            .otherwise(
                pl.format(
                    "{} {}, {} кл. — {}",
                    pl.lit(METRICS[metric]),
                    pl.lit(years_shown),
                    "grades",
                    excluded(pl.col("n"), minimum),
                )
            )
        )
    if dynamics:
        sign = -1.0 if metric == "share_low" else 1.0  # for shares of «2», lower is better
        tolerance = float(dynamics.get("tolerance", 0))
        y = (pl.col("metric") - pl.col("figure")) if to_territory else pl.col("metric")
        slopes = slope_of(per_year.filter(pl.col("n") >= minimum).with_columns(y=y * scale), year)
        result = result.join(slopes, on="school_id", how="left")
        min_points = int(dynamics.get("min_points", 2))
        applicable &= pl.col("points").fill_null(0) >= min_points
        triggered &= sign * pl.col("slope") <= tolerance + EPSILON
        what = "разницы со сравнением" if to_territory else "показателя"
        detail_parts.append(
            pl.when(pl.col("points").is_null() & pl.col("n").is_null())
            .then(pl.lit(None, pl.Utf8))
            .when(pl.col("points").fill_null(0) >= min_points)
            .then(
                pl.format(
                    "динамика {} за {}–{}: {} в год по {} годам (положительная — улучшение "
                    "больше {} в год)",
                    pl.lit(what),
                    pl.lit(years[0]),
                    pl.lit(year),
                    shown(pl.col("slope"), 1, 2),
                    "points",
                    pl.lit(f"{tolerance:g}".replace(".", ",")),
                )
            )
            .otherwise(
                pl.format(
                    "динамика за {}–{} не определена: лет с {} и более участниками — {} из {}",
                    pl.lit(years[0]),
                    pl.lit(year),
                    pl.lit(minimum),
                    pl.col("points").fill_null(0),
                    pl.lit(min_points),
                )
            )
        )
    detail = pl.concat_str(detail_parts, separator="; ", ignore_nulls=True)
    return (
        result.with_columns(applicable=applicable.fill_null(False))
        .with_columns(
            triggered=(triggered.fill_null(False) & pl.col("applicable")),
            value=pl.col("current") * scale if level else pl.col("slope"),
            reference=pl.col("reference") * scale if to_territory else pl.lit(None, pl.Float64),
            threshold=pl.lit(float(level["value"]) * scale)
            if level and not to_territory
            else pl.lit(None, pl.Float64),
            **{k: pl.lit(v) for k, v in describe(spec, year).items()},
            detail=pl.when(detail != "").then(detail),
        )
        .select(EVIDENCE_COLUMNS)
    )


# -- context -------------------------------------------------------------------------------

CONTEXT_EXPRESSIONS: dict[str, pl.Expr] = {
    "stable_internet": pl.col("stable_internet"),
    "vacancies": pl.col("vacancies").cast(pl.Float64),
    **fact_columns(*FACTS),
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
