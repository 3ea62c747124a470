"""Imports of the task catalogue and of ФИС ОКО's «Выполнение заданий» shares per school; the
student-level scores, which come in millions, have their own streaming import (paper_import.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import models

from shnor.assessments.importers import PROCEDURE_COLUMNS, resolve_procedure
from shnor.core.bulk import chunks, insert_rows
from shnor.core.cells import choice, decimal, integer, text
from shnor.core.importing import Column, Importer, ImportReport, Row, register
from shnor.core.jobs import Progress
from shnor.registry.importers import YEAR, resolve_school_codes
from shnor.registry.models import School
from shnor.taskresults import paper_import  # noqa: F401  (registers the student-level import)
from shnor.taskresults.choices import ShareLevel, TaskLevel
from shnor.taskresults.models import Paper, ReferenceTaskShare, SchoolTaskShare, Task

PaperKey = tuple[int, int, int, int]  # year, kind, subject, grade

TASK_LEVELS = {
    "базовый": TaskLevel.BASIC,
    "б": TaskLevel.BASIC,
    "повышенный": TaskLevel.ADVANCED,
    "п": TaskLevel.ADVANCED,
    "высокий": TaskLevel.HIGH,
    "в": TaskLevel.HIGH,
}
TASK_LABEL = Column(
    "Номер задания",
    "label",
    text(16),
    required=True,
    help="как в работе, например 1 или 10(1)",
    aliases=("Задание", "№ задания", "Номер"),
)
MAX_SCORE = decimal(0.5, 100, 1)
PERCENT = decimal(0, 100, 2)


def paper_key(row: Row) -> PaperKey:
    v = row.values
    return (v["year"], v["kind_id"], v["subject_id"], v["grade"])


def stored_catalogues(keys: Iterable[PaperKey]) -> dict[PaperKey, dict[str, Task]]:
    """The stored tasks of these papers: paper → label → task."""
    keys = set(keys)
    found: dict[PaperKey, dict[str, Task]] = {}
    if not keys:
        return found
    tasks = Task.objects.filter(
        year__in={k[0] for k in keys}, kind_id__in={k[1] for k in keys}
    ).order_by("task_order")
    for task in tasks:
        key = (task.year, task.kind_id, task.subject_id, task.grade)
        if key in keys:
            found.setdefault(key, {})[task.label] = task
    return found


def papers_stored(keys: Iterable[PaperKey]) -> set[PaperKey]:
    keys = set(keys)
    if not keys:
        return set()
    stored = (
        Paper.objects.filter(year__in={k[0] for k in keys}, kind_id__in={k[1] for k in keys})
        .values_list("year", "kind_id", "subject_id", "grade")
        .distinct()
    )
    return set(stored) & keys


def upsert_keyed(
    model: type[models.Model],
    key_fields: tuple[str, ...],
    value_fields: tuple[str, ...],
    rows: dict[tuple[Any, ...], tuple[Any, ...]],
    narrowing: dict[str, Any],
) -> tuple[int, int]:
    """Insert new keys and update changed values of a secondary table; (added, changed)."""
    fields = key_fields + value_fields
    existing = {
        tuple(values[: len(key_fields)]): values
        for values in model._default_manager.filter(**narrowing).values_list(*fields, "pk")
    }
    to_create, to_update = [], []
    for key, new_values in rows.items():
        old = existing.get(key)
        if old is None:
            to_create.append(key + new_values)
        elif tuple(map(Importer.comparable, old[len(key_fields) : -1])) != tuple(
            map(Importer.comparable, new_values)
        ):
            values = dict(zip(fields, key + new_values, strict=True))
            to_update.append(model(id=old[-1], **values))
    insert_rows(model, fields, to_create)
    for batch in chunks(to_update, 2000):
        model._default_manager.bulk_update(batch, list(value_fields))
    return len(to_create), len(to_update)


@register
class TaskCatalogueImporter(Importer):
    kind = "task_catalogue"
    title = "Кодификатор заданий (задания, умения, уровни сложности)"
    model = Task
    columns = [
        Column("Год", "year", YEAR, required=True, help="год проведения процедуры"),
        *PROCEDURE_COLUMNS,
        TASK_LABEL,
        Column(
            "Порядок",
            "task_order",
            integer(1, 200),
            help="место задания в работе; пусто — по порядку строк",
        ),
        Column(
            "Максимальный балл",
            "max_score",
            MAX_SCORE,
            required=True,
            aliases=("Макс. балл", "Максимальный первичный балл"),
        ),
        Column("Код КЭС/КТ", "skill_code", text(64), aliases=("Код КЭС", "Код КТ", "КЭС")),
        Column(
            "Проверяемое умение",
            "skill",
            text(1000),
            help="проверяемый элемент содержания или требование",
            aliases=("Проверяемые требования (умения)", "Блоки ПООП", "Проверяемый элемент"),
        ),
        Column(
            "Уровень",
            "level",
            choice(TASK_LEVELS, "уровень сложности"),
            help="базовый, повышенный или высокий",
            aliases=("Уровень сложности",),
        ),
    ]
    key_fields = ("year", "kind_id", "subject_id", "grade", "label")
    value_fields = ("task_order", "max_score", "skill_code", "skill", "level")

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        resolve_procedure(rows, problem)
        rows = [r for r in rows if None not in (r.values.get(f) for f in self.key_fields[:4])]
        papers: dict[PaperKey, list[Row]] = {}
        for row in rows:
            for field_name in ("skill_code", "skill", "level"):
                row.values[field_name] = row.values.get(field_name) or ""
            papers.setdefault(paper_key(row), []).append(row)
        stored = stored_catalogues(papers)
        with_papers = papers_stored(papers)
        for key, paper_rows in papers.items():
            orders: dict[int, Row] = {}
            for position, row in enumerate(paper_rows, start=1):
                order = row.values.get("task_order") or position
                row.values["task_order"] = order
                if order in orders:
                    problem(
                        row, "task_order", f"тот же порядок, что у строки {orders[order].number}"
                    )
                orders[order] = row
            if key in with_papers:
                # the scores of stored papers follow the catalogue's order: it may not change
                before = {label: t.task_order for label, t in stored.get(key, {}).items()}
                after = before | {r.values["label"]: r.values["task_order"] for r in paper_rows}
                if sorted(after, key=after.__getitem__) != sorted(before, key=before.__getitem__):
                    problem(
                        paper_rows[0],
                        "label",
                        "по этой работе уже загружены баллы учеников: состав и порядок заданий "
                        "менять нельзя (только баллы, умения и уровни)",
                    )

    def existing_filter(self, rows: list[Row]) -> dict[str, Any]:
        return {"year__in": {r.values["year"] for r in rows}}


REFERENCE_COLUMNS = {
    ShareLevel.MUNICIPALITY: "municipality_percent",
    ShareLevel.REGION: "region_percent",
    ShareLevel.RUSSIA: "russia_percent",
}


@register
class TaskSharesImporter(Importer):
    """ФИС ОКО's «Выполнение заданий»: a row per school and task with the shares of the school,
    its municipality, the region and Russia (% выполнения)."""

    kind = "task_shares"
    title = "Выполнение заданий по школам (форма ФИС ОКО)"
    model = SchoolTaskShare
    columns = [
        Column("Код ОО", "school_code", text(32), required=True, help="код школы из списка"),
        Column("Год", "year", YEAR, required=True),
        *PROCEDURE_COLUMNS,
        Column(
            TASK_LABEL.header, "task", TASK_LABEL.parse, required=True, aliases=TASK_LABEL.aliases
        ),
        Column(
            "Проверяемое умение",
            "skill",
            text(1000),
            aliases=("Проверяемые требования (умения)", "Блоки ПООП", "Проверяемый элемент"),
        ),
        Column(
            "Максимальный балл",
            "max_score",
            MAX_SCORE,
            help="нужен, пока для работы не загружен кодификатор",
            aliases=("Макс. балл", "Макс балл"),
        ),
        Column("Участников", "participants", integer(), help="участников в школе"),
        Column(
            "ОО",
            "done_percent",
            PERCENT,
            required=True,
            help="% выполнения задания в школе",
            aliases=("% выполнения", "ОО, %", "Выполнение ОО, %"),
        ),
        Column(
            "Муниципалитет",
            "municipality_percent",
            PERCENT,
            help="% выполнения в муниципалитете",
            aliases=("АТЕ", "Муниципалитет, %"),
        ),
        Column(
            "Регион",
            "region_percent",
            PERCENT,
            help="% выполнения в регионе",
            aliases=("Субъект", "Регион, %"),
        ),
        Column(
            "Россия",
            "russia_percent",
            PERCENT,
            help="% выполнения по России",
            aliases=("РФ", "Вся выборка", "Россия, %"),
        ),
    ]
    key_fields = ("school_id", "year", "kind_id", "subject_id", "grade", "task")
    value_fields = ("task_order", "done_percent", "participants")
    reference_key = (
        "level",
        "municipality_id",
        "region_id",
        "year",
        "kind_id",
        "subject_id",
        "grade",
        "task",
    )

    def __init__(self, user: Any) -> None:
        super().__init__(user)
        self.new_tasks: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.references: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        resolve_school_codes(rows, self.user, problem)
        resolve_procedure(rows, problem)
        rows = [r for r in rows if None not in (r.values.get(f) for f in self.key_fields)]
        papers: dict[PaperKey, list[Row]] = {}
        for row in rows:
            papers.setdefault(paper_key(row), []).append(row)
        stored = stored_catalogues(papers)
        for key, paper_rows in papers.items():
            catalogue = stored.get(key)
            if catalogue is not None:
                for row in paper_rows:
                    task = catalogue.get(row.values["task"])
                    row.values["task_order"] = task.task_order if task else None
                    if task is None:
                        problem(
                            row,
                            "task",
                            "номер задания из кодификатора этой работы ("
                            + ", ".join(catalogue)
                            + ")",
                        )
                continue
            # no catalogue yet: the form's tasks, in their order, become the paper's catalogue
            order: dict[str, int] = {}
            for row in paper_rows:
                label = row.values["task"]
                if label not in order:
                    order[label] = len(order) + 1
                    if row.values.get("max_score") is None:
                        problem(
                            row,
                            "max_score",
                            "максимальный балл обязателен, пока для работы нет кодификатора",
                        )
                    self.new_tasks[(*key, label)] = (
                        order[label],
                        row.values.get("max_score"),
                        "",
                        row.values.get("skill") or "",
                        "",
                    )
                row.values["task_order"] = order[label]
        self.collect_references(rows, problem)

    def collect_references(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        """The territories' shares the rows repeat: each territory × task once, the same in
        every row that gives it."""
        places = dict(
            (pk, (municipality, region))
            for pk, municipality, region in School.objects.filter(
                pk__in={r.values["school_id"] for r in rows}
            ).values_list("pk", "municipality_id", "municipality__region_id")
        )
        first: dict[tuple[Any, ...], Row] = {}
        for row in rows:
            v = row.values
            municipality, region = places[v["school_id"]]
            for level, field_name in REFERENCE_COLUMNS.items():
                percent = v.get(field_name)
                if percent is None or v.get("task_order") is None:
                    continue
                territory = {
                    ShareLevel.MUNICIPALITY: (municipality, region),
                    ShareLevel.REGION: (None, region),
                    ShareLevel.RUSSIA: (None, None),
                }[level]
                key = (level.value, *territory, *paper_key(row), v["task"])
                if key in first:
                    if self.references[key][1] != percent:
                        problem(
                            row,
                            field_name,
                            f"в строке {first[key].number} для той же территории и задания "
                            f"указано {self.references[key][1]}",
                        )
                    continue
                first[key] = row
                self.references[key] = (v["task_order"], percent, None)

    def existing_filter(self, rows: list[Row]) -> dict[str, Any]:
        return {
            "year__in": {r.values["year"] for r in rows},
            "kind_id__in": {r.values["kind_id"] for r in rows},
        }

    def upsert(self, rows: list[Row], report: ImportReport, progress: Progress) -> None:
        super().upsert(rows, report, progress)
        narrowing = self.existing_filter(rows)
        added, _ = upsert_keyed(
            Task,
            TaskCatalogueImporter.key_fields,
            TaskCatalogueImporter.value_fields,
            self.new_tasks,
            narrowing,
        )
        if added:
            report.notices.append(f"В кодификатор добавлено заданий: {added}")
        added, changed = upsert_keyed(
            ReferenceTaskShare,
            self.reference_key,
            ("task_order", "done_percent", "participants"),
            self.references,
            narrowing,
        )
        if added or changed:
            report.notices.append(
                f"Выполнение заданий по территориям: добавлено {added}, изменено {changed}"
            )
