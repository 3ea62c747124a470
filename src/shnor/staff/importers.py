"""Imports of the teachers of schools and of diagnostics of professional deficits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shnor.accounts.choices import Action
from shnor.core.cells import YES_NO, choice, date_value, decimal, text
from shnor.core.importing import Column, Importer, Row, register
from shnor.registry.importers import resolve_school_codes
from shnor.staff.choices import AgeBand, Category, DeficitKind, Experience
from shnor.staff.models import Deficit, Teacher


@register
class TeachersImporter(Importer):
    kind = "teachers"
    title = "Педагоги школ"
    action = Action.MANAGE_STAFF  # personal data: the school and its municipality, not the region
    model = Teacher
    columns = [
        Column("Код ОО", "school_code", text(32), required=True, help="код школы из списка"),
        Column("ФИО", "full_name", text(200), required=True),
        Column("Предметы", "subjects", text(300), help="через запятую"),
        Column(
            "Категория",
            "category",
            choice({c.value: c.value for c in Category} | {"нет": Category.NONE}, "категория"),
            help="высшая, первая, соответствие, без категории",
        ),
        Column(
            "Стаж",
            "experience",
            choice({e.value: e.value for e in Experience}, "стаж"),
            help="до 3, 3–10, 10–20, более 20",
        ),
        Column(
            "Возраст",
            "age_band",
            choice({a.value: a.value for a in AgeBand}, "возраст"),
            help="до 30, 30–55, старше 55",
        ),
        Column(
            "Нагрузка, часов", "load_hours", decimal(0, 60, 1), help="учебная нагрузка в неделю"
        ),
        Column("Региональная сеть", "in_regional_network", YES_NO, help="да или нет"),
        Column("Методический актив", "in_methodical_asset", YES_NO, help="да или нет"),
    ]
    key_fields = ("school_id", "full_name")
    value_fields = (
        "subjects",
        "category",
        "experience",
        "age_band",
        "load_hours",
        "in_regional_network",
        "in_methodical_asset",
    )

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        resolve_school_codes(rows, self.user, problem, self.action)
        for row in rows:
            v = row.values
            v["subjects"] = v.get("subjects") or ""
            v["category"] = v.get("category") or Category.NONE
            v["experience"] = v.get("experience") or ""
            v["age_band"] = v.get("age_band") or ""
            v["in_regional_network"] = bool(v.get("in_regional_network"))
            v["in_methodical_asset"] = bool(v.get("in_methodical_asset"))

    def existing_filter(self, rows: list[Row]) -> dict[str, Any]:
        return {"school_id__in": {r.values["school_id"] for r in rows}}


@register
class DeficitsImporter(Importer):
    kind = "deficits"
    title = "Диагностика профессиональных дефицитов"
    action = Action.MANAGE_STAFF
    model = Deficit
    columns = [
        Column("Код ОО", "school_code", text(32), required=True),
        Column("ФИО", "full_name", text(200), required=True, help="как в списке педагогов школы"),
        Column(
            "Вид дефицита",
            "kind",
            choice(
                {k.value: k.value for k in DeficitKind}
                | {"психологический": DeficitKind.PSYCHOLOGICAL},
                "вид дефицита",
            ),
            required=True,
            help="предметный, методический, психолого-педагогический",
        ),
        Column("Тема", "topic", text(300), required=True, help="что именно вызывает затруднение"),
        Column("Предмет", "subject", text(100)),
        Column(
            "Источник",
            "source",
            text(200),
            required=True,
            help="кто проводил диагностику, например ЦНППМ",
        ),
        Column("Дата", "found_on", date_value, required=True, help="дд.мм.гггг"),
    ]
    key_fields = ("teacher_id", "kind", "topic", "found_on")
    value_fields = ("subject", "source")

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        resolve_school_codes(rows, self.user, problem, self.action)
        teachers: dict[tuple[Any, str], int] = {
            (school, name.lower()): pk
            for pk, school, name in Teacher.objects.values_list("pk", "school_id", "full_name")
        }
        for row in rows:
            v = row.values
            v["subject"] = v.get("subject") or ""
            v["teacher_id"] = teachers.get((v.get("school_id"), (v["full_name"] or "").lower()))
            if v["school_id"] and v["teacher_id"] is None:
                problem(
                    row,
                    "full_name",
                    "педагог с таким ФИО не найден в списке педагогов "
                    "этой школы; сначала загрузите список педагогов",
                )

    def existing_filter(self, rows: list[Row]) -> dict[str, Any]:
        return {"teacher_id__in": {r.values["teacher_id"] for r in rows}}
