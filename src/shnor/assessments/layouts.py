"""Regional results forms as they are: title rows above the table, a header of one to three rows
with merged cells (a subject over a block of measures), one row per school and a block of
columns per subject. A layout says once what each column or block of such a form is; reading a
workbook through it unpivots every school × subject into one long row of the results import
contract, each value remembering its place (sheet, row, column letter) for the messages.

Pure functions over `core.tabular.Sheet`s (read within the import limits); the layout itself is
plain JSON (`mapping`) with the header signature that recognises the form on the next upload.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from rapidfuzz import fuzz, process

from shnor.accounts.choices import Action
from shnor.assessments.catalogue import subject_lookup
from shnor.assessments.models import Layout, Subject
from shnor.core.cells import CellError, is_blank, normalize_header, normalize_name
from shnor.core.importing import Column, ImportReport, Problem, Row
from shnor.core.tabular import Sheet, column_letters, column_number
from shnor.registry.importers import user_region

FORMAT = "shnor-layout"
VERSION = 1
# A header is looked for in the first rows only: a title block is a few lines, not a page.
HEADER_SEARCH_ROWS = 30
# Header text kept per cell in a signature and a preview: a longer «header» is not a header.
HEADER_TEXT_LIMIT = 300
YEAR_IN_TEXT = re.compile(r"(?<!\d)(20\d\d)(?!\d)")
TOTAL_ROW = re.compile(r"^\s*(итого|всего)\b", re.IGNORECASE)


class Role:
    """What a single column of a form holds."""

    IGNORE = ""
    SCHOOL_NAME = "school_name"
    SCHOOL_CODE = "school_code"
    MUNICIPALITY = "municipality"
    YEAR = "year"
    ENROLLED = "enrolled"
    MEASURE = "measure"

    LABELS = {
        IGNORE: "не загружать",
        SCHOOL_NAME: "название школы",
        SCHOOL_CODE: "код школы",
        MUNICIPALITY: "муниципалитет",
        YEAR: "год",
        ENROLLED: "обучающихся (на всю школу)",
    }


class YearFrom:
    SHEET = "sheet"
    COLUMN = "column"


# Measures a block's lower header may name: fields of the results contract.
BLOCK_MEASURES = (
    "participants",
    "below_min",
    "mark2",
    "mark3",
    "mark4",
    "mark5",
    "mean_score",
    "enrolled",
    "lowered",
    "confirmed",
    "raised",
)
# Counts of a form's blank cells are zeros (the forms leave them empty); a blank mean is no mean.
NOT_ZERO_WHEN_BLANK = {"mean_score", "enrolled"}

# Words of a header that say what it is; the first hit wins, so the narrower come first.
MEASURE_WORDS = (
    ("не преодол", "below_min"),
    ("ниже мин", "below_min"),
    ("min порог", "below_min"),
    ("средн", "mean_score"),
    ("приня", "participants"),
    ("участ", "participants"),
    ("«2»", "mark2"),
    ("отметка 2", "mark2"),
    ("«3»", "mark3"),
    ("отметка 3", "mark3"),
    ("«4»", "mark4"),
    ("отметка 4", "mark4"),
    ("«5»", "mark5"),
    ("отметка 5", "mark5"),
    ("понизил", "lowered"),
    ("подтверд", "confirmed"),
    ("повысил", "raised"),
)
ROLE_WORDS = (
    ("код", Role.SCHOOL_CODE),
    ("образовательная организация", Role.SCHOOL_NAME),
    ("наименование оо", Role.SCHOOL_NAME),
    ("школа", Role.SCHOOL_NAME),
    ("муниципал", Role.MUNICIPALITY),
    ("район", Role.MUNICIPALITY),
    ("всего выпускников", Role.ENROLLED),
    ("обучающихся", Role.ENROLLED),
    ("год", Role.YEAR),
)
KIND_WORDS = ("ЕГЭ", "ОГЭ", "ВПР")


class LayoutError(ValueError):
    """A layout (a saved mapping or an imported file) that cannot be used; the message is
    Russian and names what is wrong."""


# -- reading a sheet's header --------------------------------------------------------------------


def cell_text(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()[:HEADER_TEXT_LIMIT]


def spread_rows(sheet: Sheet, upto: int) -> list[list[str]]:
    """The first `upto` rows as text, every merged range's text spread over all its cells."""
    rows = [[cell_text(c) for c in row] for row in sheet.rows[:upto]]
    for (top, left), (bottom, right) in sheet.merged:
        if top >= len(rows):
            continue
        value = rows[top][left] if left < len(rows[top]) else ""
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, min(right, len(rows[r]) - 1) + 1):
                rows[r][c] = value
    return rows


