"""A run's list as CSV (the output contract), XLSX and DOCX ready to attach to a приказ; the
consolidated list of a year as XLSX and DOCX."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import QuerySet
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from shnor.core.tabular import csv_cell, xlsx_bytes
from shnor.identification.choices import Status
from shnor.identification.consolidated import Consolidated
from shnor.identification.explain import explain, indicator_kind, parameter_value
from shnor.identification.history import with_items
from shnor.identification.models import Run, SchoolStatus

CSV_COLUMNS = [
    "school_code",
    "school_name",
    "municipality",
    "status",
    "indicators_triggered",
    "indicators_total",
]


YES_NO = {"1": "да", "0": "нет"}  # a triggered indicator's flag, in words for the XLSX


def lay_out_list(sheet: Any) -> None:
    """A list sheet as a coordinator reads it: a bold wrapped header, the school's code, name,
    municipality and status wide enough, the header and codes frozen, a filter on every column."""
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (12, 50, 25, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions


def indicator_codes(run: Run) -> list[str]:
    return [i["code"] for i in run.definition["indicators"]]


def flag(item: dict[str, Any] | None) -> str:
    if item is None or not item["applicable"]:
        return ""
    return "1" if item["triggered"] else "0"


def ordered(statuses: QuerySet[SchoolStatus]) -> list[SchoolStatus]:
    """By municipality and name, with their evidence."""
    return with_items(
        statuses.select_related("school__municipality", "run").order_by(
            "school__municipality__name", "school__name"
        )
    )


def table_rows(run: Run, statuses: list[SchoolStatus]) -> list[list[Any]]:
    codes = indicator_codes(run)
    rows = []
    for s in statuses:
        by_code = {e["indicator"]: e for e in s.items}
        rows.append(
            [
                s.school.code,
                s.school.name,
                s.school.municipality.name,
                s.status,
                s.indicators_triggered,
                s.indicators_total,
                *(flag(by_code.get(c)) for c in codes),
            ]
        )
    return rows


def to_csv(run: Run, statuses: QuerySet[SchoolStatus]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS + indicator_codes(run))
    writer.writerows([map(csv_cell, row) for row in table_rows(run, ordered(statuses))])
    return out.getvalue()


def to_xlsx(run: Run, statuses: QuerySet[SchoolStatus]) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "Список"
    labels = dict(Status.choices)
    sheet.append(
        [
            "Код ОО",
            "Наименование ОО",
            "Муниципалитет",
            "Статус",
            "Сработало",
            "Всего показателей",
            *(i["label"] for i in run.definition["indicators"]),
            "Обоснование",
        ]
    )
    chosen = ordered(statuses)
    for status, row in zip(chosen, table_rows(run, chosen), strict=True):
        row[3] = labels[row[3]]
        row[6:] = [YES_NO.get(flag, flag) for flag in row[6:]]
        sheet.append([*row, explain(status.status, status.items)])
    lay_out_list(sheet)
    legend = workbook.create_sheet("Показатели")
    legend.append(["Показатель", "Как считается"])
    for indicator in run.definition["indicators"]:
        legend.append([indicator["label"], indicator_kind(indicator)])
    params = workbook.create_sheet("Параметры")
    params.append(["Список", run_note(run)])
    params.append(["Год", run.year])
    for spec in run.definition["parameters"].values():
        params.append([spec["label"], parameter_value(spec)])
    for ws in (legend, params):
        ws.column_dimensions["A"].width = 60
        ws.column_dimensions["B"].width = 80
    return xlsx_bytes(workbook)


APPENDIX_SECTIONS = (
    (Status.LOW_RESULTS, "1. Школы с низкими образовательными результатами (ШНОР)"),
    (Status.RISK_ZONE, "2. Школы в зоне риска снижения образовательных результатов"),
)


def appendix_title(where: str, year: int) -> str:
    return (
        f"Список школ с низкими образовательными результатами и школ, находящихся в "
        f"зоне риска снижения образовательных результатов ({where}, по итогам {year} года)"
    )


def order_appendix(
    title: str,
    note: str,
    sections: list[tuple[str, list[tuple[str, str, str]]]],
    reasons_header: str = "Основания",
) -> bytes:
    """A list as an appendix to a приказ (DOCX, landscape): a heading, a note on where the list
    comes from, and per section a table of municipality, school and reasons."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    heading.add_run("Приложение к приказу\nот «___» ____________ 20__ г. № ____")
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(title).bold = True
    document.add_paragraph(note)
    for caption, rows in sections:
        document.add_paragraph().add_run(caption).bold = True
        if not rows:
            document.add_paragraph("Нет.")
            continue
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells,
            ("№", "Муниципалитет", "Наименование ОО", reasons_header),
            strict=True,
        ):
            cell.text = text
            cell.paragraphs[0].runs[0].bold = True
        for number, (place, school, reasons) in enumerate(rows, start=1):
            for cell, text in zip(
                table.add_row().cells, (str(number), place, school, reasons), strict=True
            ):
                cell.text = text
        for row in table.rows:
            for cell, width in zip(row.cells, (Cm(1), Cm(4), Cm(8), Cm(12)), strict=True):
                cell.width = width
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def run_note(run: Run) -> str:
    """Where a list comes from, for its documents."""
    if run.methodology is None:
        return f"Список получен: {run.get_source_display()}, файл «{run.file_name}»."
    return (
        f"Методика: {run.methodology.name}, версия {run.methodology.version}. "
        f"Источник: {run.methodology.source}"
    )


def to_docx(run: Run, statuses: QuerySet[SchoolStatus]) -> bytes:
    where = run.municipality.name if run.municipality else run.region.name
    sections = [
        (
            caption,
            [
                (
                    s.school.municipality.name,
                    s.school.name,
                    "; ".join(f"{e['label']} ({e['detail']})" for e in s.items if e["triggered"]),
                )
                for s in ordered(statuses.filter(status=status))
            ],
        )
        for status, caption in APPENDIX_SECTIONS
    ]
    return order_appendix(appendix_title(where, run.year), run_note(run), sections)


def consolidated_docx(consolidated: Consolidated, where: str) -> bytes:
    """The consolidated list as the appendix to a приказ: each school once, under its strongest
    status, with every list that names it."""
    sections = [
        (
            caption,
            [
                (
                    row.school.municipality.name,
                    row.school.name,
                    row.sources(consolidated.columns),
                )
                for row in consolidated.rows
                if row.status == status
            ],
        )
        for status, caption in APPENDIX_SECTIONS
    ]
    note = "Сводный список по источникам: " + ", ".join(consolidated.columns.values()) + "."
    return order_appendix(
        appendix_title(where, consolidated.year), note, sections, "Источники и основания"
    )


def consolidated_xlsx(consolidated: Consolidated) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "Сводный список"
    sheet.append(
        [
            "Код ОО",
            "Наименование ОО",
            "Муниципалитет",
            "Статус",
            *(
                f"{label}: {part}"
                for label in consolidated.columns.values()
                for part in ("статус", "основания")
            ),
        ]
    )
    for row in consolidated.rows:
        cells: list[Any] = []
        for entry in consolidated.cells(row):
            cells += [Status(entry.status).label, entry.reasons] if entry else ["", ""]
        sheet.append(
            [
                row.school.code,
                row.school.name,
                row.school.municipality.name,
                Status(row.status).label,
                *cells,
            ]
        )
    lay_out_list(sheet)
    return xlsx_bytes(workbook)
