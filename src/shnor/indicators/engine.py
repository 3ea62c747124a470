"""Computing indicator values per unit and year from measures, and keeping them current.

Units: the region, each municipality, each school (for school-level indicators). A value is
sum(numerator) / sum(denominator) × scale over the schools of the unit that are in the
indicator's population; no denominator, or a measure with no data source, leaves the value
missing («нет данных»), never zero. Stored values carry the fingerprint of the data they came
from; `current_values` recomputes when the data has changed since."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db import transaction

from shnor.assessments.models import Result
from shnor.core.bulk import insert_rows
from shnor.core.derived import derived_from
from shnor.core.snapshots import stamps_of
from shnor.identification.models import PrimaryMethodology, Run
from shnor.identification.services import primary_codes
from shnor.indicators.catalogue import indicators
from shnor.indicators.measures import FUNCTIONS, measure_frame
from shnor.indicators.models import IndicatorValue
from shnor.registry.models import School, SchoolContext
from shnor.risks.models import SurveyAnswer
from shnor.staff.models import Activity, Deficit, Route, RouteItem, Teacher
from shnor.support.models import Measure, Partnership, Programme

VALUE_SCHEMA = {
    "indicator": pl.Utf8,
    "year": pl.Int32,
    "municipality_id": pl.Int64,
    "school_id": pl.Int64,
    "value": pl.Float64,
    "numerator": pl.Float64,
    "denominator": pl.Float64,
}


def population_filter(population: str) -> pl.Expr:
    if population == "listed":
        return pl.col("listed") == 1
    if population == "risk_zone":
        return pl.col("risk")
    return pl.lit(True)


def ratio(spec: dict[str, Any], frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    formula = spec["formula"]
    numerator, denominator = formula["numerator"], formula["denominator"]
    scale = float(formula.get("scale", 1))
    rows = frame.filter(population_filter(spec["population"]))
    grouped = (
        rows.group_by(keys)
        .agg(
            numerator=pl.col(numerator).sum(),
            denominator=pl.col(denominator).sum(),
            known=pl.col(denominator).is_not_null().any(),
        )
        .with_columns(denominator=pl.when(pl.col("known")).then(pl.col("denominator")))
        .drop("known")
    )
    return grouped.with_columns(
        value=pl.when(pl.col("denominator") > 0).then(
            scale * pl.col("numerator") / pl.col("denominator")
        )
    )


def compute(region_id: int, years: list[int]) -> pl.DataFrame:
    """Every indicator for the region, its municipalities and (where asked) its schools."""
    primary, _ = primary_codes(region_id)  # the region's choice, else the environment's
    frame = measure_frame(region_id, years, primary)
    parts = []
    for spec in indicators():
        if "function" in spec["formula"]:
            function = FUNCTIONS[spec["formula"]["function"]]
            for year in years:
                for municipality, value in function(
                    frame.filter(pl.col("year") == year), region_id, year, primary
                ).items():
                    parts.append(
                        pl.DataFrame(
                            [
                                {
                                    "indicator": spec["code"],
                                    "year": year,
                                    "municipality_id": municipality,
                                    "school_id": None,
                                    "value": value,
                                    "numerator": value,
                                    "denominator": 1.0,
                                }
                            ],
                            schema=VALUE_SCHEMA,
                        )
                    )
            continue
        units = [["year"], ["year", "municipality_id"]]
        if "school" in spec["levels"]:
            units.append(["year", "municipality_id", "school_id"])
        for keys in units:
            part = ratio(spec, frame, keys).with_columns(indicator=pl.lit(spec["code"]))
            for key in ("municipality_id", "school_id"):
                if key not in part.columns:
                    part = part.with_columns(pl.lit(None, pl.Int64).alias(key))
            parts.append(part.select([pl.col(c).cast(t) for c, t in VALUE_SCHEMA.items()]))
    return pl.concat(parts)


# What indicator values are computed from: any write to these tables makes them stale.
SOURCES = (
    Result,
    School,
    SchoolContext,
    SurveyAnswer,
    Run,
    PrimaryMethodology,  # which runs the status measures read
    Teacher,
    Deficit,
    Route,
    RouteItem,
    Activity,
    Programme,
    Measure,
    Partnership,
)


def data_fingerprint() -> str:
    """Changes whenever a table the indicators read is written (core/snapshots.py stamps): bulk
    updates and deletes included, which a row count and the last `updated` stamp would miss."""
    return stamps_of(*SOURCES)


@transaction.atomic
def store(
    region_id: int,
    years: list[int],
    values: pl.DataFrame,
    fingerprint: str,
    round_id: int | None = None,
) -> None:
    IndicatorValue.objects.filter(region_id=region_id, year__in=years, round_id=round_id).delete()
    rows = values.with_columns(
        region_id=pl.lit(region_id),
        round_id=pl.lit(round_id, pl.Int64),
        fingerprint=pl.lit(fingerprint),
    )
    fields = (
        "region_id",
        "round_id",
        "indicator",
        "year",
        "municipality_id",
        "school_id",
        "value",
        "numerator",
        "denominator",
        "fingerprint",
    )
    insert_rows(IndicatorValue, fields, list(rows.select(fields).iter_rows()))


@derived_from(*SOURCES)
def current_values(region_id: int, years: list[int]) -> pl.DataFrame:
    """The stored values for these years, recomputed first if the data changed since; read
    from the database once per state of the data (every page of the region shows them)."""
    fingerprint = data_fingerprint()
    stored = IndicatorValue.objects.filter(region_id=region_id, year__in=years, round__isnull=True)
    if set(stored.values_list("fingerprint", flat=True).distinct()) != {fingerprint} or set(
        stored.values_list("year", flat=True).distinct()
    ) != set(years):
        store(region_id, years, compute(region_id, years), fingerprint)
    rows = IndicatorValue.objects.filter(
        region_id=region_id, year__in=years, round__isnull=True
    ).values_list(*VALUE_SCHEMA)
    return pl.DataFrame(list(rows), schema=VALUE_SCHEMA, orient="row")


def school_values(school: Any, year: int) -> list[dict[str, Any]]:
    """The school-level indicators of a school, this year and last."""
    values = current_values(school.municipality.region_id, [year - 1, year]).filter(
        pl.col("school_id") == school.pk
    )
    lookup = {(r["indicator"], r["year"]): r["value"] for r in values.iter_rows(named=True)}
    return [
        {
            "spec": spec,
            "value": lookup.get((spec["code"], year)),
            "previous": lookup.get((spec["code"], year - 1)),
        }
        for spec in indicators()
        if "school" in spec["levels"]
    ]
