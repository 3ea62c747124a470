"""Imports of assessment results per school and of territory averages."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from shnor.assessments import school_names
from shnor.assessments.catalogue import subject_lookup
from shnor.assessments.choices import ReferenceLevel, Scale
from shnor.assessments.layouts import Unpivot, fitting_layouts, region_layouts
from shnor.assessments.models import (
    MinimumThreshold,
    ProcedureKind,
    ReferenceResult,
    Result,
    Subject,
)
from shnor.assessments.rules import OPEN_TO_PAST_GRADUATES, outcome_errors
from shnor.assessments.school_names import resolve_school_names
from shnor.core.cells import choice, decimal, integer, normalize_name, text
from shnor.core.importing import Column, Importer, ImportReport, Problem, Row, register
from shnor.core.tabular import Sheet
from shnor.registry.importers import YEAR, resolve_school_codes, sharp_change, user_region
from shnor.registry.models import Municipality, Region, School

COUNT = integer()
GRADE = integer(1, 11)
# The band of a mean of marks; subjects graded in marks within a procedure scored in points.
MARKS_BAND = (Decimal(2), Decimal(5))
MARKS_SCALE_SUBJECTS = ("Математика базовая",)

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
        for field_name, message in outcome_errors(v, kind.code if kind else ""):
            problem(row, field_name, message)


def check_means(rows: list[Row], warn: Callable[[Row | None, str, str], None]) -> None:
    """A mean score far outside the band of the procedure's scale: a mean of marks outside
    2–5 (ВПР, ОГЭ, ЕГЭ по базовой математике), or a 100-point mean below half the subject's
    minimum score — most often a figure of the other scale or a primary score."""
    kinds: dict[Any, ProcedureKind] = {k.pk: k for k in ProcedureKind.objects.all()}
    marks_subjects = set(
        Subject.objects.filter(name__in=MARKS_SCALE_SUBJECTS).values_list("pk", flat=True)
    )
    minimum: dict[tuple[Any, ...], Any] = {
        (t.kind_id, t.subject_id, t.year): t.min_score for t in MinimumThreshold.objects.all()
    }
    for row in rows:
        v = row.values
        mean, kind = v.get("mean_score"), kinds.get(v.get("kind_id"))
        if mean is None or kind is None:
            continue
        if kind.scale == Scale.MARKS or v.get("subject_id") in marks_subjects:
            if not MARKS_BAND[0] <= mean <= MARKS_BAND[1]:
                warn(
                    row,
                    "mean_score",
                    "средний балл вне шкалы отметок 2–5 этой процедуры: "
                    "проверьте, не первичный ли это балл",
                )
            continue
        threshold = minimum.get((kind.pk, v.get("subject_id"), v.get("year")))
        if threshold and mean < Decimal(threshold) / 2:
            warn(
                row,
                "mean_score",
                f"средний балл ниже половины минимального балла ({threshold}): "
                "проверьте, не по пятибалльной ли шкале он указан",
            )


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
    # A region's own wide form (assessments/layouts.py), and the names of its schools the
    # coordinator chose not to load (normalised; nothing is imported for an unconfirmed school).
    option_names = ("layout", "skip_schools")

    def parse_sheets(self, sheets: list[Sheet], report: ImportReport) -> list[Row]:
        name = self.options.get("layout")
        if not name:
            rows = super().parse_sheets(sheets, report)
            if any(p.row is None and "строка заголовков" in p.expected for p in report.problems):
                self.name_fitting_layouts(sheets, report)
            return rows
        layout = region_layouts(self.user).filter(name=name).first()
        if layout is None:
            saved = ", ".join(
                f"«{n}»" for n in region_layouts(self.user).values_list("name", flat=True)
            )
            report.problems.append(
                Problem(
                    report.file,
                    "—",
                    None,
                    "",
                    name,
                    "такой формы результатов нет; сохранённые формы: " + (saved or "нет"),
                )
            )
            return []
        reader = Unpivot(
            layout.name,
            layout.signature,
            layout.mapping,
            self.columns,
            skip=set(self.options.get("skip_schools") or ()),
            normalise=school_names.normalise,
        )
        return reader.read(sheets, report)

    def name_fitting_layouts(self, sheets: list[Sheet], report: ImportReport) -> None:
        """A file without the template's header may be a region's own form: say which saved
        forms fit it, or that none does."""
        fitting = [layout.name for layout in fitting_layouts(self.user, sheets)]
        if fitting:
            message = (
                "файл похож на сохранённую форму результатов: "
                + ", ".join(f"«{n}»" for n in fitting)
                + "; загрузите его с этой формой (shnor import results ФАЙЛ --layout "
                "«название» или страница «Формы результатов»)"
            )
        else:
            message = (
                "ни одна сохранённая форма результатов не подходит к заголовкам файла; "
                "сопоставьте столбцы формы на странице «Формы результатов»"
            )
        report.problems.append(Problem(report.file, "—", None, "", None, message))

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        by_name = [r for r in rows if r.values.get("school_name") is not None]
        resolve_school_names(by_name, self.user, user_region(self.user), problem)
        resolve_school_codes(
            [r for r in rows if r.values.get("school_name") is None], self.user, problem
        )
        resolve_procedure(rows, problem)

    def existing_filter(self, rows: list[Row]) -> dict[str, Any]:
        return {
            "year__in": {r.values["year"] for r in rows},
            "kind_id__in": {r.values["kind_id"] for r in rows},
        }

    def plausibility(self, rows: list[Row], warn: Callable[[Row | None, str, str], None]) -> None:
        rows = [r for r in rows if None not in (r.values.get(f) for f in self.key_fields)]
        kinds = dict(ProcedureKind.objects.values_list("pk", "code"))
        for row in rows:
            v = row.values
            if (
                kinds.get(v["kind_id"]) in OPEN_TO_PAST_GRADUATES
                and v.get("enrolled") is not None
                and v["participants"] > v["enrolled"]
            ):
                warn(
                    row,
                    "participants",
                    f"участников больше, чем обучающихся ({v['enrolled']}): для "
                    f"{kinds[v['kind_id']]} это возможно — экзамен сдают и выпускники прошлых лет",
                )
        check_means(rows, warn)
        self.check_class_sizes(rows, warn)
        self.check_absent_schools(rows, kinds, warn)

    def earlier(self, rows: list[Row]) -> dict[tuple[Any, ...], Any]:
        """The previous year's stored results of the file's procedures: key → enrolled."""
        years = {r.values["year"] - 1 for r in rows}
        stored = Result.objects.filter(
            year__in=years, kind_id__in={r.values["kind_id"] for r in rows}
        ).values_list(*self.key_fields, "enrolled")
        found = {tuple(values[:-1]): values[-1] for values in stored.iterator(chunk_size=20000)}
        found.update(
            {tuple(r.values[f] for f in self.key_fields): r.values.get("enrolled") for r in rows}
        )
        return found

    def check_class_sizes(
        self, rows: list[Row], warn: Callable[[Row | None, str, str], None]
    ) -> None:
        """«Обучающихся» of a school's class against the same class a year before."""
        before = self.earlier(rows)
        for row in rows:
            v = row.values
            now = v.get("enrolled")
            then = before.get(
                (v["school_id"], v["year"] - 1, v["kind_id"], v["subject_id"], v["grade"])
            )
            if now is not None and then and sharp_change(then, now):
                warn(
                    row,
                    "enrolled",
                    f"обучающихся {now}, а годом раньше {then}: "
                    "численность изменилась резко, проверьте",
                )

    def check_absent_schools(
        self, rows: list[Row], kinds: dict[int, str], warn: Callable[[Row | None, str, str], None]
    ) -> None:
        """A school of the file's municipalities with results of a procedure the year before
        but none in the file's year."""
        present: dict[tuple[int, int], set[int]] = {}
        for row in rows:
            present.setdefault((row.values["kind_id"], row.values["year"]), set()).add(
                row.values["school_id"]
            )
        schools = School.objects.restrict(self.user, self.action).filter(
            municipality__in=School.objects.filter(
                pk__in={r.values["school_id"] for r in rows}
            ).values("municipality")
        )
        for (kind_id, year), there in sorted(present.items()):
            before = set(
                Result.objects.filter(kind_id=kind_id, year=year - 1, school__in=schools)
                .values_list("school_id", flat=True)
                .distinct()
            ) | present.get((kind_id, year - 1), set())
            for code, name in (
                schools.filter(pk__in=before - there).order_by("code").values_list("code", "name")
            ):
                warn(
                    None,
                    "school_code",
                    f"школа {code} «{name}» есть в результатах {kinds[kind_id]} за {year - 1} "
                    f"год, а в файле за {year} год её нет",
                )


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

    def plausibility(self, rows: list[Row], warn: Callable[[Row | None, str, str], None]) -> None:
        check_means(rows, warn)
