"""Official lists received from ФИОКО, Рособрнадзор and the ЦОКО: loaded from the web and the
console as lists of their own kind, checked whole, and combined with the methodologies' runs in
the consolidated list and its exports."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from docx import Document
from openpyxl import Workbook, load_workbook

from shnor.core.models import AuditEvent
from shnor.identification.actions import do_import_official_list, do_run_identification
from shnor.identification.choices import ListSource, Movement, Status
from shnor.identification.consolidated import consolidated_list
from shnor.identification.models import Methodology, Run
from tests.conftest import add_results

LOW = [("ВПР", "Математика", 5, 20, 8), ("ОГЭ", "Математика", 9, 20, 7)]
REGION = {"region": "Тестовая область", "verbosity": 0}
HEADER = ["№", "Код ОО", "Наименование ОО", "Статус", "Основание"]


@pytest.fixture
def listed(world: dict[str, Any]) -> dict[str, Any]:
    """School a: low in 2024 and 2025 (federal ШНОР in 2025); b and c: fine."""
    for year in (2024, 2025):
        add_results(world["schools"]["a"], [(year, *row) for row in LOW])
        add_results(world["schools"]["c"], [(year, "ОГЭ", "Математика", 9, 20, 1)])
    return world


def xlsx(path: Path, rows: list[list[Any]], header: list[str] = HEADER) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Список"
    sheet.append(["Перечень ОО с признаками низких образовательных результатов"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def upload(client: Client, path: Path, **fields: Any) -> Any:
    data = {"source": "fioko", "year": 2025, **fields}
    data["file"] = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(reverse("identification:official_list"), data)


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_fioko_list_uploads_as_a_list_of_its_own_kind(
    listed: dict[str, Any], tmp_path: Path
) -> None:
    user = listed["users"]["region"]
    path = xlsx(
        tmp_path / "fioko_2025.xlsx",
        [
            [1, "300", "", "ШНОР", "Низкие результаты ВПР по математике 2 года подряд"],
            [2, "", "МБОУ «СОШ № 2»", "зона риска", ""],
        ],
    )
    response = upload(logged_in(user), path)
    assert response.status_code == 302 and "consolidated" in response["Location"]
    run = Run.objects.get(source=ListSource.FIOKO)
    assert (run.methodology, run.year, run.municipality, run.file_name) == (
        None,
        2025,
        None,
        "fioko_2025.xlsx",
    )
    assert run.title == "Список: ФИОКО" and run.started_by == user
    statuses = dict(run.statuses.values_list("school__code", "status"))
    assert statuses == {"100": Status.NONE, "200": Status.RISK_ZONE, "300": Status.LOW_RESULTS}
    reasons = {s.school.code: s.items[0]["detail"] for s in run.statuses.all()}
    assert reasons["300"] == "Низкие результаты ВПР по математике 2 года подряд"
    assert reasons["200"] == "основание в списке не указано"
    assert run.counts["low_results"] == 1 and run.counts["entered"] == 1
    assert AuditEvent.objects.filter(action="identification.official_list", actor=user).exists()
    page = logged_in(user).get(reverse("identification:run", args=[run.pk])).content.decode()
    assert "Список: ФИОКО, 2025 год" in page and "Низкие результаты ВПР" in page


def test_a_list_with_any_error_writes_nothing_and_names_each_place(
    listed: dict[str, Any], tmp_path: Path
) -> None:
    path = xlsx(
        tmp_path / "bad.xlsx",
        [
            [1, "999", "", "ШНОР", ""],
            [2, "", "Школа, которой нет", "", ""],
            [3, "100", "", "отличная", ""],
            [4, "", "", "", "без школы"],
            [5, "300", "", "", ""],
            [6, "300", "", "", "повтор"],
        ],
    )
    response = upload(logged_in(listed["users"]["region"]), path)
    page = response.content.decode()
    assert response.status_code == 400
    assert not Run.objects.exists()
    assert "bad.xlsx, лист «Список», строка 3, столбец «Код ОО»: значение «999»" in page
    assert "строка 4, столбец «Наименование ОО»" in page and "укажите код ОО" in page
    assert "строка 5, столбец «Статус»: значение «отличная» — статус: одно из" in page
    assert "строка 6, столбец «Код ОО» — укажите код ОО или наименование ОО" in page
    assert "строка 8, столбец «Код ОО»" in page and "повторяет строку 7" in page


def test_the_year_in_the_file_must_be_the_lists_year(
    listed: dict[str, Any], tmp_path: Path
) -> None:
    path = xlsx(tmp_path / "y.xlsx", [["300", 2024]], header=["Код ОО", "Год"])
    report, run = do_import_official_list(
        path, source="coko", year=2025, acting_user=listed["users"]["region"]
    )
    assert run is None
    assert [str(p) for p in report.problems] == [
        "y.xlsx, лист «Список», строка 3, столбец «Год»: значение «2024» — загружается "
        "список 2025 года"
    ]


def test_a_municipal_coordinator_loads_only_its_own_schools(
    listed: dict[str, Any], tmp_path: Path
) -> None:
    client = logged_in(listed["users"]["municipality"])  # Северный район: schools a, b
    outside = xlsx(tmp_path / "coko.xlsx", [[1, "300", "", "", ""]])
    response = upload(client, outside, source="coko")
    assert response.status_code == 400 and not Run.objects.exists()
    assert "не найдена в вашей зоне доступа" in response.content.decode()
    own = xlsx(tmp_path / "coko2.xlsx", [[1, "100", "", "", "ЦОКО: риск по ОГЭ"]])
    assert upload(client, own, source="coko").status_code == 302
    run = Run.objects.get()
    assert run.municipality == listed["north"] and run.statuses.count() == 2
    assert logged_in(listed["users"]["school"]).get(
        reverse("identification:official_list")
    ).status_code == (404)


def test_the_console_loads_a_csv_list_and_keeps_its_history(
    listed: dict[str, Any], tmp_path: Path
) -> None:
    first = tmp_path / "rosobrnadzor_2024.csv"
    first.write_text(
        "Наименование ОО;Муниципалитет;Причина\nМБОУ СОШ № 1;Северный район;критерии\x0b2024\n",
        encoding="cp1251",
    )
    call_command("identify", "import-list", str(first), source="rosobrnadzor", year=2024, **REGION)
    second = tmp_path / "rosobrnadzor_2025.csv"
    second.write_text("Код ОО,Причина\n300,критерии 2025\n", encoding="utf-8")
    call_command("identify", "import-list", str(second), source="rosobrnadzor", year=2025, **REGION)
    earlier = Run.objects.get(year=2024)
    assert earlier.statuses.get(school__code="100").items[0]["detail"] == "критерии 2024"
    later = Run.objects.get(year=2025)
    assert later.previous == Run.objects.get(year=2024)
    movements = dict(later.statuses.values_list("school__code", "movement"))
    assert movements["100"] == Movement.LEFT and movements["300"] == Movement.ENTERED
    bad = tmp_path / "bad.csv"
    bad.write_text("Код ОО\n12345\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Ошибок: 1"):
        call_command("identify", "import-list", str(bad), source="coko", year=2025, **REGION)
    assert Run.objects.count() == 2


def test_the_consolidated_list_shows_every_source_with_its_reasons(
    listed: dict[str, Any], tmp_path: Path
) -> None:
    user = listed["users"]["region"]
    federal = Methodology.objects.get(code="federal")
    do_run_identification(federal, 2025, acting_user=user)
    do_import_official_list(
        xlsx(tmp_path / "f.xlsx", [[1, "100", "", "", "ФИОКО: ВПР"], [2, "300", "", "", ""]]),
        source="fioko",
        year=2025,
        acting_user=user,
    )
    listing = consolidated_list(user, listed["region"], 2025)
    assert list(listing.columns) == ["fioko", "region"]
    rows = {row.school.code: row for row in listing.rows}
    assert set(rows) == {"100", "300"}
    assert set(rows["100"].entries) == {"fioko", "region"}
    assert rows["100"].entries["fioko"].reasons == "ФИОКО: ВПР"
    assert "ВПР Математика 5 кл." in rows["100"].entries["region"].reasons
    assert set(rows["300"].entries) == {"fioko"}
    south = consolidated_list(user, listed["region"], 2025, municipality=listed["south"])
    assert [r.school.code for r in south.rows] == ["300"]
    only_region = consolidated_list(user, listed["region"], 2025, source="region")
    assert [r.school.code for r in only_region.rows] == ["100"]

    client = logged_in(user)
    page = client.get(reverse("identification:consolidated"), {"year": 2025}).content.decode()
    assert "ФИОКО: ВПР" in page and "Федеральные критерии" in page
    assert client.get(reverse("identification:consolidated"), {"year": "abc"}).status_code == 400
    workbook = load_workbook(
        io.BytesIO(
            client.get(
                reverse("identification:consolidated_export", args=["xlsx"]), {"year": 2025}
            ).content
        )
    )
    sheet = workbook["Сводный список"]
    assert [c.value for c in sheet[1]][:6] == [
        "Код ОО",
        "Наименование ОО",
        "Муниципалитет",
        "Статус",
        "ФИОКО: статус",
        "ФИОКО: основания",
    ]
    assert sheet.max_row == 3
    document = Document(
        io.BytesIO(
            client.get(
                reverse("identification:consolidated_export", args=["docx"]), {"year": 2025}
            ).content
        )
    )
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "МБОУ СОШ № 1" in text and "ФИОКО: ШНОР (низкие результаты) — ФИОКО: ВПР" in text
    assert "Приложение к приказу" in document.paragraphs[0].text
