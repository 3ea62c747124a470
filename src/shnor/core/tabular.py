"""Reading the tables users bring: XLSX, XLS, ODS (through calamine) and CSV in any usual dress.

Reading is bounded by the limits in settings (IMPORT_MAX_*, MAX_IMPORT_MB). calamine builds a
dense grid of a sheet's used range and aborts the whole process when it cannot allocate it (one
cell in A1 and one in XFD1048576 ask for 512 GiB), so the extent of every sheet of an XLSX or
ODS is measured from its XML before calamine opens the file: the archive's members are inflated
here in chunks and counted as they stream, whatever sizes the archive declares, so a zip bomb is
refused after at most the unpacked limit and nothing is held in memory but one chunk."""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast
from xml.etree import ElementTree

from django.conf import settings
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
ZIPPED_SUFFIXES = {".xlsx", ".xlsm", ".ods"}
CHUNK = 1 << 20


class UnreadableFile(Exception):
    """The file cannot be read as a table at all, or is larger than a limit allows."""


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    unpacked_bytes: int
    rows: int
    columns: int
    cells: int
    line_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            file_bytes=settings.MAX_IMPORT_MB * 2**20,
            unpacked_bytes=settings.IMPORT_MAX_UNPACKED_MB * 2**20,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cells=settings.IMPORT_MAX_CELLS,
            line_chars=settings.IMPORT_MAX_LINE_CHARS,
        )


@dataclass
class Sheet:
    """One sheet of raw cells; row i of `rows` is the sheet's row i + 1."""

    file: str
    name: str
    rows: list[list[Any]]
    encoding: str = ""  # a CSV's encoding as read, named when its header row is not found
    # merged ranges ((top, left), (bottom, right)), zero-based and inclusive, as calamine reads
    # them: a form's subject stands once over its block of columns
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)


def grouped(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_extent(file: str, sheet: str, rows: int, columns: int, limits: Limits, what: str) -> None:
    if rows > limits.rows or columns > limits.columns:
        raise UnreadableFile(
            f"{file}, лист «{sheet}»: {what} — {grouped(rows)} строк × {grouped(columns)} "
            f"столбцов (до ячейки {column_letters(columns)}{rows}); допускается не больше "
            f"{grouped(limits.rows)} строк (SHNOR_IMPORT_MAX_ROWS) и {grouped(limits.columns)} "
            "столбцов (SHNOR_IMPORT_MAX_COLUMNS). Удалите лишние ячейки или разделите файл"
        )


def check_cells(file: str, cells: int, limits: Limits) -> None:
    if cells > limits.cells:
        raise UnreadableFile(
            f"{file}: в листах книги {grouped(cells)} ячеек (строки × столбцы заполненной "
            f"области); допускается не больше {grouped(limits.cells)} "
            "(SHNOR_IMPORT_MAX_CELLS). Разделите файл на несколько"
        )


# -- CSV ---------------------------------------------------------------------------------------

# Byte-order marks, longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def decode_text(data: bytes, file: str) -> tuple[str, str]:
    """The text and the name of its encoding: by the byte-order mark when there is one, else
    UTF-8 when it decodes, else Windows-1251, as Russian offices save."""
    for bom, codec, label in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), label
            except UnicodeDecodeError as error:
                raise UnreadableFile(
                    f"{file}: файл начинается с метки кодировки {label}, но не читается в ней "
                    f"(байт {error.start}); сохраните его заново как CSV в UTF-8"
                ) from None
    if b"\x00" in data:  # no text table holds them; UTF-16 holds one in every Latin letter
        raise UnreadableFile(
            f"{file}: в тексте нулевые байты — похоже на UTF-16 без метки порядка байтов; "
            "сохраните файл как CSV в UTF-8 или Windows-1251"
        )
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "Windows-1251"
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"{file}: текст не читается ни в UTF-8, ни в Windows-1251 (байт {error.start}); "
            "сохраните файл как CSV в UTF-8"
        ) from None


