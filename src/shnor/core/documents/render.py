"""A report to DOCX (through an editable Word template), XLSX (the numbers) and PDF.

The DOCX template is a Word file with the fields {{ organisation }}, {{ title }},
{{ subtitle }}, {{ date }} and {{p body }} (the report itself). A region or municipality puts
its own letterhead and wording into `<data>/report_templates/<kind>.docx` (or `default.docx`);
otherwise the built-in template is used, and it can be downloaded as a starting point."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import matplotlib
from django.conf import settings
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docxtpl import DocxTemplate
from fpdf import FPDF
from openpyxl import Workbook
from openpyxl.styles import Font

from shnor.core.documents.content import Report, Table
from shnor.core.tabular import xlsx_bytes

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
FONT_BOLD = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"


def default_template() -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    document.add_paragraph("{{ organisation }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("{{ title }}").bold = True
    document.add_paragraph("{{ subtitle }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph("{{p body }}")
    document.add_paragraph("Подготовлено: {{ date }}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def template_for(kind: str) -> bytes:
    folder = Path(settings.DATA_DIR) / "report_templates"
    for name in (f"{kind}.docx", "default.docx"):
        if (folder / name).exists():
            return (folder / name).read_bytes()
    return default_template()


def to_docx(report: Report, organisation: str) -> bytes:
    template = DocxTemplate(io.BytesIO(template_for(report.kind)))
    body = template.new_subdoc()
    for section in report.sections:
        body.add_heading(section.heading, level=2)
        for paragraph in section.paragraphs:
            body.add_paragraph(paragraph)
        if section.chart:
            body.add_picture(io.BytesIO(section.chart), width=Cm(16))
        if section.table:
            table = body.add_table(rows=1, cols=len(section.table.headers))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, section.table.headers, strict=True):
                cell.text = text
            for row in section.table.rows:
                for cell, text in zip(table.add_row().cells, row, strict=True):
                    cell.text = str(text)
    body.add_heading("Источники данных", level=2)
    for source in report.sources:
        body.add_paragraph(source)
    template.render(
        {
            "organisation": organisation,
            "title": report.title,
            "subtitle": report.subtitle,
            "date": date.today().strftime("%d.%m.%Y"),
            "body": body,
        }
    )
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def to_xlsx(report: Report) -> bytes:
    workbook = Workbook()
    summary = workbook.worksheets[0]
    summary.title = "Справка"
    summary.append([report.title])
    summary.append([report.subtitle])
    summary["A1"].font = Font(bold=True)
    for section in report.sections:
        for paragraph in section.paragraphs:
            summary.append([paragraph])
    for number, section in enumerate((s for s in report.sections if s.table), start=1):
        sheet = workbook.create_sheet(f"Таблица {number}")
        sheet.append([section.heading])
        table = section.table
        assert table is not None  # sections without a table are left out above
        sheet.append(table.headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(row)
        sheet.column_dimensions["A"].width = 45
    sources = workbook.create_sheet("Источники")
    for source in report.sources:
        sources.append([source])
    return xlsx_bytes(workbook)


PDF_CELL_LIMIT = 900  # a longer cell would not fit a page; the DOCX and XLSX keep it whole


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def column_widths(pdf: FPDF, table: Table, available: float) -> tuple[float, ...]:
    """Each column at least as wide as its longest word, so that no word is split («Муниципа|
    литет»); the width left over goes to the columns with longer texts."""
    columns = list(zip(table.headers, *table.rows, strict=True))
    padding = 2.5  # mm: fpdf2's cell padding on both sides, and a margin for bold headers
    least = [
        max(pdf.get_string_width(word) for value in column for word in str(value).split() or [""])
        + padding
        for column in columns
    ]
    wanted = [sum(len(str(v)) for v in column) / len(column) + 1 for column in columns]
    spare = max(0.0, available - sum(least))
    return tuple(w + spare * want / sum(wanted) for w, want in zip(least, wanted, strict=True))


def table_font_size(pdf: FPDF, table: Table, available: float) -> float:
    """The largest of 9, 8, 7, 6 pt at which the table's longest words fit the page width."""
    for size in (9, 8, 7, 6):
        pdf.set_font_size(size)
        if sum(column_widths(pdf, table, 0)) <= available:
            return size
    return 6


def to_pdf(report: Report, organisation: str) -> bytes:
    pdf = FPDF(orientation="P", format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", size=9)
    pdf.cell(0, 6, organisation, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, report.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)
    pdf.multi_cell(0, 6, report.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    for section in report.sections:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(0, 6, section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", size=9)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 5, paragraph, new_x="LMARGIN", new_y="NEXT")
        if section.chart:
            pdf.image(io.BytesIO(section.chart), w=170)
        if section.table:
            available = pdf.epw
            table_font_size(pdf, section.table, available)
            with pdf.table(
                text_align="LEFT",
                line_height=pdf.font_size_pt * 0.5,
                col_widths=column_widths(pdf, section.table, available),
                width=available,
            ) as table:
                header = table.row()
                for text in section.table.headers:
                    header.cell(text)
                for values in section.table.rows:
                    row = table.row()
                    for text in values:
                        row.cell(shorten(str(text), PDF_CELL_LIMIT))
            pdf.set_font_size(9)
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(0, 6, "Источники данных", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=8)
    for source in report.sources:
        pdf.multi_cell(0, 4, source, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


RENDERERS = {"docx": to_docx, "xlsx": lambda report, organisation: to_xlsx(report), "pdf": to_pdf}
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
