"""The shipped risk-factor catalogue and self-diagnosis questionnaire, validated on load."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

FOLDER = Path(__file__).parent
LEVELS = ["none", "low", "medium", "high"]
LEVEL_LABELS = {"none": "нет", "low": "низкий", "medium": "средний", "high": "высокий"}
CONTEXT_FACTS = {
    "distance_km",
    "rural",
    "stable_internet",
    "students_per_computer",
    "vacancy_share",
    "teachers_over_55_share",
    "ovz_share",
    "low_income_pct",
    "single_parent_pct",
    "non_native_pct",
}


class CatalogueError(ValueError):
    pass


@cache
def questionnaire() -> dict[str, Any]:
    data = yaml.safe_load((FOLDER / "questionnaire.yaml").read_text(encoding="utf-8"))
    codes = [q["code"] for q in data["questions"]]
    if len(set(codes)) != len(codes):
        raise CatalogueError("questionnaire: repeated question codes")
    return data


@cache
def factors() -> list[dict[str, Any]]:
    data = yaml.safe_load((FOLDER / "factors.yaml").read_text(encoding="utf-8"))
    survey_factors = {q["factor"] for q in questionnaire()["questions"]}
    facts = CONTEXT_FACTS | {f"survey_{f}" for f in survey_factors}
    for factor in data["factors"]:
        for condition in factor["conditions"]:
            if condition["fact"] not in facts:
                raise CatalogueError(f"{factor['code']}: unknown fact {condition['fact']}")
            thresholds = condition.get("above") or condition.get("below") or {}
            if not thresholds and condition.get("level") not in LEVELS:
                raise CatalogueError(f"{factor['code']}: a condition needs thresholds or level")
            if set(thresholds) - set(LEVELS):
                raise CatalogueError(f"{factor['code']}: levels are {LEVELS}")
    return data["factors"]


def factor_names() -> dict[str, str]:
    return {f["code"]: f["name"] for f in factors()}
