"""Consistency rules of an outcome row, shared by the model's clean() and the importers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

MARK_FIELDS = ("mark2", "mark3", "mark4", "mark5")


# Procedures that graduates of earlier years sit too: their participants may exceed the school's
# students («Количество выпускников, участвовавших в ЕГЭ» of the regional forms).
OPEN_TO_PAST_GRADUATES = {"ЕГЭ"}


def outcome_errors(values: dict[str, Any], kind_code: str = "") -> list[tuple[str, str]]:
    """Return (field, message) for every inconsistency in one row of counts."""
    errors: list[tuple[str, str]] = []
    participants = values.get("participants") or 0
    enrolled = values.get("enrolled")
    if enrolled is not None and participants > enrolled and kind_code not in OPEN_TO_PAST_GRADUATES:
        errors.append(("participants", "участников не может быть больше, чем обучающихся"))
    marks = [values.get(f) for f in MARK_FIELDS]
    if any(m is not None for m in marks) and sum(m or 0 for m in marks) > participants:
        errors.append(("mark2", "сумма отметок больше числа участников"))
    below = values.get("below_min")
    if below is not None and below > participants:
        errors.append(("below_min", "не преодолевших порог больше, чем участников"))
    mean = values.get("mean_score")
    if mean is not None and not Decimal(0) <= Decimal(mean) <= Decimal(100):
        errors.append(("mean_score", "средний балл должен быть от 0 до 100"))
    comparison = [values.get(f) for f in ("lowered", "confirmed", "raised")]
    if any(c is not None for c in comparison) and sum(c or 0 for c in comparison) > participants:
        errors.append(("lowered", "понизили + подтвердили + повысили больше числа участников"))
    return errors
