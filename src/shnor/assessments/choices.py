from __future__ import annotations

from django.db import models


class Scale(models.TextChoices):
    MARKS = "marks", "отметки «2»–«5»"
    SCORE = "score", "баллы (100-балльная шкала)"


class ReferenceLevel(models.TextChoices):
    MUNICIPALITY = "municipality", "муниципалитет"
    REGION = "region", "регион"
    RUSSIA = "russia", "Россия"