def is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def looks_like_header(cells: list[str]) -> bool:
    """Two or more different texts and no number: a data row (even a total) has numbers."""
    texts = {c for c in cells if c and not is_number(c)}
    return len(texts) >= 2 and not any(c and is_number(c) for c in cells)


def is_numbering(cells: list[str]) -> bool:
    """A row of column numbers under a header («1 2 3 … 5 6 7 8 9»)."""
    filled = [c for c in cells if c]
    return bool(filled) and all(c.isdigit() and int(c) <= len(cells) for c in filled)


@dataclass(frozen=True)
class Header:
    start: int  # index of the first header row
    rows: int  # header rows, numbering rows included
    named: int  # header rows with names (the numbering rows follow them)


def find_header(sheet: Sheet) -> Header | None:
    """The first run of rows that read as a header, with any row of column numbers right
    under it."""
    rows = spread_rows(sheet, HEADER_SEARCH_ROWS + 3)
    for start in range(min(HEADER_SEARCH_ROWS, len(rows))):
        if not looks_like_header(rows[start]):
            continue
        end = start
        while end + 1 < len(rows) and looks_like_header(rows[end + 1]):
            end += 1
        named = end - start + 1
        while end + 1 < len(rows) and is_numbering(rows[end + 1]):
            end += 1
        return Header(start, end - start + 1, named)
    return None


def signature_of(sheet: Sheet, start: int, count: int) -> list[list[str]]:
    """Header rows as compared between uploads: normalised, without digits (a year in a header
    changes every year, the form does not), trailing blanks dropped."""
    rows = spread_rows(sheet, start + count)[start : start + count]
    signature = []
    for cells in rows:
        row = [re.sub(r"\s+", " ", re.sub(r"\d+", "", normalize_header(c))).strip() for c in cells]
        while row and not row[-1]:
            row.pop()
        signature.append(row)
    return signature


def locate(sheet: Sheet, signature: list[list[str]]) -> int | None:
    """Where the layout's header rows stand in the sheet, if they do."""
    if not signature or not any(signature):
        return None
    for start in range(min(HEADER_SEARCH_ROWS, len(sheet.rows))):
        if signature_of(sheet, start, len(signature)) == signature:
            return start
    return None


# -- the structure of a header, for the mapping page ----------------------------------------


@dataclass
class SingleColumn:
    column: str  # letter
    label: str
    role: str


@dataclass
class Block:
    label: str  # the upper header, the subject as the form writes it
    columns: list[tuple[str, str]]  # (letter, lower header)
    subject: str  # a guess from the catalogue, "" when none


@dataclass
class Structure:
    sheet: str
    header: Header
    singles: list[SingleColumn]
    blocks: list[Block]
    measures: dict[str, str]  # lower header → guessed field ("" = ignore)
    kind: str
    titles: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.singles) + sum(len(b.columns) for b in self.blocks)


def guess(text: str, words: Iterable[tuple[str, str]], default: str = "") -> str:
    lowered = normalize_header(text)
    return next((value for word, value in words if word in lowered), default)


SUBJECT_NOISE = re.compile(r",?\s*чел\.?|\(в т\.?\s*ч\..*?\)|\(.*?участв.*?\)", re.IGNORECASE)


def clean_subject(label: str) -> str:
    return re.sub(r"\s+", " ", SUBJECT_NOISE.sub(" ", label)).strip(" ,.")


def subject_spellings() -> dict[str, str]:
    """Every normalised spelling of a catalogue subject → the subject's name."""
    names = dict(Subject.objects.values_list("pk", "name"))
    return {spelling: names[pk] for spelling, pk in subject_lookup().items()}


def guess_subject(label: str, subjects: dict[str, str]) -> str:
    """A catalogue subject for a block's upper header: by a spelling the catalogue knows, else
    by close similarity (a typo, «Математика (профиль)»); "" when nothing is close."""
    key = normalize_name(clean_subject(label))
    if key in subjects:
        return subjects[key]
    found = process.extractOne(key, list(subjects), scorer=fuzz.ratio, score_cutoff=90)
    return subjects[found[0]] if found else ""


