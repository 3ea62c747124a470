"""Student-level task scores: a row per paper (pseudonymous student code, variant, a column per
task headed by its number, total, mark, journal mark), from CSV, XLSX, XLS or ODS.

A region sends millions of scores, so the file is read into a Polars frame of text cells and
checked column by column, never cell by cell in Python: a file within the size limit
(SHNOR_MAX_IMPORT_MB) takes a few times its size in memory, and a large region loads one file
per municipality or subject. Every bad cell is still named by file, sheet, row and column, and
the whole file is written in one transaction or not at all (core/importing.py). Names have no
place in these files: a column that looks like full names refuses the file."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection
from django.utils import timezone

from shnor.assessments.catalogue import subject_lookup
from shnor.assessments.importers import PROCEDURE_COLUMNS, PROCEDURE_GRADES
from shnor.assessments.models import ProcedureKind
from shnor.core.bulk import insert_rows
from shnor.core.cells import decimal, integer, normalize_header, normalize_name, text
from shnor.core.importing import Column, Importer, ImportReport, Problem, register
from shnor.core.jobs import Progress
from shnor.core.models import DataStamp
from shnor.core.snapshots import current_stamp
from shnor.core.tabular import (
    Limits,
    Sheet,
    UnreadableFile,
    check_cells,
    check_extent,
    check_size,
    decode_text,
    grouped,
    read_sheets,
)
from shnor.registry.importers import YEAR, schools_by_code
from shnor.taskresults.frames import PAPERS
from shnor.taskresults.models import SCORE_SEPARATOR, Paper, Task

# Problems named one by one; a file wrong in every row says how many more there are.
PROBLEMS_KEPT = 10_000
# Rows written per INSERT batch and progress step.
BATCH = 50_000
# SQLite's page cache during the insert of papers, in kilobytes (see sqlite_cache).
PAGE_CACHE_KB = 128 * 1024
# Marks of a task not attempted in the federal forms.
NOT_ATTEMPTED = ["n", "н", "x", "х", "-", "—"]
# A header of a task: «1», «2.1», «10(1)», «Задание 5», «№ 7».
TASK_HEADER = re.compile(r"^(?:задание|№)?\s*(\d+(?:\.\d+)*(?:\s*\(\d+\))?[а-яa-z]?)$")
NAME_HEADERS = {
    "фио",
    "ф.и.о.",
    "ф. и. о.",
    "фамилия",
    "имя",
    "отчество",
    "фамилия имя",
    "фамилия, имя",
    "фамилия, имя, отчество",
    "фамилия имя отчество",
    "фио участника",
    "фио ученика",
    "фио обучающегося",
    "ученик",
    "обучающийся",
}
# «Иванов Иван», «Иванова Анна Петровна», «Петров И. И.»
NAME_VALUE = (
    r"^[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ](?:[а-яё]+|\.)(?:\s*[А-ЯЁ](?:[а-яё]+|\.))?$"
)
NAME_MESSAGE = (
    "похоже на фамилии и имена участников: в файле по заданиям — только коды участников, "
    "без имён; удалите этот столбец"
)

PAPER_FIELDS = (
    "school_id",
    "year",
    "kind_id",
    "subject_id",
    "grade",
    "student",
    "variant",
    "total",
    "mark",
    "journal_mark",
    "scores",
)
KEY = ["year", "kind_id", "subject_id", "student"]
PAPER_OF = ["year", "kind_id", "subject_id", "grade"]


def cell_text(value: Any) -> str | None:
    """A spreadsheet cell as the text a CSV would carry (a code typed as 100 reads «100»)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Table:
    """One sheet's cells as a Polars frame of text (column_1, column_2, …)."""

    file: str
    name: str
    cells: pl.DataFrame
    encoding: str = ""


