"""A status told in plain words, built from its evidence."""

from __future__ import annotations

from typing import Any

from shnor.identification.choices import Status
from shnor.identification.engine.definition import (
    BLOCKS,
    COMBINES,
    LOW_MODES,
    METRICS,
    bind,
    parameter_values,
)

HEADLINES: dict[str, str] = {
    Status.LOW_RESULTS: "Школа отнесена к ШНОР.",
    Status.RISK_ZONE: "Школа в зоне риска.",
    Status.OBJECTIVITY: "У школы признаки необъективности результатов.",
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


def indicator_kind(indicator: dict[str, Any]) -> str:
    """How a methodology's indicator is computed, in words: its block, mode and metric."""
    parts = [BLOCKS[indicator["block"]]]
    if "mode" in indicator:
        parts.append(LOW_MODES[indicator["mode"]])
    if "metric" in indicator:
        parts.append(METRICS[indicator["metric"]])
    return " · ".join(parts)


def status_rules(definition: dict[str, Any]) -> list[str]:
    """Each status band of a definition as a sentence naming the indicators by their labels."""
    labels = {i["code"]: i["label"] for i in definition["indicators"]}
    statuses = dict(Status.choices)
    rules = []
    for band in bind(definition["status"]["bands"], parameter_values(definition)):
        combine = COMBINES[band["combine"]].format(min=band.get("min"))
        chosen = band.get("indicators")
        members = ": " + "; ".join(f"«{labels[c]}»" for c in chosen) if chosen else " всех"
        rule = f"{statuses[band['status']]} — {combine}{members}"
        if band.get("normalise"):
            rule += " (пропорционально применимым, не меньше половины)"
        rules.append(rule)
    return rules


def choice_words(option: str) -> str:
    """A choice parameter's option in words (the coded choices are those of `combine`)."""
    return COMBINES.get(option, option).format(min="N")


def parameter_options(spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [(o, choice_words(o)) for o in spec.get("options", [])]


def parameter_value(spec: dict[str, Any]) -> Any:
    """A methodology parameter's value as an official reads it."""
    value = spec["value"]
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, list):
        return ", ".join(value)
    return choice_words(value) if spec["type"] == "choice" else value
