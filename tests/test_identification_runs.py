"""Runs stored with their evidence and history; exports; methodology versions; the command."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from shnor.core.jobs import run_pending
from shnor.core.models import AuditEvent, Job
from shnor.core.system import SystemUser
from shnor.identification.actions import do_run_identification, do_save_methodology_version
from shnor.identification.exports import CSV_COLUMNS, to_csv
from shnor.identification.models import Methodology, Run, SchoolStatus
from tests.conftest import add_results

LOW = [("ВПР", "Математика", 5, 20, 8), ("ОГЭ", "Математика", 9, 20, 7)]


@pytest.fixture
def listed(world: dict[str, Any]) -> dict[str, Any]:
    """School a: low in 2024 and 2025; b: low in 2024 only; c: fine."""
    schools = world["schools"]
    for year in (2024, 2025):
        add_results(schools["a"], [(year, *row) for row in LOW])
        add_results(schools["c"], [(year, "ОГЭ", "Математика", 9, 20, 1)])
    add_results(schools["b"], [(2024, *row) for row in LOW])
    add_results(schools["b"], [(2025, "ВПР", "Математика", 5, 20, 1)])
    return world


def federal() -> Methodology:
    return Methodology.objects.get(code="federal")


def test_a_run_is_stored_with_evidence_fingerprint_and_author(listed: dict[str, Any]) -> None:
    user = listed["users"]["region"]
    run = do_run_identification(federal(), 2025, acting_user=user)
    assert run.started_by == user and run.definition["code"] == "federal"
    assert run.counts["low_results"] == 1
    status = run.statuses.get(school__code="100")
    assert status.status == "low_results"
    reasons = {e["indicator"]: e for e in status.items}
    assert reasons["low_two_procedures"]["triggered"] is True
    assert reasons["low_same_procedure"]["window"] == "2024–2025"
    assert reasons["low_two_procedures"]["compare"] == "доля «2» / ниже порога ≥ 30%"
    assert "ВПР Математика 5 кл. (2025): 40,0%" in reasons["low_two_procedures"]["detail"]
    assert AuditEvent.objects.filter(action="identification.run", actor=user).exists()
    again = do_run_identification(federal(), 2025, acting_user=user)
    assert again.fingerprint == run.fingerprint
    add_results(listed["schools"]["c"], [(2025, "ВПР", "Математика", 5, 20, 2)])
    assert do_run_identification(federal(), 2025, acting_user=user).fingerprint != run.fingerprint


def test_history_tells_who_entered_stayed_and_left(listed: dict[str, Any]) -> None:
    user = listed["users"]["region"]
    first = do_run_identification(federal(), 2024, acting_user=user)
    second = do_run_identification(federal(), 2025, acting_user=user)
    assert second.previous == first
    movements = dict(second.statuses.values_list("school__code", "movement"))
    assert movements == {"100": "stayed", "200": "left", "300": "outside"}
    assert dict(first.statuses.values_list("school__code", "movement"))["200"] == "entered"
    card = Client()
    card.force_login(user)
    page = card.get(reverse("school", args=[listed["schools"]["b"].pk])).content.decode()
    assert "осталась в списке" not in page and "вышла из списка" in page


def test_the_csv_follows_the_output_contract(listed: dict[str, Any]) -> None:
    run = do_run_identification(federal(), 2025, acting_user=listed["users"]["region"])
    rows = list(csv.reader(io.StringIO(to_csv(run, run.statuses.all()))))
    assert rows[0] == [
        *CSV_COLUMNS,
        "low_two_procedures",
        "low_same_procedure",
        "low_one_procedure",
        "low_small_pooled",
    ]
    by_code = {r[0]: r for r in rows[1:]}
    assert by_code["100"][3:] == ["low_results", "3", "4", "1", "1", "1", ""]  # nothing small
    assert by_code["300"][3:] == ["none", "0", "4", "0", "0", "0", ""]
    assert len(rows) == 4


def test_exports_open_as_xlsx_and_docx(listed: dict[str, Any]) -> None:
    user = listed["users"]["region"]
    run = do_run_identification(federal(), 2025, acting_user=user)
    client = Client()
    client.force_login(user)
    xlsx = client.get(reverse("identification:export", args=[run.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content))["Список"]
    assert sheet["A1"].value == "Код ОО" and sheet.max_row == 4
    assert "Школа отнесена к ШНОР" in [c.value for c in sheet[2] if c.value][-1] + "".join(
        str(c.value) for r in sheet.iter_rows(min_row=2) for c in r
    )
    docx = client.get(reverse("identification:export", args=[run.pk, "docx"]))
    document = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Приложение к приказу" in text and "Список школ с низкими" in text
    cells = [c.text for c in document.tables[0].rows[1].cells]
    assert cells[2] == "МБОУ СОШ № 1" and "две и более" not in cells[3]


def test_the_identification_page_runs_a_background_job(listed: dict[str, Any]) -> None:
    client = Client()
    client.force_login(listed["users"]["region"])
    response = client.post(
        reverse("identification:index"), {"methodology": federal().pk, "year": 2025}
    )
    job = Job.objects.get()
    assert response.url == reverse("job", args=[job.pk])
    assert client.get(response.url).content.decode().count("hx-trigger") == 1
    assert run_pending() == 1
    job.refresh_from_db()
    run = Run.objects.get()
    assert job.status == "done" and job.result["run_id"] == run.pk and job.progress == job.total
    page = client.get(reverse("identification:run", args=[run.pk])).content.decode()
    assert "Школа отнесена к ШНОР" in page


def test_two_methodologies_compare_on_the_same_data(listed: dict[str, Any]) -> None:
    user = listed["users"]["region"]
    a = do_run_identification(federal(), 2025, acting_user=user)
    b = do_run_identification(Methodology.objects.get(code="comparative"), 2025, acting_user=user)
    client = Client()
    client.force_login(user)
    page = client.get(reverse("identification:compare") + f"?a={a.pk}&b={b.pk}")
    assert page.status_code == 200 and "школ с разным статусом" in page.content.decode()


def test_saving_parameters_makes_a_new_version_and_keeps_the_old(listed: dict[str, Any]) -> None:
    user = listed["users"]["region"]
    old = federal()
    new = do_save_methodology_version(old, {"low_share": 0.45}, acting_user=user)
    assert (new.code, new.version, new.parent) == ("federal", 3, old)  # built-in is version 2
    assert old.definition["parameters"]["low_share"]["value"] == 0.3
    run = do_run_identification(new, 2025, acting_user=user)
    assert run.counts.get("low_results", 0) == 0  # 40% and 35% are below 45%
    clone = do_save_methodology_version(
        old, {}, acting_user=user, code="federal-local", name="Региональная модель"
    )
    assert (clone.code, clone.version, clone.name) == ("federal-local", 1, "Региональная модель")
    client = Client()
    client.force_login(user)
    response = client.post(
        reverse("identification:methodology", args=[old.pk]),
        {
            "low_share": "0,35",
            "min_participants": "5",
            "combine": "all",
            "pool_years": "3",
            "kinds": "ВПР, ОГЭ",
            "subjects": "Математика",
            "excluded_kinds": ["коррекционная"],
            "code": "federal",
        },
    )
    saved = Methodology.objects.get(code="federal", version=4)
    assert response.status_code == 302
    assert saved.definition["parameters"]["kinds"]["value"] == ["ВПР", "ОГЭ"]
    assert saved.definition["parameters"]["combine"]["value"] == "all"
    bad = client.post(
        reverse("identification:methodology", args=[old.pk]),
        {
            "low_share": "много",
            "min_participants": "5",
            "combine": "any",
            "kinds": "ВПР",
            "subjects": "Математика",
            "code": "federal",
        },
    )
    assert "ожидается число" in bad.content.decode()


def test_the_identify_command_writes_csv_and_xlsx(listed: dict[str, Any], tmp_path: Path) -> None:
    output = tmp_path / "list.csv"
    call_command(
        "identify",
        year=2025,
        methodology="federal",
        municipality="Северный район",
        output=output,
        verbosity=0,
    )
    rows = list(csv.reader(output.open(encoding="utf-8")))
    assert [r[0] for r in rows[1:]] == ["100", "200"]
    call_command(
        "identify",
        year=2025,
        methodology="sayansky",
        region="Тестовая область",
        output=tmp_path / "l.xlsx",
        verbosity=0,
    )
    assert load_workbook(tmp_path / "l.xlsx")["Показатели"].max_row == 13
    assert Run.objects.filter(started_by=None).count() == 2
    system = SystemUser()
    assert system.is_superuser and system.pk is None


def test_a_repeated_run_shows_it_read_the_same_data(listed: dict[str, Any]) -> None:
    user = listed["users"]["region"]
    first = do_run_identification(federal(), 2025, acting_user=user)
    client = Client()
    client.force_login(user)
    page = client.get(reverse("identification:run", args=[first.pk])).content.decode()
    assert "Повторить запуск" in page and "На тех же данных" not in page
    client.post(
        reverse("identification:index"),
        {"methodology": federal().pk, "year": 2025, "municipality": ""},
    )
    run_pending()
    again = Run.objects.exclude(pk=first.pk).get()
    assert again.fingerprint == first.fingerprint and again.counts == first.counts
    page = client.get(reverse("identification:run", args=[again.pk])).content.decode()
    assert f"запуск №{first.pk}" in page


def test_a_regional_model_loads_from_yaml_and_runs(listed: dict[str, Any], tmp_path: Path) -> None:
    call_command("methodology", "dump", "federal", str(tmp_path / "f.yaml"), verbosity=0)
    text = (tmp_path / "f.yaml").read_text(encoding="utf-8")
    custom = (
        text.replace("code: federal", "code: regional-ege")
        .replace("name: Федеральные критерии (Рособрнадзор)", "name: Региональная модель (ОГЭ)")
        .replace("value:\n    - ВПР\n    - ОГЭ\n    - ЕГЭ", "value:\n    - ОГЭ")
    )
    (tmp_path / "r.yaml").write_text(custom, encoding="utf-8")
    call_command("methodology", "load", str(tmp_path / "r.yaml"), verbosity=0)
    model = Methodology.objects.get(code="regional-ege")
    assert model.definition["parameters"]["kinds"]["value"] == ["ОГЭ"]
    run = do_run_identification(model, 2025, acting_user=listed["users"]["region"])
    statuses = dict(run.statuses.values_list("school__code", "status"))
    assert statuses["100"] == "low_results"  # ОГЭ math low in both years
    assert statuses["200"] == "insufficient_data"  # no ОГЭ in 2025
    assert model.name == "Региональная модель (ОГЭ)"
    (tmp_path / "bad.yaml").write_text(
        custom.replace("block: low_procedures", "block: magic"), encoding="utf-8"
    )
    with pytest.raises(Exception, match="block одно из"):
        call_command("methodology", "load", str(tmp_path / "bad.yaml"), verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_evidence_stored_per_school_moves_to_its_run() -> None:
    """A database with runs from before RunEvidence keeps every school's evidence."""
    executor = MigrationExecutor(connection)
    executor.migrate([("identification", "0001_initial")])
    apps = executor.loader.project_state([("identification", "0001_initial")]).apps
    region = apps.get_model("registry", "Region").objects.create(name="Область")
    place = apps.get_model("registry", "Municipality").objects.create(region=region, name="Район")
    School = apps.get_model("registry", "School")
    schools = [
        School.objects.create(code=code, name=f"Школа {code}", municipality=place)
        for code in ("1", "2")
    ]
    methodology = apps.get_model("identification", "Methodology").objects.create(
        code="m", version=1, name="М", definition={}
    )
    indicators = [{"code": "x", "label": "Икс"}, {"code": "y", "label": "Игрек"}]
    run = apps.get_model("identification", "Run").objects.create(
        methodology=methodology,
        year=2025,
        region=region,
        definition={"indicators": indicators},
        fingerprint="f",
    )

    def item(code: str, triggered: bool) -> dict[str, Any]:
        return {
            "indicator": code,
            "applicable": True,
            "triggered": triggered,
            "value": 40.0 if triggered else 0.0,
            "reference": None,
            "threshold": 30.0,
            "compare": "≥ 30%",
            "window": "2025",
            "detail": "ВПР Математика 5 кл. (2025): 40,0%" if triggered else "нет",
        }

    for school, evidence in zip(
        schools,
        ([item("y", True), item("x", False)], [item("x", False), item("y", False)]),
        strict=True,
    ):
        apps.get_model("identification", "SchoolStatus").objects.create(
            run=run,
            school=school,
            status="low_results",
            indicators_triggered=1,
            indicators_applicable=2,
            indicators_total=2,
            evidence=evidence,
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    status = SchoolStatus.objects.select_related("run").get(school__code="1")
    assert [(e["indicator"], e["label"], e["triggered"]) for e in status.items] == [
        ("x", "Икс", False),
        ("y", "Игрек", True),
    ]
    assert status.items[1]["detail"] == "ВПР Математика 5 кл. (2025): 40,0%"
    assert status.items[1]["value"] == 40.0 and status.items[1]["reference"] is None