def structure(sheet: Sheet, subjects: dict[str, str]) -> Structure | None:
    """What the header of a sheet says: single columns and blocks, each with a guess.
    `subjects`: every normalised spelling of a catalogue subject → its name."""
    header = find_header(sheet)
    if header is None:
        return None
    rows = spread_rows(sheet, header.start + header.named)[header.start :]
    width = max(len(r) for r in rows)
    upper_of = [
        rows[-2][c] if header.named >= 2 and c < len(rows[-2]) else "" for c in range(width)
    ]
    lower_of = [rows[-1][c] if c < len(rows[-1]) else "" for c in range(width)]
    singles: list[SingleColumn] = []
    blocks: list[Block] = []
    for c in range(width):
        upper, lower = upper_of[c], lower_of[c]
        spans = upper and (
            (c > 0 and upper_of[c - 1] == upper) or (c + 1 < width and upper_of[c + 1] == upper)
        )
        letter = column_letters(c + 1)
        if spans and lower and lower != upper:
            if blocks and blocks[-1].label == upper and c > 0 and upper_of[c - 1] == upper:
                blocks[-1].columns.append((letter, lower))
            else:
                subject = guess_subject(upper, subjects)
                if any(b.subject == subject for b in blocks):  # a near spelling of another
                    subject = ""
                blocks.append(Block(upper, [(letter, lower)], subject))
            continue
        texts = list(dict.fromkeys(r[c] for r in rows if c < len(r) and r[c]))
        label = " / ".join(texts)
        if label:
            singles.append(SingleColumn(letter, label, guess(label, ROLE_WORDS)))
    measures = {lower: guess(lower, MEASURE_WORDS) for b in blocks for _letter, lower in b.columns}
    titles = [t for r in spread_rows(sheet, header.start) for t in dict.fromkeys(r) if t]
    kind = next((k for k in KIND_WORDS for t in titles if k in t), "")
    return Structure(sheet.name, header, singles, blocks, measures, kind, titles)


def widest(sheets: list[Sheet], subjects: dict[str, str]) -> int:
    """The sheet to map first: the one with the widest header (the results, not a side sheet)."""
    best, index = -1, 0
    for i, sheet in enumerate(sheets):
        found = structure(sheet, subjects)
        if found is not None and found.width > best:
            best, index = found.width, i
    return index


# -- the mapping ------------------------------------------------------------------------------


def proposed_mapping(found: Structure) -> dict[str, Any]:
    """The mapping as guessed from the headers, before the coordinator changes anything."""
    return build_mapping(
        found,
        kind=found.kind,
        grade=None,
        year_from=YearFrom.SHEET,
        roles={s.column: s.role for s in found.singles},
        subjects={i: b.subject for i, b in enumerate(found.blocks)},
        measures=found.measures,
    )


def build_mapping(
    found: Structure,
    *,
    kind: str,
    grade: int | None,
    year_from: str,
    roles: dict[str, str],
    subjects: dict[int, str],
    measures: dict[str, str],
) -> dict[str, Any]:
    """The layout's mapping from what the coordinator chose: roles of single columns by letter,
    a subject per block (by its index), a field per lower header; "" leaves a column out."""
    columns: list[dict[str, Any]] = []
    for single in found.singles:
        role = roles.get(single.column, "")
        if role:
            columns.append({"column": single.column, "role": role})
    for index, block in enumerate(found.blocks):
        subject = subjects.get(index, "")
        if not subject:
            continue
        for letter, lower in block.columns:
            measure = measures.get(lower, "")
            if measure:
                columns.append(
                    {"column": letter, "role": Role.MEASURE, "subject": subject, "measure": measure}
                )
    mapping = {
        "format": FORMAT,
        "version": VERSION,
        "header_rows": found.header.rows,
        "kind": kind,
        "grade": grade,
        "year": year_from,
        "columns": columns,
    }
    check_mapping(mapping)
    return mapping


