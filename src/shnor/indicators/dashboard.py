"""The dashboard's status × change grid, in the manner of the California School Dashboard:
the current level (five bands) and the change from last year (five bands) give a cell and a
colour. Levels are of performance: for an indicator where lower is better, a low value is a
high level and a fall is an improvement."""

from __future__ import annotations

from typing import Any

STATUS_LABELS = ["очень низкий", "низкий", "средний", "высокий", "очень высокий"]
CHANGE_LABELS = [
    "значительно ухудшился",
    "ухудшился",
    "без изменений",
    "улучшился",
    "значительно улучшился",
]
COLOURS = ["red", "orange", "yellow", "green", "blue"]


def band(value: float, cuts: list[float]) -> int:
    return sum(1 for cut in cuts if value >= cut)


def status_level(spec: dict[str, Any], value: float) -> int:
    level = band(value, spec["bands"])
    return 4 - level if spec.get("lower_is_better") else level


def change_level(spec: dict[str, Any], value: float, previous: float) -> int:
    difference = value - previous
    if spec.get("lower_is_better"):
        difference = -difference
    return band(difference, spec["change_bands"])


def colour(status: int, change: int) -> str:
    """Status weighs more than change, as on the California grid."""
    return COLOURS[max(0, min(4, round(status + (change - 2) * 0.5)))]


def grid(spec: dict[str, Any], units: list[dict[str, Any]]) -> dict[str, Any]:
    """units: {name, url, value, previous}. Returns the 5×5 cells (rows: status from very high
    down) with the units placed in them, and the units without both values."""
    cells: dict[tuple[int, int], list[dict[str, Any]]] = {
        (s, c): [] for s in range(5) for c in range(5)
    }
    unplaced = []
    for unit in units:
        if unit["value"] is None or unit["previous"] is None:
            unplaced.append(unit)
            continue
        cells[
            (status_level(spec, unit["value"]), change_level(spec, unit["value"], unit["previous"]))
        ].append(unit)
    rows = [
        {
            "status": STATUS_LABELS[s],
            "cells": [{"units": cells[(s, c)], "colour": colour(s, c)} for c in range(5)],
        }
        for s in reversed(range(5))
    ]
    return {"rows": rows, "changes": CHANGE_LABELS, "unplaced": unplaced}
