"""Reports as background jobs: built, rendered, saved for the user to download."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse

from shnor.core.documents.render import RENDERERS
from shnor.core.jobs import Progress, job_kind
from shnor.registry.models import Municipality, Region, School
from shnor.reports.builders import BUILDERS, KINDS


def build_file(
    kind: str,
    fmt: str,
    user: Any,
    region: Region,
    year: int,
    municipality: Municipality | None,
    school: School | None,
) -> bytes:
    report = BUILDERS[kind](user, region, municipality, year, school)
    organisation = f"Управление образования: {municipality.name if municipality else region.name}"
    return RENDERERS[fmt](report, organisation)


@job_kind("report")
def make_report(progress: Progress, params: dict[str, Any], user: Any) -> dict[str, Any]:
    progress.start(3, "Сбор данных")
    municipality_id, school_id = params.get("municipality_id"), params.get("school_id")
    municipality = (
        Municipality.objects.filter(pk=municipality_id).first() if municipality_id else None
    )
    school = School.objects.filter(pk=school_id).first() if school_id else None
    region = Region.objects.get(pk=params["region_id"])
    progress.advance(1, "Построение отчёта")
    data = build_file(
        params["kind"], params["format"], user, region, int(params["year"]), municipality, school
    )
    progress.advance(1, "Сохранение")
    folder = Path(settings.MEDIA_ROOT) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.{params['format']}"
    (folder / name).write_bytes(data)
    progress.advance(1)
    return {
        "file": name,
        "url": reverse("reports:download", args=[name]),
        "summary": f"Документ готов: {KINDS[params['kind']]} ({params['format'].upper()})",
    }
