from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    LOW_RESULTS = "low_results", "ШНОР (низкие результаты)"
    RISK_ZONE = "risk_zone", "зона риска"
    NONE = "none", "нет оснований"
    INSUFFICIENT_DATA = "insufficient_data", "недостаточно данных"
    # the separate list of a methodology of signs of non-objective results (objectivity.yaml)
    OBJECTIVITY = "objectivity", "признаки необъективности результатов"


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


class ExitState(models.TextChoices):
    """A listed school's way out of the list, by its methodology's exit criteria."""

    SUSTAINED = "sustained", "вышла из списка устойчиво"
    ON_THE_WAY = "on_the_way", "на пути к выходу"
    NO_CHANGE = "no_change", "без изменений"


# The list an authority publishes: schools with this status.
LISTED = Status.LOW_RESULTS
