from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    LOW_RESULTS = "low_results", "ШНОР (низкие результаты)"
    RISK_ZONE = "risk_zone", "зона риска"
    NONE = "none", "нет оснований"
    INSUFFICIENT_DATA = "insufficient_data", "недостаточно данных"


class Movement(models.TextChoices):
    ENTERED = "entered", "вошла в список"
    STAYED = "stayed", "осталась в списке"
    LEFT = "left", "вышла из списка"
    OUTSIDE = "outside", "вне списка"


class ListSource(models.TextChoices):
    """Where a list comes from: computed by a methodology, or received from an authority."""

    METHODOLOGY = "methodology", "расчёт по методике"
    FIOKO = "fioko", "ФИОКО"
    ROSOBRNADZOR = "rosobrnadzor", "Рособрнадзор"
    COKO = "coko", "ЦОКО (региональный центр оценки качества)"


# The list an authority publishes: schools with this status.
LISTED = Status.LOW_RESULTS
