from __future__ import annotations

from typing import Any

from django import template

from shnor.identification.choices import Status

register = template.Library()

STATUS_CLASSES = {
    Status.LOW_RESULTS: "bad",
    Status.RISK_ZONE: "warn",
    Status.NONE: "ok",
    Status.INSUFFICIENT_DATA: "muted",
}


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "muted")


@register.filter
def status_label(status: str) -> str:
    return dict(Status.choices).get(status, status)


@register.filter
def pct(value: Any, digits: int = 1) -> str:
    """A share 0..1 as a percent with a decimal comma; «—» when missing."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{digits}f}".replace(".", ",")


@register.filter
def num(value: Any, digits: int = 1) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value):.{digits}f}".replace(".", ",")


@register.filter
def get(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def measure_state(state: str) -> str:
    from shnor.support.choices import MeasureStatus

    return dict(MeasureStatus.choices).get(state, state)


@register.filter
def factor_names(codes: list[str]) -> str:
    """Risk-factor codes as the names a reader knows."""
    from shnor.risks.catalogue import factor_names as names

    known = names()
    return ", ".join(known.get(code, code) for code in codes or [])
