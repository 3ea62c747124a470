"""Monitoring campaigns: the form's definition, answers checked on the page and in the XLSX,
scope, and the indicator fed by the answers."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from django.test import Client
from openpyxl import load_workbook

from shnor.accounts.choices import Role
from shnor.accounts.models import User
from shnor.campaigns.actions import do_create_campaign, do_save_answers, do_send_campaign
from shnor.campaigns.answering import AnswersForm
from shnor.campaigns.choices import Completion, RoundMonth
from shnor.campaigns.definition import DefinitionError, parse, template_text
from shnor.campaigns.models import Campaign
from shnor.campaigns.workbook import WorkbookErrors, form_workbook, read_answers
from shnor.indicators.engine import compute

FORM = """
вопросы:
  - текст: Есть ли ШППКО
    тип: да/нет
    обязательный: да
    показатель: мониторинг эффективности ШППКО
  - {текст: Вакансии, тип: число, мин: 0, макс: 10}
таблицы:
  - название: Кадры
    строки: [Всего]
    столбцы: [{название: Численность, тип: число, мин: 0}]
"""


def test_it_reads_the_template_and_names_bad_definitions() -> None:
    assert parse(template_text())["questions"][0]["feed"] == "programme_monitored"
    for text, expected in (
        ("вопросы: [{текст: А, тип: цвет}]", "Вопрос 1: тип «цвет» неизвестен"),
        ("вопросы: [{текст: А, тип: текст, мин: 1}]", "Вопрос 1: «мин» и «макс»"),
        ("вопросы: [{текст: А, тип: число, мин: 5, макс: 1}]", "Вопрос 1: «мин» больше «макс»"),
        ("вопросы: [{текст: А, тип: выбор, варианты: [один]}]", "Вопрос 1: у типа «выбор»"),
        ("вопросы: [{текст: А, тип: текст, показатель: вакансии педагогов}]", "только вопросы"),
        ("вопросы: [{текст: А, тип: число, показатель: погода}]", "показатель «погода»"),
        ("таблицы: [{название: Т, строки: [], столбцы: []}]", "Таблица 1: нужен список"),
        ("вопросы: [", "не читается как YAML"),
    ):
        with pytest.raises(DefinitionError, match=expected):
            parse(text)


def test_it_puts_bad_values_on_their_fields() -> None:
    definition = parse(FORM)
    form = AnswersForm(definition, {"q1": "", "q2": "11", "t1_1_1": "-1"})
    assert not form.is_valid()
    assert set(form.errors) == {"q1", "q2", "t1_1_1"}
    draft = AnswersForm(definition, {"q1": "", "q2": "2,5", "t1_1_1": "4"}, strict=False)
    assert draft.is_valid() and draft.answers() == {"q2": 2.5, "t1_1_1": 4}


def campaign_of(world: dict[str, Any], deadline: date) -> Campaign:
    return do_create_campaign(
        Campaign(
            region=world["region"],
            municipality=world["north"],
            title="Мониторинг",
            year=deadline.year,
            month=RoundMonth.SEPTEMBER,
            deadline=deadline,
            definition=parse(FORM),
        ),
        acting_user=world["users"]["municipality"],
    )


def filled(data: bytes, cell: str, value: Any, path: Path) -> Path:
    book = load_workbook(io.BytesIO(data))
    sheet, _, place = cell.partition("!")
    book[sheet][place] = value
    book.save(path)
    return path


def test_it_round_trips_the_xlsx_and_names_a_bad_cell(
    world: dict[str, Any], tmp_path: Path
) -> None:
    campaign = campaign_of(world, date.today() + timedelta(days=5))
    (assignment,) = do_send_campaign(
        campaign, [world["schools"]["a"]], acting_user=world["users"]["municipality"]
    )
    data = form_workbook(assignment)
    bad = filled(data, "Вопросы!E4", "много", tmp_path / "bad.xlsx")
    book = load_workbook(bad)
    book["Вопросы"]["E3"] = "да"
    book.save(bad)
    with pytest.raises(WorkbookErrors, match="лист «Вопросы», строка 4, столбец E"):
        read_answers(assignment, bad, "bad.xlsx")
    good = filled(data, "Вопросы!E3", "да", tmp_path / "good.xlsx")
    book = load_workbook(good)
    book["Вопросы"]["E4"] = 3
    book["Таблица 1"]["B3"] = 20
    book.save(good)
    assert read_answers(assignment, good, "good.xlsx") == {"q1": True, "q2": 3, "t1_1_1": 20}


def test_it_tracks_completion_and_feeds_the_indicator(world: dict[str, Any]) -> None:
    today = date.today()
    campaign = campaign_of(world, today - timedelta(days=1))
    mun = world["users"]["municipality"]
    a, b = do_send_campaign(
        campaign, [world["schools"]["a"], world["schools"]["b"]], acting_user=mun
    )
    assert a.completion(today) == Completion.OVERDUE
    do_save_answers(a, {"q1": True}, submit=True, acting_user=mun)
    do_save_answers(b, {"q1": False}, submit=True, acting_user=mun)
    values = compute(world["region"].pk, [campaign.year]).filter(
        pl.col("indicator") == "programme_monitored_share",
        pl.col("municipality_id") == world["north"].pk,
        pl.col("school_id").is_null(),
    )
    assert values["value"].to_list() == [50.0]


def test_it_keeps_each_user_in_scope(world: dict[str, Any], client: Client) -> None:
    campaign = campaign_of(world, date.today() + timedelta(days=5))
    mun = world["users"]["municipality"]
    a, b = do_send_campaign(
        campaign, [world["schools"]["a"], world["schools"]["b"]], acting_user=mun
    )
    client.force_login(world["users"]["school"])
    assert client.get(f"/campaigns/forms/{a.pk}/").status_code == 200
    assert client.get(f"/campaigns/forms/{b.pk}/").status_code == 404
    response = client.post(f"/campaigns/forms/{a.pk}/", {"action": "submit", "q1": "", "q2": "x"})
    assert response.status_code == 400
    assert "Обязательное поле" in response.content.decode()
    south = User.objects.create_user(
        "south", password="x", role=Role.MUNICIPALITY, municipality=world["south"]
    )
    client.force_login(south)
    assert client.get(f"/campaigns/{campaign.pk}/").status_code == 404
    assert client.get(f"/campaigns/forms/{a.pk}/").status_code == 404
    client.force_login(mun)
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert world["schools"]["a"].name in page