def check_mapping(mapping: Any) -> None:
    """Raise LayoutError unless the mapping can be read: a school column, a year, at least one
    subject block with its participants, no column or subject measure given twice."""
    if not isinstance(mapping, dict) or mapping.get("format") != FORMAT:
        raise LayoutError("это не описание формы результатов (нет метки «shnor-layout»)")
    if mapping.get("version") != VERSION:
        raise LayoutError(f"версия описания формы {mapping.get('version')!s} не поддерживается")
    columns = mapping.get("columns")
    if not isinstance(columns, list) or not all(isinstance(c, dict) for c in columns):
        raise LayoutError("в описании формы нет списка столбцов")
    roles = [c.get("role") for c in columns]
    if roles.count(Role.SCHOOL_NAME) + roles.count(Role.SCHOOL_CODE) != 1:
        raise LayoutError("укажите ровно один столбец с названием или кодом школы")
    if mapping.get("year") == YearFrom.COLUMN:
        if roles.count(Role.YEAR) != 1:
            raise LayoutError("год взят из столбца: укажите ровно один столбец «год»")
    elif mapping.get("year") != YearFrom.SHEET and not (
        isinstance(mapping.get("year"), int) and 2000 <= mapping["year"] <= 2100
    ):
        raise LayoutError("год: из названия листа, из столбца или число от 2000 до 2100")
    letters: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for column in columns:
        letter = str(column.get("column", ""))
        if not re.fullmatch(r"[A-Z]{1,3}", letter):
            raise LayoutError(f"столбец «{letter}»: ожидается буква столбца, например «E»")
        if letter in letters:
            raise LayoutError(f"столбец {letter} указан дважды")
        letters.add(letter)
        role = column.get("role")
        if role == Role.MEASURE:
            pair = (str(column.get("subject", "")), str(column.get("measure", "")))
            if pair[1] not in BLOCK_MEASURES or not pair[0]:
                raise LayoutError(f"столбец {letter}: предмет и показатель не указаны")
            if pair in pairs:
                raise LayoutError(f"столбец {letter}: показатель предмета «{pair[0]}» повторён")
            pairs.add(pair)
        elif role not in Role.LABELS or role == Role.IGNORE:
            raise LayoutError(f"столбец {letter}: неизвестное назначение")
    with_participants = {s for s, m in pairs if m == "participants"}
    if not with_participants:
        raise LayoutError("укажите хотя бы один предмет и его столбец «участников»")
    if missing := sorted({s for s, _m in pairs} - with_participants):
        raise LayoutError(
            "у предметов нет столбца «участников»: " + ", ".join(f"«{s}»" for s in missing)
        )
    header_rows = mapping.get("header_rows")
    if not isinstance(header_rows, int) or not 1 <= header_rows <= 10:
        raise LayoutError("число строк заголовка: от 1 до 10")
    if not isinstance(mapping.get("kind"), str) or not mapping["kind"]:
        raise LayoutError("укажите процедуру (ЕГЭ, ОГЭ, ВПР, …)")


def check_signature(signature: Any) -> None:
    if not (
        isinstance(signature, list)
        and signature
        and all(isinstance(r, list) and all(isinstance(c, str) for c in r) for r in signature)
    ):
        raise LayoutError("в описании формы нет строк заголовка")


# -- wide to long -----------------------------------------------------------------------------


def year_of_sheet(name: str) -> int | None:
    found = YEAR_IN_TEXT.search(name)
    return int(found.group(1)) if found else None