def read_csv_frame(path: Path, file: str, limits: Limits) -> Table:
    """A CSV as a sheet whose rows are a Polars frame of text (column_1, column_2, …)."""
    check_size(path, file, limits)
    text_, encoding = decode_text(path.read_bytes(), file)
    lines = text_.splitlines()
    longest = max(map(len, lines), default=0)
    if longest > limits.line_chars:
        raise UnreadableFile(
            f"{file}: строка длиной {grouped(longest)} знаков, допускается не больше "
            f"{grouped(limits.line_chars)} (SHNOR_IMPORT_MAX_LINE_CHARS)"
        )
    first = next((line for line in lines if line.strip()), "")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    width = max((len(r) for r in csv.reader(lines[:30], delimiter=delimiter)), default=1)
    check_extent(file, "CSV", len(lines), width, limits, "размер таблицы")
    check_cells(file, len(lines) * width, limits)
    del lines
    try:
        frame = pl.read_csv(
            text_.encode(),
            has_header=False,
            separator=delimiter,
            schema={f"column_{i + 1}": pl.String for i in range(width)},
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as error:
        raise UnreadableFile(f"{file}: файл не читается как CSV ({error})") from None
    return Table(file, "CSV", frame, encoding)


def read_tables(path: Path, file: str) -> list[Table]:
    """Every sheet of the file with its rows as a Polars frame of text."""
    limits = Limits.from_settings()
    suffix = Path(file).suffix.lower() or path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return [read_csv_frame(path, file, limits)]
    tables: list[Table] = []
    for sheet in read_sheets(path, file, limits):
        width = max(map(len, sheet.rows), default=0)
        columns = {
            f"column_{i + 1}": [cell_text(r[i]) if i < len(r) else None for r in sheet.rows]
            for i in range(width)
        }
        tables.append(
            Table(file, sheet.name, pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)))
        )
    return tables


def blank_to_null(column: str) -> pl.Expr:
    value = pl.col(column).str.strip_chars()
    return pl.when(value.str.len_chars() > 0).then(value).alias(column)


def number(column: str) -> pl.Expr:
    """A text cell as a number (spaces and a decimal comma allowed); null when it is not one."""
    cleaned = pl.col(column).str.replace_all(r"[\s\u00a0]", "").str.replace(",", ".")
    parsed = cleaned.cast(pl.Float64, strict=False)
    return pl.when(parsed.is_finite()).then(parsed)


def score_text(column: str) -> pl.Expr:
    """A score as stored: «2», «0.5»; empty when the task was not attempted."""
    value = pl.col(column)
    whole = value.cast(pl.Int64, strict=False).cast(pl.String)
    return (
        pl.when(value == value.floor()).then(whole).otherwise(value.cast(pl.String)).fill_null("")
    )


