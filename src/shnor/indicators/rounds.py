"""Programme-effectiveness monitoring rounds (February and September by default): a frozen
snapshot of every indicator, compared with the round before and with the targets."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from shnor.indicators.catalogue import indicators
from shnor.indicators.engine import hidden_word
from shnor.indicators.models import IndicatorValue, MonitoringRound

MONTHS = {2: "февраль", 9: "сентябрь"}


def round_months() -> list[int]:
    return [int(m) for m in getattr(settings, "MONITORING_MONTHS", "2,9").split(",")]


def round_values(chosen: MonitoringRound, municipality_id: int | None) -> dict[str, Any]:
    """The round's values by indicator, with the stored counts (a small group has none)."""
    rows = IndicatorValue.objects.filter(
        round=chosen,
        school__isnull=True,
        # None is the region's row (IS NULL); the plugin's lookup types leave None out
        municipality_id=municipality_id,  # type: ignore[misc]
    )
    return {r.indicator: {"value": r.value, "numerator": r.numerator} for r in rows}


def round_table(chosen: MonitoringRound, municipality_id: int | None) -> list[dict[str, Any]]:
    previous = (
        MonitoringRound.objects.filter(region=chosen.region, created__lt=chosen.created)
        .order_by("-created")
        .first()
    )
    now = round_values(chosen, municipality_id)
    before = round_values(previous, municipality_id) if previous else {}
    rows = []
    for spec in indicators():
        stored, stored_before = now.get(spec["code"]), before.get(spec["code"])
        value = stored["value"] if stored else None
        old = stored_before["value"] if stored_before else None
        target = spec.get("targets", {}).get(chosen.year)
        rows.append(
            {
                "spec": spec,
                "value": value,
                "previous": old,
                "previous_round": previous,
                "hidden": hidden_word(spec, stored),
                "previous_hidden": hidden_word(spec, stored_before),
                "change": None if value is None or old is None else value - old,
                "target": target,
                "meets": None
                if value is None or target is None
                else (value <= target if spec.get("lower_is_better") else value >= target),
            }
        )
    return rows
