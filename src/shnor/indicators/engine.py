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
from shnor.campaigns.feeds import answer_frame
from shnor.campaigns.models import Assignment, Campaign
from shnor.core.bulk import insert_rows
from shnor.core.derived import derived_from
from shnor.core.snapshots import stamps_of
from shnor.events.coverage import municipal_documents, school_documents
from shnor.events.models import Document, Event, Participation
from shnor.identification.models import PrimaryMethodology, Run
from shnor.identification.services import primary_codes
from shnor.indicators.catalogue import indicators
from shnor.indicators.measures import FUNCTIONS, measure_frame
from shnor.indicators.models import IndicatorValue
from shnor.registry.models import School, SchoolContext
from shnor.risks.models import SurveyAnswer
from shnor.staff.models import Activity, Deficit, Route, RouteItem, Teacher
from shnor.students.difficulty_counts import HIDDEN, SMALL_GROUP
from shnor.students.models import Difficulty, LearningRoute, RouteStep, Student
from shnor.support.models import Measure, Partnership, Programme, Visit
from shnor.taskresults.models import Paper

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
    """sum(numerator) / sum(denominator) × scale; a formula without a denominator is a count
    (the sum of its numerator)."""
    formula = spec["formula"]
    numerator, denominator = formula["numerator"], formula.get("denominator")
    scale = float(formula.get("scale", 1))
    rows = frame.filter(population_filter(spec["population"]))
    if denominator is None:
        return rows.group_by(keys).agg(
            numerator=pl.col(numerator).sum(),
            denominator=pl.lit(1.0),
            value=pl.col(numerator).sum(),
        )
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


def hide_small_groups(part: pl.DataFrame) -> pl.DataFrame:
    """A value over fewer than SMALL_GROUP students (1–4 in the numerator or the denominator,
    as students/difficulty_counts.py hides them on the pages of the bank) is stored without
    its value and counts: no page, export or document can show them; `hidden_word` tells it
    from «нет данных» (whose numerator is a number)."""

    def small(column: pl.Expr) -> pl.Expr:
        return (column > 0) & (column < SMALL_GROUP)

    hidden = (small(pl.col("numerator")) | small(pl.col("denominator"))).fill_null(False)
    return part.with_columns(
        [pl.when(~hidden).then(pl.col(c)).alias(c) for c in ("value", "numerator", "denominator")]
    )


def hidden_word(spec: dict[str, Any], row: dict[str, Any] | None) -> str:
    """What a page or a document shows for a stored value hidden as a small group of students
    («менее 5»); empty for any other value."""
    if spec.get("small_groups") and row and row["value"] is None and row["numerator"] is None:
        return HIDDEN
    return ""


def document_values(
    spec: dict[str, Any], frame: pl.DataFrame, region_id: int, years: list[int]
) -> pl.DataFrame:
    """«Есть ли …» answered from the documents register: 1 where a document of the purpose is
    in force in the year, 0 where none is. A municipality by its own documents; the region by
    its own, or when every municipality has one; a school by its own."""
    purpose = spec["formula"]["document"]
    rows: list[dict[str, Any]] = []
    places = frame.select("year", "municipality_id", "school_id").unique()
    if "municipal" in spec["levels"]:
        found = municipal_documents(region_id, years, purpose)
        for year in years:
            municipalities = set(
                places.filter(pl.col("year") == year)["municipality_id"].unique().to_list()
            )
            has = found.get(year, set())
            for municipality in municipalities:
                rows.append(yes_no(spec, year, municipality, None, municipality in has))
            everywhere = bool(municipalities) and municipalities <= has
            rows.append(yes_no(spec, year, None, None, None in has or everywhere))
    if "school" in spec["levels"]:
        own = school_documents(region_id, years, purpose)
        for year, municipality, school in places.iter_rows():
            rows.append(yes_no(spec, year, municipality, school, school in own.get(year, set())))
    return pl.DataFrame(rows, schema=VALUE_SCHEMA)


def yes_no(
    spec: dict[str, Any], year: int, municipality: int | None, school: int | None, has: bool
) -> dict[str, Any]:
    value = 1.0 if has else 0.0
    return {
        "indicator": spec["code"],
        "year": year,
        "municipality_id": municipality,
        "school_id": school,
        "value": value,
        "numerator": value,
        "denominator": 1.0,
    }


def with_answers(
    spec: dict[str, Any], frame: pl.DataFrame, region_id: int, years: list[int]
) -> tuple[pl.DataFrame, dict[str, Any]]:
    """An indicator answered by the schools in monitoring campaigns ({answers: FEED}): the
    frame with the answers joined, and the spec as a ratio of them — the mean over the schools
    that answered, none where no school did."""
    answers = answer_frame(region_id, years, spec["formula"]["answers"])
    joined = frame.join(answers, on=["school_id", "year"], how="left")
    formula = {"numerator": "answer", "denominator": "answered"}
    return joined, {**spec, "formula": {**formula, "scale": spec["formula"].get("scale", 1)}}


def compute(region_id: int, years: list[int]) -> pl.DataFrame:
    """Every indicator for the region, its municipalities and (where asked) its schools."""
    primary, _ = primary_codes(region_id)  # the region's choice, else the environment's
    frame = measure_frame(region_id, years, primary)
    parts = []
    for spec in indicators():
        if "document" in spec["formula"]:
            parts.append(document_values(spec, frame, region_id, years))
            continue
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
        source = frame
        if "answers" in spec["formula"]:
            source, spec = with_answers(spec, frame, region_id, years)
        units = [["year"], ["year", "municipality_id"]]
        if "school" in spec["levels"]:
            units.append(["year", "municipality_id", "school_id"])
        for keys in units:
            part = ratio(spec, source, keys).with_columns(indicator=pl.lit(spec["code"]))
            if spec.get("small_groups"):
                part = hide_small_groups(part)
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
    # the registers' many-to-many tables (an event's schools, a document's sites) are not
    # stamped: every action writing them writes its event, participation or document too
    Event,
    Participation,
    Document,
    Visit,
    # the bank of students with difficulties, their routes and the papers that judge them
    Paper,
    Student,
    Difficulty,
    LearningRoute,
    RouteStep,
    # the monitoring campaigns' answers
    Campaign,
    Assignment,
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
    lookup = {(r["indicator"], r["year"]): r for r in values.iter_rows(named=True)}
    rows = []
    for spec in indicators():
        if "school" not in spec["levels"]:
            continue
        now, before = lookup.get((spec["code"], year)), lookup.get((spec["code"], year - 1))
        rows.append(
            {
                "spec": spec,
                "value": now["value"] if now else None,
                "previous": before["value"] if before else None,
                "hidden": hidden_word(spec, now),
                "previous_hidden": hidden_word(spec, before),
            }
        )
    return rows
