"""Imports of assessment results per school and of territory averages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shnor.assessments.catalogue import subject_lookup
from shnor.assessments.choices import ReferenceLevel
from shnor.assessments.models import ProcedureKind, ReferenceResult, Result
from shnor.assessments.rules import outcome_errors
from shnor.core.importing import (
    Column,
    Importer,
    Row,
    choice,
    decimal,
    integer,
    normalize_name,
    register,
    text,
)
from shnor.registry.importers import YEAR, resolve_school_codes, user_region
from shnor.registry.models import Municipality, Region

COUNT = integer()
GRADE = integer(1, 11)

# Grades each procedure is written in; a grade outside is a typo, not data.
PROCEDURE_GRADES = {"ОГЭ": {9}, "ЕГЭ": {11}, "ВПР": {4, 5, 6, 7, 8, 10, 11}}

OUTCOME_COLUMNS = [
    Column("Участников", "participants", COUNT, required=True, help="написали работу"),
    Column("Отметка 2", "mark2", COUNT, help="число отметок «2» (ВПР, ОГЭ)"),
    Column("Отметка 3", "mark3", COUNT),
    Column("Отметка 4", "mark4", COUNT),
    Column("Отметка 5", "mark5", COUNT),
    Column(
        "Не преодолели минимальный порог",
        "below_min",
        COUNT,
        help="для ЕГЭ; для ВПР и ОГЭ то же, что «Отметка 2», можно указать любой из двух",
    ),
    Column("Средний балл", "mean_score", decimal(0, 100, 2)),
]
OUTCOME_FIELDS = tuple(c.field for c in OUTCOME_COLUMNS)
PROCEDURE_COLUMNS = [
    Column("Процедура", "kind_code", text(16), required=True, help="ВПР, ОГЭ, ЕГЭ, ФГ, РД, МКР"),
    Column("Предмет", "subject_name", text(100), required=True, help="например «Русский язык»"),
    Column("Класс", "grade", GRADE, help="для ОГЭ и ЕГЭ можно не указывать (9 и 11)"),
]


def resolve_procedure(rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
    """Kind, subject and grade → keys; «Отметка 2» and the below-minimum count reconciled."""
    kinds = {normalize_name(k.code): k for k in ProcedureKind.objects.all()}
    subjects = subject_lookup()
    kind_of = {raw: kinds.get(normalize_name(raw)) for raw in {r.values["kind_code"] for r in rows}}
    subject_of = {
        raw: subjects.get(normalize_name(raw)) for raw in {r.values["subject_name"] for r in rows}
    }
    for row in rows:
        v = row.values
        kind = kind_of[v["kind_code"]]
        if kind is None:
            problem(
                row, "kind_code", "одна из процедур: " + ", ".join(k.code for k in kinds.values())
            )
        v["kind_id"] = kind.pk if kind else None
        v["subject_id"] = subject_of[v["subject_name"]]
        if v["subject_id"] is None:
            problem(
                row,
                "subject_name",
                "предмет из справочника (Русский язык, Математика, Математика профильная, …)",
            )
        if v.get("grade") is None and kind is not None:
            v["grade"] = kind.default_grade
            if v["grade"] is None:
                problem(row, "grade", "класс обязателен для этой процедуры")
        allowed = PROCEDURE_GRADES.get(kind.code if kind else "")
        if allowed and v.get("grade") is not None and v["grade"] not in allowed:
            problem(
                row,
                "grade",
                f"для {kind.code} класс: "  # type: ignore[union-attr]
                + ", ".join(map(str, sorted(allowed))),
            )
        if v.get("below_min") is None:
            v["below_min"] = v.get("mark2")
        elif v.get("mark2") is not None and v["mark2"] != v["below_min"]:
            problem(row, "below_min", "совпадает с «Отметка 2», если указаны оба")
        for field_name, message in outcome_errors(v):
            problem(row, field_name, message)


@register
class ResultsImporter(Importer):
    kind = "results"
    title = "Результаты оценочных процедур"
    model = Result
    columns = [
        Column("Код ОО", "school_code", text(32), required=True, help="код школы из списка"),
        Column("Год", "year", YEAR, required=True, help="год проведения процедуры"),
        *PROCEDURE_COLUMNS,
        Column("Обучающихся", "enrolled", COUNT, help="обучающихся в параллели"),
        *OUTCOME_COLUMNS,
        Column("Понизили", "lowered", COUNT, help="ВПР: отметка ниже отметки по журналу"),
        Column("Подтвердили", "confirmed", COUNT),
        Column("Повысили", "raised", COUNT),
    ]
    key_fields = ("school_id", "year", "kind_id", "subject_id", "grade")
    value_fields = ("enrolled", *OUTCOME_FIELDS, "lowered", "confirmed", "raised")

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        resolve_school_codes(rows, self.user, problem)
        resolve_procedure(rows, problem)

    def existing_filter(self, rows: list[Row]) -> dict[str, Any]:
        return {
            "year__in": {r.values["year"] for r in rows},
            "kind_id__in": {r.values["kind_id"] for r in rows},
        }


LEVELS = {
    "муниципалитет": ReferenceLevel.MUNICIPALITY,
    "муниципальный": ReferenceLevel.MUNICIPALITY,
    "регион": ReferenceLevel.REGION,
    "региональный": ReferenceLevel.REGION,
    "россия": ReferenceLevel.RUSSIA,
    "рф": ReferenceLevel.RUSSIA,
}


@register
class ReferenceImporter(Importer):
    kind = "reference"
    title = "Средние показатели муниципалитета, региона, России"
    model = ReferenceResult
    columns = [
        Column(
            "Уровень",
            "level",
            choice(LEVELS, "уровень"),
            required=True,
            help="муниципалитет, регион или Россия",
        ),
        Column(
            "Территория",
            "territory",
            text(200),
            required=True,
            help="название муниципалитета или региона; для России — «Российская Федерация»",
        ),
        Column("Год", "year", YEAR, required=True),
        *PROCEDURE_COLUMNS,
        *OUTCOME_COLUMNS,
    ]
    key_fields = ("level", "territory", "year", "kind_id", "subject_id", "grade")
    value_fields = (*OUTCOME_FIELDS, "municipality_id", "region_id")

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        region = user_region(self.user)
        municipalities = {
            normalize_name(m.name): m for m in Municipality.objects.filter(region=region)
        }
        regions = {normalize_name(r.name): r for r in Region.objects.all()}
        for row in rows:
            v = row.values
            v["municipality_id"] = v["region_id"] = None
            if v["level"] == ReferenceLevel.MUNICIPALITY:
                municipality = municipalities.get(normalize_name(v["territory"]))
                if municipality is None:
                    problem(row, "territory", "муниципалитет вашего региона")
                else:
                    v["municipality_id"], v["region_id"] = municipality.pk, municipality.region_id
                    v["territory"] = municipality.name
            elif v["level"] == ReferenceLevel.REGION:
                found = regions.get(normalize_name(v["territory"]))
                v["region_id"] = found.pk if found else None
                if found:
                    v["territory"] = found.name
            else:
                v["territory"] = "Российская Федерация"
        resolve_procedure(rows, problem)

    def existing_filter(self, rows: list[Row]) -> dict[str, Any]:
        return {"year__in": {r.values["year"] for r in rows}}
