"""Weak skills on demo data: a municipal coordinator uploads ФИС ОКО's «Выполнение заданий» for
two schools of «Таёжный район», opens a school's weak skills, adds the proposed measure to its
programme draft and sees the municipal РМО topics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from shnor.demo.generator import YEARS
from tests.browser.conftest import login

SKILL = "Сравнение обыкновенных дробей с разными знаменателями"
# grade 7 is a paper the demo has no task-level data for: what the page shows comes from the file
GRADE = 7


def shares_file(path: Path, codes: list[str]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "Код ОО",
            "Год",
            "Процедура",
            "Предмет",
            "Класс",
            "Номер задания",
            "Проверяемое умение",
            "Максимальный балл",
            "Участников",
            "ОО",
            "Регион",
        ]
    )
    tasks = [("1", SKILL, 20, 70), ("2", "Решение задач на движение", 65, 60)]
    for code in codes:
        for task, skill, done, region in tasks:
            sheet.append(
                [code, YEARS[-1], "ВПР", "Математика", GRADE, task, skill, 1, 20, done, region]
            )
    book.save(path)
    return path


def test_weak_skills_from_upload_to_programme_and_rmo_topics(page: Any, tmp_path: Path) -> None:
    login(page, "mun")
    page.goto("/")  # the coordinator's municipality
    rows = page.locator("table tbody tr")
    codes = [rows.nth(i).locator("td").first.inner_text().strip() for i in range(2)]
    names = [rows.nth(i).locator("td").nth(1).inner_text().strip() for i in range(2)]

    page.goto("/import/")
    page.select_option("#kind", "task_shares")
    page.set_input_files("input[name=file]", str(shares_file(tmp_path / "tasks.xlsx", codes)))
    page.click("button:has-text('Загрузить')")
    page.wait_for_selector("text=Добавлено: 4")

    # the school's weak skills: task 1 is 50 points below the region, task 2 is not weak
    page.goto("/")
    page.click(f"table a:has-text('{names[0]}')")
    group = page.locator(".weak-group", has_text=f"Математика, {GRADE} класс")
    group.wait_for()
    table = group.locator("table").inner_text()
    assert SKILL in table and "Решение задач на движение" not in table
    assert "20,0" in table and "70,0" in table and "50,0" in table
    assert group.locator("canvas[data-weak-chart]").count() == 1

    # the proposed measure, naming the skill, into the school's programme draft
    proposal = group.locator(".weak-proposals li").first
    text = proposal.locator(".proposal-text").inner_text()
    assert f"«{SKILL}»" in text
    proposal.locator("button:has-text('Добавить в проект программы')").click()
    page.wait_for_selector("#measures")
    assert "добавлено в проект программы" in page.locator(".flash").inner_text()
    assert page.locator("#programme-status").inner_text() == "проект"
    assert text in page.locator("#measures").inner_text()

    # the municipal РМО topics: the skill is weak in both schools
    page.goto("/")
    page.click("#weak-skills-link")
    topic = page.locator("#rmo-topics tbody tr", has_text=SKILL)
    assert "2 из 2" in topic.inner_text()
    assert "Семинар-практикум РМО учителей предмета «Математика»" in topic.inner_text()
    assert names[0] in topic.inner_text() and names[1] in topic.inner_text()