@dataclass
class Unpivot:
    """Reads the sheets of one workbook through a layout into long rows of the contract."""

    name: str
    signature: list[list[str]]
    mapping: dict[str, Any]
    columns: list[Column]  # the importer's, for the parsers and the headers
    skip: set[str] = field(default_factory=set)  # normalised school names not to load
    normalise: Callable[[str], str] = normalize_name

    def read(self, sheets: list[Sheet], report: ImportReport) -> list[Row]:
        rows: list[Row] = []
        matched = 0
        for sheet in sheets:
            start = locate(sheet, self.signature)
            if start is None:
                if any(not is_blank(c) for r in sheet.rows for c in r):
                    report.notices.append(
                        f"Лист «{sheet.name}» пропущен: его заголовки не совпадают с формой "
                        f"«{self.name}» — это не результаты этой формы"
                    )
                continue
            matched += 1
            rows.extend(self.read_sheet(sheet, start, report))
        if not matched:
            report.problems.append(
                Problem(
                    report.file,
                    "—",
                    None,
                    "",
                    None,
                    f"ни один лист не совпадает по заголовкам с формой «{self.name}»",
                )
            )
        if self.skipped:
            report.notices.append(
                "Не загружены школы, сопоставление которых не подтверждено: "
                + "; ".join(f"«{s}»" for s in sorted(self.skipped))
            )
        return rows

    def __post_init__(self) -> None:
        self.skipped: set[str] = set()
        self.parsers = {c.field: c for c in self.columns}

    def place(self, letter: str, label: str) -> str:
        return f"{letter} ({label})" if label else letter

    def sheet_year(self, sheet: Sheet, start: int, report: ImportReport) -> int | None:
        year = year_of_sheet(sheet.name)
        if year is None:
            report.problems.append(
                Problem(
                    sheet.file,
                    sheet.name,
                    None,
                    "",
                    None,
                    "год берётся из названия листа, а в названии нет года (например «2023»)",
                )
            )
            return None
        # Titles above the table and the headers of single columns state the year of the
        # table; a block's header may name another on purpose («участвовавшие в 2022 году»).
        singles = {
            column_number(c["column"]) - 1
            for c in self.mapping["columns"]
            if c["role"] != Role.MEASURE
        }
        header_rows = range(start, start + len(self.signature))
        for index in range(start + len(self.signature)):
            cells = sheet.rows[index]
            for position, raw in enumerate(cells):
                if index in header_rows and position not in singles:
                    continue
                text = cell_text(raw)
                stated = {int(y) for y in YEAR_IN_TEXT.findall(text)}
                if stated and year not in stated:
                    report.warnings.append(
                        Problem(
                            sheet.file,
                            sheet.name,
                            index + 1,
                            column_letters(position + 1),
                            text,
                            f"в тексте год {', '.join(map(str, sorted(stated)))}, а лист назван "
                            f"«{sheet.name}»: данные загружены за {year} год",
                        )
                    )
        return year

    def read_sheet(self, sheet: Sheet, start: int, report: ImportReport) -> list[Row]:
        mapping = self.mapping
        by_role: dict[str, int] = {}
        blocks: dict[str, list[tuple[str, int]]] = {}
        for column in mapping["columns"]:
            position = column_number(column["column"]) - 1
            if column["role"] == Role.MEASURE:
                blocks.setdefault(column["subject"], []).append((column["measure"], position))
            else:
                by_role[column["role"]] = position
        year: int | None = None
        if mapping["year"] == YearFrom.SHEET:
            year = self.sheet_year(sheet, start, report)
            if year is None:
                return []
        elif isinstance(mapping["year"], int):
            year = mapping["year"]
        school_role = Role.SCHOOL_NAME if Role.SCHOOL_NAME in by_role else Role.SCHOOL_CODE
        school_at = by_role[school_role]
        municipality_at = by_role.get(Role.MUNICIPALITY)
        municipality = ""
        rows: list[Row] = []
        for index in range(start + len(self.signature), len(sheet.rows)):
            cells = sheet.rows[index]

            def at(position: int | None, cells: list[Any] = cells) -> Any:
                if position is None or position >= len(cells):
                    return None
                return cells[position]

            school = at(school_at)
            written_municipality = cell_text(at(municipality_at))
            if TOTAL_ROW.match(cell_text(school)) or TOTAL_ROW.match(written_municipality):
                continue
            if written_municipality:
                municipality = written_municipality
            # a group row (a municipality and its subtotal), a row of column numbers, a blank
            if is_blank(school) or (
                school_role == Role.SCHOOL_NAME and not isinstance(school, str)
            ):
                continue
            if school_role == Role.SCHOOL_NAME and self.normalise(school) in self.skip:
                self.skipped.add(cell_text(school))
                continue
            rows.extend(
                self.school_rows(sheet, index, cells, by_role, blocks, year, municipality, report)
            )
        return rows

    def parse(
        self,
        sheet: Sheet,
        index: int,
        field_name: str,
        position: int,
        raw: Any,
        label: str,
        report: ImportReport,
    ) -> tuple[Any, bool]:
        """(value, parsed): a blank count is 0, a blank mean is none."""
        if is_blank(raw):
            return (None if field_name in NOT_ZERO_WHEN_BLANK else 0), True
        try:
            return self.parsers[field_name].parse(raw), True
        except CellError as error:
            report.problems.append(
                Problem(
                    sheet.file,
                    sheet.name,
                    index + 1,
                    self.place(column_letters(position + 1), label),
                    raw,
                    str(error),
                )
            )
            return None, False

    def school_rows(
        self,
        sheet: Sheet,
        index: int,
        cells: list[Any],
        by_role: dict[str, int],
        blocks: dict[str, list[tuple[str, int]]],
        year: int | None,
        municipality: str,
        report: ImportReport,
    ) -> list[Row]:
        common: dict[str, Any] = {
            "kind_code": self.mapping["kind"],
            "grade": self.mapping.get("grade"),
            "municipality_name": municipality,
        }
        places: dict[str, str] = {}
        ok = True
        for role, position in by_role.items():
            raw = cells[position] if position < len(cells) else None
            letter = column_letters(position + 1)
            label = Role.LABELS[role]
            field_name = {Role.MUNICIPALITY: "municipality_name"}.get(role, role)
            places[field_name] = self.place(letter, label)
            if role == Role.MUNICIPALITY:
                continue
            if role in (Role.SCHOOL_NAME, Role.SCHOOL_CODE):
                common[field_name] = cell_text(raw) if role == Role.SCHOOL_NAME else raw
                if role == Role.SCHOOL_CODE:
                    value, parsed = self.parse(sheet, index, role, position, raw, label, report)
                    common[field_name], ok = value, ok and parsed
                places["school_code"] = places["school_name"] = places[field_name]
                continue
            value, parsed = self.parse(sheet, index, role, position, raw, label, report)
            common[field_name], ok = value, ok and parsed
        if year is not None:
            common["year"] = year
        rows = []
        for subject, measures in blocks.items():
            values = dict(common, subject_name=subject)
            row_places = dict(places)
            row_ok = ok
            for measure, position in measures:
                raw = cells[position] if position < len(cells) else None
                label = f"{subject}: {self.parsers[measure].header}"
                value, parsed = self.parse(sheet, index, measure, position, raw, label, report)
                values[measure] = value
                row_places[measure] = self.place(column_letters(position + 1), label)
                row_ok = row_ok and parsed
            row_places["subject_name"] = row_places.get("participants", "")
            # nobody sat this subject here: the form's empty block, not a result
            if row_ok and not any(values.get(m) for m, _p in measures):
                continue
            if values.get("enrolled") is None:  # no count of its own: the school's
                values["enrolled"] = common.get("enrolled")
            rows.append(Row(index + 1, values, not row_ok, sheet.name, places=row_places))
        return rows


