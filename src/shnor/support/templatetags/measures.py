from __future__ import annotations

from django import template

from shnor.support.choices import MeasureStatus

register = template.Library()


@register.filter
def measure_state(state: str) -> str:
    """A measure's status in Russian."""
    return dict(MeasureStatus.choices).get(state, state)
