"""The library of typical measures (library.yaml): what a new programme proposes for each risk
factor, and what a municipal programme usually holds. Validated on load."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

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


@cache
def library() -> dict[str, TypicalMeasure]:
    data = yaml.safe_load((Path(__file__).parent / "library.yaml").read_text(encoding="utf-8"))
    directions = data["directions"]
    known_factors = set(factor_names())
    measures: dict[str, TypicalMeasure] = {}
    for item in data["measures"]:
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
    uncovered = known_factors - {f for m in measures.values() for f in m.factors}
    if uncovered:
        raise CatalogueError(f"library: no typical measure for factors {sorted(uncovered)}")
    return measures


def for_factor(code: str) -> list[TypicalMeasure]:
    return [m for m in library().values() if code in m.factors]


def for_level(level: str) -> list[TypicalMeasure]:
    return [m for m in library().values() if m.level == level]
