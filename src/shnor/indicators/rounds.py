"""Programme-effectiveness monitoring rounds (February and September by default): a frozen
snapshot of every indicator, compared with the round before and with the targets."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from shnor.indicators.catalogue import indicators
from shnor.indicators.models import IndicatorValue, MonitoringRound

MONTHS = {2: "февраль", 9: "сентябрь"}


def round_months() -> list[int]:
    return [int(m) for m in getattr(settings, "MONITORING_MONTHS", "2,9").split(",")]


def round_values(chosen: MonitoringRound, municipality_id: int | None) -> dict[str, Any]:
    rows = IndicatorValue.objects.filter(
        round=chosen, school__isnull=True, municipality_id=municipality_id
    )
    return {r.indicator: r.value for r in rows}


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
        value, old = now.get(spec["code"]), before.get(spec["code"])
        target = spec.get("targets", {}).get(chosen.year)
        rows.append(
            {
                "spec": spec,
                "value": value,
                "previous": old,
                "previous_round": previous,
                "change": None if value is None or old is None else value - old,
                "target": target,
                "meets": None
                if value is None or target is None
                else (value <= target if spec.get("lower_is_better") else value >= target),
            }
        )
    return rows
