"""Regional results forms read as they are: header rows found, merged cells spread, a mapping
saved as a named layout, subject blocks unpivoted into the long results, every message naming
sheet, row and column letter; the real workbooks of ../shared/realdata checked figure by figure
against the long CSV of the same data."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from shnor.assessments.actions import do_save_layout
from shnor.assessments.layouts import (
    LayoutError,
    find_header,
    guess_subject,
    layout_file,
    proposed_mapping,
    read_layout_file,
    signature_of,
    structure,
    subject_spellings,
    widest,
)
from shnor.assessments.models import Layout, Result
from shnor.core.importing import importer_for
from shnor.core.jobs import run_pending
from shnor.core.models import Job
from shnor.core.system import SystemUser
from shnor.core.tabular import read_sheets
from shnor.registry.models import Municipality, Region, School

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
CSV_FILE = REALDATA / "ege_school_results_zabaikalsky_eao_2022_2023.csv"
WORKBOOKS = {
    "Забайкальский край": "zabaikalsky_ege_by_school_2022_2023_2024applications.xlsx",
    "Еврейская автономная область": "eao_ege_by_school_2022_2023_2024applications.xlsx",
}
MEASURES = ("приняло участие", "не преодолен min порог", "высокобалльники", "средний балл")


def form_workbook(path: Path, year: int, rows: list[tuple[Any, ...]], title_year: int) -> Path:
    """A small regional form: a title, a two-row header (subject merged over its block), one
    row per school, blank cells for zeros, a side sheet of another kind."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    sheet["A1"] = f"Результаты ЕГЭ выпускников школ в {title_year} году"
    sheet.merge_cells("A1:H1")
    sheet.append([])
    sheet.append(["Муниципалитет", "Школа", "Русский язык", None, None, "Математика профильная"])
    sheet.append([None, None, *MEASURES[:2], MEASURES[3], *MEASURES[:2], MEASURES[3]])
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:B4")
    sheet.merge_cells("C3:E3")
    sheet.merge_cells("F3:H3")
    for row in rows:
        sheet.append(list(row))
    sheet.append(["Итого по области", None, 100, 3, 60])
    side = book.create_sheet("Заявления")
    side.append(["Школа", "Заявлений на ЕГЭ"])
    side.append(["МБОУ СОШ № 1", 12])
    book.save(path)
    return path


def save_proposed(user: Any, path: Path, name: str) -> Layout:
    """What the mapping page does when the coordinator keeps every guess and saves."""
    sheets = read_sheets(path)
    subjects = subject_spellings()
    sheet = sheets[widest(sheets, subjects)]
    found = structure(sheet, subjects)
    assert found is not None
    signature = signature_of(sheet, found.header.start, found.header.rows)
    return do_save_layout(
        user_region_of(user), name, signature, proposed_mapping(found), acting_user=user
    )


def user_region_of(user: Any) -> Region:
    return user.region


@pytest.fixture
def coordinator(world: dict[str, Any]) -> Any:
    return world["users"]["region"]


def test_it_finds_a_two_row_header_under_title_rows(db: Any, tmp_path: Path) -> None:
    path = form_workbook(tmp_path / "f.xlsx", 2024, [("Северный район", "МБОУ СОШ № 1", 3)], 2024)
    sheet = read_sheets(path)[0]
    header = find_header(sheet)
    assert header is not None and (header.start, header.rows) == (2, 2)
    found = structure(sheet, subject_spellings())
    assert found is not None
    assert [(s.column, s.role) for s in found.singles] == [
        ("A", "municipality"),
        ("B", "school_name"),
    ]
    assert [(b.label, b.subject) for b in found.blocks] == [
        ("Русский язык", "Русский язык"),
        ("Математика профильная", "Математика профильная"),
    ]
    assert found.measures == {
        "приняло участие": "participants",
        "не преодолен min порог": "below_min",
        "средний балл": "mean_score",
    }
    assert found.kind == "ЕГЭ"


