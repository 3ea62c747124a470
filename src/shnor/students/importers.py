"""The import of a school's students by code: code, school year, grade, class letter, ОВЗ and,
optionally, the name. Names are accepted from the school's own account only: they are for the
school's eyes and reach no other role, export or report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shnor.accounts.choices import Action, Role
from shnor.assessments.importers import GRADE
from shnor.core.cells import YES_NO, text
from shnor.core.importing import Column, Importer, Row, register
from shnor.registry.importers import YEAR, resolve_school_codes
from shnor.registry.models import School
from shnor.students.models import Student

NAME_FIELD = "name"


def acting_person(user: Any) -> Any:
    """The account a write is made for (the console's `--as` account, else the user)."""
    return getattr(user, "person", None) or user


@register
class StudentsImporter(Importer):
    kind = "students"
    title = "Обучающиеся по кодам (банк затруднений в обучении)"
    # the school's own list: only a school's account may load it, for its own school
    action = Action.MANAGE_STUDENTS
    model = Student
    columns = [
        Column("Код ОО", "school_code", text(32), required=True, help="код школы из списка"),
        Column(
            "Код обучающегося",
            "code",
            text(32),
            required=True,
            help="тот же код, что в файлах результатов по заданиям",
            aliases=("Код участника", "Код ученика"),
        ),
        Column("Учебный год", "year", YEAR, required=True, help="год начала: 2026 для 2026/27"),
        Column("Класс", "grade", GRADE, required=True),
        Column("Буква класса", "letter", text(4), aliases=("Литера",)),
        Column(
            "ФИО",
            NAME_FIELD,
            text(200),
            help="необязательно; видно только администрации своей школы",
        ),
        Column("ОВЗ", "disability", YES_NO, help="да или нет"),
    ]
    key_fields = ("region_id", "code")
    value_fields = ("school_id", "year", "grade", "letter", NAME_FIELD, "disability")

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        resolve_school_codes(rows, self.user, problem, self.action)
        regions = dict(School.objects.values_list("pk", "municipality__region_id"))
        from_school = getattr(acting_person(self.user), "role", None) == Role.SCHOOL
        codes = {row.values["code"] for row in rows}
        taken = {
            (region, code): school
            for region, code, school in Student.objects.filter(code__in=codes).values_list(
                "region_id", "code", "school_id"
            )
        }
        # a list without names keeps the names the school entered before
        named = any(NAME_FIELD in row.values for row in rows)
        kept = {
            (region, code): name
            for region, code, name in Student.objects.filter(code__in=codes).values_list(
                "region_id", "code", NAME_FIELD
            )
        }
        for row in rows:
            v = row.values
            v["region_id"] = regions.get(v.get("school_id") or 0)
            v["letter"] = (v.get("letter") or "").upper()
            v["disability"] = bool(v.get("disability"))
            v[NAME_FIELD] = (
                v.get(NAME_FIELD) or "" if named else kept.get((v["region_id"], v["code"]), "")
            )
            holder = taken.get((v["region_id"], v["code"]))
            if v["school_id"] and holder not in (None, v["school_id"]):
                problem(
                    row,
                    "code",
                    "код уже присвоен обучающемуся другой школы региона: код обучающегося "
                    "уникален в регионе",
                )
            if v[NAME_FIELD] and not from_school:
                problem(
                    row,
                    NAME_FIELD,
                    "ФИО обучающихся принимаются только от администрации их школы; "
                    "удалите столбец или загрузите файл под учётной записью школы",
                )

    def existing_filter(self, rows: list[Row]) -> dict[str, Any]:
        return {"code__in": {r.values["code"] for r in rows}}
