"""Imports of the school list and of school context per year."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shnor.accounts.choices import Action, Role
from shnor.core.cells import YES_NO, choice, decimal, integer, normalize_name, text
from shnor.core.importing import Column, Importer, ImportReport, Row, register
from shnor.core.jobs import Progress
from shnor.registry.choices import Locality, SchoolKind
from shnor.registry.models import Municipality, Region, School, SchoolContext

YEAR = integer(2000, 2100)

SCHOOL_KINDS = {
    **{k.value: k.value for k in SchoolKind},
    "средняя": SchoolKind.SOSH,
    "основная": SchoolKind.OOSH,
    "начальная": SchoolKind.NOSH,
    "СКОШ": SchoolKind.SPECIAL,
    "специальная": SchoolKind.SPECIAL,
}
LOCALITIES = {
    "город": Locality.CITY,
    "городская": Locality.CITY,
    "г": Locality.CITY,
    "село": Locality.VILLAGE,
    "сельская": Locality.VILLAGE,
    "сельская местность": Locality.VILLAGE,
    "с": Locality.VILLAGE,
}


def schools_by_code(user: Any, action: str = Action.IMPORT) -> dict[str, int]:
    return dict(School.objects.restrict(user, action).values_list("code", "pk"))


def resolve_school_codes(
    rows: list[Row],
    user: Any,
    problem: Callable[[Row, str, str], None],
    action: str = Action.IMPORT,
) -> None:
    """Replace «Код ОО» with the school's key, for the schools where the user may take the
    importer's `action` only."""
    codes = schools_by_code(user, action)
    for row in rows:
        school_id = codes.get(row.values["school_code"])
        if school_id is None:
            problem(
                row,
                "school_code",
                "школа с таким кодом не найдена в вашей зоне доступа; "
                "сначала загрузите список школ",
            )
        row.values["school_id"] = school_id


# A size that more than doubles or halves from one year to the next, by at least this many
# people, is worth a look: a typo, a merger, or a school that really closed a class.
SHARP_STEP = 10


def sharp_change(before: int, now: int) -> bool:
    return abs(now - before) >= SHARP_STEP and (now >= 2 * before or 2 * now <= before)


def user_region(user: Any) -> Region | None:
    if user.role == Role.MUNICIPALITY and user.municipality_id:
        return user.municipality.region
    if user.region_id:
        return user.region
    if user.is_superuser:
        regions = list(Region.objects.all()[:2])
        return regions[0] if len(regions) == 1 else None
    return None


@register
class SchoolsImporter(Importer):
    kind = "schools"
    title = "Список школ"
    model = School
    columns = [
        Column(
            "Код ОО",
            "code",
            text(32),
            required=True,
            help="код образовательной организации, уникальный в регионе",
        ),
        Column("Наименование ОО", "name", text(500), required=True, help="полное наименование"),
        Column(
            "Муниципалитет",
            "municipality_name",
            text(200),
            required=True,
            help="муниципальный район или городской округ",
        ),
        Column(
            "Тип ОО",
            "kind",
            choice(SCHOOL_KINDS, "тип ОО"),
            required=True,
            help="СОШ, ООШ, НОШ, гимназия, лицей, филиал, коррекционная",
        ),
        Column(
            "Местность",
            "locality",
            choice(LOCALITIES, "местность"),
            required=True,
            help="город или село",
        ),
        Column(
            "Расстояние до центра, км",
            "distance_km",
            decimal(0, 5000, 1),
            help="расстояние до районного центра в километрах",
        ),
    ]
    key_fields = ("code",)
    value_fields = ("name", "municipality_id", "kind", "locality", "distance_km")

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        self.region = user_region(self.user)
        self.new_municipalities: dict[str, str] = {}
        if self.region is None:
            for row in rows[:1]:
                problem(
                    row,
                    "municipality_name",
                    "не определён регион загрузки: у пользователя нет региона",
                )
            return
        known = {
            normalize_name(m.name): m.pk
            for m in Municipality.objects.restrict(self.user, Action.IMPORT)
        }
        in_region = {
            normalize_name(n)
            for n in Municipality.objects.filter(region=self.region).values_list("name", flat=True)
        }
        may_add = self.user.is_superuser or self.user.role == Role.REGION
        foreign = {
            code
            for code, mid in School.objects.exclude(
                pk__in=School.objects.restrict(self.user, Action.IMPORT)
            ).values_list("code", "pk")
        }
        for row in rows:
            name = row.values["municipality_name"]
            key = normalize_name(name)
            if row.values["code"] in foreign:
                problem(row, "code", "школа с этим кодом уже есть вне вашей зоны доступа")
            if key in known:
                row.values["municipality_id"] = known[key]
            elif may_add and key not in in_region:
                self.new_municipalities.setdefault(key, name)
            else:
                problem(row, "municipality_name", "муниципалитет вне вашей зоны доступа")

    def upsert(self, rows: list[Row], report: ImportReport, progress: Progress) -> None:
        created = {}
        for key, name in self.new_municipalities.items():
            assert self.region is not None  # municipalities are added only within one's region
            created[key] = Municipality.objects.create(region=self.region, name=name).pk
            report.notices.append(f"Добавлен муниципалитет «{name}»")
        for row in rows:
            if row.values.get("municipality_id") is None:
                row.values["municipality_id"] = created[
                    normalize_name(row.values["municipality_name"])
                ]
        super().upsert(rows, report, progress)


