"""Answers to the self-diagnosis questionnaire, one row per school, year and question."""

from __future__ import annotations

from django.db import models

from shnor.core.models import DomainModel
from shnor.core.scope import ScopePaths


class SurveyAnswer(DomainModel):
    """A school's answer (1–4) to one statement of the self-diagnosis questionnaire."""

    stamped = True

    school = models.ForeignKey(
        "registry.School",
        verbose_name="школа",
        on_delete=models.CASCADE,
        related_name="survey_answers",
    )
    year = models.PositiveSmallIntegerField("год")
    question = models.CharField("вопрос", max_length=16)
    value = models.PositiveSmallIntegerField("ответ")

    scope_paths = ScopePaths.via_school("school")

    class Meta:
        verbose_name = "ответ анкеты самодиагностики"
        verbose_name_plural = "ответы анкеты самодиагностики"
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "question"], name="survey_answer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year} {self.question}={self.value}"