@register
class PaperScoresImporter(Importer):
    kind = "task_scores"
    title = "Баллы участников по заданиям (без имён)"
    model = Paper
    columns = [
        Column("Код ОО", "school_code", text(32), required=True, help="код школы из списка"),
        Column("Год", "year", YEAR, required=True),
        *PROCEDURE_COLUMNS,
        Column(
            "Код участника",
            "student",
            text(32),
            required=True,
            help="код участника, без имени; далее — по столбцу на каждое задание, в заголовке "
            "номер задания (1, 2, 10(1)); пусто, N или X — задание не выполнялось",
            aliases=("Код ученика", "Код обучающегося"),
        ),
        Column("Вариант", "variant", text(16)),
        Column(
            "Первичный балл",
            "total",
            decimal(0, 1000, 1),
            help="пусто — сумма баллов за задания",
            aliases=("Сумма баллов", "Итоговый балл"),
        ),
        Column("Отметка", "mark", integer(2, 5), aliases=("Отметка за работу",)),
        Column(
            "Отметка по журналу",
            "journal_mark",
            integer(2, 5),
            help="отметка за предыдущий период",
            aliases=("Отметка за предыдущий период", "Журнальная отметка"),
        ),
    ]
    key_fields = ("year", "kind_id", "subject_id", "student")
    value_fields = ("school_id", "grade", "variant", "total", "mark", "journal_mark", "scores")

    def __init__(self, user: Any) -> None:
        super().__init__(user)
        self.problems_seen = 0

    # -- reading and checking ------------------------------------------------------------

    def read(  # type: ignore[override]
        self, path: Path, display_name: str | None = None
    ) -> tuple[pl.DataFrame, ImportReport]:
        report = ImportReport(kind=self.kind, file=display_name or path.name)
        try:
            tables = read_tables(path, report.file)
        except UnreadableFile as error:
            report.problems.append(Problem(report.file, "—", None, "", None, str(error)))
            return pl.DataFrame(), report
        parts = [p for p in (self.table(t, report) for t in tables) if p is not None]
        if not parts:
            if not report.problems:
                self.header_missing(tables[0] if tables else None, report)
            return pl.DataFrame(), report
        frame = pl.concat(parts, how="diagonal")
        del parts
        report.rows = frame.height
        frame = self.check(frame, report)
        sheets = {t.name: i for i, t in enumerate(tables)}
        columns = {header: i for i, header in enumerate(self.headers.values())}
        report.problems.sort(
            key=lambda p: (sheets.get(p.sheet, -1), p.row or 0, columns.get(p.column, -1))
        )
        if self.problems_seen > len(report.problems):
            report.notices.append(
                f"Показаны первые {grouped(PROBLEMS_KEPT)} ошибок из {grouped(self.problems_seen)}"
            )
        return frame, report

    def header_missing(self, table: Table | None, report: ImportReport) -> None:
        expected = ", ".join(f"«{c.header}»" for c in self.columns if c.required)
        read_as = (
            f" (файл прочитан в кодировке {table.encoding})" if table and table.encoding else ""
        )
        report.problems.append(
            Problem(
                report.file,
                table.name if table else "—",
                None,
                "",
                None,
                f"не найдена строка заголовков{read_as}; ожидаются столбцы: {expected} "
                "и по столбцу на каждое задание",
            )
        )

    def table(self, table: Table, report: ImportReport) -> pl.DataFrame | None:
        """The sheet's data rows under field names and task labels, with `_sheet` and `_row`;
        None for a sheet without this import's header row."""
        cells = table.cells
        head = [list(r) for r in cells.head(30).iter_rows()]
        found = self.find_header(Sheet(table.file, table.name, head))
        if found is None:
            if any(v is not None and v.strip() for r in head for v in r):
                report.notices.append(
                    f"Лист «{table.name}» пропущен: в нём нет строки заголовков этой загрузки"
                )
            return None
        index, positions, _ = found
        header_row = head[index]
        names: dict[str, str] = {}
        self.headers: dict[str, str] = {c.field: c.header for c in self.columns}
        for column in self.columns:
            if column.required and column not in positions.values():
                self.add(
                    report,
                    table.name,
                    index + 1,
                    column.header,
                    None,
                    "обязательный столбец отсутствует в строке заголовков",
                )
        unused = []
        for position, raw in enumerate(header_row):
            source = f"column_{position + 1}"
            if position in positions:
                names[source] = positions[position].field
                continue
            header = normalize_header(raw)
            if not header:
                continue
            task = TASK_HEADER.match(header)
            if task:
                label = re.sub(r"\s+", "", task.group(1))
                names[source] = f"task:{label}"
                self.headers[f"task:{label}"] = str(raw).strip()
            elif header in NAME_HEADERS:
                self.add(report, table.name, index + 1, str(raw).strip(), None, NAME_MESSAGE)
            else:
                names[source] = f"other:{header}"
                self.headers[f"other:{header}"] = str(raw).strip()
                unused.append(str(raw).strip())
        data = (
            cells.slice(index + 1)
            .select(list(names))
            .rename(names)
            .with_columns(blank_to_null(c) for c in names.values())
            .with_row_index("_row", offset=index + 2)
            .with_columns(pl.col("_row").cast(pl.Int64), _sheet=pl.lit(table.name))
        )
        data = data.filter(pl.any_horizontal(pl.col(c).is_not_null() for c in names.values()))
        for other in [c for c in data.columns if c.startswith("other:")]:
            looks_named = data[other].drop_nulls().head(50).str.contains(NAME_VALUE)
            if looks_named.len() and looks_named.mean() > 0.5:  # type: ignore[operator]
                self.add(report, table.name, index + 1, self.headers[other], None, NAME_MESSAGE)
            else:
                report.notices.append(f"Столбец «{self.headers[other]}» не используется и пропущен")
        return data.drop([c for c in data.columns if c.startswith("other:")])

    def add(
        self,
        report: ImportReport,
        sheet: str,
        row: int | None,
        column: str,
        value: Any,
        expected: str,
    ) -> None:
        self.problems_seen += 1
        if len(report.problems) < PROBLEMS_KEPT:
            report.problems.append(Problem(report.file, sheet, row, column, value, expected))

    def flag(
        self, report: ImportReport, frame: pl.DataFrame, mask: pl.Expr, field: str, expected: str
    ) -> None:
        """A problem for every row where `mask` holds, naming the cell of `field`."""
        # lazily, so that only the three columns named are gathered, not the forty of the
        # frame: the checks of a 180,000-row file took 6 s filtering whole frames
        cell = pl.col(field) if field in frame.columns else pl.lit(None, pl.String)
        bad = frame.lazy().filter(mask).select("_sheet", "_row", cell.alias("_cell")).collect()
        if bad.is_empty():
            return
        header = self.headers.get(field, field)
        raw = bad["_cell"]
        kept = max(PROBLEMS_KEPT - len(report.problems), 0)
        for sheet, row, value in zip(
            bad["_sheet"].head(kept), bad["_row"].head(kept), raw.head(kept), strict=True
        ):
            report.problems.append(Problem(report.file, sheet, row, header, value, expected))
        self.problems_seen += bad.height

    def check(self, frame: pl.DataFrame, report: ImportReport) -> pl.DataFrame:
        """Every cell checked column by column; the frame of papers to write when all is well."""
        if any(p.row is not None and "обязательный" in p.expected for p in report.problems):
            return frame
        tasks = [c for c in frame.columns if c.startswith("task:")]
        for optional in ("variant", "total", "mark", "journal_mark"):
            if optional not in frame.columns:
                frame = frame.with_columns(pl.lit(None, pl.String).alias(optional))
        if "grade" not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.String).alias("grade"))
        # names → keys
        codes = schools_by_code(self.user, self.action)
        kinds = {normalize_name(k.code): k for k in ProcedureKind.objects.all()}
        subjects = subject_lookup()
        unique_kinds = frame["kind_code"].drop_nulls().unique().to_list()
        unique_subjects = frame["subject_name"].drop_nulls().unique().to_list()
        kind_ids = {
            raw: kinds[normalize_name(raw)].pk
            for raw in unique_kinds
            if normalize_name(raw) in kinds
        }
        default_grades = {k.pk: k.default_grade for k in kinds.values()}
        frame = frame.with_columns(
            school_id=pl.col("school_code").replace_strict(
                codes, default=None, return_dtype=pl.Int64
            ),
            kind_id=pl.col("kind_code").replace_strict(
                kind_ids, default=None, return_dtype=pl.Int64
            ),
            subject_id=pl.col("subject_name").replace_strict(
                {s: subjects.get(normalize_name(s)) for s in unique_subjects},
                default=None,
                return_dtype=pl.Int64,
            ),
            year_n=number("year"),
            grade_n=number("grade"),
            total_n=number("total"),
            mark_n=number("mark"),
            journal_n=number("journal_mark"),
        )
        frame = frame.with_columns(
            grade_n=pl.col("grade_n").fill_null(
                pl.col("kind_id").replace_strict(
                    default_grades, default=None, return_dtype=pl.Float64
                )
            )
        )
        for field, expected in (
            (
                "school_code",
                "школа с таким кодом не найдена в вашей зоне доступа; "
                "сначала загрузите список школ",
            ),
            ("kind_code", "одна из процедур: " + ", ".join(k.code for k in kinds.values())),
            ("subject_name", "предмет из справочника (Русский язык, Математика, …)"),
        ):
            target = {
                "school_code": "school_id",
                "kind_code": "kind_id",
                "subject_name": "subject_id",
            }[field]
            self.flag(
                report,
                frame,
                pl.col(field).is_not_null() & pl.col(target).is_null(),
                field,
                expected,
            )
        self.flag(
            report,
            frame,
            ~pl.col("year_n").is_between(2000, 2100).fill_null(False)
            & pl.col("year").is_not_null(),
            "year",
            "целое число не меньше 2000 и не больше 2100",
        )
        whole = pl.col("grade_n") == pl.col("grade_n").floor()
        self.flag(
            report,
            frame,
            ~(pl.col("grade_n").is_between(1, 11) & whole).fill_null(False),
            "grade",
            "класс от 1 до 11 (для этой процедуры — обязателен)",
        )
        for code, allowed in PROCEDURE_GRADES.items():
            kind = kinds.get(normalize_name(code))
            if kind is not None:
                self.flag(
                    report,
                    frame,
                    (pl.col("kind_id") == kind.pk)
                    & pl.col("grade_n").is_between(1, 11)
                    & ~pl.col("grade_n").is_in([float(g) for g in sorted(allowed)]),
                    "grade",
                    f"для {code} класс: " + ", ".join(map(str, sorted(allowed))),
                )
        self.flag(
            report,
            frame,
            pl.col("student").str.len_chars() > 32,
            "student",
            "текст не длиннее 32 знаков",
        )
        self.flag(
            report, frame, pl.col("student").str.contains(NAME_VALUE), "student", NAME_MESSAGE
        )
        self.flag(
            report,
            frame,
            pl.col("variant").str.len_chars() > 16,
            "variant",
            "текст не длиннее 16 знаков",
        )
        self.flag(
            report,
            frame,
            pl.col("total").is_not_null() & ~pl.col("total_n").is_between(0, 1000).fill_null(False),
            "total",
            "число от 0 до 1000",
        )
        for field, parsed in (("mark", "mark_n"), ("journal_mark", "journal_n")):
            self.flag(
                report,
                frame,
                pl.col(field).is_not_null()
                & ~pl.col(parsed).is_in([2.0, 3.0, 4.0, 5.0]).fill_null(False),
                field,
                "отметка: 2, 3, 4 или 5",
            )
        frame = frame.with_columns(
            pl.col("year_n").cast(pl.Int64, strict=False).alias("year"),
            pl.col("grade_n").cast(pl.Int64, strict=False).alias("grade"),
        )
        catalogue = self.catalogue(frame, tasks, report)
        frame = frame.join(catalogue, on=PAPER_OF, how="left").with_columns(
            pl.col("_known").fill_null(False),
            _first=pl.int_range(pl.len()).over(PAPER_OF) == 0,
        )
        for task in tasks:
            label = task.removeprefix("task:")
            frame = frame.with_columns(number(task).alias("_value"))
            value, top = pl.col("_value"), pl.col(f"max:{label}")
            attempted = pl.col(task).is_not_null() & ~pl.col(task).str.to_lowercase().is_in(
                NOT_ATTEMPTED
            )
            self.flag(
                report,
                frame,
                attempted & pl.col("_known") & top.is_null(),
                task,
                "задания с таким номером нет в кодификаторе этой работы",
            )
            self.flag(
                report,
                frame,
                attempted & top.is_not_null() & ~value.is_between(0, top).fill_null(False),
                task,
                "балл от 0 до максимального балла задания",
            )
            frame = frame.with_columns(pl.when(attempted).then(value).alias(task))
        frame = frame.drop("_value", strict=False)
        self.flag(
            report,
            frame,
            ~pl.col("_known")
            & pl.col("_first")
            & pl.col("grade").is_not_null()
            & pl.col("kind_id").is_not_null()
            & pl.col("subject_id").is_not_null(),
            "subject_name",
            "для этой работы (год, процедура, предмет, класс) не загружен кодификатор "
            "заданий: загрузите его первым",
        )
        first = pl.col("_row").first().over(KEY)
        sheet = pl.col("_sheet").first().over(KEY)
        duplicated = frame.select(
            "_sheet",
            "_row",
            first.alias("first"),
            sheet.alias("first_sheet"),
            pl.col("student"),
            pl.struct(KEY).is_duplicated().alias("dup"),
        ).filter(
            pl.col("dup") & (pl.col("_row") != pl.col("first"))
            | pl.col("dup") & (pl.col("_sheet") != pl.col("first_sheet"))
        )
        for row in duplicated.head(max(PROBLEMS_KEPT - len(report.problems), 0)).iter_rows(
            named=True
        ):
            where = "" if row["first_sheet"] == row["_sheet"] else f" листа «{row['first_sheet']}»"
            report.problems.append(
                Problem(
                    report.file,
                    row["_sheet"],
                    row["_row"],
                    self.headers["student"],
                    row["student"],
                    f"эта строка повторяет строку {row['first']}{where} (тот же участник и работа)",
                )
            )
        self.problems_seen += duplicated.height
        if report.problems:
            return frame
        return self.papers(frame, tasks, report)

    def catalogue(
        self, frame: pl.DataFrame, tasks: list[str], report: ImportReport
    ) -> pl.DataFrame:
        """Per paper of the file: its tasks' maximum scores (`max:<label>`), the order of its
        scores (`_order`: the catalogue's labels) and whether it has a catalogue at all."""
        keys = frame.select(PAPER_OF).drop_nulls().unique()
        rows = []
        stored: dict[tuple[int, ...], list[tuple[str, float]]] = {}
        for task in (
            Task.objects.filter(
                year__in=keys["year"].to_list(), kind_id__in=keys["kind_id"].to_list()
            )
            .order_by("task_order")
            .values_list(*PAPER_OF, "label", "max_score")
        ):
            stored.setdefault(tuple(task[:4]), []).append((task[4], float(task[5])))
        labels = [t.removeprefix("task:") for t in tasks]
        for key in keys.iter_rows():
            known = stored.get(key)
            maxes = dict(known or [])
            rows.append(
                (
                    *key,
                    known is not None,
                    SCORE_SEPARATOR.join(label for label, _ in known or []),
                    *(maxes.get(label) for label in labels),
                )
            )
            missing = [label for label, _ in known or [] if label not in labels]
            if missing:
                report.warnings.append(
                    Problem(
                        report.file,
                        "—",
                        None,
                        "",
                        None,
                        "в файле нет столбцов заданий "
                        + ", ".join(missing)
                        + " этой работы: они записаны как невыполненные",
                    )
                )
        schema = {
            "year": pl.Int64,
            "kind_id": pl.Int64,
            "subject_id": pl.Int64,
            "grade": pl.Int64,
            "_known": pl.Boolean,
            "_order": pl.String,
            **{f"max:{label}": pl.Float64 for label in labels},
        }
        return pl.DataFrame(rows, schema=schema, orient="row")

    # -- writing -------------------------------------------------------------------------

    def papers(self, frame: pl.DataFrame, tasks: list[str], report: ImportReport) -> pl.DataFrame:
        """The papers as stored: scores in the catalogue's order, the total summed where the
        file leaves it out (a differing total is a warning)."""
        parts, scores = [], 0
        for (order,), group in frame.partition_by("_order", as_dict=True).items():
            labels = str(order).split(SCORE_SEPARATOR)
            present = [f"task:{label}" for label in labels]
            cells = [score_text(c) if c in tasks else pl.lit("") for c in present]
            scored = [pl.col(c) for c in present if c in tasks]
            scores += len(labels) * group.height
            parts.append(
                group.with_columns(
                    scores=pl.concat_str(cells, separator=SCORE_SEPARATOR),
                    summed=pl.sum_horizontal(scored) if scored else pl.lit(0.0),
                )
            )
        # a file of headers only (a blank template) has no paper to partition
        frame = pl.concat(parts) if parts else frame.with_columns(scores=pl.lit(""), summed=0.0)
        differs = (pl.col("total_n") - pl.col("summed")).abs() > 0.05
        bad = frame.filter(differs)
        for sheet, row, value, summed in (
            bad.head(1000).select("_sheet", "_row", "total", "summed").iter_rows()
        ):
            report.warnings.append(
                Problem(
                    report.file,
                    sheet,
                    row,
                    self.headers["total"],
                    value,
                    f"сумма баллов за задания {summed:g}: проверьте первичный балл",
                )
            )
        report.notices.append(f"Баллов за задания: {grouped(scores)}")
        return frame.select(
            "school_id",
            "year",
            "kind_id",
            "subject_id",
            "grade",
            "student",
            pl.col("variant").fill_null(""),
            pl.col("total_n").fill_null(pl.col("summed")).alias("total"),
            pl.col("mark_n").cast(pl.Int64).alias("mark"),
            pl.col("journal_n").cast(pl.Int64).alias("journal_mark"),
            "scores",
        )

    def upsert(  # type: ignore[override]
        self, rows: pl.DataFrame, report: ImportReport, progress: Progress
    ) -> None:
        """New papers inserted, changed ones updated, equal ones left alone; the papers'
        columnar snapshot of the new state written from the stored one and the file, not read
        back: rebuilding it from the table after every file made a region's import quadratic
        (3.7 s of a 14 s file at 2 M scores, half the import at 10 M)."""
        table = Paper._meta.db_table
        # No other writer may change the papers between the stored state read here and this
        # transaction's commit, or the snapshot written below would miss its rows: PostgreSQL
        # takes the stamp's row lock, which every writer's trigger needs; SQLite's IMMEDIATE
        # transactions (settings.py) already hold the one write lock.
        list(DataStamp.objects.select_for_update().filter(table_name=table).values("stamp"))
        stored = PAPERS.read()
        rows = rows.select(pl.col(c).cast(t) for c, t in PAPERS.columns.items())
        new = rows.join(stored, on=KEY, how="anti")
        old = rows.join(stored, on=KEY, how="inner", suffix="_old")
        changed = old.filter(
            pl.any_horizontal(pl.col(f).ne_missing(pl.col(f"{f}_old")) for f in self.value_fields)
        )
        with sqlite_cache(PAGE_CACHE_KB):
            for start in range(0, new.height, BATCH):
                batch = new.slice(start, BATCH)
                insert_rows(Paper, PAPER_FIELDS, batch.select(PAPER_FIELDS).rows())
                progress.advance(batch.height)
        if not changed.is_empty():
            quote = connection.ops.quote_name
            assignments = ", ".join(f"{quote(f)} = %s" for f in (*self.value_fields, "updated"))
            where = " AND ".join(f"{quote(f)} = %s" for f in KEY)
            now = Paper._meta.get_field("updated").get_db_prep_save(timezone.now(), connection)
            values = changed.select(*self.value_fields, *KEY).rows()
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {quote(table)} SET {assignments} WHERE {where}",
                    [(*v[: -len(KEY)], now, *v[-len(KEY) :]) for v in values],
                )
            progress.advance(changed.height)
        report.added, report.changed = new.height, changed.height
        report.unchanged = old.height - changed.height
        if new.height or changed.height:
            PAPERS.save(
                pl.concat([stored.join(rows, on=KEY, how="anti"), rows]), current_stamp(table)
            )


@contextmanager
def sqlite_cache(kilobytes: int) -> Iterator[None]:
    """SQLite's page cache enlarged for a bulk insert, then restored: past a few hundred
    thousand papers the unique key no longer fits the default 2 MB and each insert waits on
    the pages it evicted (42 µs a row instead of 29, measured on 600,000 papers)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(kilobytes)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")
