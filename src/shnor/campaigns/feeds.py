"""The answers the indicator engine reads: per school and year, the value of a feed
(campaigns/choices.py Feed) from the school's latest submitted round of the year (September
over February); yes = 1, no = 0; several questions bound to one feed give their mean."""

from __future__ import annotations

from typing import Any

import polars as pl

from shnor.campaigns.models import Assignment

ANSWER_SCHEMA = {
    "school_id": pl.Int64,
    "year": pl.Int32,
    "answer": pl.Float64,
    "answered": pl.Float64,
}


def feed_value(definition: dict[str, Any], answers: dict[str, Any], feed: str) -> float | None:
    values = [
        float(answers[f"q{n}"])
        for n, question in enumerate(definition["questions"], 1)
        if question.get("feed") == feed and answers.get(f"q{n}") is not None
    ]
    return sum(values) / len(values) if values else None


def answer_frame(region_id: int, years: list[int], feed: str) -> pl.DataFrame:
    """school_id, year, answer, answered (1 where the school answered)."""
    latest: dict[tuple[int, int], tuple[tuple[int, Any], float]] = {}
    submitted = Assignment.objects.filter(
        campaign__region_id=region_id, campaign__year__in=years, submitted__isnull=False
    ).values_list(
        "school_id",
        "campaign__year",
        "campaign__month",
        "submitted",
        "campaign__definition",
        "answers",
    )
    for school, year, month, when, definition, answers in submitted:
        value = feed_value(definition, answers, feed)
        if value is None:
            continue
        order = (month, when)
        key = (school, year)
        if key not in latest or latest[key][0] < order:
            latest[key] = (order, value)
    rows = [
        {"school_id": school, "year": year, "answer": value, "answered": 1.0}
        for (school, year), (_, value) in latest.items()
    ]
    return pl.DataFrame(rows, schema=ANSWER_SCHEMA)
