"""Identification actions: run a methodology, save a new version of one."""

from __future__ import annotations

import time
from typing import Any

import polars as pl
from django.db import transaction

from shnor.accounts.choices import Role
from shnor.core.audit import record_audit
from shnor.core.importing import insert_rows
from shnor.core.jobs import Progress
from shnor.identification.choices import LISTED, Movement
from shnor.identification.data import load_inputs
from shnor.identification.engine.definition import with_parameters
from shnor.identification.engine.evaluate import Evaluation, evaluate
from shnor.identification.models import Methodology, Run, RunEvidence, SchoolStatus
from shnor.registry.models import Municipality, Region


class NotAllowed(PermissionError):
    pass


def run_scope(
    user: Any, region: Region | None, municipality: Municipality | None
) -> tuple[Region, Municipality | None]:
    """The region and municipality a user may run identification for."""
    if user is None or user.is_superuser:
        region = (
            region
            or (municipality.region if municipality else None)
            or getattr(user, "region", None)
            or Region.objects.get()
        )
        return region, municipality
    if user.role == Role.REGION:
        return user.region, municipality
    if user.role == Role.MUNICIPALITY:
        if municipality is not None and municipality.pk != user.municipality_id:
            raise NotAllowed("Можно запускать выявление только по своему муниципалитету")
        return user.municipality.region, user.municipality
    raise NotAllowed("Запуск выявления доступен координаторам")


def status_rows(evaluation: Evaluation, listed_before: set[int]) -> pl.DataFrame:
    """One row per school: status, counts and movement against the previous list."""
    before = pl.col("school_id").is_in(list(listed_before))
    listed = pl.col("status") == LISTED
    return evaluation.statuses.with_columns(
        movement=pl.when(listed & before)
        .then(pl.lit(Movement.STAYED.value))
        .when(listed)
        .then(pl.lit(Movement.ENTERED.value))
        .when(before)
        .then(pl.lit(Movement.LEFT.value))
        .otherwise(pl.lit(Movement.OUTSIDE.value)),
    )


def previous_run(run: Run) -> Run | None:
    return (
        Run.objects.filter(
            methodology__code=run.methodology.code,
            region=run.region,
            municipality=run.municipality,
            year__lt=run.year,
        )
        .exclude(pk=run.pk)
        .order_by("-year", "-created")
        .first()
    )


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
        run.previous = previous_run(run)
        listed_before = (
            set(run.previous.statuses.filter(status=LISTED).values_list("school_id", flat=True))
            if run.previous
            else set()
        )
        rows = status_rows(evaluation, listed_before).with_columns(run_id=pl.lit(run.pk))
        fields = (
            "run_id",
            "school_id",
            "status",
            "indicators_triggered",
            "indicators_applicable",
            "indicators_total",
            "movement",
        )
        insert_rows(SchoolStatus, fields, list(rows.select(fields).iter_rows()))
        RunEvidence.objects.create(run=run, data=RunEvidence.pack(evaluation.evidence))
        run.counts = {
            **dict(rows.group_by("status").len().iter_rows()),
            **{
                m: n
                for m, n in rows.group_by("movement").len().iter_rows()
                if m != Movement.OUTSIDE
            },
        }
        for movement in (Movement.ENTERED, Movement.STAYED, Movement.LEFT):
            run.counts.setdefault(movement.value, 0)
        run.seconds = round(time.perf_counter() - started, 3)
        run.save(update_fields=["previous", "counts", "seconds"])
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
    source: Methodology,
    values: dict[str, Any],
    *,
    acting_user: Any,
    code: str | None = None,
    name: str | None = None,
) -> Methodology:
    """Save changed parameters as a new version (same code) or a new methodology (new code)."""
    if acting_user is not None and not (
        acting_user.is_superuser or acting_user.role in (Role.REGION, Role.MUNICIPALITY)
    ):
        raise NotAllowed("Изменять методики могут координаторы")
    code = code or source.code
    definition = with_parameters(source.definition, values)
    with transaction.atomic():
        latest = Methodology.objects.filter(code=code).order_by("-version").first()
        version = latest.version + 1 if latest else 1
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
            description=source.description,
            source=source.source,
            definition=definition,
            parent=source,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        record_audit(
            "identification.methodology_saved",
            actor=acting_user,
            target=saved,
            summary=f"{saved} на основе {source}",
            parameters=values,
        )
    return saved


def latest_methodologies() -> list[Methodology]:
    """The newest version of every methodology code."""
    seen: dict[str, Methodology] = {}
    for methodology in Methodology.objects.order_by("code", "-version"):
        seen.setdefault(methodology.code, methodology)
    return list(seen.values())
