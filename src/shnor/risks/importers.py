"""Import of self-diagnosis answers: a row per school and year, a column per question."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shnor.core.cells import integer, text
from shnor.core.importing import Column, Importer, ImportReport, Row, register
from shnor.core.jobs import Progress
from shnor.registry.importers import YEAR, resolve_school_codes
from shnor.risks.catalogue import questionnaire
from shnor.risks.models import SurveyAnswer


def question_columns() -> list[Column]:
    scale = questionnaire()["scale"]
    answer = integer(scale["min"], scale["max"])
    return [
        Column(q["code"], f"q:{q['code']}", answer, help=q["text"])
        for q in questionnaire()["questions"]
    ]


@register
class SurveyImporter(Importer):
    kind = "survey"
    title = "Анкета самодиагностики (ответы школ)"
    model = SurveyAnswer
    columns = [
        Column("Код ОО", "school_code", text(32), required=True, help="код школы из списка"),
        Column("Год", "year", YEAR, required=True, help="год анкетирования"),
        *question_columns(),
    ]
    key_fields = ("school_id", "year", "question")
    value_fields = ("value",)

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        resolve_school_codes(rows, self.user, problem)

    def existing_filter(self, rows: list[Row]) -> dict[str, Any]:
        return {"year__in": {r.values["year"] for r in rows}}

    def upsert(self, rows: list[Row], report: ImportReport, progress: Progress) -> None:
        """Each answered question of a row becomes one answer."""
        answers = [
            Row(
                row.number,
                {
                    "school_id": row.values["school_id"],
                    "year": row.values["year"],
                    "question": field[2:],
                    "value": value,
                },
            )
            for row in rows
            for field, value in row.values.items()
            if field.startswith("q:") and value is not None
        ]
        super().upsert(answers, report, progress)
