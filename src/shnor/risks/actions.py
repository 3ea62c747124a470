"""Writes of the risks app: a school's answers to the self-diagnosis questionnaire."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shnor.core.audit import record_audit
from shnor.registry.models import School
from shnor.risks.models import SurveyAnswer


@transaction.atomic
def do_save_survey(
    school: School, year: int, answers: dict[str, int], *, acting_user: Any
) -> list[SurveyAnswer]:
    """The school's answers for the year, replacing earlier answers to the same questions."""
    before = dict(
        SurveyAnswer.objects.filter(school=school, year=year).values_list("question", "value")
    )
    saved = [
        SurveyAnswer.objects.update_or_create(
            school=school, year=year, question=code, defaults={"value": value}
        )[0]
        for code, value in answers.items()
    ]
    changed = {
        c: {"было": before.get(c), "стало": v} for c, v in answers.items() if before.get(c) != v
    }
    record_audit(
        "risks.survey_saved",
        actor=acting_user,
        target=school,
        summary=f"{school}: анкета самодиагностики за {year} год, ответов {len(answers)}",
        year=year,
        changes=changed,
    )
    return saved
