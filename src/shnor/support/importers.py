"""Existing programmes from Word and Excel: the measure tables laid out as the seeds lay them
out — seed 000 (Мероприятие / Срок исполнения / Ожидаемые результаты / Исполнители / Документ),
seed 004 (Мероприятия / Сроки / Ответственные / Результаты исполнения), seed 002 (Этап /
Мероприятие / Ответственные / Сроки / Ожидаемый результат / Финансирование). Section rows
(«1. Организация работы…») become the directions of the measures that follow them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from docx import Document

from shnor.core.cells import normalize_header
from shnor.core.importing import Problem
from shnor.core.models import concrete_field
from shnor.core.tabular import UnreadableFile, check_document, read_sheets
from shnor.support.models import Measure
from shnor.support.schedule import parse_deadline

# field → header spellings (normalised: lower case, single spaces, «е» for «ё»)
HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("№ п/п", "№п/п", "№", "n п/п", "номер"),
    "stage": ("этап", "этапы"),
    "text": ("мероприятие", "мероприятия", "наименование мероприятия", "содержание мероприятия"),
    "period": ("срок исполнения", "сроки исполнения", "сроки", "срок", "сроки реализации"),
    "expected_result": (
        "ожидаемые результаты",
        "ожидаемый результат",
        "результаты исполнения",
        "результат",
        "результаты",
    ),
    "executors": ("исполнители", "исполнитель", "ответственные", "ответственный"),
    "document": (
        "документ закрепляющий результат",
        "документ, закрепляющий результат",
        "документ, подтверждающий результат",
        "документ",
    ),
    "financing": ("финансирование", "источник финансирования"),
}
# Text columns: CharFields, which always have a length.
LIMITS = {
    f: cast(int, concrete_field(Measure, f).max_length)
    for f in ("period", "executors", "document", "financing")
}
SECTION_NUMBER = re.compile(r"^\s*\d+(\.\d+)*\.?\s*")
EXPECTED_LAYOUT = (
    "ожидается таблица мероприятий со столбцами «Мероприятие» и «Срок исполнения» "
    "(а также «Ожидаемые результаты», «Исполнители» / «Ответственные», «Документ»)"
)


def section_heading(row: list[str], cells: dict[str, str]) -> str | None:
    """The heading of a section row («1. Организация работы…» alone in its row, or «1» and the
    name, or one text merged across the row); None for a measure. «5.3 Мониторинг …» with no
    other cells is a measure: headings are numbered with whole numbers or not at all."""
    number = cells.get("number", "")
    numeric = re.fullmatch(r"\d+(\.\d+)*\.?", number) is not None
    texts = {c for c in row if c} - ({number} if numeric else set())
    whole = not number or not numeric or re.fullmatch(r"\d+\.?", number) is not None
    if len(texts) != 1 or not whole:
        return None
    return SECTION_NUMBER.sub("", next(iter(texts)))


class ProgrammeImportError(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Table:
    file: str
    name: str  # «таблица 2» in a Word file, or the sheet's name
    rows: list[list[str]]


def clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def read_tables(path: Path, file: str) -> list[Table]:
    if Path(file).suffix.lower() == ".docx":
        check_document(path, file)
        try:
            document = Document(str(path))
        except Exception as exc:  # python-docx raises several types for a damaged file
            raise UnreadableFile(f"{file}: файл не читается как документ Word ({exc})") from exc
        return [
            Table(file, f"таблица {n}", [[clean(c.text) for c in row.cells] for row in t.rows])
            for n, t in enumerate(document.tables, start=1)
        ]
    return [
        Table(file, s.name, [[clean(c) for c in row] for row in s.rows])
        for s in read_sheets(path, file)
    ]


def header_map(row: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(row):
        header = normalize_header(cell).rstrip(":")
        for name, spellings in HEADERS.items():
            if name not in found and header in spellings:
                found[name] = index
    return found


def find_header(table: Table) -> tuple[int, dict[str, int]] | None:
    for index, row in enumerate(table.rows[:15]):
        columns = header_map(row)
        if "text" in columns and "period" in columns:
            return index, columns
    return None


def parse_programme(path: Path, file: str, default_year: int) -> list[dict[str, Any]]:
    """The measures of every recognised table of the file, or ProgrammeImportError naming the
    place of each problem (and, for an unrecognised layout, the columns that were found)."""
    tables = read_tables(path, file)
    measures: list[dict[str, Any]] = []
    problems: list[Problem] = []
    recognised = 0
    for table in tables:
        found = find_header(table)
        if found is None:
            continue
        recognised += 1
        header_index, columns = found
        headers = table.rows[header_index]
        section = stage = ""
        for number, row in enumerate(table.rows[header_index + 1 :], start=header_index + 2):
            cells = {name: row[i] if i < len(row) else "" for name, i in columns.items()}
            if all(re.fullmatch(r"\d*", c) for c in row):
                continue  # blank or the «1 2 3 4 5» column numbering under the header
            if cells.get("stage"):
                stage = SECTION_NUMBER.sub("", cells["stage"])
            heading = section_heading(row, cells)
            if heading is not None:
                section = heading
                continue
            if not cells["text"]:
                continue
            for name, limit in LIMITS.items():
                if len(cells.get(name, "")) > limit:
                    problems.append(
                        Problem(
                            file=table.file,
                            sheet=table.name,
                            row=number,
                            column=headers[columns[name]],
                            value=cells[name][:40] + "…",
                            expected=f"не длиннее {limit} знаков",
                        )
                    )
            measures.append(
                {
                    "direction": stage or section,
                    "text": cells["text"],
                    "period": cells.get("period", ""),
                    "deadline": parse_deadline(cells.get("period", ""), default_year),
                    "expected_result": cells.get("expected_result", ""),
                    "executors": cells.get("executors", ""),
                    "document": cells.get("document", ""),
                    "financing": cells.get("financing", ""),
                }
            )
    if not recognised:
        problems.append(
            Problem(
                file=file,
                sheet=", ".join(t.name for t in tables) or "нет таблиц",
                row=None,
                column="",
                value="",
                expected=f"{EXPECTED_LAYOUT}; найдены столбцы: {found_columns(tables)}",
            )
        )
    elif not measures and not problems:
        problems.append(
            Problem(file, tables[0].name, None, "Мероприятие", "", "в таблице нет мероприятий")
        )
    if problems:
        raise ProgrammeImportError(problems)
    return measures


def found_columns(tables: list[Table]) -> str:
    """The first non-empty row of each table, as the headers a user would recognise."""
    shown = []
    for table in tables:
        first = next((r for r in table.rows if any(r)), [])
        if first:
            shown.append(f"{table.name}: " + " / ".join(f"«{c}»" for c in first if c))
    return "; ".join(shown) or "нет ни одной непустой строки"