def test_it_unpivots_blocks_into_long_results_with_blank_as_zero(
    world: dict[str, Any], coordinator: Any, tmp_path: Path
) -> None:
    rows = [
        ("Северный район", "МБОУ «СОШ №1»", 20, None, 61.5, 7, 1, 48),
        (None, "МБОУ СОШ № 2", 10, 2, 55, None, None, None),
    ]
    path = form_workbook(tmp_path / "f.xlsx", 2024, rows, 2024)
    save_proposed(coordinator, path, "Форма ЕГЭ области")
    report = importer_for("results", coordinator, layout="Форма ЕГЭ области").run(path)
    assert report.ok, report.problems
    assert "Лист «Заявления» пропущен" in " ".join(report.notices)
    stored = {
        (r.school.code, r.subject.name): (r.participants, r.below_min, r.mean_score, r.grade)
        for r in Result.objects.select_related("school", "subject")
    }
    assert stored == {
        ("100", "Русский язык"): (20, 0, Decimal("61.50"), 11),
        ("100", "Математика профильная"): (7, 1, Decimal("48.00"), 11),
        ("200", "Русский язык"): (10, 2, Decimal("55.00"), 11),
    }
    assert set(Result.objects.values_list("year", flat=True)) == {2024}


def test_it_warns_when_a_title_disagrees_with_the_sheet_year(
    world: dict[str, Any], coordinator: Any, tmp_path: Path
) -> None:
    path = form_workbook(tmp_path / "f.xlsx", 2023, [("Северный район", "МБОУ СОШ № 1", 5)], 2024)
    save_proposed(coordinator, path, "Форма")
    report = importer_for("results", coordinator, layout="Форма").run(path)
    assert report.ok
    assert [str(w) for w in report.warnings if "лист назван" in w.expected] == [
        "f.xlsx, лист «2023», строка 1, столбец «A»: значение «Результаты ЕГЭ выпускников школ "
        "в 2024 году» — в тексте год 2024, а лист назван «2023»: данные загружены за 2023 год"
    ]
    assert set(Result.objects.values_list("year", flat=True)) == {2023}


def test_it_names_sheet_row_and_column_letter_of_a_bad_cell(
    world: dict[str, Any], coordinator: Any, tmp_path: Path
) -> None:
    good = form_workbook(tmp_path / "f.xlsx", 2024, [("Северный район", "МБОУ СОШ № 1", 5)], 2024)
    save_proposed(coordinator, good, "Форма")
    rows = [("Северный район", "МБОУ СОШ № 1", 5, "много"), (None, "Школа, которой нет", 3)]
    bad = form_workbook(tmp_path / "bad.xlsx", 2024, rows, 2024)
    report = importer_for("results", coordinator, layout="Форма").run(bad)
    assert [str(p) for p in report.problems] == [
        "bad.xlsx, лист «2024», строка 5, столбец «D (Русский язык: Не преодолели минимальный "
        "порог)»: значение «много» — целое число не меньше 0 и не больше 2147483647",
        "bad.xlsx, лист «2024», строка 6, столбец «B (название школы)»: значение «Школа, "
        "которой нет» — школа не сопоставлена со списком школ. Подтвердите сопоставление на "
        "странице «Формы результатов»",
    ]
    assert not Result.objects.exists()


def test_it_loads_nothing_for_a_school_the_coordinator_did_not_confirm(
    world: dict[str, Any], coordinator: Any, tmp_path: Path
) -> None:
    rows = [("Северный район", "МБОУ СОШ № 1", 5), (None, "Школа, которой нет", 3)]
    path = form_workbook(tmp_path / "f.xlsx", 2024, rows, 2024)
    save_proposed(coordinator, path, "Форма")
    report = importer_for(
        "results", coordinator, layout="Форма", skip_schools=["школа которой нет"]
    ).run(path)
    assert report.ok
    assert "«Школа, которой нет»" in " ".join(report.notices)
    assert list(Result.objects.values_list("school__code", flat=True)) == ["100"]


def test_it_lists_the_layouts_that_fit_when_none_is_given(
    world: dict[str, Any], coordinator: Any, tmp_path: Path
) -> None:
    path = form_workbook(tmp_path / "f.xlsx", 2024, [("Северный район", "МБОУ СОШ № 1", 5)], 2024)
    report = importer_for("results", coordinator).run(path)
    assert "ни одна сохранённая форма результатов не подходит" in str(report.problems[0])
    save_proposed(coordinator, path, "Форма ЕГЭ области")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "results", str(path), stderr=out, region="Тестовая область")
    assert "«Форма ЕГЭ области»" in out.getvalue()
    assert "--layout" in out.getvalue()
    call_command(
        "import",
        "results",
        str(path),
        layout="Форма ЕГЭ области",
        region="Тестовая область",
        stdout=io.StringIO(),
    )
    assert Result.objects.count() == 1


