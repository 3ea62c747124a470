"""Identification as a background job."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from shnor.core.jobs import Progress, job_kind
from shnor.identification.actions import do_run_identification
from shnor.identification.models import Methodology
from shnor.registry.models import Municipality


@job_kind("identify")
def identify(progress: Progress, params: dict[str, Any], user: Any) -> dict[str, Any]:
    municipality = (
        Municipality.objects.get(pk=params["municipality_id"])
        if params.get("municipality_id")
        else None
    )
    run = do_run_identification(
        Methodology.objects.get(pk=params["methodology_id"]),
        int(params["year"]),
        acting_user=user,
        municipality=municipality,
        progress=progress,
    )
    return {
        "run_id": run.pk,
        "url": reverse("identification:run", args=[run.pk]),
        "summary": f"Запуск №{run.pk}: ШНОР — {run.counts.get('low_results', 0)}, "
        f"зона риска — {run.counts.get('risk_zone', 0)}",
    }
