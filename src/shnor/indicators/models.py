"""Indicator values per org unit and year, computed from the data, and monitoring rounds."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shnor.core.models import DomainModel, ScopedQuerySet
from shnor.core.scope import ScopePaths


class MonitoringRound(DomainModel):
    """A programme-effectiveness monitoring round (February, September): a frozen snapshot."""

    region = models.ForeignKey("registry.Region", verbose_name="регион", on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField("год показателей")
    month = models.PositiveSmallIntegerField("месяц")
    title = models.CharField("название", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="создал",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )

    scope_paths = ScopePaths(region="region")

    class Meta:
        verbose_name = "раунд мониторинга"
        verbose_name_plural = "раунды мониторинга"
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title


class IndicatorValue(models.Model):
    """One indicator's value for a unit (region, municipality or school) and year. Rows without
    a round are the current values; rows with a round are that round's snapshot."""

    region = models.ForeignKey("registry.Region", verbose_name="регион", on_delete=models.CASCADE)
    municipality = models.ForeignKey(
        "registry.Municipality",
        verbose_name="муниципалитет",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    school = models.ForeignKey(
        "registry.School", verbose_name="школа", null=True, blank=True, on_delete=models.CASCADE
    )
    round = models.ForeignKey(
        MonitoringRound,
        verbose_name="раунд",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="values",
    )
    indicator = models.CharField("показатель", max_length=64)
    year = models.PositiveSmallIntegerField("год")
    value = models.FloatField("значение", null=True, blank=True)
    numerator = models.FloatField("числитель", null=True, blank=True)
    denominator = models.FloatField("знаменатель", null=True, blank=True)
    fingerprint = models.CharField("отпечаток данных", max_length=32)
    computed = models.DateTimeField("рассчитано", auto_now_add=True)

    scope_paths = ScopePaths(region="region", municipality="municipality", school="school")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "значение показателя"
        verbose_name_plural = "значения показателей"
        indexes = [models.Index(fields=["region", "year", "indicator"])]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}: {self.value}"
