"""What is known of each school in a year, as one wide frame of facts: context figures and the
share of unfavourable self-diagnosis answers per factor. Read set-based from the database."""

from __future__ import annotations

import polars as pl

from shnor.core.columnar import read_frame
from shnor.core.derived import derived_from
from shnor.identification.school_snapshots import CONTEXTS
from shnor.registry.context_facts import FACTS, fact_columns
from shnor.registry.models import Municipality, School, SchoolContext
from shnor.risks.catalogue import questionnaire
from shnor.risks.models import SurveyAnswer

FACT_LABELS = {
    "distance_km": "расстояние до районного центра, км",
    "rural": "сельская школа",
    "stable_internet": "устойчивый интернет",
    **{name: fact.label for name, fact in FACTS.items()},
    "low_income_pct": "малообеспеченных семей, %",
    "single_parent_pct": "неполных семей, %",
    "non_native_pct": "русский язык не родной, %",
}
SCHOOL_SCHEMA = {
    "school_id": pl.Int64,
    "code": pl.Utf8,
    "name": pl.Utf8,
    "municipality_id": pl.Int64,
    "municipality": pl.Utf8,
    "kind": pl.Utf8,
    "locality": pl.Utf8,
    "distance_km": pl.Float64,
}
SURVEY_SCHEMA = {"school_id": pl.Int64, "year": pl.Int32, "question": pl.Utf8, "value": pl.Int64}


def fact_label(fact: str) -> str:
    if fact.startswith("survey_"):
        return "неблагоприятных ответов анкеты, доля"
    return FACT_LABELS.get(fact, fact)


def schools_of(region_id: int) -> pl.DataFrame:
    return read_frame(
        """SELECT s.id AS school_id, s.code, s.name, m.id AS municipality_id,
                  m.name AS municipality, s.kind, s.locality,
                  CAST(s.distance_km AS DOUBLE PRECISION)
           FROM registry_school s JOIN registry_municipality m ON m.id = s.municipality_id
           WHERE m.region_id = %s""",
        [region_id],
        SCHOOL_SCHEMA,
    )


def survey_shares(years: list[int]) -> pl.DataFrame:
    """Share of unfavourable answers per school, year and factor (survey_<factor> columns)."""
    spec = questionnaire()
    questions = pl.DataFrame(
        [(q["code"], q["factor"], bool(q.get("negative"))) for q in spec["questions"]],
        schema=["question", "factor", "negative"],
        orient="row",
    )
    middle = (spec["scale"]["min"] + spec["scale"]["max"]) / 2
    answers = read_frame(
        f"""SELECT school_id, year, question, value FROM risks_surveyanswer
            WHERE year IN ({", ".join(["%s"] * len(years))})""",
        years,
        SURVEY_SCHEMA,
    )
    if answers.is_empty():
        return pl.DataFrame(schema={"school_id": pl.Int64, "year": pl.Int32})
    return (
        answers.join(questions, on="question")
        .with_columns(
            unfavourable=pl.when(pl.col("negative"))
            .then(pl.col("value") > middle)
            .otherwise(pl.col("value") < middle)
        )
        .group_by("school_id", "year", "factor")
        .agg(pl.col("unfavourable").mean())
        .with_columns(pl.format("survey_{}", "factor").alias("fact"))
        .pivot(on="fact", index=["school_id", "year"], values="unfavourable")
    )


@derived_from(School, Municipality, SchoolContext, SurveyAnswer)
def facts(region_id: int, years: list[int]) -> pl.DataFrame:
    """One row per school of the region and year: identity, context facts, survey shares."""
    schools = schools_of(region_id)
    context = CONTEXTS.read().filter(pl.col("year").is_in(years))
    grid = schools.join(pl.DataFrame({"year": years}, schema={"year": pl.Int32}), how="cross")
    frame = grid.join(context, on=["school_id", "year"], how="left").with_columns(
        rural=(pl.col("locality") == "село").cast(pl.Int8),
        **fact_columns(*FACTS),
    )
    shares = survey_shares(years)
    frame = frame.join(shares, on=["school_id", "year"], how="left") if shares.width > 2 else frame
    for factor in {q["factor"] for q in questionnaire()["questions"]}:
        if f"survey_{factor}" not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.Float64).alias(f"survey_{factor}"))
    return frame.with_columns(pl.col(pl.Float64).fill_nan(None))
