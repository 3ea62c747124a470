"""Writing test tables in every format users bring."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import Workbook

RESULT_HEADERS = [
    "Код ОО",
    "Год",
    "Процедура",
    "Предмет",
    "Класс",
    "Обучающихся",
    "Участников",
    "Отметка 2",
    "Отметка 3",
    "Отметка 4",
    "Отметка 5",
    "Не преодолели минимальный порог",
    "Средний балл",
    "Понизили",
    "Подтвердили",
    "Повысили",
]


def write_table(
    path: Path, rows: list[list[Any]], *, encoding: str = "utf-8", delimiter: str = ";"
) -> Path:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("w", encoding=encoding, newline="") as out:
            csv.writer(out, delimiter=delimiter).writerows(
                [["" if v is None else v for v in row] for row in rows]
            )
    elif suffix == ".xlsx":
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        workbook.save(path)
    elif suffix == ".xls":
        import xlwt

        workbook = xlwt.Workbook()
        sheet = workbook.add_sheet("Лист1")
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
        workbook.save(str(path))
    elif suffix == ".ods":
        from odf.opendocument import OpenDocumentSpreadsheet
        from odf.table import Table, TableCell, TableRow
        from odf.text import P

        document = OpenDocumentSpreadsheet()
        table = Table(name="Лист1")
        for row in rows:
            table_row = TableRow()
            for value in row:
                if isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value)
                else:
                    cell = TableCell(valuetype="string")
                if value is not None:
                    cell.addElement(P(text=str(value)))
                table_row.addElement(cell)
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
        document.save(str(path))
    else:
        raise ValueError(suffix)
    return path


def result_row(
    code: str,
    year: int = 2025,
    kind: str = "ВПР",
    subject: str = "Математика",
    grade: int | None = 5,
    participants: int = 20,
    marks: tuple[int, ...] = (4, 8, 6, 2),
    **extra: Any,
) -> list[Any]:
    values = {
        "Код ОО": code,
        "Год": year,
        "Процедура": kind,
        "Предмет": subject,
        "Класс": grade,
        "Обучающихся": participants + 2 if isinstance(participants, int) else None,
        "Участников": participants,
        "Отметка 2": marks[0],
        "Отметка 3": marks[1],
        "Отметка 4": marks[2],
        "Отметка 5": marks[3],
        "Средний балл": 3.5,
        **extra,
    }
    return [values.get(h) for h in RESULT_HEADERS]
