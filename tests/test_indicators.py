"""Indicator formulas on fixtures, monitoring rounds, dashboards and every report kind."""

from __future__ import annotations

import io
import re
from typing import Any

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from shnor.core.jobs import run_pending
from shnor.core.models import Job
from shnor.core.system import SystemUser
from shnor.identification.actions import do_run_identification
from shnor.identification.models import Methodology
from shnor.indicators.actions import do_create_round
from shnor.indicators.catalogue import by_code, indicators
from shnor.indicators.dashboard import change_level, colour, grid, status_level
from shnor.indicators.engine import compute, current_values, ratio
from shnor.indicators.models import IndicatorValue, MonitoringRound
from shnor.indicators.rounds import round_table
from shnor.registry.models import SchoolContext
from tests.conftest import add_results


def value_of(
    values: pl.DataFrame,
    code: str,
    year: int,
    municipality: int | None = None,
    school: int | None = None,
) -> float | None:
    rows = values.filter((pl.col("indicator") == code) & (pl.col("year") == year))
    if school is None:
        rows = rows.filter(
            pl.col("municipality_id") == municipality
            if municipality
            else pl.col("municipality_id").is_null()
        )
    rows = rows.filter(pl.col("school_id") == school if school else pl.col("school_id").is_null())
    return rows["value"][0] if rows.height else None


@pytest.fixture
def measured(world: dict[str, Any]) -> dict[str, Any]:
    a, b = world["schools"]["a"], world["schools"]["b"]
    add_results(
        a,
        [
            (2025, "ОГЭ", "Математика", 9, 20, 8),
            (2025, "ВПР", "Математика", 5, 20, 8),
            (2024, "ОГЭ", "Математика", 9, 20, 10),
            (2024, "ВПР", "Математика", 5, 20, 9),
            (2025, "ЕГЭ", "Русский язык", 11, 10, 0, 70.0),
        ],
    )
    add_results(
        b, [(2025, "ОГЭ", "Математика", 9, 30, 1), (2025, "ЕГЭ", "Русский язык", 11, 30, 0, 60.0)]
    )
    for school, internet in ((a, False), (b, True)):
        for year in (2024, 2025):
            SchoolContext.objects.create(
                school=school,
                year=year,
                students=200,
                teachers=20,
                vacancies=1 if year == 2024 else 0,
                computers=40,
                stable_internet=internet or year == 2025,
            )
    do_run_identification(
        Methodology.objects.get(code="federal"),
        2025,
        acting_user=SystemUser(region=world["region"]),
    )
    world["values"] = compute(world["region"].pk, [2024, 2025])
    return world


def test_ratios_add_up_numerators_and_denominators(measured: dict[str, Any]) -> None:
    values, north = measured["values"], measured["north"].pk
    # 8 + 1 below the minimum of 20 + 30 ОГЭ and 10 + 30 ЕГЭ participants in the north
    assert value_of(values, "gia_below_min_share", 2025, north) == pytest.approx(10.0)
    assert value_of(
        values, "gia_below_min_share", 2025, None, measured["schools"]["a"].pk
    ) == pytest.approx(800 / 30)
    # participant-weighted mean: (70·10 + 60·30) / 40
    assert value_of(values, "ege_mean_russian", 2025, north) == pytest.approx(62.5)
    assert value_of(values, "low_results_share", 2025) == pytest.approx(100 / 3)


def test_missing_data_is_missing_not_zero(measured: dict[str, Any]) -> None:
    values = measured["values"]
    south = measured["south"].pk
    assert value_of(values, "gia_below_min_share", 2025, south) is None  # no ГИА in the south
    assert value_of(values, "teachers_iom_share", 2025, measured["north"].pk) is None
    assert value_of(values, "programmes_share", 2025) == pytest.approx(0.0)  # known: none yet
    assert value_of(values, "ege_mean_math", 2025) is None


def test_population_filters(measured: dict[str, Any]) -> None:
    values = measured["values"]
    # school a is the only ШНОР: its share of «2»/below-minimum fell 47.5% → 40% (improved)
    assert value_of(values, "improved_share", 2025) == pytest.approx(100.0)
    # risk-zone population: school a had deficits (no internet, vacancy) in 2024, none in 2025
    assert value_of(values, "risks_eliminated_share", 2025) == pytest.approx(100.0)
    # over all schools with context: nobody has a deficit in 2025
    assert value_of(values, "deficit_schools_share", 2025) == pytest.approx(0.0)
    frame = pl.DataFrame(
        {
            "year": [2025, 2025],
            "municipality_id": [1, 1],
            "listed": [1, 0],
            "risk": [True, False],
            "gia_below": [5.0, 0.0],
            "gia_participants": [10.0, 10.0],
        }
    )
    listed_only = ratio(
        {**by_code()["gia_below_min_share"], "population": "listed"}, frame, ["year"]
    )
    assert listed_only["value"][0] == pytest.approx(50.0)


def test_values_are_recomputed_when_the_data_changes(measured: dict[str, Any]) -> None:
    region = measured["region"].pk
    first = current_values(region, [2025])
    fingerprint = IndicatorValue.objects.values_list("fingerprint", flat=True).first()
    assert current_values(region, [2025]).equals(first)
    add_results(measured["schools"]["c"], [(2025, "ОГЭ", "Математика", 9, 50, 0)])
    changed = current_values(region, [2025])
    assert IndicatorValue.objects.values_list("fingerprint", flat=True).first() != fingerprint
    assert value_of(changed, "gia_below_min_share", 2025) != value_of(
        first, "gia_below_min_share", 2025
    )


