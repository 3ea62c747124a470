"""A coordinator maps a region's two-row-header workbook once, saves it as a named layout,
confirms the schools its names did not match; the next file with the same headers imports with
no questions asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from shnor.demo.generator import YEARS
from tests.browser.conftest import login


def regional_form(path: Path, year: int, schools: list[str], base: int) -> Path:
    """Title rows, a subject merged over its block, measures under it, a row per school."""
    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    sheet["A1"] = f"Информация о результатах ЕГЭ выпускников школ в {year} году"
    sheet.merge_cells("A1:G1")
    sheet.append([])
    sheet.append(["Образовательная организация (школа)", "Русский язык", None, None, "Химия"])
    sheet.append(
        [None, "приняло участие", "не преодолен min порог", "средний балл"] * 1
        + ["приняло участие", "не преодолен min порог", "средний балл"]
    )
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:D3")
    sheet.merge_cells("E3:G3")
    for number, name in enumerate(schools):
        sheet.append([name, base + number, None, 60.5, 3, 1, 44])
    book.save(path)
    return path


def test_a_mapped_form_imports_next_time_with_no_questions(page: Any, tmp_path: Path) -> None:
    login(page, "region")
    page.goto("/schools/")
    names = [
        page.locator("#schools tbody tr").nth(i).locator("td").nth(1).inner_text() for i in range(2)
    ]
    year = YEARS[-1]
    first = regional_form(tmp_path / "forma.xlsx", year, names, 20)

    page.goto("/import/")
    page.click("text=Формы результатов")
    page.set_input_files("#form-upload input[type=file]", str(first))
    page.click("#form-upload button")
    page.wait_for_selector("#mapping")
    assert "Строки заголовка: 3–4" in page.inner_text("body")
    page.fill("input[name=name]", "Форма ЕГЭ тестовой области")
    assert page.input_value("select[name=col_A]") == "school_name"
    assert page.input_value("select[name=subject_0]") == "Русский язык"
    page.select_option("select[name=kind]", "ЕГЭ")
    page.click("#mapping button[type=submit]")

    # names written without the legal form: proposed by similarity, confirmed by the coordinator
    page.wait_for_selector("#names")
    assert "предложено по сходству" in page.inner_text("#names")
    page.click("#names button[type=submit]")
    page.wait_for_selector("text=Строк: 4.", timeout=60000)

    second = regional_form(tmp_path / "forma_2.xlsx", year, names, 30)
    page.goto("/assessments/layouts/")
    assert "Форма ЕГЭ тестовой области" in page.inner_text("body")
    page.set_input_files("#form-upload input[type=file]", str(second))
    page.click("#form-upload button")
    # recognised by its headers, every name known: straight to the import job
    page.wait_for_selector("#job-status")
    page.wait_for_selector("text=изменено: 2", timeout=60000)
    assert "Форма ЕГЭ тестовой области" in page.inner_text("body")
