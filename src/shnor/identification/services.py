"""Identification actions: run a methodology, save a new version of one, choose the primary one;
and who owns and sees which methodology."""

from __future__ import annotations

import time
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet

from shnor.accounts.choices import Role
from shnor.core.audit import record_audit
from shnor.core.importing import insert_rows
from shnor.core.jobs import Progress
from shnor.identification.choices import LISTED, Movement
from shnor.identification.data import load_inputs
from shnor.identification.engine.definition import with_parameters
from shnor.identification.engine.evaluate import evaluate
from shnor.identification.models import (
    Methodology,
    PrimaryMethodology,
    Run,
    RunEvidence,
    SchoolStatus,
)
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


def status_rows(statuses: pl.DataFrame, listed_before: set[int]) -> pl.DataFrame:
    """One row per school: status, counts and movement against the previous list."""
    before = pl.col("school_id").is_in(list(listed_before))
    listed = pl.col("status") == LISTED
    return statuses.with_columns(
        movement=pl.when(listed & before)
        .then(pl.lit(Movement.STAYED.value))
        .when(listed)
        .then(pl.lit(Movement.ENTERED.value))
        .when(before)
        .then(pl.lit(Movement.LEFT.value))
        .otherwise(pl.lit(Movement.OUTSIDE.value)),
    )


def previous_run(run: Run) -> Run | None:
    """The latest list of an earlier year from the same methodology (any version) or the same
    received source, for the same territory."""
    same = Q(methodology__code=run.methodology.code) if run.methodology else Q(source=run.source)
    return (
        Run.objects.filter(
            same, region=run.region, municipality=run.municipality, year__lt=run.year
        )
        .exclude(pk=run.pk)
        .order_by("-year", "-created")
        .first()
    )


def store_list(run: Run, statuses: pl.DataFrame, evidence: pl.DataFrame) -> None:
    """A new run's statuses with their movement against the previous list, its evidence and
    counts; inside the caller's transaction. statuses: school_id, status and the indicator
    counts, as the engine returns them; evidence: the engine's rows (RunEvidence.COLUMNS)."""
    run.previous = previous_run(run)
    listed_before = (
        set(run.previous.statuses.filter(status=LISTED).values_list("school_id", flat=True))
        if run.previous
        else set()
    )
    rows = status_rows(statuses, listed_before).with_columns(run_id=pl.lit(run.pk))
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
    RunEvidence.objects.create(run=run, data=RunEvidence.pack(evidence))
    run.counts = {
        **dict(rows.group_by("status").len().iter_rows()),
        **{m: n for m, n in rows.group_by("movement").len().iter_rows() if m != Movement.OUTSIDE},
    }
    for movement in (Movement.ENTERED, Movement.STAYED, Movement.LEFT):
        run.counts.setdefault(movement.value, 0)
    run.save(update_fields=["previous", "counts"])


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


def acting_region(user: Any) -> Region | None:
    """The region a user acts for: its own, its municipality's; None for the console that was
    given no region."""
    if getattr(user, "role", None) == Role.MUNICIPALITY and user.municipality_id:
        return user.municipality.region  # type: ignore[no-any-return]
    return getattr(user, "region", None)


def may_edit_methodologies(user: Any) -> bool:
    """A methodology is the region's (DOMAIN §1): only the regional coordinator versions it."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.role == Role.REGION)
    )


def visible_methodologies(user: Any) -> QuerySet[Methodology]:
    """The shared methodologies and the user's region's own."""
    if user.is_superuser and acting_region(user) is None:
        return Methodology.objects.all()
    return Methodology.objects.filter(Q(region__isnull=True) | Q(region=acting_region(user)))


def latest_methodologies(user: Any) -> list[Methodology]:
    """Per code the newest shared version and the newest of the region's own: the region's edit
    of a built-in does not hide the built-in."""
    seen: dict[tuple[str, int | None], Methodology] = {}
    for methodology in (
        visible_methodologies(user).select_related("region").order_by("code", "-version")
    ):
        seen.setdefault((methodology.code, methodology.region_id), methodology)
    return sorted(seen.values(), key=lambda m: (m.code, m.region_id is not None))


def default_methodology(code: str, region: Region | None) -> Methodology | None:
    """What a code means when no version is named: the newest shared version (the built-in), and
    only for a region's own code the region's newest."""
    versions = Methodology.objects.filter(code=code).order_by("-version")
    return versions.filter(region__isnull=True).first() or (
        versions.filter(region=region).first() if region else None
    )


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


def primary_codes(region_id: int, municipality_id: int | None = None) -> tuple[str, str | None]:
    """The region's primary methodology code, and the municipality's own choice if it made one."""
    chosen = dict(
        PrimaryMethodology.objects.filter(region_id=region_id)
        .filter(Q(municipality__isnull=True) | Q(municipality_id=municipality_id))
        .values_list("municipality_id", "code")
    )
    own = chosen.get(municipality_id) if municipality_id else None
    return chosen.get(None) or settings.PRIMARY_METHODOLOGY, own


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
