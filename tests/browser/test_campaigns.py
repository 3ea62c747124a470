"""A municipal coordinator sends a campaign to three schools; two answer (one by XLSX), the
overdue view shows the third, and the indicator fed by the answers changes."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from tests.browser.conftest import login

MONITORED = "Доля школ, проводящих мониторинг эффективности ШППКО (по ответам школ)"


def monitored_share(page: Any) -> str:
    """This year's value of the indicator fed by the form's first question, as the municipal
    dashboard shows it."""
    page.goto("/indicators/")
    row = page.locator("#indicators tbody tr", has_text=MONITORED)
    return row.locator("td").nth(2).inner_text()


def test_campaign_sent_answered_and_overdue(page: Any, tmp_path: Path) -> None:
    login(page, "mun")
    before = monitored_share(page)
    page.goto("/campaigns/new/")
    page.fill("input[name=title]", "Срочный мониторинг")
    page.fill("input[name=deadline]", (date.today() - timedelta(days=1)).isoformat())
    # the round of this school year's autumn, whose figures the dashboard shows for this year
    page.fill("input[name=year]", str(date.today().year))
    page.select_option("select[name=month]", "9")
    page.click("#create-campaign")
    page.wait_for_selector("#send-form")
    campaign_url = page.url
    page.click("#send-form summary")
    boxes = page.locator("#send-form input[name=schools]")
    names = [
        page.locator(f"label[for={boxes.nth(i).get_attribute('id')}]").inner_text()
        for i in (1, 2, 3)
    ]
    for i in (1, 2, 3):
        boxes.nth(i).check()
    page.click("#send-campaign")
    assert page.locator("#completion tbody tr").count() == 3
    links = [a.get_attribute("href") for a in page.locator("#completion tbody a").all()]

    # the first school on the page: «да», 2 vacancies
    page.goto(links[0])
    page.select_option("select[name=q1]", "да")
    page.select_option("select[name=q2]", "да")
    page.fill("input[name=q4]", "абв")
    page.click("#submit-answers")
    assert page.locator("#field-q4 .errorlist").count() == 1
    page.fill("input[name=q4]", "2")
    page.click("#submit-answers")
    assert "сдано" in page.locator("#completion-state").inner_text()

    # the second by XLSX: «да» as well, with «нет» to the next question
    page.goto(links[1])
    with page.expect_download() as download:
        page.click("#download-xlsx")
    path = tmp_path / "form.xlsx"
    download.value.save_as(path)
    book = load_workbook(path)
    sheet = book["Вопросы"]
    sheet["E3"], sheet["E4"], sheet["E6"] = "да", "нет", 1
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    page.set_input_files("#upload-form input[name=file]", str(path))
    page.click("#upload-xlsx")
    assert "сдано" in page.locator("#completion-state").inner_text()

    page.goto(campaign_url)
    assert page.locator("#completion .badge.ok").count() == 2
    page.goto("/campaigns/overdue/")
    rows = page.locator("#overdue tbody tr", has_text="Срочный мониторинг")
    overdue = "\n".join(rows.all_inner_texts())
    assert names[2] in overdue
    assert names[0] not in overdue and names[1] not in overdue

    # two schools' latest answers are «да» now (in the demo one of them had answered «нет»)
    after = monitored_share(page)
    assert after != before and after.endswith("%"), (before, after)
