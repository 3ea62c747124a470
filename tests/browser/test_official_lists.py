"""Official lists on demo data: the regional coordinator loads a ФИОКО list, reads the
consolidated list with every source and exports it for the приказ; the municipal coordinator
cannot change a methodology."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from openpyxl import Workbook

from tests.browser.conftest import login

SCHOOL = "Тугачинская СОШ"
REASON = "Перечень ФИОКО: низкие результаты ВПР по математике"
POST_FROM_PAGE = """url => fetch(url, {
    method: "POST",
    headers: {"X-CSRFToken": document.querySelector("meta[name=csrf-token]").content},
    body: new URLSearchParams({code: "federal", low_share: "0,05"}),
}).then(response => response.status)"""


def fioko_list(path: Path, code: str) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["№ п/п", "Код ОО", "Наименование ОО", "Основание"])
    sheet.append([1, code, SCHOOL, REASON])
    workbook.save(path)
    return path


def test_the_region_loads_a_fioko_list_and_exports_the_consolidated_list(
    page: object, tmp_path: Path
) -> None:
    login(page, "region")
    page.goto("/schools/?q=" + SCHOOL)
    page.click(f"#schools a:has-text('{SCHOOL}')")
    code = page.locator(".stat b").first.inner_text()
    page.goto("/identification/")
    year = page.locator("#runs tbody tr td").nth(2).inner_text()

    page.click("text=Загрузить официальный список")
    page.select_option("#official-list-form select[name=source]", label="ФИОКО")
    page.fill("#official-list-form input[name=year]", year)
    page.set_input_files(
        "#official-list-form input[name=file]", str(fioko_list(tmp_path / "fioko.xlsx", code))
    )
    page.click("#official-list-form button")
    page.wait_for_selector("#consolidated")
    assert "школ в списке — 1" in page.locator(".flash").inner_text()
    headers = page.locator("#consolidated thead").inner_text()
    assert "ФИОКО" in headers and "Методика региона" in headers
    row = page.locator("#consolidated tbody tr", has_text=SCHOOL)
    assert REASON in row.inner_text()

    page.select_option("#consolidated-filters select[name=source]", label="ФИОКО")
    page.click("#consolidated-filters button")
    assert page.locator("#consolidated tbody tr").count() == 1
    with page.expect_download() as download:
        page.click("#export-docx")
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    cells = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert SCHOOL in cells and REASON in cells
    assert "Приложение к приказу" in document.paragraphs[0].text

    # the region may post to a methodology (a bad value comes back as a message) ...
    page.goto("/identification/methodologies/")
    page.click("#methodologies a:has-text('Федеральные критерии (Рособрнадзор)')")
    methodology_url = page.url
    assert page.locator("text=Сохранить как новую версию").count() == 1
    assert page.evaluate(POST_FROM_PAGE, methodology_url) == 200
    # ... the municipal coordinator may not
    login(page, "mun")
    page.goto(methodology_url)
    assert page.locator("text=Сохранить как новую версию").count() == 0
    assert page.evaluate(POST_FROM_PAGE, methodology_url) == 403
