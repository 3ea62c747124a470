"""The library of typical measures (library.yaml): what a new programme proposes for each risk
factor, what a municipal programme usually holds, and the measures for weak («западающие»)
skills, whose text names the skills. Validated on load."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shnor.risks.catalogue import CatalogueError, factor_names

LEVELS = ("school", "municipality")


@dataclass(frozen=True)
class TypicalMeasure:
    code: str
    level: str
    direction: str  # the direction's name, as a programme shows it
    factors: tuple[str, ...]
    text: str
    result: str
    executors: str
    document: str
    months: int
    source: str


# what a skill measure's text may name (support/skill_measures.py fills them in)
SKILL_FIELDS = {"subject": "", "grade": "", "procedure": "", "skills": "", "schools": ""}


@cache
def _load() -> dict[str, Any]:
    return yaml.safe_load((Path(__file__).parent / "library.yaml").read_text(encoding="utf-8"))


def _measures(section: str) -> dict[str, TypicalMeasure]:
    data = _load()
    directions = data["directions"]
    known_factors = set(factor_names())
    measures: dict[str, TypicalMeasure] = {}
    for item in data[section]:
        code = item["code"]
        if code in measures:
            raise CatalogueError(f"library: repeated measure code {code}")
        if item["level"] not in LEVELS or item["direction"] not in directions:
            raise CatalogueError(f"library: {code}: unknown level or direction")
        unknown = set(item["factors"]) - known_factors
        if unknown:
            raise CatalogueError(f"library: {code}: unknown risk factors {sorted(unknown)}")
        measures[code] = TypicalMeasure(
            code=code,
            level=item["level"],
            direction=directions[item["direction"]],
            factors=tuple(item["factors"]),
            text=item["text"],
            result=item["result"],
            executors=item["executors"],
            document=item["document"],
            months=int(item["months"]),
            source=item["source"],
        )
    return measures


@cache
def library() -> dict[str, TypicalMeasure]:
    measures = _measures("measures")
    known_factors = set(factor_names())
    uncovered = known_factors - {f for m in measures.values() for f in m.factors}
    if uncovered:
        raise CatalogueError(f"library: no typical measure for factors {sorted(uncovered)}")
    return measures


def for_factor(code: str) -> list[TypicalMeasure]:
    return [m for m in library().values() if code in m.factors]


def for_level(level: str) -> list[TypicalMeasure]:
    return [m for m in library().values() if m.level == level]


@cache
def skill_library() -> dict[str, TypicalMeasure]:
    """Measures for weak skills, kept apart from `library()`: their text is a template."""
    measures = _measures("skill_measures")
    for code, measure in measures.items():
        try:
            measure.text.format(**SKILL_FIELDS)
        except (KeyError, IndexError, ValueError) as error:
            raise CatalogueError(f"library: {code}: bad placeholder in the text: {error}") from None
        if code in library():
            raise CatalogueError(f"library: {code} is both a typical and a skill measure")
    return measures


def skill_measures(level: str) -> list[TypicalMeasure]:
    return [m for m in skill_library().values() if m.level == level]


@cache
def prevention_library() -> dict[str, TypicalMeasure]:
    """The measures of a school's programme of prevention of learning failure, proposed whole
    for that kind of programme, not by risk factor."""
    measures = _measures("prevention_measures")
    repeated = set(measures) & (set(library()) | set(skill_library()))
    if repeated:
        raise CatalogueError(f"library: {sorted(repeated)} are both prevention and other measures")
    return measures
