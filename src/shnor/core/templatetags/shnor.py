from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


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
