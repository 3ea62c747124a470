"""Codes of the monitoring campaigns, each with its Russian word."""

from __future__ import annotations

from django.db import models


class RoundMonth(models.IntegerChoices):
    """The two rounds a year the seeds hold their monitoring in (seed 000, 8.1–8.2)."""

    FEBRUARY = 2, "февраль"
    SEPTEMBER = 9, "сентябрь"


class QuestionType(models.TextChoices):
    """The types of a question or of a table's column; the labels are what a coordinator writes
    in the form's definition."""

    NUMBER = "number", "число"
    YESNO = "yesno", "да/нет"
    TEXT = "text", "текст"
    DATE = "date", "дата"
    CHOICE = "choice", "выбор"


class Completion(models.TextChoices):
    """Where a school stands with a campaign's form."""

    SUBMITTED = "submitted", "сдано"
    DRAFT = "draft", "черновик"
    NOT_STARTED = "not_started", "не начато"
    OVERDUE = "overdue", "просрочено"


class Feed(models.TextChoices):
    """What a question's answers tell the indicator engine: an indicator of the catalogue with
    the formula {answers: FEED} is the mean of the answers to the questions bound to it (yes
    = 1, no = 0). The label is what a coordinator writes after «показатель:»."""

    PROGRAMME_MONITORED = "programme_monitored", "мониторинг эффективности ШППКО"
    PROGRAMME_CORRECTED = "programme_corrected", "корректировка ШППКО"
    TEACHER_VACANCIES = "teacher_vacancies", "вакансии педагогов"


# The question types whose answer is a number the engine can average.
FEED_TYPES = {QuestionType.NUMBER, QuestionType.YESNO}
