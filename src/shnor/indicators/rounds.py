"""Programme-effectiveness monitoring rounds (February and September by default): a frozen
snapshot of every indicator, compared with the round before and with the targets."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction

from shnor.core.audit import record_audit
from shnor.indicators.catalogue import indicators
from shnor.indicators.engine import current_values, data_fingerprint, store
from shnor.indicators.models import IndicatorValue, MonitoringRound

MONTHS = {2: "февраль", 9: "сентябрь"}


def round_months() -> list[int]:
    return [int(m) for m in getattr(settings, "MONITORING_MONTHS", "2,9").split(",")]


@transaction.atomic
def do_create_round(region: Any, year: int, month: int, *, acting_user: Any) -> MonitoringRound:
    title = (
        f"Мониторинг эффективности: {MONTHS.get(month, month)} {year + (month < 6)} "
        f"(показатели {year} года)"
    )
    created = MonitoringRound.objects.create(
        region=region,
        year=year,
        month=month,
        title=title,
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    values = current_values(region.pk, [year])
    store(region.pk, [year], values, data_fingerprint(), round_id=created.pk)
    record_audit("indicators.round_created", actor=acting_user, target=created, summary=title)
    return created


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
