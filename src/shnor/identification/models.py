"""Methodologies as versioned data, runs, and each school's status with its evidence."""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import models

from shnor.core.models import DomainModel, ScopedQuerySet
from shnor.core.scope import ScopePaths
from shnor.identification.choices import Movement, Status
from shnor.identification.engine.blocks import describe
from shnor.identification.engine.definition import bind, parameter_values


class Methodology(DomainModel):
    """A versioned, parameterised identification methodology; a saved version never changes."""

    code = models.SlugField("код", max_length=64)
    version = models.PositiveIntegerField("версия")
    name = models.CharField("название", max_length=255)
    description = models.TextField("описание", blank=True)
    source = models.TextField("источник", blank=True)
    definition = models.JSONField("определение")
    is_builtin = models.BooleanField("поставляется с системой", default=False)
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


class Run(DomainModel):
    """One identification: methodology version, parameters, data fingerprint, who and when."""

    methodology = models.ForeignKey(
        Methodology, verbose_name="методика", on_delete=models.PROTECT, related_name="runs"
    )
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
        return f"{self.methodology.name}, {self.year}, {where}"

    @cached_property
    def indicators(self) -> list[dict[str, Any]]:
        """What every school's evidence shares, per indicator in the definition's order: its
        code, label and comparison in words (a function of the definition and the year)."""
        params = parameter_values(self.definition)
        return [
            {
                "indicator": spec["code"],
                "label": spec["label"],
                "compare": describe(bind(spec, params), self.year)["compare"],
            }
            for spec in self.definition["indicators"]
        ]


# A run of a large region stores tens of thousands of statuses, so each school's evidence keeps
# only what differs between schools, under short keys, one object per indicator in the order of
# the run's definition; `SchoolStatus.items` gives it back whole.
EVIDENCE_KEYS = {
    "applicable": "a",
    "triggered": "t",
    "value": "v",
    "reference": "r",
    "threshold": "h",
    "window": "w",
    "detail": "d",
}


class SchoolStatus(models.Model):
    """A school's status in a run, with the evidence of every indicator."""

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
    # JSON written by `status_rows`, kept as text: a JSON column makes the database parse every
    # school's evidence on insert, a third of the time a large run spends storing.
    evidence = models.TextField("доказательства", default="[]")

    scope_paths = ScopePaths.via_school("school")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "статус школы"
        verbose_name_plural = "статусы школ"
        constraints = [
            models.UniqueConstraint(fields=["run", "school"], name="status_unique_school")
        ]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self) -> str:
        return f"{self.school}: {self.get_status_display()}"

    @property
    def items(self) -> list[dict[str, Any]]:
        """Every indicator's evidence: indicator, label, compare, applicable, triggered, value,
        reference, threshold, window, detail."""
        return [
            {**shared, **{name: stored.get(key) for name, key in EVIDENCE_KEYS.items()}}
            for shared, stored in zip(self.run.indicators, json.loads(self.evidence), strict=True)
        ]
