"""What identification's writes rely on: the territory of a run, how a list is stored with its
movements, and who owns and sees which methodology. The writes are in identification/actions.py."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.conf import settings
from django.db.models import Q, QuerySet

from shnor.accounts.choices import Role
from shnor.core.bulk import insert_rows
from shnor.identification.choices import LISTED, Movement
from shnor.identification.engine.definition import listed_status
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


def status_rows(
    statuses: pl.DataFrame, listed_before: set[int], listed_as: str = LISTED
) -> pl.DataFrame:
    """One row per school: status, counts and movement against the previous list, whose
    schools are those of status `listed_as`."""
    before = pl.col("school_id").is_in(list(listed_before))
    listed = pl.col("status") == listed_as
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
    # a list of signs of non-objective results moves by its own status, not by ШНОР
    listed_as = listed_status(run.definition) if run.methodology_id else LISTED
    listed_before = (
        set(run.previous.statuses.filter(status=listed_as).values_list("school_id", flat=True))
        if run.previous
        else set()
    )
    rows = status_rows(statuses, listed_before, listed_as).with_columns(run_id=pl.lit(run.pk))
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


def acting_region(user: Any) -> Region | None:
    """The region a user acts for: its own, its municipality's; None for the console that was
    given no region."""
    if getattr(user, "role", None) == Role.MUNICIPALITY and user.municipality_id:
        return user.municipality.region
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


def primary_codes(region_id: int, municipality_id: int | None = None) -> tuple[str, str | None]:
    """The region's primary methodology code, and the municipality's own choice if it made one."""
    chosen: dict[int | None, str] = dict(
        PrimaryMethodology.objects.filter(region_id=region_id)
        .filter(Q(municipality__isnull=True) | Q(municipality_id=municipality_id))
        .values_list("municipality_id", "code")
    )
    own = chosen.get(municipality_id) if municipality_id else None
    return chosen.get(None) or settings.PRIMARY_METHODOLOGY, own


def low_share_of(region_id: int, municipality_id: int | None = None) -> float:
    """The share of «2» / below the minimum at which a result is low, as the territory's primary
    methodology defines it (the federal criteria's where the primary one has no such
    parameter): pages that highlight low results follow the methodology of the list."""
    region_code, own = primary_codes(region_id, municipality_id)
    region = Region.objects.filter(pk=region_id).first()
    for code in (own, region_code, "federal"):
        methodology = default_methodology(code, region) if code else None
        parameter = (
            (methodology.definition.get("parameters") or {}).get("low_share")
            if (methodology)
            else None
        )
        if parameter and parameter.get("value") is not None:
            return float(parameter["value"])
    raise LookupError("no methodology defines the low-result share («low_share»)")
