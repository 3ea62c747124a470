from __future__ import annotations

from django import template

from shnor.risks.catalogue import factor_names as names

register = template.Library()


@register.filter
def factor_names(codes: list[str]) -> str:
    """Risk-factor codes as the names a reader knows."""
    known = names()
    return ", ".join(known.get(code, code) for code in codes or [])