PERCENT = decimal(0, 100, 1)


@register
class ContextImporter(Importer):
    kind = "context"
    title = "Контекст школ по годам"
    model = SchoolContext
    columns = [
        Column("Код ОО", "school_code", text(32), required=True, help="код школы из списка"),
        Column("Год", "year", YEAR, required=True, help="календарный год, например 2024"),
        Column("Обучающихся", "students", integer(), help="численность обучающихся"),
        Column("Обучающихся с ОВЗ", "students_ovz", integer()),
        Column("Педагогов", "teachers", integer()),
        Column("Вакансий", "vacancies", integer(), help="незакрытые вакансии педагогов"),
        Column("Педагогов старше 55 лет", "teachers_over_55", integer()),
        Column("Устойчивый интернет", "stable_internet", YES_NO, help="да или нет"),
        Column(
            "Компьютеров для обучения",
            "computers",
            integer(),
            help="компьютеры, используемые в учебном процессе",
        ),
        Column("Доля малообеспеченных семей, %", "low_income_pct", PERCENT, help="от 0 до 100"),
        Column("Доля неполных семей, %", "single_parent_pct", PERCENT, help="от 0 до 100"),
        Column(
            "Доля детей, для которых русский язык не родной, %",
            "non_native_pct",
            PERCENT,
            help="от 0 до 100",
        ),
    ]
    key_fields = ("school_id", "year")
    value_fields = (
        "students",
        "students_ovz",
        "teachers",
        "vacancies",
        "teachers_over_55",
        "stable_internet",
        "computers",
        "low_income_pct",
        "single_parent_pct",
        "non_native_pct",
    )

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        resolve_school_codes(rows, self.user, problem)
        for row in rows:
            v = row.values
            if (
                None not in (v.get("students"), v.get("students_ovz"))
                and v["students_ovz"] > v["students"]
            ):
                problem(row, "students_ovz", "обучающихся с ОВЗ больше, чем всех обучающихся")
            if (
                None not in (v.get("teachers"), v.get("teachers_over_55"))
                and v["teachers_over_55"] > v["teachers"]
            ):
                problem(row, "teachers_over_55", "педагогов старше 55 больше, чем всех педагогов")

    def plausibility(self, rows: list[Row], warn: Callable[[Row | None, str, str], None]) -> None:
        """The number of students against the school's number a year before."""
        rows = [r for r in rows if r.values.get("school_id") and r.values.get("students")]
        before = {
            (school, year): students
            for school, year, students in SchoolContext.objects.filter(
                school_id__in={r.values["school_id"] for r in rows},
                year__in={r.values["year"] - 1 for r in rows},
            ).values_list("school_id", "year", "students")
        }
        before.update(
            {(r.values["school_id"], r.values["year"]): r.values["students"] for r in rows}
        )
        for row in rows:
            now = row.values["students"]
            then = before.get((row.values["school_id"], row.values["year"] - 1))
            if then and sharp_change(then, now):
                warn(
                    row,
                    "students",
                    f"обучающихся {now}, а годом раньше {then}: "
                    "численность изменилась резко, проверьте",
                )

    def existing_filter(self, rows: list[Row]) -> dict[str, Any]:
        return {"year__in": {r.values["year"] for r in rows}}
