"""Methodologies as versioned data, runs, and each school's status with its evidence."""

from __future__ import annotations

import io
from collections.abc import Collection
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any

import polars as pl
from django.conf import settings
from django.db import models

from shnor.core.models import DomainModel, ScopedQuerySet
from shnor.core.scope import ScopePaths
from shnor.identification.choices import ExitState, ListSource, Movement, Status


class Methodology(DomainModel):
    """A versioned, parameterised identification methodology; a saved version never changes.
    A version belongs to a region, which alone edits and versions it; one without a region (the
    built-ins, or loaded at the console for every region) is shared by all regions."""

    # a new version changes the thresholds pages highlight with (low_share_of)
    stamped = True

    code = models.SlugField("код", max_length=64)
    version = models.PositiveIntegerField("версия")
    name = models.CharField("название", max_length=255)
    description = models.TextField("описание", blank=True)
    source = models.TextField("источник", blank=True)
    definition = models.JSONField("определение")
    is_builtin = models.BooleanField("поставляется с системой", default=False)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name="регион-владелец",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="methodologies",
    )
    parent = models.ForeignKey(
        "self", verbose_name="создана на основе", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="автор",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )

    class Meta:
        verbose_name = "методика"
        verbose_name_plural = "методики"
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="methodology_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"

    @property
    def owner_label(self) -> str:
        return self.region.name if self.region is not None else "общая (для всех регионов)"


class Run(DomainModel):
    """One list of a year: an identification (methodology version, parameters, data fingerprint,
    who and when) or an official list received from an authority (`source`, the file's
    fingerprint, who loaded it), each school's status and evidence stored the same way so that
    pages, history, comparison and exports read both alike."""

    stamped = True

    methodology = models.ForeignKey(
        Methodology,
        verbose_name="методика",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="runs",
    )
    source = models.CharField(
        "источник списка", max_length=20, choices=ListSource.choices, default=ListSource.METHODOLOGY
    )
    file_name = models.CharField("файл списка", max_length=255, blank=True)
    year = models.PositiveSmallIntegerField("год результатов")
    region = models.ForeignKey("registry.Region", verbose_name="регион", on_delete=models.CASCADE)
    municipality = models.ForeignKey(
        "registry.Municipality",
        verbose_name="муниципалитет",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    definition = models.JSONField("определение на момент запуска")
    fingerprint = models.CharField("отпечаток данных", max_length=32)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="запустил",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    previous = models.ForeignKey(
        "self", verbose_name="предыдущий запуск", null=True, blank=True, on_delete=models.SET_NULL
    )
    counts = models.JSONField("итоги", default=dict)
    seconds = models.FloatField("длительность, с", default=0)

    scope_paths = ScopePaths(region="region")

    class Meta:
        verbose_name = "запуск выявления"
        verbose_name_plural = "запуски выявления"
        ordering = ["-created"]

    def __str__(self) -> str:
        where = self.municipality.name if self.municipality else self.region.name
        return f"{self.title}, {self.year}, {where}"

    @property
    def is_official(self) -> bool:
        return self.source != ListSource.METHODOLOGY

    @property
    def title(self) -> str:
        """The list's name: its methodology, or «Список ФИОКО» for a received one."""
        if self.methodology is not None:
            return self.methodology.name
        return f"Список: {self.get_source_display()}"

    def evidence_items(self, school_ids: Collection[int]) -> dict[int, list[dict[str, Any]]]:
        """The given schools' evidence: per school, one item per indicator in the definition's
        order (indicator, applicable, triggered, value, reference, threshold, compare, window,
        detail, label)."""
        chosen = stored_evidence(self.pk, self.created).filter(
            pl.col("school_id").is_in(list(school_ids))
        )
        return chosen.rows_by_key("school_id", named=True)


class RunEvidence(models.Model):
    """Every school's evidence of a run, one row per school × indicator, as one compressed Arrow
    table: a large run stores it in one write (as tens of thousands of JSON texts it took most
    of a run's time), and the run's pages read it back whole."""

    run = models.OneToOneField(
        Run, verbose_name="запуск", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    data = models.BinaryField("данные")

    COLUMNS = (
        "school_id",
        "indicator",
        "applicable",
        "triggered",
        "value",
        "reference",
        "threshold",
        "compare",
        "window",
        "detail",
    )

    class Meta:
        verbose_name = "доказательства запуска"
        verbose_name_plural = "доказательства запусков"

    def __str__(self) -> str:
        return f"Доказательства: {self.run_id}"

    @classmethod
    def pack(cls, evidence: pl.DataFrame) -> bytes:
        """evidence: the engine's rows (engine/evaluate.py), sorted by school and indicator."""
        buffer = io.BytesIO()
        evidence.select(cls.COLUMNS).write_ipc(buffer, compression="zstd")
        return buffer.getvalue()


# A school card shows the school in every run of five years (about a dozen runs); a run of
# 40,000 schools holds a few megabytes of evidence.
@lru_cache(maxsize=16)
def stored_evidence(run_id: int, created: datetime) -> pl.DataFrame:
    """A run's evidence with each indicator's label. A stored run never changes; its creation
    time is part of the key since the id of a rolled-back run can be given again."""
    definition = Run.objects.filter(pk=run_id).values_list("definition", flat=True).get()
    labels = pl.DataFrame(
        [(spec["code"], spec["label"]) for spec in definition["indicators"]],
        schema={"indicator": pl.Utf8, "label": pl.Utf8},
        orient="row",
    )
    data = RunEvidence.objects.filter(run_id=run_id).values_list("data", flat=True).first()
    if data is None:
        return pl.DataFrame(schema={"school_id": pl.Int64, "indicator": pl.Utf8, "label": pl.Utf8})
    return pl.read_ipc(io.BytesIO(bytes(data))).join(
        labels, on="indicator", how="left", maintain_order="left"
    )


class SchoolStatus(models.Model):
    """A school's status in a run; the evidence behind it is the run's (`RunEvidence`)."""

    # No index of their own: the unique (run, school) and the (school, status) index lead with
    # them, and a run writes tens of thousands of rows into every index.
    run = models.ForeignKey(
        Run,
        verbose_name="запуск",
        on_delete=models.CASCADE,
        related_name="statuses",
        db_index=False,
    )
    school = models.ForeignKey(
        "registry.School",
        verbose_name="школа",
        on_delete=models.CASCADE,
        related_name="identification_statuses",
        db_index=False,
    )
    status = models.CharField("статус", max_length=20, choices=Status.choices)
    indicators_triggered = models.PositiveSmallIntegerField("сработало показателей")
    indicators_applicable = models.PositiveSmallIntegerField("применимо показателей")
    indicators_total = models.PositiveSmallIntegerField("всего показателей")
    movement = models.CharField(
        "движение по списку", max_length=8, choices=Movement.choices, default=Movement.OUTSIDE
    )

    scope_paths = ScopePaths.via_school("school")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "статус школы"
        verbose_name_plural = "статусы школ"
        constraints = [
            models.UniqueConstraint(fields=["run", "school"], name="status_unique_school")
        ]
        indexes = [models.Index(fields=["school", "status"])]

    # The headline a list page shows (explain.headline), set by the page; not stored.
    why: str

    def __str__(self) -> str:
        return f"{self.school}: {self.get_status_display()}"

    @cached_property
    def items(self) -> list[dict[str, Any]]:
        """This school's evidence (`Run.evidence_items`); lists fill it for many at once
        (`history.with_items`)."""
        return self.run.evidence_items([self.school_id]).get(self.school_id, [])


class PrimaryMethodology(DomainModel):
    """The methodology whose latest run is «the list» of a region, or of one municipality for its
    own lists and pages. Without a row the region's is `settings.PRIMARY_METHODOLOGY`, and a
    municipality's is the region's."""

    stamped = True  # indicators read the runs it chooses (indicators/engine.py)

    region = models.ForeignKey("registry.Region", verbose_name="регион", on_delete=models.CASCADE)
    municipality = models.ForeignKey(
        "registry.Municipality",
        verbose_name="муниципалитет",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    code = models.SlugField("код методики", max_length=64)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="выбрал",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )

    scope_paths = ScopePaths(region="region", municipality="municipality")

    class Meta:
        verbose_name = "основная методика"
        verbose_name_plural = "основные методики"
        constraints = [
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(municipality__isnull=True),
                name="primary_methodology_one_per_region",
            ),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=models.Q(municipality__isnull=False),
                name="primary_methodology_one_per_municipality",
            ),
        ]

    def __str__(self) -> str:
        where = self.municipality.name if self.municipality is not None else self.region.name
        return f"{where}: {self.code}"


