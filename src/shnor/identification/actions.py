"""Writes of the identification app: runs, methodology versions, the primary methodology,
official lists; each in one transaction with its audit record."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction

from shnor.accounts.choices import Action, Role
from shnor.core.audit import record_audit
from shnor.core.importing import ImportReport
from shnor.core.jobs import Progress
from shnor.identification.choices import ListSource, Status
from shnor.identification.data import load_inputs
from shnor.identification.engine.blocks import EVIDENCE_SCHEMA
from shnor.identification.engine.definition import with_parameters
from shnor.identification.engine.evaluate import evaluate
from shnor.identification.exit_criteria import store_exits
from shnor.identification.importers import (
    NO_REASON,
    NOT_LISTED,
    OfficialListImporter,
    official_definition,
)
from shnor.identification.models import Methodology, PrimaryMethodology, Run
from shnor.identification.services import (
    NotAllowed,
    acting_region,
    may_edit_methodologies,
    run_scope,
    store_list,
    visible_methodologies,
)
from shnor.registry.models import Municipality, Region, School


def do_run_identification(
    methodology: Methodology,
    year: int,
    *,
    acting_user: Any,
    municipality: Municipality | None = None,
    region: Region | None = None,
    progress: Progress | None = None,
) -> Run:
    """Evaluate a methodology on the stored data and store the run with every school's evidence."""
    progress = progress or Progress()
    region, municipality = run_scope(acting_user, region, municipality)
    if methodology.region_id not in (None, region.pk):
        raise NotAllowed("Методика принадлежит другому региону")
    started = time.perf_counter()
    progress.start(3, "Чтение данных")
    inputs = load_inputs(region.pk, methodology.definition, year)
    if municipality is not None:
        inputs.schools = inputs.schools.filter(pl.col("municipality_id") == municipality.pk)
    progress.advance(1, "Расчёт показателей")
    evaluation = evaluate(methodology.definition, year, inputs)
    progress.advance(1, "Сохранение результатов")
    with transaction.atomic():
        run = Run.objects.create(
            methodology=methodology,
            year=year,
            region=region,
            municipality=municipality,
            definition=methodology.definition,
            fingerprint=inputs.fingerprint(),
            started_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        store_list(run, evaluation.statuses, evaluation.evidence)
        store_exits(run)
        run.seconds = round(time.perf_counter() - started, 3)
        run.save(update_fields=["seconds"])
        record_audit(
            "identification.run",
            actor=acting_user,
            target=run,
            summary=str(run),
            fingerprint=run.fingerprint,
            counts=run.counts,
        )
    progress.advance(1, "Сохранено")
    return run


def do_save_methodology_version(
    base: Methodology | dict[str, Any],
    values: dict[str, Any] | None = None,
    *,
    acting_user: Any,
    code: str | None = None,
    name: str | None = None,
    origin: str = "",
) -> Methodology:
    """Save a methodology as a new version of its code (or as a new methodology under a new
    code), owned by the acting user's region. `base` is a stored version with changed parameter
    `values` (the web page) or a whole definition read from a file (`shnor methodology load`),
    whose own version number is kept when it is newer than the stored ones."""
    if not may_edit_methodologies(acting_user):
        raise NotAllowed("Изменять методики может только региональный координатор")
    region = acting_region(acting_user)
    if isinstance(base, Methodology):
        if base.region_id not in (None, getattr(region, "pk", None)):
            raise NotAllowed("Методика принадлежит другому региону")
        definition, parent, proposed = base.definition, base, 1
    else:
        definition, parent, proposed = base, None, int(base.get("version", 1))
    definition = with_parameters(definition, values or {})
    code = code or definition["code"]
    with transaction.atomic():
        versions = Methodology.objects.filter(code=code)
        if (
            region is not None
            and versions.exclude(region__isnull=True).exclude(region=region).exists()
        ):
            raise NotAllowed(f"Код «{code}» занят методикой другого региона; выберите другой")
        latest = versions.order_by("-version").first()
        version = max(proposed, latest.version + 1 if latest else 1)
        definition = {
            **definition,
            "code": code,
            "version": version,
            "name": name or definition["name"],
        }
        saved = Methodology.objects.create(
            code=code,
            version=version,
            name=definition["name"],
            description=definition.get("description", ""),
            source=definition["source"],
            definition=definition,
            parent=parent or latest,
            region=region,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        record_audit(
            "identification.methodology_saved",
            actor=acting_user,
            target=saved,
            summary=f"{saved}, владелец: {saved.owner_label}"
            + (f"; на основе {saved.parent}" if saved.parent else ""),
            origin=origin or "веб-страница методики",
            parameters=values or {},
        )
    return saved


def do_set_primary_methodology(
    code: str, *, acting_user: Any, municipality: Municipality | None = None
) -> None:
    """The region's (regional coordinator) or a municipality's (its coordinator) primary
    methodology; an empty code returns to the default (the environment's, or the region's)."""
    if acting_user.role == Role.MUNICIPALITY and not acting_user.is_superuser:
        municipality = acting_user.municipality
    elif not may_edit_methodologies(acting_user):
        raise NotAllowed("Основную методику выбирают координаторы")
    region = municipality.region if municipality else acting_region(acting_user)
    if region is None:
        raise NotAllowed("Не указан регион")
    if code and not visible_methodologies(acting_user).filter(code=code).exists():
        raise NotAllowed(f"Нет методики «{code}»")
    with transaction.atomic():
        rows = PrimaryMethodology.objects.filter(region=region, municipality=municipality)
        if code:
            rows.update_or_create(
                region=region,
                municipality=municipality,
                defaults={"code": code, "chosen_by": acting_user if acting_user.pk else None},
            )
        else:
            rows.delete()
        record_audit(
            "identification.primary_methodology",
            actor=acting_user,
            summary=f"{municipality or region}: основная методика — {code or 'по умолчанию'}",
            region=region.pk,
            municipality=municipality.pk if municipality else None,
            code=code,
        )


def do_import_official_list(
    path: Path,
    *,
    source: str,
    year: int,
    acting_user: Any,
    municipality: Municipality | None = None,
    display_name: str | None = None,
) -> tuple[ImportReport, Run | None]:
    """Check the whole list; if nothing is wrong, store it as a list of the region (or of the
    municipality) for the year, every school of that territory with its status (schools not on
    the list: «нет оснований»), in one transaction. Returns the report and the stored list."""
    region, municipality = run_scope(acting_user, None, municipality)
    schools = School.objects.restrict(acting_user, Action.IMPORT).filter(
        municipality__region=region
    )
    if municipality is not None:
        schools = schools.filter(municipality=municipality)
    importer = OfficialListImporter(acting_user, year=year, schools=schools)
    rows, report = importer.read(path, display_name)
    if report.problems:
        return report, None
    listed = {row.values["school_id"]: row.values for row in rows}
    territory = list(schools.values_list("pk", flat=True))
    statuses = pl.DataFrame(
        {
            "school_id": territory,
            "status": [listed[pk]["status"] if pk in listed else Status.NONE for pk in territory],
            "indicators_triggered": [int(pk in listed) for pk in territory],
            "indicators_applicable": [1] * len(territory),
            "indicators_total": [1] * len(territory),
        },
        schema={
            "school_id": pl.Int64,
            "status": pl.Utf8,
            "indicators_triggered": pl.Int64,
            "indicators_applicable": pl.Int64,
            "indicators_total": pl.Int64,
        },
    )
    label = ListSource(source).label
    evidence = {
        "school_id": territory,
        "indicator": ["official"] * len(territory),
        "applicable": [True] * len(territory),
        "triggered": [pk in listed for pk in territory],
        "value": [None] * len(territory),
        "reference": [None] * len(territory),
        "threshold": [None] * len(territory),
        "compare": [label] * len(territory),
        "window": [str(year)] * len(territory),
        "detail": [
            (listed[pk].get("reason") or NO_REASON) if pk in listed else NOT_LISTED
            for pk in territory
        ],
    }
    evidence_frame = pl.DataFrame(
        evidence, schema={k: EVIDENCE_SCHEMA.get(k, pl.Utf8) for k in evidence}
    ).sort("school_id")
    with transaction.atomic():
        run = Run.objects.create(
            methodology=None,
            source=source,
            year=year,
            region=region,
            municipality=municipality,
            definition=official_definition(source),
            fingerprint=hashlib.sha256(path.read_bytes()).hexdigest()[:32],
            started_by=acting_user if getattr(acting_user, "pk", None) else None,
            file_name=report.file,
        )
        store_list(run, statuses, evidence_frame)
        record_audit(
            "identification.official_list",
            actor=acting_user,
            target=run,
            summary=f"{run} из файла {report.file}: в списке {len(listed)} школ",
            file=report.file,
            counts=run.counts,
        )
    report.rows = len(rows)
    report.added = len(listed)
    return report, run
