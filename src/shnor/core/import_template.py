"""The blank spreadsheet a user fills in for an import kind."""

from __future__ import annotations

from pathlib import Path

from shnor.core.importing import IMPORTERS


def write_template(kind: str, path: Path) -> Path:
    """A blank XLSX with the import's headers and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    importer = IMPORTERS[kind]
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "Данные"
    sheet.append([c.header for c in importer.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, column in enumerate(importer.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            12, min(40, len(column.header) + 4)
        )
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("Пояснения")
    notes.append(["Столбец", "Обязательный", "Что указывать"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in importer.columns:
        notes.append([column.header, "да" if column.required else "нет", column.help])
    notes.column_dimensions["A"].width = 40
    notes.column_dimensions["C"].width = 90
    workbook.save(path)
    return path