class ExitEvaluation(models.Model):
    """A school listed in one of the recent years, judged at a run by the exit criteria of the
    run's definition (identification/exit_criteria.py), with its outcome's forecast for the
    next year from its own trend."""

    run = models.ForeignKey(
        Run, verbose_name="запуск", on_delete=models.CASCADE, related_name="exits"
    )
    school = models.ForeignKey(
        "registry.School", verbose_name="школа", on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField("выход из списка", max_length=12, choices=ExitState.choices)
    listed_year = models.PositiveSmallIntegerField("последний год в списке")
    years_outside = models.PositiveSmallIntegerField("лет подряд вне списка")
    change = models.FloatField(
        "снижение доли «2» с последнего года в списке, п. п.", null=True, blank=True
    )
    outcome = models.FloatField("доля «2» в году запуска, %", null=True, blank=True)
    forecast = models.FloatField("прогноз доли «2» на следующий год, %", null=True, blank=True)
    forecast_low = models.FloatField("прогноз: нижняя граница", null=True, blank=True)
    forecast_high = models.FloatField("прогноз: верхняя граница", null=True, blank=True)
    trend_years = models.PositiveSmallIntegerField("лет в тренде", default=0)

    scope_paths = ScopePaths.via_school("school")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "оценка выхода из списка"
        verbose_name_plural = "оценки выхода из списка"
        constraints = [models.UniqueConstraint(fields=["run", "school"], name="exit_unique_school")]

    def __str__(self) -> str:
        return f"{self.school}: {self.get_state_display()}"
