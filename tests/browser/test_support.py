"""The whole support path on demo data, as the municipal coordinator and the curator do it."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

from docx import Document

from tests.browser.conftest import choose_federal, login

SCHOOL = "Тугачинская СОШ"
LATE = "Собрание рабочей группы по итогам диагностики"
FOLLOW_UP = "Открытые уроки учителей математики для коллег"


def test_identify_plan_support_confirm_and_export(page: object, tmp_path: Path) -> None:
    # identification: run the federal criteria and open a listed school
    login(page, "mun")
    page.goto("/identification/")
    choose_federal(page)
    page.click("#run-form button")
    page.click("text=Открыть результат")
    page.click(f"#statuses a:has-text('{SCHOOL}')")
    page.wait_for_selector("#support-link")
    page.click("#support-link")

    # the programme from the risk profile, with the suggested measures and one of our own
    page.click("#build-programme")
    suggested = page.locator("#proposals input[name=pick]:checked").count()
    assert suggested > 0
    page.fill("input[name=new-0-text]", LATE)
    page.fill("input[name=new-0-deadline]", (date.today() - timedelta(days=3)).isoformat())
    page.click("#create-programme")
    page.wait_for_selector("#measures")
    assert page.locator("#measures tbody tr").count() == suggested + 1
    programme_url = page.url
    page.click("#approve")
    assert page.locator("#programme-status").inner_text() == "утверждена"

    # a curator and a partner school
    school_id = (
        page.locator("a:has-text('Тугачинская СОШ')").first.get_attribute("href").split("/")[-2]
    )
    page.goto(f"/support/curators/?school={school_id}")
    page.select_option("#assign-form select[name=curator]", label="Светлана Иванова")
    page.fill("#assign-form input[name=order]", "приказ № 27 от 20.11.2026")
    page.click("#assign-form button")
    assert "приказ № 27" in page.locator("#assignments").inner_text()
    page.goto(f"/support/schools/{school_id}/partners/")
    partner = page.locator("#suggestions tbody tr td").first.inner_text().splitlines()[0]
    page.locator("button.choose").first.click()
    page.fill("#partner-form input[name=agreement_number]", "15/СВ")
    page.click("#partner-form button")
    assert partner in page.locator("#school-partners").inner_text()

    # the curator records a visit with a follow-up measure
    login(page, "curator")
    page.goto(f"/support/schools/{school_id}/")
    page.fill("#visit-form input[name=topic]", "Методический десант по математике")
    page.fill("#visit-form textarea[name=findings]", "Не разобраны ошибки ВПР")
    page.fill("#visit-form input[name=follow-0-text]", FOLLOW_UP)
    page.fill(
        "#visit-form input[name=follow-0-deadline]",
        (date.today() + timedelta(days=20)).isoformat(),
    )
    page.click("#visit-form button")
    assert "мероприятий в программу школы: 1" in page.locator(".flash").inner_text()
    assert FOLLOW_UP in page.locator("#visits").inner_text()

    # ... and marks a measure of the approved programme done, with an evidence file
    page.goto(programme_url)
    page.locator("#measures tbody a").first.click()
    evidence = tmp_path / "protokol.txt"
    evidence.write_text("Протокол заседания ШМО", encoding="utf-8")
    page.select_option("#status-form select[name=status]", "done")
    page.fill("#status-form textarea[name=text]", "Проведено, протокол приложен")
    page.set_input_files("#status-form input[name=file]", str(evidence))
    page.click("#status-form button")
    assert "выполнено" in page.locator(".stat").first.inner_text()
    assert "protokol.txt" in page.locator("#notes").inner_text()

    # the coordinator sees what is overdue, the follow-up awaiting approval, and exports
    login(page, "mun")
    page.goto(f"/support/schools/{school_id}/")
    assert LATE in page.locator("#overdue").inner_text()
    page.goto("/support/")
    overdue = page.get_by_role("link", name="Поддержка").locator(".count-badge")
    assert int(overdue.inner_text()) >= 1
    page.goto(programme_url)
    assert page.locator("text=Есть версия 2").count() == 1
    with page.expect_download() as download:
        page.click("#export-docx")
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    assert LATE in cells and "выполнено" in cells
    page.screenshot(path=str(tmp_path / "programme.png"), full_page=True)
