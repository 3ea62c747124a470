from __future__ import annotations

from django.db import models


class Category(models.TextChoices):
    HIGHEST = "высшая", "высшая"
    FIRST = "первая", "первая"
    CONFORMITY = "соответствие", "соответствие занимаемой должности"
    NONE = "без категории", "без категории"


class Experience(models.TextChoices):
    UNDER_3 = "до 3", "до 3 лет"
    FROM_3 = "3–10", "3–10 лет"
    FROM_10 = "10–20", "10–20 лет"
    OVER_20 = "более 20", "более 20 лет"


class AgeBand(models.TextChoices):
    UNDER_30 = "до 30", "до 30 лет"
    FROM_30 = "30–55", "30–55 лет"
    OVER_55 = "старше 55", "старше 55 лет"


class DeficitKind(models.TextChoices):
    SUBJECT = "предметный", "предметный"
    METHODICAL = "методический", "методический"
    PSYCHOLOGICAL = "психолого-педагогический", "психолого-педагогический"


class ItemKind(models.TextChoices):
    COURSE = "course", "курсы повышения квалификации"
    INTERNSHIP = "internship", "стажировка на площадке"
    MENTORING = "mentoring", "наставничество"
    ASSOCIATION = "association", "методическое объединение (РМО/ШМО)"


class ActivityKind(models.TextChoices):
    COURSE = "course", "курсы ПК"
    RMO = "rmo", "РМО"
    SHMO = "shmo", "ШМО"
    CONTEST = "contest", "конкурс"
    CONFERENCE = "conference", "конференция"
    INTERNSHIP = "internship", "стажировка"
    # a seminar, a десант, a diagnostic and other events of the events register
    EVENT = "event", "методическое мероприятие"
