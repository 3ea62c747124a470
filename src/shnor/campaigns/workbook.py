"""A campaign's form as an XLSX a school fills in offline, and reading it back.

Sheet «Вопросы»: one question a row, the answer in column E. One sheet «Таблица N» for each
table: its rows down column A, its columns across from B. The file is read through
core/tabular.py (bounded, any usual format) and its answers go through the same AnswersForm as
the page; an error names the sheet, the row and the column, and nothing is kept unless every
answer fits."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from shnor.campaigns.answering import NO, YES, AnswersForm, initial_of, slots
from shnor.campaigns.choices import QuestionType
from shnor.campaigns.models import Assignment
from shnor.core.tabular import UnreadableFile, column_letters, read_sheets, xlsx_bytes

QUESTIONS_SHEET = "Вопросы"
ANSWER_COLUMN = 5  # E
FIRST_ROW = 3  # rows 1–2: the title and the header
FILL = PatternFill("solid", fgColor="FFF4CC")  # the cells to fill in


def table_sheet(number: int) -> str:
    return f"Таблица {number}"


def conditions(item: dict[str, Any]) -> str:
    parts = ["обязательно" if item["required"] else "можно не заполнять"]
    if item.get("min") is not None:
        parts.append(f"не меньше {item['min']:g}".replace(".", ","))
    if item.get("max") is not None:
        parts.append(f"не больше {item['max']:g}".replace(".", ","))
    if item.get("choices"):
        parts.append("варианты: " + "; ".join(item["choices"]))
    if item["type"] == QuestionType.DATE:
        parts.append("дата ДД.ММ.ГГГГ")
    return ", ".join(parts)


def form_workbook(assignment: Assignment) -> bytes:
    """The form with the school's saved answers filled in."""
    campaign = assignment.campaign
    definition = campaign.definition
    initial = initial_of(definition, assignment.answers)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its sheet
    sheet.title = QUESTIONS_SHEET
    sheet.append([f"{campaign.title} ({campaign.round_label}), {assignment.school.name}"])
    sheet.append(["№", "Вопрос", "Тип", "Условия", "Ответ"])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    yes_no = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    for n, question in enumerate(definition["questions"], 1):
        row = FIRST_ROW + n - 1
        sheet.append(
            [
                n,
                question["text"],
                QuestionType(question["type"]).label,
                conditions(question),
                initial.get(f"q{n}"),
            ]
        )
        answer = sheet.cell(row, ANSWER_COLUMN)
        answer.fill = FILL
        if question["type"] == QuestionType.YESNO:
            yes_no.add(answer)
        elif question["type"] == QuestionType.DATE:
            answer.number_format = "DD.MM.YYYY"
    for width, letter in ((5, "A"), (70, "B"), (10, "C"), (40, "D"), (25, "E")):
        sheet.column_dimensions[letter].width = width
    for t, table in enumerate(definition["tables"], 1):
        grid = book.create_sheet(table_sheet(t))
        grid.append([table["title"]])
        grid.append(["Строка", *(f"{c['text']} ({conditions(c)})" for c in table["columns"])])
        for r, title in enumerate(table["rows"], 1):
            grid.append(
                [
                    title,
                    *(initial.get(f"t{t}_{r}_{c}") for c in range(1, len(table["columns"]) + 1)),
                ]
            )
            for c in range(1, len(table["columns"]) + 1):
                grid.cell(FIRST_ROW + r - 1, 1 + c).fill = FILL
        grid.column_dimensions["A"].width = 40
    return xlsx_bytes(book)


def as_text(value: Any) -> str:
    """A cell as the text a field on the page would receive."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


class WorkbookErrors(ValueError):
    """Every place of the file that does not fit, in Russian."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def read_answers(
    assignment: Assignment, path: Path, file_name: str, *, strict: bool = True
) -> dict[str, Any]:
    """The answers of a filled-in form file, checked as on the page; WorkbookErrors names every
    bad cell by sheet, row and column."""
    definition = assignment.campaign.definition
    try:
        sheets = {s.name: s for s in read_sheets(path, file_name)}
    except UnreadableFile as error:
        raise WorkbookErrors([str(error)]) from None
    needed = [QUESTIONS_SHEET] if definition["questions"] else []
    needed += [table_sheet(t) for t in range(1, len(definition["tables"]) + 1)]
    missing = [name for name in needed if name not in sheets]
    if missing:
        raise WorkbookErrors(
            [f"{file_name}: нет листа «{name}»; скачайте форму кампании заново" for name in missing]
        )
    data: dict[str, str] = {}
    places: dict[str, tuple[str, int, int]] = {}
    for slot in slots(definition):
        if slot.table:
            name, row, column = table_sheet(slot.table), FIRST_ROW + slot.row - 1, 1 + slot.column
        else:
            name = QUESTIONS_SHEET
            row, column = FIRST_ROW + int(slot.name[1:]) - 1, ANSWER_COLUMN
        rows = sheets[name].rows
        cells = rows[row - 1] if row <= len(rows) else []
        data[slot.name] = as_text(cells[column - 1] if column <= len(cells) else None)
        places[slot.name] = (name, row, column)
    form = AnswersForm(definition, data, strict=strict)
    if not form.is_valid():
        errors = []
        for field, messages in form.errors.items():
            name, row, column = places[field]
            errors.append(
                f"{file_name}, лист «{name}», строка {row}, столбец {column_letters(column)} "
                f"(«{data[field]}»): {' '.join(map(str, messages))}"
            )
        raise WorkbookErrors(errors)
    return form.answers()
