"""The bank in aggregates as a workbook: the same tables as the municipal page, small groups
hidden; no code or name of a student."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from shnor.core.tabular import xlsx_bytes
from shnor.students.difficulty_counts import HIDDEN, Group

TABLES = (
    ("schools", "По школам"),
    ("grades", "По классам"),
    ("subjects", "По предметам"),
    ("reasons", "По основаниям"),
)
HEADER = ["", "Обучающихся в банке", "Участников процедур", "Доля, %", "С ИОМ", "Преодолели"]


def cell(value: int | float | None) -> Any:
    return HIDDEN if value is None else value


def picture_xlsx(tables: dict[str, Any], territory: str, year_label: str) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.worksheets[0])
    for key, title in TABLES:
        sheet = workbook.create_sheet(title)
        sheet.append([f"Банк обучающихся с затруднениями в обучении: {territory}, {year_label}"])
        sheet["A1"].font = Font(bold=True)
        sheet.append([title.replace("По ", "").capitalize(), *HEADER[1:]])
        for c in sheet[2]:
            c.font = Font(bold=True)
        group: Group
        for group in tables[key]:
            share = None if group.share is None else round(group.share, 1)
            sheet.append(
                [
                    group.label,
                    cell(group.students),
                    group.assessed if group.assessed is not None else "—",
                    cell(share) if group.assessed is not None else "—",
                    cell(group.with_route),
                    cell(group.overcome),
                ]
            )
        sheet.append([f"Группы менее 5 обучающихся скрыты: «{HIDDEN}»."])
        sheet.column_dimensions["A"].width = 50
    return xlsx_bytes(workbook)
