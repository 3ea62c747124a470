from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

from docx import Document

from shnor.staff.individual_routes import route_year
from tests.browser.conftest import choose_federal, login
from tests.tables import RESULT_HEADERS, result_row, write_table


def open_school(page: object, name: str) -> None:
    page.goto("/schools/?q=" + name)
    page.click(f"#schools a:has-text('{name}')")
    page.wait_for_load_state()


def test_a_coordinator_uploads_results_and_sees_the_school_card_change(
    page: object, tmp_path: Path
) -> None:
    login(page, "region")
    open_school(page, "Тугачинская СОШ")
    card = page.locator("#results")
    assert card.locator("text=ВПР · Окружающий мир · 4 кл.").count() == 0
    code = page.locator(".stat b").first.inner_text()
    upload = write_table(
        tmp_path / "vpr.xlsx",
        [
            RESULT_HEADERS,
            result_row(code, subject="Окружающий мир", grade=4, participants=8, marks=(2, 3, 2, 1)),
        ],
    )
    page.goto("/import/")
    page.select_option("#kind", "results")
    page.set_input_files("input[name=file]", str(upload))
    page.click("button:has-text('Загрузить')")
    page.wait_for_selector("text=Добавлено: 1")
    open_school(page, "Тугачинская СОШ")
    row = page.locator("#results tr", has_text="ВПР · Окружающий мир · 4 кл.")
    assert "25,0%" in row.inner_text()
    page.screenshot(path=str(tmp_path / "card.png"), full_page=True)


def test_a_bad_file_shows_every_error_and_changes_nothing(page: object, tmp_path: Path) -> None:
    login(page, "region")
    bad = write_table(
        tmp_path / "bad.csv", [RESULT_HEADERS, result_row("nope"), result_row("600001", grade=42)]
    )
    page.goto("/import/")
    page.select_option("#kind", "results")
    page.set_input_files("input[name=file]", str(bad))
    page.click("button:has-text('Загрузить')")
    page.wait_for_selector("text=Ничего не записано")
    problems = page.locator(".problems li").all_inner_texts()
    assert len(problems) == 2
    assert "строка 3, столбец «Класс»" in problems[1]


def test_identification_runs_in_the_background_and_exports_a_docx(page: object) -> None:
    login(page, "mun")
    page.goto("/identification/")
    choose_federal(page)
    page.click("#run-form button")
    page.wait_for_selector("text=Открыть результат")
    page.click("text=Открыть результат")
    page.wait_for_selector("#statuses")
    assert page.locator("h1").inner_text().endswith("Таёжный район")
    # the page opens on the list (ШНОР and the risk zone); «все школы» shows all thirteen
    listed = page.locator("#statuses .badge")
    assert 0 < listed.count() < 13
    assert all(
        text in ("ШНОР (низкие результаты)", "зона риска") for text in listed.all_inner_texts()
    )
    page.select_option("select[name=status]", "all")
    page.click("form.filters button")
    page.wait_for_selector("#statuses")
    assert page.locator("#statuses .badge").count() == 13
    with page.expect_download() as download:
        page.click("text=DOCX для приказа")
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "Приложение к приказу" in document.paragraphs[0].text


def test_a_school_user_sees_only_the_own_school(page: object) -> None:
    login(page, "school")
    assert "/schools/" in page.url
    assert page.locator("h1").inner_text() == "МКОУ Тугачинская СОШ"
    page.goto("/schools/")
    assert page.locator("#schools tbody tr").count() == 1
    assert page.locator("canvas").count() == 0


def chart_points(page: object, canvas_id: str) -> int:
    return page.evaluate(
        f"""() => {{ const c = Chart.getChart(document.getElementById("{canvas_id}"));
                     return c ? c.data.datasets.reduce((n, d) => n + d.data.length, 0) : -1; }}"""
    )


def test_risk_profile_heat_map_and_resilience_render(page: object, tmp_path: Path) -> None:
    login(page, "mun")
    open_school(page, "Тугачинская СОШ")
    assert chart_points(page, "profile-chart") >= 15
    assert page.locator("#risk-profile .lvl").count() >= 10
    page.goto("/risks/")
    cells = page.locator("#heatmap td.lvl")
    assert cells.count() == 13 * 15  # 13 schools of the municipality × 15 factors
    assert page.locator("#heatmap td.lvl-3").count() > 0
    page.goto("/risks/resilience/")
    assert chart_points(page, "scatter") >= 10  # own schools and the line of the regional model
    page.screenshot(path=str(tmp_path / "scatter.png"))


def test_the_municipal_dashboard_shows_the_grid_and_a_chart(page: object) -> None:
    login(page, "mun")
    page.goto("/indicators/")
    assert page.locator("h1").inner_text().startswith("Показатели: Таёжный район")
    assert page.locator("#grid tbody tr").count() == 5
    assert page.locator("#grid tbody tr").first.locator("td").count() == 5
    assert page.locator("#grid td a").count() >= 5  # the schools placed in the grid
    assert chart_points(page, "dynamics") >= 5
    assert page.locator("#indicators", has_text="нет данных").count() == 1
    page.goto("/indicators/rounds/")
    assert page.locator("text=Мониторинг эффективности: сентябрь").count() >= 1


def card_indicator(page: object, text: str) -> str:
    open_school(page, "Тугачинская СОШ")
    row = page.locator("#school-indicators tr", has_text=text)
    return row.locator("td").nth(2).inner_text()


def test_a_school_builds_an_iom_for_the_coming_year(page: object) -> None:
    """A route built today plans the school year ahead (route_year): never a past year with
    deadlines already gone; its steps are marked done on the teacher's page."""
    login(page, "school")
    page.goto("/staff/")
    row = page.locator("#teachers tbody tr").filter(has_text="—").last
    row.locator("a").first.click()
    page.fill("#deficit-form input[name=topic]", "проблемное обучение на уроках")
    page.click("#deficit-form button")
    page.wait_for_selector("text=Дефицит записан")
    page.click("#build-route")
    page.wait_for_selector("text=выполняется (0 из 2)")
    year = route_year(date.today())
    assert page.locator(f"text=ИОМ на {year} год").count() == 1
    deadlines = page.locator(".deadline").all_inner_texts()
    assert deadlines and all(
        datetime.strptime(d.strip(), "%d.%m.%Y").date() > date.today() for d in deadlines
    )
    while page.locator("button.mark-done").count():
        page.locator("button.mark-done").first.click()
        page.wait_for_load_state()
    assert page.locator("text=— выполнен").count() == 1
