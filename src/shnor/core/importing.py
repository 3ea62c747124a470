"""Bulk import: every format becomes the same rows, every cell is checked, and either the whole
file is written in one transaction or nothing is, with every bad cell named.

An importer declares its columns (Russian headers as users write them, a parser each), how a row's
names become keys of the database (`resolve`), and which model and natural key it upserts into.
The cell parsers are in core/cells.py, the bulk SQL in core/bulk.py, the blank template in
core/import_template.py and the background job in core/import_job.py.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import DatabaseError, models, transaction

from shnor.accounts.choices import Action
from shnor.core.audit import record_audit
from shnor.core.bulk import analyze, chunks, insert_rows
from shnor.core.cells import CellError, is_blank, normalize_header, value_limit
from shnor.core.jobs import Progress
from shnor.core.models import concrete_field
from shnor.core.scope import can
from shnor.core.snapshots import SNAPSHOTS
from shnor.core.tabular import Sheet, UnreadableFile, read_sheets


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, with its place."""

    file: str
    sheet: str
    row: int | None
    column: str
    value: Any
    expected: str

    def __str__(self) -> str:
        place = [self.file, f"лист «{self.sheet}»"]
        if self.row is not None:
            place.append(f"строка {self.row}")
        if self.column:
            place.append(f"столбец «{self.column}»")
        value = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        shown = "" if value in (None, "") else f": значение «{value}»"
        return f"{', '.join(place)}{shown} — {self.expected}"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    parse: Callable[[Any], Any]
    required: bool = False
    help: str = ""
    aliases: tuple[str, ...] = ()


@dataclass
class Row:
    """A data row: where it stands, the parsed values, and the keys `resolve` adds."""

    number: int
    values: dict[str, Any]
    unparsed: bool = False
    sheet: str = ""
    # field → where its value stood, when not under the field's own header (a wide form's
    # column letter): messages name that place
    places: dict[str, str] = field(default_factory=dict)


# Warnings kept with a job for its page; the console lists them all.
WARNINGS_KEPT = 1000


@dataclass
class ImportReport:
    kind: str
    file: str
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    # Implausible but real values (ЕГЭ participants above the graduates, a class that halved):
    # named for a person to check, never a reason to refuse the file.
    warnings: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        checked = f" Предупреждений: {len(self.warnings)}." if self.warnings else ""
        if self.problems:
            return f"Ошибок: {len(self.problems)}. Ничего не записано.{checked}"
        if not self.added and not self.changed:
            return f"Строк: {self.rows}. Изменений нет.{checked}"
        return (
            f"Строк: {self.rows}. Добавлено: {self.added}, изменено: {self.changed}, "
            f"без изменений: {self.unchanged}.{checked}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file,
            "rows": self.rows,
            "added": self.added,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "summary": self.summary,
            "problems": [str(p) for p in self.problems],
            "warnings": [str(w) for w in self.warnings[:WARNINGS_KEPT]],
            "warning_count": len(self.warnings),
            "notices": self.notices,
        }


