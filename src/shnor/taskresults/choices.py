from __future__ import annotations

from django.db import models


class TaskLevel(models.TextChoices):
    """Difficulty level of a task, as the procedure's specification names it."""

    BASIC = "базовый", "базовый"
    ADVANCED = "повышенный", "повышенный"
    HIGH = "высокий", "высокий"


class ShareLevel(models.TextChoices):
    """Whose figure a reference share is (ФИС ОКО's columns beside the school's)."""

    MUNICIPALITY = "municipality", "муниципалитет"
    REGION = "region", "регион"
    RUSSIA = "russia", "Россия"


class ShareSource(models.TextChoices):
    """Where a school's task share comes from."""

    PAPERS = "papers", "работы учеников"
    FORM = "form", "форма ФИС ОКО"
