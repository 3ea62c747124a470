"""The school's path through the bank on demo data: a suggested student confirmed, a route
addressing a weak skill, and — once the next procedure's paper is loaded — the outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from shnor.demo.generator import YEARS
from shnor.demo.tasklevel import CATALOGUES, LEVELS
from tests.browser.conftest import login

STEP = "Занятия с тьютором по западающему умению"


def workbook(path: Path, rows: list[list[Any]]) -> Path:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def upload(page: Any, kind: str, path: Path, added: int) -> None:
    page.goto("/import/")
    page.select_option("#kind", kind)
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('Загрузить')")
    page.wait_for_selector(f"text=Добавлено: {added}")


def test_school_confirms_builds_a_route_and_reads_the_outcome(page: Any, tmp_path: Path) -> None:
    # the bank of the running school year: suggestions from the spring's ВПР
    login(page, "school")
    page.goto("/students/")
    row = (
        page.locator("#suggested tbody tr", has_text="«2» на ВПР")
        .filter(has_text="Математика")
        .filter(has=page.locator("td:nth-child(3)", has_text="5"))
        .first
    )
    code = row.get_attribute("data-code")
    row.locator("button.confirm").click()
    page.wait_for_selector(f"#bank tr[data-code='{code}']")
    # the student may have other suggestions (another subject, the journal); this one is gone
    confirmed = page.locator(f"#suggested tr[data-code='{code}']", has_text="«2» на ВПР")
    assert confirmed.filter(has_text="Математика").count() == 0

    # a route with a step addressing the student's first weak task
    page.click(f"#bank a:has-text('{code}')")
    page.click("button.build-route")
    form = page.locator("form.step-form")
    option = form.locator("select[name=task] option").nth(1)
    task, skill = option.get_attribute("value"), option.inner_text().split(": ", 1)[1]
    form.locator("input[name=title]").fill(STEP)
    form.locator("select[name=task]").select_option(task)
    form.locator("select[name=executor]").select_option(label="тьютор")
    form.locator("button").click()
    route = page.locator("table.route").inner_text()
    assert STEP in route and f"задание {task}" in route
    assert "ждём следующей процедуры" in page.locator("p.outcome").inner_text()
    student_url = page.url

    # the next procedure: the coordinator loads ВПР of grade 6 a year later, all tasks done
    later = YEARS[-1] + 1
    catalogue = CATALOGUES[("Математика", 5)]
    login(page, "mun")
    upload(
        page,
        "task_catalogue",
        workbook(
            tmp_path / "catalogue.xlsx",
            [
                [
                    "Год",
                    "Процедура",
                    "Предмет",
                    "Класс",
                    "Номер задания",
                    "Максимальный балл",
                    "Код КЭС/КТ",
                    "Проверяемое умение",
                    "Уровень",
                ],
                *[
                    [later, "ВПР", "Математика", 6, label, top, kes, text, LEVELS[level]]
                    for label, top, kes, text, level in catalogue
                ],
            ],
        ),
        len(catalogue),
    )
    upload(
        page,
        "task_scores",
        workbook(
            tmp_path / "scores.xlsx",
            [
                [
                    "Код ОО",
                    "Год",
                    "Процедура",
                    "Предмет",
                    "Класс",
                    "Код участника",
                    *[t[0] for t in catalogue],
                    "Отметка",
                ],
                [
                    code.split("-")[0],
                    later,
                    "ВПР",
                    "Математика",
                    6,
                    code,
                    *[t[1] for t in catalogue],
                    5,
                ],
            ],
        ),
        1,
    )

    # the school sees the difficulty overcome, and the addressed skill done in full
    login(page, "school")
    page.goto(student_url)
    assert "затруднение преодолено" in page.locator("p.outcome").inner_text()
    skills = page.locator("table.skills").inner_text()
    assert skill.rstrip("…") in skills and "100 %" in skills
    page.goto("/students/")
    assert "затруднение преодолено" in page.locator(f"#bank tr[data-code='{code}']").inner_text()
