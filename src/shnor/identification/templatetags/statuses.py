"""A school's status as a reader sees it: the Russian label and the colour class."""

from __future__ import annotations

from django import template

from shnor.identification.choices import Status

register = template.Library()

STATUS_CLASSES: dict[str, str] = {
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
