from __future__ import annotations

from django.db import models


class ProgrammeKind(models.TextChoices):
    MUNICIPAL = "mppko", "Муниципальная программа повышения качества образования (МППКО)"
    SCHOOL = "shppko", "Школьная программа повышения качества образования (ШППКО)"
    ANTIRISK = "antirisk", "Антирисковая программа"
    ROADMAP = "roadmap", "Дорожная карта"
    EFFECTIVE = "effective", "Программа перехода в эффективный режим работы"
    PREVENTION = "prevention", "Программа профилактики учебной неуспешности"


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", "проект"
    APPROVED = "approved", "утверждена"
    SUPERSEDED = "superseded", "заменена новой версией"


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", "запланировано"
    IN_PROGRESS = "in_progress", "выполняется"
    DONE = "done", "выполнено"
    OVERDUE = "overdue", "просрочено"  # never stored: a planned or running measure past its date
    CANCELLED = "cancelled", "отменено"


OPEN_STATUSES = (MeasureStatus.PLANNED, MeasureStatus.IN_PROGRESS)


class VisitKind(models.TextChoices):
    LANDING = "landing", "методический десант"
    FIELD_DAY = "field_day", "выездной методический день"
    CONSULTATION = "consultation", "консультация"
    LESSONS = "lessons", "посещение уроков"
