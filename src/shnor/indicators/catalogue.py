"""The shipped indicator catalogue, validated on load."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shnor.campaigns.choices import Feed
from shnor.events.choices import DocumentPurpose

TYPES = {"yesno", "percent", "number"}
LEVELS = {"municipal", "school"}
POPULATIONS = {"all", "listed", "risk_zone"}
PERIODS = {"calendar_year", "school_year", "half_year"}


class CatalogueError(ValueError):
    pass


def validate(indicator: dict[str, Any], measures: set[str], functions: set[str]) -> None:
    where = indicator.get("code", "?")
    for key in ("code", "name", "levels", "type", "formula", "population", "period", "source"):
        if key not in indicator:
            raise CatalogueError(f"{where}: нет поля {key}")
    if indicator["type"] not in TYPES or not set(indicator["levels"]) <= LEVELS:
        raise CatalogueError(f"{where}: тип или уровень вне списка")
    if indicator["population"] not in POPULATIONS or indicator["period"] not in PERIODS:
        raise CatalogueError(f"{where}: совокупность или период вне списка")
    formula = indicator["formula"]
    if "function" in formula:
        if formula["function"] not in functions:
            raise CatalogueError(f"{where}: нет функции {formula['function']}")
    elif "document" in formula:
        if formula["document"] not in DocumentPurpose.values or indicator["type"] != "yesno":
            raise CatalogueError(f"{where}: документ «есть ли» неизвестного назначения")
    elif "answers" in formula:
        if formula["answers"] not in Feed.values or indicator["type"] == "yesno":
            raise CatalogueError(f"{where}: ответы кампаний неизвестного назначения")
    elif formula.get("numerator") not in measures or (
        "denominator" in formula and formula["denominator"] not in measures
    ):
        raise CatalogueError(f"{where}: неизвестная мера в формуле")


@cache
def indicators() -> list[dict[str, Any]]:
    from shnor.indicators.measures import FUNCTIONS, MEASURES

    data = yaml.safe_load((Path(__file__).parent / "catalogue.yaml").read_text(encoding="utf-8"))
    for indicator in data["indicators"]:
        validate(indicator, set(MEASURES), set(FUNCTIONS))
    return data["indicators"]


def by_code() -> dict[str, dict[str, Any]]:
    return {i["code"]: i for i in indicators()}