def test_a_monitoring_round_freezes_values(measured: dict[str, Any]) -> None:
    user = measured["users"]["region"]
    first = do_create_round(measured["region"], 2025, 2, acting_user=user)
    add_results(measured["schools"]["c"], [(2025, "ОГЭ", "Математика", 9, 50, 0)])
    current_values(measured["region"].pk, [2025])
    second = do_create_round(measured["region"], 2025, 9, acting_user=user)
    rows = {r["spec"]["code"]: r for r in round_table(second, None)}
    gia = rows["gia_below_min_share"]
    assert gia["previous"] == pytest.approx(10.0) and gia["value"] == pytest.approx(900 / 140)
    assert gia["change"] == pytest.approx(900 / 140 - 10) and gia["meets"] is False
    assert MonitoringRound.objects.count() == 2 and "февраль 2026" in first.title


def test_the_status_change_grid() -> None:
    spec = by_code()["gia_below_min_share"]  # lower is better, bands 2/5/10/20
    assert status_level(spec, 1.0) == 4 and status_level(spec, 25.0) == 0
    assert change_level(spec, 4.0, 9.0) == 4 and change_level(spec, 9.0, 4.0) == 0
    assert colour(4, 4) == "blue" and colour(0, 0) == "red"
    placed = grid(
        spec,
        [
            {"name": "A", "url": "", "value": 1.0, "previous": 6.0},
            {"name": "B", "url": "", "value": 3.0, "previous": None},
        ],
    )
    assert placed["rows"][0]["cells"][4]["units"][0]["name"] == "A"
    assert [u["name"] for u in placed["unplaced"]] == ["B"]


def test_every_indicator_cites_its_source() -> None:
    assert all(i["source"] for i in indicators())
    assert {
        "low_results_share",
        "gia_below_min_share",
        "risks_eliminated_share",
        "teachers_iom_share",
        "leaders_share",
    } <= set(by_code())


@pytest.fixture
def demo(db: Any) -> Client:
    from shnor.demo.generator import YEARS, DemoRegion

    DemoRegion(seed=9).build()
    for year in YEARS[-2:]:
        do_run_identification(
            Methodology.objects.get(code="federal"), year, acting_user=SystemUser()
        )
    client = Client()
    client.login(username="region", password="demo")
    return client


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "pdf"])
def test_every_report_kind_opens(demo: Client, fmt: str, settings: Any, tmp_path: Any) -> None:
    from shnor.demo.generator import YEARS
    from shnor.registry.models import Municipality, School

    settings.MEDIA_ROOT = tmp_path
    place = Municipality.objects.get(name="Таёжный район")
    school = School.objects.get(code="600001")
    for kind in ("identification", "dynamics", "effectiveness", "passport"):
        demo.post(
            reverse("reports:index"),
            {
                "kind": kind,
                "format": fmt,
                "year": YEARS[-1],
                "municipality": place.pk,
                "school": school.pk,
            },
        )
    assert run_pending() == 4
    for job in Job.objects.filter(kind="report"):
        assert job.status == "done", job.error
        data = b"".join(demo.get(job.result["url"]).streaming_content)
        kind = job.params["kind"]
        if fmt == "docx":
            document = Document(io.BytesIO(data))
            text = "\n".join(p.text for p in document.paragraphs)
            assert "Управление образования: Таёжный район" in text
            assert "Источники данных" in text and "{{" not in text
            if kind == "effectiveness":
                rows = [[c.text for c in r.cells] for r in document.tables[0].rows]
                assert rows[0][0] == "Показатель" and len(rows) == len(indicators()) + 1
                # counts as integers: «1603 / 32085», never «1603,0 / 32085,0» or a code
                assert any(re.fullmatch(r"\d+ / \d+", r[4]) for r in rows)
            assert document.inline_shapes or kind == "identification", kind
        elif fmt == "xlsx":
            workbook = load_workbook(io.BytesIO(data))
            assert workbook["Справка"]["A1"].value.startswith(("Аналитическая", "Паспорт"))
            assert "Источники" in workbook.sheetnames
        else:
            reader = PdfReader(io.BytesIO(data))
            text = "".join(page.extract_text() for page in reader.pages)
            assert len(reader.pages) >= 1 and "Источники данных" in text
            if kind == "passport":
                assert "Тугачинская" in text
    other = Client()
    other.login(username="mun", password="demo")
    job = Job.objects.filter(kind="report").first()
    assert other.get(job.result["url"]).status_code == 404  # a report belongs to its author


def test_dashboards_and_rounds_render(demo: Client) -> None:
    from shnor.registry.models import Municipality

    page = demo.get(reverse("indicators:regional")).content.decode()
    assert 'id="grid"' in page and "очень высокий" in page and 'id="dynamics"' in page
    place = Municipality.objects.get(name="Таёжный район")
    municipal = demo.get(reverse("indicators:municipality", args=[place.pk])).content.decode()
    assert "Тугачинская" in municipal and "нет данных" in municipal
    response = demo.post(reverse("indicators:rounds"), {"year": 2025, "month": 9})
    assert response.status_code == 302
    assert "Доля ШНОР среди школ" in demo.get(response.url).content.decode()
    mun = Client()
    mun.login(username="mun", password="demo")
    assert mun.get(reverse("indicators:regional")).url == reverse(
        "indicators:municipality", args=[place.pk]
    )
    other = Municipality.objects.exclude(pk=place.pk).first()
    assert mun.get(reverse("indicators:municipality", args=[other.pk])).status_code == 404