class Importer:
    """One kind of import. Subclasses set the class attributes and `resolve`."""

    kind: ClassVar[str]
    title: ClassVar[str]
    # What the user must be allowed to do to load this kind, and where (core/scope.py): rows
    # are accepted only for the schools where the user may take this action.
    action: ClassVar[str] = Action.IMPORT
    model: ClassVar[type[models.Model]]
    columns: ClassVar[list[Column]]
    key_fields: ClassVar[tuple[str, ...]]
    value_fields: ClassVar[tuple[str, ...]]

    # Options this kind understands beyond the file (`shnor import … --layout`, a job's params).
    option_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, user: Any, **options: Any) -> None:
        self.user = user
        self.options = options

    # -- to override ---------------------------------------------------------------------

    def resolve(self, rows: list[Row], problem: Callable[[Row, str, str], None]) -> None:
        """Turn names into keys in place (row.values gets the key fields); report problems."""

    def existing_filter(self, rows: list[Row]) -> dict[str, Any]:
        """A filter narrowing the existing rows that the file can touch."""
        return {}

    def plausibility(self, rows: list[Row], warn: Callable[[Row | None, str, str], None]) -> None:
        """Name what is possible but unlikely (a warning, `warn`): the file is still loaded.
        Rows whose keys `resolve` could not find have None in their key fields."""

    # -- the machinery -------------------------------------------------------------------

    def find_header(self, sheet: Sheet) -> tuple[int, dict[int, Column], list[str]] | None:
        wanted = {}
        for column in self.columns:
            for name in (column.header, *column.aliases):
                wanted[normalize_header(name)] = column
        for index, cells in enumerate(sheet.rows[:30]):
            found: dict[int, Column] = {}
            extra: list[str] = []
            for position, cell in enumerate(cells):
                match = wanted.get(normalize_header(cell))
                if match is not None and match not in found.values():
                    found[position] = match
                elif not is_blank(cell):
                    extra.append(str(cell).strip())
            if self.is_header(list(found.values())):
                return index, found, extra
        return None

    def is_header(self, found: list[Column]) -> bool:
        """Whether a row naming these columns is the table's header row."""
        return len(found) >= 2 and any(c.required for c in found)

    def parse_sheets(self, sheets: list[Sheet], report: ImportReport) -> list[Row]:
        """Every sheet with this import's header row is a part of one table (a workbook split by
        year or by municipality loads whole, its problems named by sheet); a sheet with data but
        no such header is named in a notice, so that nothing is left out silently."""
        found = [s for s in sheets if self.find_header(s) is not None]
        if not found:
            return self.parse_sheet(sheets[0], report)  # says which header is expected
        for sheet in sheets:
            if sheet not in found and any(not is_blank(c) for row in sheet.rows for c in row):
                report.notices.append(
                    f"Лист «{sheet.name}» пропущен: в нём нет строки заголовков этой загрузки"
                )
        return [row for sheet in found for row in self.parse_sheet(sheet, report)]

    def field_limits(self) -> dict[str, Callable[[Any], str | None]]:
        """For each column stored as it is, what its database column holds: a value the
        parser passes is still refused here when the database would refuse it."""
        limits: dict[str, Callable[[Any], str | None]] = {}
        for column in self.columns:
            try:
                field = concrete_field(self.model, column.field)
            except FieldDoesNotExist:
                continue
            limits[column.field] = value_limit(field)
        return limits

    def parse_sheet(self, sheet: Sheet, report: ImportReport) -> list[Row]:
        header = self.find_header(sheet)
        if header is None:
            read_as = f" (файл прочитан в кодировке {sheet.encoding})" if sheet.encoding else ""
            report.problems.append(
                Problem(
                    sheet.file,
                    sheet.name,
                    None,
                    "",
                    None,
                    f"не найдена строка заголовков{read_as}; ожидаются столбцы: "
                    + ", ".join(f"«{c.header}»" for c in self.columns),
                )
            )
            return []
        header_index, positions, extra = header
        for column in self.columns:
            if column.required and column not in positions.values():
                report.problems.append(
                    Problem(
                        sheet.file,
                        sheet.name,
                        header_index + 1,
                        column.header,
                        None,
                        "обязательный столбец отсутствует в строке заголовков",
                    )
                )
        if extra:
            notice = "Столбцы не используются и пропущены: " + ", ".join(f"«{e}»" for e in extra)
            if notice not in report.notices:
                report.notices.append(notice)
        limits = self.field_limits()
        rows: list[Row] = []
        for index in range(header_index + 1, len(sheet.rows)):
            cells = sheet.rows[index]
            if all(is_blank(c) for c in cells):
                continue
            values: dict[str, Any] = {}
            unparsed = False
            for position, column in positions.items():
                raw = cells[position] if position < len(cells) else None
                if is_blank(raw):
                    values[column.field] = None
                    if column.required:
                        unparsed = True
                        report.problems.append(
                            Problem(
                                sheet.file,
                                sheet.name,
                                index + 1,
                                column.header,
                                None,
                                "значение обязательно",
                            )
                        )
                    continue
                try:
                    values[column.field] = column.parse(raw)
                    limit = limits.get(column.field)
                    if limit is not None and (message := limit(values[column.field])):
                        raise CellError(message)
                except CellError as error:
                    values[column.field] = None
                    unparsed = True
                    report.problems.append(
                        Problem(sheet.file, sheet.name, index + 1, column.header, raw, str(error))
                    )
            rows.append(Row(index + 1, values, unparsed, sheet.name))
        return rows

    def columns_complete(self, report: ImportReport) -> bool:
        """False when the header row itself is wrong: then rows cannot be checked further."""
        return not any(
            p.row is None or "обязательный столбец" in p.expected for p in report.problems
        )

    def header_of(self, field_name: str) -> str:
        return next((c.header for c in self.columns if c.field == field_name), field_name)

    def read(self, path: Path, display_name: str | None = None) -> tuple[list[Row], ImportReport]:
        report = ImportReport(kind=self.kind, file=display_name or path.name)
        try:
            sheets = read_sheets(path, display_name)
        except UnreadableFile as error:
            report.problems.append(Problem(report.file, "—", None, "", None, str(error)))
            return [], report
        if not sheets:
            report.problems.append(Problem(report.file, "—", None, "", None, "в файле нет листов"))
            return [], report
        rows = self.parse_sheets(sheets, report)
        report.rows = len(rows)

        def problem(row: Row, field_name: str, expected: str) -> None:
            report.problems.append(
                Problem(
                    report.file,
                    row.sheet,
                    row.number,
                    row.places.get(field_name) or self.header_of(field_name),
                    row.values.get(field_name),
                    expected,
                )
            )

        def warn(row: Row | None, field_name: str, message: str) -> None:
            report.warnings.append(
                Problem(
                    report.file,
                    row.sheet if row else "—",
                    row.number if row else None,
                    (row.places.get(field_name) if row else None) or self.header_of(field_name),
                    row.values.get(field_name) if row else None,
                    message,
                )
            )

        # Rows whose cells parsed are checked further in the same pass, so that one upload
        # shows every problem of the file.
        parsed = [row for row in rows if not row.unparsed]
        if self.columns_complete(report):
            self.resolve(parsed, problem)
            seen: dict[tuple[Any, ...], Row] = {}
            for row in parsed:
                key = tuple(row.values.get(f) for f in self.key_fields)
                if None in key:
                    continue
                if key in seen:
                    first = seen[key]
                    where = "" if first.sheet == row.sheet else f" листа «{first.sheet}»"
                    problem(
                        row,
                        self.columns[0].field,
                        f"эта строка повторяет строку {first.number}{where} (тот же ключ)",
                    )
                seen[key] = row
            self.plausibility(parsed, warn)
        order = {c.header: i for i, c in enumerate(self.columns)}
        sheet_order = {s.name: i for i, s in enumerate(sheets)}

        def place(p: Problem) -> tuple[int, int, int]:
            return (sheet_order.get(p.sheet, -1), p.row or 0, order.get(p.column, 0))

        report.problems.sort(key=place)
        report.warnings.sort(key=place)
        return rows, report

    def run(
        self, path: Path, display_name: str | None = None, progress: Progress | None = None
    ) -> ImportReport:
        """Check the whole file; write it in one transaction only if nothing is wrong."""
        rows, report = self.read(path, display_name)
        if report.problems:
            record_audit(
                f"import.{self.kind}.failed",
                actor=self.user,
                summary=f"{report.file}: {report.summary}",
                file=report.file,
                errors=len(report.problems),
            )
            return report
        progress = progress or Progress()
        progress.start(len(rows), f"Загрузка: {report.file}")
        try:
            with transaction.atomic():
                self.upsert(rows, report, progress)
                record_audit(
                    f"import.{self.kind}",
                    actor=self.user,
                    summary=report.summary,
                    file=report.file,
                    added=report.added,
                    changed=report.changed,
                )
        except Exception as error:
            # the transaction wrote nothing; the journal still says the file was refused, unless
            # the database itself is what failed (then the original error is the one to see)
            with contextlib.suppress(DatabaseError):
                record_audit(
                    f"import.{self.kind}.failed",
                    actor=self.user,
                    summary=f"{report.file}: запись не выполнена ({type(error).__name__})",
                    file=report.file,
                    errors=1,
                )
            raise
        if report.added:
            analyze(self.model)
        snapshot = SNAPSHOTS.get(self.model._meta.db_table)
        if snapshot is not None and (report.added or report.changed):
            progress.start(1, "Подготовка данных для расчётов")
            snapshot.read()  # writes the new state's file: the next run need not wait for it
            progress.advance()
        return report

    def upsert(self, rows: list[Row], report: ImportReport, progress: Progress) -> None:
        """Insert new keys, update changed values, leave equal rows alone."""
        fields = self.key_fields + self.value_fields
        existing = {
            tuple(values[: len(self.key_fields)]): values
            for values in self.model._default_manager.filter(**self.existing_filter(rows))
            .values_list(*fields, "pk")
            .iterator(chunk_size=20000)
        }
        to_create, to_update = [], []
        for row in rows:
            key = tuple(row.values[f] for f in self.key_fields)
            new_values = tuple(row.values.get(f) for f in self.value_fields)
            old = existing.get(key)
            if old is None:
                to_create.append(key + new_values)
            elif tuple(self.comparable(v) for v in old[len(self.key_fields) : -1]) != tuple(
                self.comparable(v) for v in new_values
            ):
                to_update.append(
                    self.model(pk=old[-1], **dict(zip(fields, key + new_values, strict=True)))
                )
            else:
                report.unchanged += 1
            progress.advance()
        insert_rows(self.model, fields, to_create)
        for batch in chunks(to_update, 2000):
            self.model._default_manager.bulk_update(batch, list(self.value_fields))
        report.added, report.changed = len(to_create), len(to_update)

    @staticmethod
    def comparable(value: Any) -> Any:
        return Decimal(value).normalize() if isinstance(value, (Decimal, float)) else value


IMPORTERS: dict[str, type[Importer]] = {}


def register(importer: type[Importer]) -> type[Importer]:
    IMPORTERS[importer.kind] = importer
    return importer


def importable(user: Any) -> dict[str, type[Importer]]:
    """The kinds of data the user may load, each by the action its importer names."""
    return {kind: i for kind, i in IMPORTERS.items() if can(user, i.action)}


def importer_for(kind: str, user: Any, **options: Any) -> Importer:
    try:
        importer = IMPORTERS[kind]
    except KeyError:
        raise KeyError(
            f"неизвестный вид загрузки «{kind}»; возможны: " + ", ".join(sorted(IMPORTERS))
        ) from None
    if not can(user, importer.action):
        raise PermissionDenied(f"Нет права загружать данные вида «{importer.title}».")
    unknown = sorted(
        name for name, value in options.items() if value and name not in importer.option_names
    )
    if unknown:
        raise KeyError(f"для вида загрузки «{kind}» не применяется: " + ", ".join(unknown))
    return importer(user, **options)
