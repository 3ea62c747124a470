"""Reading the tables users bring: XLSX, XLS, ODS (through calamine) and CSV in any usual dress."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


class UnreadableFile(Exception):
    """The file cannot be read as a table at all."""


@dataclass
class Sheet:
    """One sheet of raw cells; row i of `rows` is the sheet's row i + 1."""

    file: str
    name: str
    rows: list[list[Any]]


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM) when it decodes, else Windows-1251, as Russian offices save."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1251")


def read_csv(data: bytes, file: str) -> Sheet:
    text = decode_text(data)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    rows = [list(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return Sheet(file=file, name="CSV", rows=rows)


def read_sheets(path: Path, display_name: str | None = None) -> list[Sheet]:
    """All sheets of a table file, whatever its format."""
    file = display_name or path.name
    suffix = Path(file).suffix.lower() or path.suffix.lower()
    if suffix == ".csv" or suffix == ".txt":
        return [read_csv(path.read_bytes(), file)]
    if suffix not in SPREADSHEET_SUFFIXES:
        raise UnreadableFile(
            f"{file}: неизвестный формат «{suffix or 'без расширения'}»; "
            "ожидается XLSX, XLS, ODS или CSV"
        )
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        return [
            Sheet(
                file=file,
                name=name,
                rows=workbook.get_sheet_by_name(name).to_python(skip_empty_area=False),
            )
            for name in workbook.sheet_names
        ]
    except Exception as exc:  # calamine raises several error types for a damaged file
        raise UnreadableFile(f"{file}: файл не читается как таблица ({exc})") from exc