def test_a_layout_travels_as_a_file(
    world: dict[str, Any], coordinator: Any, tmp_path: Path
) -> None:
    path = form_workbook(tmp_path / "f.xlsx", 2024, [("Северный район", "МБОУ СОШ № 1", 5)], 2024)
    layout = save_proposed(coordinator, path, "Форма")
    name, signature, mapping = read_layout_file(layout_file(layout))
    assert (name, signature, mapping) == ("Форма", layout.signature, layout.mapping)
    for broken, message in [
        (b"\xff\xfe", "не читается как JSON"),
        (b"[]", "нет описания формы"),
        (json.dumps({"name": "x", "signature": [["a"]], "mapping": {}}).encode(), "shnor-layout"),
        (b"[" * 100000, "не читается как JSON"),
    ]:
        with pytest.raises(LayoutError, match=message):
            read_layout_file(broken)


# -- the real workbooks ------------------------------------------------------------------------


def real_registry(region_name: str, rows: list[dict[str, str]]) -> SystemUser:
    """The region's schools as the registry would hold them: every school of both years."""
    region = Region.objects.create(name=region_name)
    municipalities: dict[str, Municipality] = {}
    names: dict[str, str] = {}
    for row in rows:
        names.setdefault(row["school"], row["municipality"])
    for number, (school, municipality) in enumerate(sorted(names.items())):
        key = municipality.lower()
        if key not in municipalities:
            municipalities[key] = Municipality.objects.create(region=region, name=municipality)
        School.objects.create(code=f"R{number}", name=school, municipality=municipalities[key])
    return SystemUser(region=region)


@pytest.mark.parametrize("region_name", list(WORKBOOKS))
def test_real_workbooks_import_through_saved_layouts(db: Any, region_name: str) -> None:
    if not CSV_FILE.exists():
        pytest.skip("shared/realdata is not beside the checkout")
    with CSV_FILE.open(encoding="utf-8") as file:
        expected = [r for r in csv.DictReader(file) if r["region"] == region_name]
    user = real_registry(region_name, expected)
    path = REALDATA / WORKBOOKS[region_name]
    layout = save_proposed(user, path, f"Форма ЕГЭ: {region_name}")
    report = importer_for("results", user, layout=layout.name).run(path)
    assert report.ok, report.problems[:5]
    assert (
        "Лист «2024» пропущен: его заголовки не совпадают с формой "
        f"«{layout.name}» — это не результаты этой формы"
    ) in report.notices
    spellings = subject_spellings()

    stored = {
        (r.school.name, r.year, r.subject.name): r
        for r in Result.objects.filter(school__municipality__region=user.region).select_related(
            "school", "subject"
        )
    }
    assert len(stored) == len(expected)
    for row in expected:
        result = stored[(row["school"], int(row["year"]), guess_subject(row["subject"], spellings))]
        assert (result.participants, result.below_min, result.enrolled) == (
            int(row["participants"]),
            int(row["below_min"]),
            int(row["total_graduates_in_ege"]),
        ), row
        mean = Decimal(row["mean_score"]).quantize(Decimal("0.01")) if row["mean_score"] else None
        assert result.mean_score == mean, row
    years = {w.sheet for w in report.warnings if "лист назван" in w.expected}
    assert years == ({"2022"} if region_name == "Забайкальский край" else set())


# -- the pages ---------------------------------------------------------------------------------


def upload_file(client: Any, path: Path, name: str | None = None) -> Any:
    with path.open("rb") as file:
        return client.post(
            "/assessments/layouts/upload/",
            {"file": SimpleUploadedFile(name or path.name, file.read())},
        )