# -- saved layouts ----------------------------------------------------------------------------


def region_layouts(user: Any) -> QuerySet[Layout]:
    """The forms of the user's region (all the user may see, for an administrator of many)."""
    layouts = Layout.objects.restrict(user, Action.VIEW)
    region = user_region(user)
    return layouts.filter(region=region) if region is not None else layouts


def fitting_layouts(user: Any, sheets: list[Sheet]) -> list[Layout]:
    """The saved forms whose header rows stand in one of the sheets."""
    return [
        layout
        for layout in region_layouts(user)
        if any(locate(sheet, layout.signature) is not None for sheet in sheets)
    ]


# An exported layout is at most this large: a form of 200 columns takes about 30 KB.
LAYOUT_FILE_LIMIT = 1 << 20


def layout_file(layout: Layout) -> bytes:
    """The layout as a JSON file another region or municipality can load."""
    return json.dumps(
        {"name": layout.name, "signature": layout.signature, "mapping": layout.mapping},
        ensure_ascii=False,
        indent=1,
    ).encode("utf-8")


def read_layout_file(data: bytes) -> tuple[str, list[list[str]], dict[str, Any]]:
    """(name, signature, mapping) of an exported layout; LayoutError, in Russian, otherwise."""
    if len(data) > LAYOUT_FILE_LIMIT:
        raise LayoutError("файл формы больше 1 МБ — это не описание формы")
    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise LayoutError(f"файл не читается как JSON ({error})") from None
    if not isinstance(loaded, dict):
        raise LayoutError("в файле нет описания формы")
    name = loaded.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise LayoutError("у формы нет названия (до 200 знаков)")
    check_signature(loaded.get("signature"))
    check_mapping(loaded.get("mapping"))
    return name.strip(), loaded["signature"], loaded["mapping"]
