"""A status told in plain words, built from its evidence."""

from __future__ import annotations

from typing import Any

from shnor.identification.choices import Status

HEADLINES = {
    Status.LOW_RESULTS: "Школа отнесена к ШНОР.",
    Status.RISK_ZONE: "Школа в зоне риска.",
}


def headline(status: str, evidence: list[dict[str, Any]]) -> str:
    """The first sentence of the explanation; the triggered indicators follow it as a list."""
    if status in HEADLINES:
        return f"{HEADLINES[status]} Сработали показатели:"
    return explain(status, evidence)


def explain(status: str, evidence: list[dict[str, Any]]) -> str:
    triggered = [e for e in evidence if e["triggered"]]
    applicable = [e for e in evidence if e["applicable"]]
    reasons = "; ".join(f"{e['label']} — {e['detail']}" for e in triggered)
    if status in HEADLINES:
        return f"{HEADLINES[status]} Сработали показатели: {reasons}."
    if status == Status.INSUFFICIENT_DATA:
        return (
            "Недостаточно данных для вывода: по основным показателям нет результатов с "
            "достаточным числом участников"
            + (
                f" (применимо показателей: {len(applicable)} из {len(evidence)})."
                if evidence
                else "."
            )
        )
    return (
        f"Оснований для включения в список нет: применимо показателей {len(applicable)} из "
        f"{len(evidence)}, ни одно условие статуса не выполнено"
        + (f" (сработали: {reasons})." if triggered else ".")
    )