def read_csv(data: bytes, file: str, limits: Limits | None = None) -> Sheet:
    limits = limits or Limits.from_settings()
    text, encoding = decode_text(data, file)
    lengths = list(map(len, text.split("\n")))
    longest = max(lengths)
    if longest > limits.line_chars:
        raise UnreadableFile(
            f"{file}: строка {lengths.index(longest) + 1} длиной {grouped(longest)} знаков, "
            f"допускается не больше {grouped(limits.line_chars)} "
            "(SHNOR_IMPORT_MAX_LINE_CHARS); похоже, это не таблица CSV"
        )
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    # A quoted field may run over lines; it is held to the same length as a line.
    csv.field_size_limit(limits.line_chars)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        rows = [list(row) for row in reader]
    except csv.Error as error:
        raise UnreadableFile(
            f"{file}: строка {reader.line_num} не читается как CSV ({error})"
        ) from None
    columns = max(map(len, rows), default=0)
    check_extent(file, "CSV", len(rows), columns, limits, "размер таблицы")
    check_cells(file, len(rows) * columns, limits)
    return Sheet(file=file, name="CSV", rows=rows, encoding=encoding)


# -- the extent of XLSX and ODS sheets, from their XML -------------------------------------


def inflate(raw: BinaryIO, member: zipfile.ZipInfo, file: str) -> Iterator[bytes]:
    """A member's bytes in chunks, inflated here rather than by zipfile, which stops at the size
    the archive declares: calamine would go on inflating whatever the stream holds."""
    damaged = UnreadableFile(f"{file}: файл повреждён (часть «{member.filename}» не читается)")
    if member.flag_bits & 0x1:
        raise UnreadableFile(f"{file}: файл защищён паролем; снимите защиту и сохраните заново")
    raw.seek(member.header_offset)
    header = raw.read(30)
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise damaged
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    raw.seek(member.header_offset + 30 + name_length + extra_length)
    left = member.compress_size
    if member.compress_type == zipfile.ZIP_STORED:
        while left > 0:
            chunk = raw.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
        return
    if member.compress_type != zipfile.ZIP_DEFLATED:
        raise UnreadableFile(
            f"{file}: часть «{member.filename}» сжата неподдерживаемым способом; "
            "сохраните файл заново в Excel или LibreOffice"
        )
    inflater = zlib.decompressobj(-15)
    try:
        while left > 0 and not inflater.eof:
            data = raw.read(min(CHUNK, left))
            if not data:
                return
            left -= len(data)
            while data:
                chunk = inflater.decompress(data, CHUNK)  # at most CHUNK bytes out at a time
                if chunk:
                    yield chunk
                data = inflater.unconsumed_tail
    except zlib.error:
        raise damaged from None


class XlsxExtent:
    """The used range of one worksheet's XML, fed in chunks: the largest row and column any cell
    names, and the range the sheet declares (<dimension>). calamine places a cell by its
    reference, or next to the previous one when it has none; so does this count."""

    ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")
    DIMENSION = re.compile(rb"""<(?:[\w.-]+:)?dimension\s[^>]*\bref=["']([^"']*)["']""")
    REFERENCE = re.compile(rb"""\sr\s*=\s*["']([A-Z]*)([0-9]*)["']""")
    RANGE_END = re.compile(r"([A-Z]+)([0-9]+)$")

    def __init__(self) -> None:
        self.prefix: bytes | None = None
        self.carry = b""
        self.rows = self.columns = 0
        self.declared: tuple[int, int] | None = None
        self.row = self.column = 0  # where the last row and cell stand

    def feed(self, chunk: bytes) -> None:
        data = self.carry + chunk
        cut = data.rfind(b"<")  # a tag is never split between two pieces
        if cut > 0 and b">" not in data[cut:]:
            data, self.carry = data[:cut], data[cut:]
        else:
            self.carry = b""
        if self.prefix is None:
            root = self.ROOT.search(data)
            if root is None:
                return
            self.prefix = root.group(1) or b""
            p = re.escape(self.prefix)
            self.columns_of = re.compile(b"<" + p + rb'c r="([A-Z]+)')
            self.rows_of = re.compile(b"<" + p + rb'c r="[A-Z]+([0-9]+)"')
            self.tags = re.compile(b"<" + p + rb"(row|c)([\s/][^>]*)?>")
        if self.declared is None and (found := self.DIMENSION.search(data)):
            end = self.RANGE_END.search(found.group(1).decode("ascii", "replace").upper())
            self.declared = (int(end[2]), column_number(end[1])) if end else (0, 0)
        self.scan(data)

    def close(self) -> None:
        self.scan(self.carry)

    def scan(self, data: bytes) -> None:
        if self.prefix is None:
            return
        tag = b"<" + self.prefix
        cells = sum(data.count(tag + end) for end in (b"c ", b"c>", b"c/>"))
        rows = sum(data.count(tag + end) for end in (b"row ", b"row>", b"row/>"))
        if cells == data.count(tag + b'c r="') and rows == data.count(tag + b'row r="'):
            # As Excel, LibreOffice and openpyxl write: every cell names its place first.
            for letters in set(self.columns_of.findall(data)):
                self.columns = max(self.columns, column_number(letters.decode()))
            numbers = set(self.rows_of.findall(data))
            if numbers:
                self.rows = max(self.rows, int(max(numbers, key=lambda n: (len(n), n))))
            last_row, last_cell = data.rfind(tag + b'row r="'), data.rfind(tag + b'c r="')
            if last_row > last_cell:
                place = self.REFERENCE.search(data, last_row)
                assert place is not None  # the row tag found there names its place
                self.row = int(place[2])
                self.column = 0
            elif last_cell >= 0:
                place = self.REFERENCE.search(data, last_cell)
                assert place is not None  # the cell tag found there names its place
                self.row, self.column = int(place[2]), column_number(place[1].decode())
            return
        for found in self.tags.finditer(data):
            place = self.REFERENCE.search(found.group(2) or b"")
            if found.group(1) == b"row":
                self.row = int(place[2]) if place and place[2] else self.row + 1
                self.column = 0
                continue
            if place and place[1]:
                self.column = column_number(place[1].decode())
                self.row = int(place[2]) if place[2] else self.row
            else:
                self.column += 1
            self.rows, self.columns = max(self.rows, self.row), max(self.columns, self.column)


TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


class OdsExtent:
    """The used range of every table in an ODS content.xml, fed in chunks. Repeated rows and
    cells count as many times as they repeat, up to the last filled cell: calamine leaves the
    trailing empty ones out, as LibreOffice writes them by the million."""

    def __init__(self) -> None:
        self.parser = ElementTree.XMLPullParser(("start", "end"))
        self.stack: list[ElementTree.Element] = []
        self.tables: dict[str, tuple[int, int]] = {}
        self.name = ""
        self.row = self.rows = self.columns = self.column = self.filled = self.repeat = 0

    def feed(self, chunk: bytes) -> None:
        self.parser.feed(chunk)
        # Only "start" and "end" events were asked for, and both carry an element.
        events = cast("Iterator[tuple[str, ElementTree.Element]]", self.parser.read_events())
        for event, element in events:
            if event == "start":
                self.start(element)
                self.stack.append(element)
                continue
            self.stack.pop()
            self.end(element)
            if element.tag.startswith(TABLE) and self.stack:
                self.stack[-1].remove(element)  # keep the tree as small as one row

    def close(self) -> None:
        self.parser.close()

    @staticmethod
    def repeated(element: ElementTree.Element, attribute: str) -> int:
        return int(element.get(TABLE + attribute, "1"))

    def start(self, element: ElementTree.Element) -> None:
        if element.tag == TABLE + "table":
            self.name = element.get(TABLE + "name") or f"Лист{len(self.tables) + 1}"
            self.row = self.rows = self.columns = 0
        elif element.tag == TABLE + "table-row":
            self.repeat = self.repeated(element, "number-rows-repeated")
            self.column = self.filled = 0

    def end(self, element: ElementTree.Element) -> None:
        if element.tag in (TABLE + "table-cell", TABLE + "covered-table-cell"):
            count = self.repeated(element, "number-columns-repeated")
            if element.get(OFFICE + "value-type") or len(element):
                self.filled = self.column + count
            self.column += count
        elif element.tag == TABLE + "table-row":
            if self.filled:
                self.rows, self.columns = self.row + self.repeat, max(self.columns, self.filled)
            self.row += self.repeat
        elif element.tag == TABLE + "table":
            self.tables[self.name] = (self.rows, self.columns)


def xlsx_sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet member → the sheet's name, as the workbook and its relationships tell."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in relations}
    names = {}
    for sheet in workbook.iter():
        if sheet.tag.endswith("}sheet"):
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            member = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            names[posixpath.normpath(member)] = sheet.get("name", member)
    return names


