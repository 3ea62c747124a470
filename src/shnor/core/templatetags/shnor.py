from __future__ import annotations

from typing import Any

from django import template

from shnor.core.derived import rendered_once

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
def amount(value: Any) -> str:
    """A count or a sum: «26», not «26,0» (people are counted whole); a fraction keeps a decimal."""
    if value is None or value == "":
        return "—"
    return num(value, 0 if float(value).is_integer() else 1)


@register.filter
def get(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


class RenderedOnceNode(template.Node):
    def __init__(self, name: str, parts: list[Any], nodelist: template.NodeList) -> None:
        self.name, self.parts, self.nodelist = name, parts, nodelist

    def render(self, context: template.Context) -> str:
        parts = tuple(part.resolve(context, ignore_failures=True) for part in self.parts)
        if None in parts:  # a key the view did not give would share the part between scopes
            raise template.TemplateSyntaxError(f"rendered_once «{self.name}»: ключ не задан")
        return rendered_once(self.name, parts, lambda: self.nodelist.render(context))


@register.tag("rendered_once")
def do_rendered_once(parser: Any, token: Any) -> RenderedOnceNode:
    """`{% rendered_once "name" part… %}…{% endrendered_once %}`: the enclosed part of a page
    rendered once per state of the stamped data and the parts (core.derived.rendered_once —
    nothing of the request inside). Values the view passes as callables are computed only
    when the part is rendered."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("rendered_once: укажите имя фрагмента")
    nodelist = parser.parse(("endrendered_once",))
    parser.delete_first_token()
    return RenderedOnceNode(
        bits[1].strip("\"'"), [parser.compile_filter(b) for b in bits[2:]], nodelist
    )