def test_pages_map_a_form_then_import_it_with_no_questions(
    world: dict[str, Any], client: Any, tmp_path: Path
) -> None:
    client.force_login(world["users"]["region"])
    rows = [("Северный район", "МБОУ «СОШ №1»", 20, 1, 61.5), (None, "СОШ № 2", 10, 2, 55)]
    path = form_workbook(tmp_path / "f.xlsx", 2024, rows, 2024)
    response = upload_file(client, path)
    assert response["Location"] == "/assessments/layouts/map/"
    page = client.get("/assessments/layouts/map/")
    text = page.content.decode()
    assert page.status_code == 200 and "Строки заголовка: 3–4" in text
    data = {
        "name": "Форма ЕГЭ области",
        "kind": "ЕГЭ",
        "year_from": "sheet",
        "col_A": "municipality",
        "col_B": "school_name",
        "subject_0": "Русский язык",
        "subject_1": "",
        "measure_0": "participants",
        "measure_1": "below_min",
        "measure_2": "mean_score",
    }
    response = client.post("/assessments/layouts/map/", data)
    layout = Layout.objects.get()
    assert response["Location"] == f"/assessments/layouts/{layout.pk}/names/"
    names = client.get(response["Location"])
    assert "«СОШ № 2»" not in names.content.decode()  # the header row is not a school
    assert "предложено по сходству" in names.content.decode()
    school_b = world["schools"]["b"]
    response = client.post(response["Location"], {"school_0": str(school_b.pk), "code_0": ""})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert job.params["options"] == {"layout": "Форма ЕГЭ области", "skip_schools": []}
    run_pending()
    job.refresh_from_db()
    assert job.result["summary"].startswith("Строк: 2. Добавлено: 2"), job.result

    # the next upload: recognised by the headers, every name known — straight to the job
    response = upload_file(client, form_workbook(tmp_path / "g.xlsx", 2025, rows, 2025))
    assert response["Location"] == f"/assessments/layouts/{layout.pk}/names/"
    response = client.get(response["Location"])
    assert response["Location"].startswith("/jobs/")
    assert Job.objects.count() == 2


@pytest.mark.parametrize(
    "content, name",
    [
        (b"PK\x03\x04 not really a zip", "broken.xlsx"),
        (b"\x00\x01\x02", "binary.csv"),
        (b"", "empty.xlsx"),
    ],
)
def test_pages_answer_malformed_workbooks_with_a_message(
    world: dict[str, Any], client: Any, tmp_path: Path, content: bytes, name: str
) -> None:
    client.force_login(world["users"]["region"])
    response = client.post(
        "/assessments/layouts/upload/", {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    flash = page.content.decode().split('<div class="flash error">')[1].split("</div>")[0]
    assert name in flash or "пуст" in flash, flash


def test_pages_read_huge_headers_and_formula_cells_without_failing(
    world: dict[str, Any], client: Any, tmp_path: Path
) -> None:
    client.force_login(world["users"]["region"])
    book = Workbook()
    sheet = book.active
    sheet.append(["Школа " * 5000, "=SUM(1,2)", "Русский язык"])
    sheet.append(['=HYPERLINK("http://x")', "участников", "средний балл"])
    sheet.append(["МБОУ СОШ № 1", "=1/0", 5])
    path = tmp_path / "formulas.xlsx"
    book.save(path)
    upload_file(client, path)
    page = client.get("/assessments/layouts/map/")
    assert page.status_code == 200
    assert len(page.content) < 200_000  # a header cell is cut, not repeated 5000 times
    response = client.post(
        "/assessments/layouts/map/", {"name": "x", "kind": "ЕГЭ", "year_from": "sheet"}
    )
    assert response.status_code == 400
    assert "Форму нельзя сохранить" in response.content.decode()


def test_pages_keep_forms_to_coordinators(world: dict[str, Any], client: Any) -> None:
    for role in ("school", "curator", "observer"):
        client.force_login(world["users"][role])
        assert client.get("/assessments/layouts/").status_code == 403, role
    client.force_login(world["users"]["municipality"])
    assert client.get("/assessments/layouts/").status_code == 200


def test_pages_load_a_layout_file_or_say_what_is_wrong(
    world: dict[str, Any], client: Any, tmp_path: Path
) -> None:
    user = world["users"]["region"]
    client.force_login(user)
    path = form_workbook(tmp_path / "f.xlsx", 2024, [("Северный район", "МБОУ СОШ № 1", 5)], 2024)
    layout = save_proposed(user, path, "Форма")
    exported = client.get(f"/assessments/layouts/{layout.pk}/export/")
    data = json.loads(exported.content)
    data["name"] = "Форма муниципалитета"
    client.post(
        "/assessments/layouts/import/",
        {"file": SimpleUploadedFile("f.json", json.dumps(data).encode())},
    )
    assert set(Layout.objects.values_list("name", flat=True)) == {"Форма", "Форма муниципалитета"}
    response = client.post(
        "/assessments/layouts/import/", {"file": SimpleUploadedFile("bad.json", b"{oops")}
    )
    page = client.get(response["Location"]).content.decode()
    assert "Файл «bad.json»: файл не читается как JSON" in page