def measure_zip(path: Path, file: str, limits: Limits) -> dict[str, tuple[int, int]]:
    """Sheet name → (rows, columns) of its used range, checked against the limits on the way."""
    unpacked_limit = (
        f"допускается не больше {grouped(limits.unpacked_bytes // 2**20)} МБ "
        "(SHNOR_IMPORT_MAX_UNPACKED_MB)"
    )
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise UnreadableFile(f"{file}: файл не читается как таблица ({error})") from None
    with archive, path.open("rb") as raw:
        members = archive.infolist()
        declared = sum(m.file_size for m in members)
        if declared > limits.unpacked_bytes:
            raise UnreadableFile(
                f"{file}: в распакованном виде файл занимает {grouped(declared // 2**20)} МБ; "
                f"{unpacked_limit}"
            )
        names = xlsx_sheet_names(archive)
        extents: dict[str, tuple[int, int]] = {}
        unpacked = 0
        for member in members:
            scan: XlsxExtent | OdsExtent = (
                OdsExtent() if member.filename == "content.xml" else XlsxExtent()
            )
            try:
                for chunk in inflate(raw, member, file):
                    unpacked += len(chunk)
                    if unpacked > limits.unpacked_bytes:
                        raise UnreadableFile(
                            f"{file}: при распаковке файл больше объявленного размера и больше "
                            f"допустимого: {unpacked_limit}"
                        )
                    scan.feed(chunk)
                scan.close()
            except (ElementTree.ParseError, ValueError):
                raise UnreadableFile(
                    f"{file}: файл повреждён (часть «{member.filename}» не читается)"
                ) from None
            if isinstance(scan, OdsExtent):
                extents.update(scan.tables)
            elif scan.prefix is not None:
                name = names.get(posixpath.normpath(member.filename), member.filename)
                if scan.declared:
                    check_extent(file, name, *scan.declared, limits, "объявленный размер листа")
                extents[name] = (scan.rows, scan.columns)
    for name, (rows, columns) in extents.items():
        check_extent(file, name, rows, columns, limits, "заполненная область листа")
    check_cells(file, sum(rows * columns for rows, columns in extents.values()), limits)
    return extents


def check_size(path: Path, file: str, limits: Limits) -> None:
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise UnreadableFile(
            f"{file}: файл {size / 2**20:.1f} МБ, допускается не больше "
            f"{grouped(limits.file_bytes // 2**20)} МБ (SHNOR_MAX_IMPORT_MB)"
        )


def check_document(path: Path, file: str) -> None:
    """A Word file (a zip archive as XLSX is) within the file and unpacked limits, before a
    reader that holds its whole XML in memory opens it."""
    limits = Limits.from_settings()
    check_size(path, file, limits)
    measure_zip(path, file, limits)


def read_sheets(
    path: Path, display_name: str | None = None, limits: Limits | None = None
) -> list[Sheet]:
    """All sheets of a table file, whatever its format, within the reading limits."""
    limits = limits or Limits.from_settings()
    file = display_name or path.name
    suffix = Path(file).suffix.lower() or path.suffix.lower()
    check_size(path, file, limits)
    if suffix == ".csv" or suffix == ".txt":
        return [read_csv(path.read_bytes(), file, limits)]
    if suffix not in SPREADSHEET_SUFFIXES:
        raise UnreadableFile(
            f"{file}: неизвестный формат «{suffix or 'без расширения'}»; "
            "ожидается XLSX, XLS, ODS или CSV"
        )
    if suffix in ZIPPED_SUFFIXES:
        measure_zip(path, file, limits)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets, cells = [], 0
        for name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(name)
            # calamine's own extent: the only measure of an XLS (whose format stops at 65,536
            # rows × 256 columns), a second one of the others
            rows, columns = (sheet.end[0] + 1, sheet.end[1] + 1) if sheet.end else (0, 0)
            check_extent(file, name, rows, columns, limits, "заполненная область листа")
            cells += rows * columns
            check_cells(file, cells, limits)
            merged = sheet.merged_cell_ranges or []  # None where the format keeps none
            sheets.append(Sheet(file, name, sheet.to_python(skip_empty_area=False), merged=merged))
        return sheets
    except UnreadableFile:
        raise
    except Exception as exc:  # calamine raises several error types for a damaged file
        raise UnreadableFile(f"{file}: файл не читается как таблица ({exc})") from exc


# -- writing tables -------------------------------------------------------------------------

# Text a spreadsheet may take for a formula («=HYPERLINK(…)» as a school's name): the starts
# Excel and LibreOffice evaluate, and the tab and carriage return that can precede them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell no spreadsheet runs: text that starts like a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xlsx_bytes(workbook: Workbook) -> bytes:
    """The workbook saved with every text cell written as text: openpyxl stores a string that
    starts with «=» as a formula, so such cells are turned back into strings, and every
    formula-like text is marked with the quote prefix, so that editing it keeps it text."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
