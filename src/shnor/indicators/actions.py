"""Writes of the indicators app: monitoring rounds."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shnor.core.audit import record_audit
from shnor.indicators.engine import current_values, data_fingerprint, store
from shnor.indicators.models import MonitoringRound
from shnor.indicators.rounds import MONTHS


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
