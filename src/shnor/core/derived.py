"""Values derived from the data, computed once per state of the data they read.

A derived value (risk facts, the resilience model, clusters) is kept in the shared cache under a
key made of the function, its arguments and the change stamps of the tables it reads
(core/snapshots.py). A write to any of those tables renews its stamp in the writing transaction,
so the next call computes afresh: nothing is ever invalidated by hand, and a rolled-back write
leaves the earlier key valid, because the data is then the same again. The cache is a folder in
the data directory, shared by every server process and the worker.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from django.apps import apps
from django.core.cache import caches
from django.db.models import Model
from django.utils.safestring import SafeString, mark_safe

from shnor.core.snapshots import stamps_of

P = ParamSpec("P")
T = TypeVar("T")
_MISSING = object()


def _key_part(value: Any) -> str:
    # Sets have no stable order across processes; ids and years are compared as sorted lists.
    if isinstance(value, set | frozenset):
        return repr(sorted(value))
    if isinstance(value, Model):
        return f"{value._meta.label}:{value.pk}"
    return repr(value)


def forget_derived(**kwargs: Any) -> None:
    """post_migrate (which `shnor serve` runs at every start): values computed by an earlier
    version of the code are not served by a new one."""
    caches["derived"].clear()


def derived_from(*sources: type[Model]) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Cache the function's value per arguments and per state of the `sources` tables."""

    def decorate(func: Callable[P, T]) -> Callable[P, T]:
        name = f"{func.__module__}.{func.__qualname__}"

        @functools.wraps(func)
        def cached(*args: P.args, **kwargs: P.kwargs) -> T:
            parts = [name, stamps_of(*sources), *map(_key_part, args)]
            parts += [f"{k}={_key_part(v)}" for k, v in sorted(kwargs.items())]
            key = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
            store = caches["derived"]
            value = store.get(key, _MISSING)
            if value is _MISSING:
                value = func(*args, **kwargs)
                store.set(key, value)
            return value

        return cached

    return decorate


def rendered_once(name: str, parts: tuple[Any, ...], render: Callable[[], str]) -> SafeString:
    """An HTML fragment of a page rendered once per state of all the stamped data and `parts`
    (what else it depends on: the object shown, the user's scope, the day). Only for fragments
    that read stamped tables and nothing of the request (no form with its CSRF token, no
    script nonce, no message): the heavy middle of a page, around which the page renders the
    user's own parts afresh."""
    stamped = [m for m in apps.get_models() if getattr(m, "stamped", False)]
    joined = "\x1f".join([name, stamps_of(*stamped), *map(_key_part, parts)])
    key = "fragment:" + hashlib.sha256(joined.encode()).hexdigest()
    store = caches["derived"]
    html = store.get(key)
    if html is None:
        html = render()
        store.set(key, str(html))
    return mark_safe(html)


def lazily(compute: Callable[[], dict[str, Any]], *keys: str) -> dict[str, Callable[[], Any]]:
    """Template context entries computed together on first use, for the data of a fragment
    rendered once (`rendered_once`): read only when the fragment is rendered."""
    once = functools.cache(compute)
    return {key: functools.partial(lambda key: once()[key], key) for key in keys}
