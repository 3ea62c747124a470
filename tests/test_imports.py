from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from shnor.assessments.models import ReferenceResult, Result
from shnor.core.import_template import write_template
from shnor.core.importing import IMPORTERS, importer_for
from shnor.core.models import AuditEvent
from shnor.registry.models import Municipality, School, SchoolContext
from tests.conftest import stored_results
from tests.tables import RESULT_HEADERS, result_row, write_table


@pytest.mark.parametrize(
    "suffix,encoding,delimiter",
    [
        (".csv", "utf-8", ";"),
        (".csv", "cp1251", ";"),
        (".csv", "utf-8-sig", ","),
        (".xlsx", "", ""),
        (".xls", "", ""),
        (".ods", "", ""),
    ],
)
def test_it_imports_results_from_every_format(
    world: dict[str, Any], tmp_path: Path, suffix: str, encoding: str, delimiter: str
) -> None:
    rows = [
        RESULT_HEADERS,
        result_row("100"),
        result_row("200", subject="Русский язык", grade=6),
        result_row(
            "100",
            kind="ЕГЭ",
            subject="Математика профильная",
            grade=None,
            marks=(None, None, None, None),
            **{"Не преодолели минимальный порог": 3, "Средний балл": 55.5},
        ),
    ]
    path = write_table(
        tmp_path / f"results{suffix}",
        rows,
        encoding=encoding or "utf-8",
        delimiter=delimiter or ";",
    )
    report = importer_for("results", world["users"]["region"]).run(path)
    assert report.problems == []
    assert report.added == 3
    ege = Result.objects.get(kind__code="ЕГЭ")
    assert (ege.grade, ege.below_min, float(ege.mean_score)) == (11, 3, 55.5)
    vpr = Result.objects.get(school__code="100", kind__code="ВПР")
    assert vpr.below_min == vpr.mark2 == 4  # «Отметка 2» is the below-minimum count for ВПР


def test_it_reports_every_bad_cell_and_writes_nothing(
    world: dict[str, Any], tmp_path: Path
) -> None:
    good = [RESULT_HEADERS, result_row("100"), result_row("200")]
    importer_for("results", world["users"]["region"]).run(write_table(tmp_path / "good.xlsx", good))
    before = stored_results()
    bad = [
        RESULT_HEADERS,
        result_row("100", participants=30),  # a change, but file is bad
        result_row("100", year="двадцать"),  # 1 year not a number
        result_row("100", kind="ГВЭ"),  # 2 unknown procedure
        result_row("100", subject="Алхимия"),  # 3 unknown subject
        result_row("100", grade=14),  # 4 grade out of range
        result_row("100", participants=-3, **{"Обучающихся": 1}),  # 5 negative count
        result_row("100", marks=(1.5, 8, 6, 2)),  # 6 fractional count
        result_row("100", **{"Средний балл": "хорошо"}),  # 7 mean not a number
        result_row("999"),  # 8 unknown school
        result_row("200", kind="ОГЭ", subject="Математика", grade=7),  # 9 ОГЭ in grade 7
        result_row(
            "200", subject="Русский язык", participants=5, marks=(4, 8, 6, 2)
        ),  # 10 marks exceed participants
    ]
    path = write_table(tmp_path / "bad.xlsx", bad)
    report = importer_for("results", world["users"]["region"]).run(path)
    assert len(report.problems) == 10
    assert stored_results() == before
    text = "\n".join(map(str, report.problems))
    assert "bad.xlsx, лист «Sheet», строка 3, столбец «Год»: значение «двадцать»" in text
    assert "столбец «Класс»: значение «14» — целое число не меньше 1 и не больше 11" in text


def test_it_reports_ten_bad_cells_at_once(world: dict[str, Any], tmp_path: Path) -> None:
    importer_for("results", world["users"]["region"]).run(
        write_table(tmp_path / "good.csv", [RESULT_HEADERS, result_row("100")])
    )
    before = stored_results()
    bad = [
        RESULT_HEADERS,
        result_row("100", year="2O25"),
        result_row("100", grade=0),
        result_row("100", participants="много"),
        result_row("100", marks=(-1, 8, 6, 2)),
        result_row("100", marks=(1, "x", 6, 2)),
        result_row("100", marks=(1, 8, 6.5, 2)),
        result_row("100", marks=(1, 8, 6, "пять")),
        result_row("100", **{"Средний балл": 101}),
        result_row("100", **{"Понизили": "?"}),
        result_row("100", year=1899),
    ]
    path = write_table(tmp_path / "bad.csv", bad)
    report = importer_for("results", world["users"]["region"]).run(path)
    assert len(report.problems) == 10
    rows = sorted(p.row for p in report.problems)
    assert rows == list(range(2, 12))
    assert stored_results() == before
    assert report.summary == "Ошибок: 10. Ничего не записано."


def test_it_reports_inconsistent_rows_after_cells_parse(
    world: dict[str, Any], tmp_path: Path
) -> None:
    bad = [
        RESULT_HEADERS,
        result_row("999"),
        result_row("100", kind="ГВЭ"),
        result_row("100", subject="Алхимия"),
        result_row("200", kind="ОГЭ", subject="Математика", grade=7),
        result_row("200", subject="Русский язык", participants=5, marks=(4, 8, 6, 2)),
        result_row("100", **{"Не преодолели минимальный порог": 9}),
        result_row("outside"),
    ]
    report = importer_for("results", world["users"]["region"]).run(
        write_table(tmp_path / "bad.csv", bad)
    )
    columns = [p.column for p in report.problems]
    assert columns == [
        "Код ОО",
        "Процедура",
        "Предмет",
        "Класс",
        "Отметка 2",
        "Не преодолели минимальный порог",
        "Код ОО",
    ]
    assert Result.objects.count() == 0


def test_it_changes_nothing_on_the_second_import(world: dict[str, Any], tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "r.xlsx", [RESULT_HEADERS, result_row("100"), result_row("200", grade=6)]
    )
    importer = importer_for("results", world["users"]["region"])
    first = importer.run(path)
    second = importer.run(path)
    assert (first.added, first.changed) == (2, 0)
    assert (second.added, second.changed, second.unchanged) == (0, 0, 2)
    assert second.summary == "Строк: 2. Изменений нет."
    changed = write_table(
        tmp_path / "r2.xlsx", [RESULT_HEADERS, result_row("100", participants=25)]
    )
    third = importer.run(changed)
    assert (third.added, third.changed) == (0, 1)
    assert Result.objects.get(school__code="100").participants == 25


def test_it_refuses_schools_outside_the_users_scope(world: dict[str, Any], tmp_path: Path) -> None:
    path = write_table(tmp_path / "r.csv", [RESULT_HEADERS, result_row("300")])
    report = importer_for("results", world["users"]["municipality"]).run(path)
    assert [p.column for p in report.problems] == ["Код ОО"]
    assert "не найдена в вашей зоне доступа" in report.problems[0].expected


def test_it_names_missing_columns_and_notes_extra_ones(
    world: dict[str, Any], tmp_path: Path
) -> None:
    headers = [h for h in RESULT_HEADERS if h != "Участников"] + ["Примечание"]
    path = write_table(tmp_path / "r.csv", [headers, ["100", 2025, "ВПР", "Математика", 5]])
    report = importer_for("results", world["users"]["region"]).run(path)
    assert any(p.column == "Участников" and "обязательный" in p.expected for p in report.problems)
    headers_ok = [*RESULT_HEADERS, "Примечание"]
    ok = importer_for("results", world["users"]["region"]).run(
        write_table(tmp_path / "ok.csv", [headers_ok, [*result_row("100"), "что-то"]])
    )
    assert ok.ok and ok.notices == ["Столбцы не используются и пропущены: «Примечание»"]


def test_it_matches_headers_regardless_of_case_and_spaces(
    world: dict[str, Any], tmp_path: Path
) -> None:
    headers = [f"  {h.upper()} " for h in RESULT_HEADERS]
    report = importer_for("results", world["users"]["region"]).run(
        write_table(tmp_path / "r.csv", [["Отчёт о ВПР"], headers, result_row("100")])
    )
    assert report.ok and report.added == 1


def test_it_reports_duplicate_keys_in_one_file(world: dict[str, Any], tmp_path: Path) -> None:
    report = importer_for("results", world["users"]["region"]).run(
        write_table(tmp_path / "r.csv", [RESULT_HEADERS, result_row("100"), result_row("100")])
    )
    assert len(report.problems) == 1 and "повторяет строку 2" in str(report.problems[0])


def test_it_rejects_unreadable_files(world: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(b"%PDF")
    report = importer_for("results", world["users"]["region"]).run(path)
    assert "ожидается XLSX, XLS, ODS или CSV" in str(report.problems[0])
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert "не читается" in str(
        importer_for("results", world["users"]["region"]).run(broken).problems[0]
    )


def test_it_imports_schools_and_adds_municipalities(world: dict[str, Any], tmp_path: Path) -> None:
    rows = [
        [
            "Код ОО",
            "Наименование ОО",
            "Муниципалитет",
            "Тип ОО",
            "Местность",
            "Расстояние до центра, км",
        ],
        ["400", "МБОУ «Лицей № 4»", "Северный район", "лицей", "город", 0],
        ["500", "МКОУ Озёрная ООШ", "Новый район", "ООШ", "село", "42,5"],
        ["600", "МКОУ Неизвестная", "Южный район", "колледж", "хутор", "далеко"],
    ]
    report = importer_for("schools", world["users"]["region"]).run(
        write_table(tmp_path / "s.csv", rows)
    )
    assert [p.column for p in report.problems] == [
        "Тип ОО",
        "Местность",
        "Расстояние до центра, км",
    ]
    report = importer_for("schools", world["users"]["region"]).run(
        write_table(tmp_path / "s.csv", rows[:3])
    )
    assert report.ok and report.added == 2
    assert Municipality.objects.filter(name="Новый район").exists()
    assert School.objects.get(code="500").distance_km == pytest.approx(42.5)
    municipal = importer_for("schools", world["users"]["municipality"]).run(
        write_table(
            tmp_path / "s2.csv", [rows[0], ["700", "Школа", "Южный район", "СОШ", "город", 1]]
        )
    )
    assert "вне вашей зоны доступа" in str(municipal.problems[0])


def test_it_imports_context_with_yes_no_and_percentages(
    world: dict[str, Any], tmp_path: Path
) -> None:
    headers = [c.header for c in IMPORTERS["context"].columns]
    rows = [
        headers,
        ["100", 2025, 300, 12, 25, 2, 8, "нет", 20, "15,5", 20, 3],
        ["200", 2025, 100, 200, 10, 0, 11, "да", 10, 5, 5, 0],
    ]
    report = importer_for("context", world["users"]["region"]).run(
        write_table(tmp_path / "c.xlsx", rows)
    )
    assert {p.column for p in report.problems} == {"Обучающихся с ОВЗ", "Педагогов старше 55 лет"}
    report = importer_for("context", world["users"]["region"]).run(
        write_table(tmp_path / "c.xlsx", rows[:2])
    )
    assert report.ok
    context = SchoolContext.objects.get()
    assert context.stable_internet is False and float(context.low_income_pct) == 15.5
    assert context.students_per_computer == 15.0


def test_it_imports_reference_averages(world: dict[str, Any], tmp_path: Path) -> None:
    headers = [c.header for c in IMPORTERS["reference"].columns]
    rows = [
        headers,
        [
            "муниципалитет",
            "Северный район",
            2025,
            "ВПР",
            "Математика",
            5,
            200,
            20,
            80,
            70,
            30,
            None,
            3.5,
        ],
        [
            "регион",
            "Тестовая область",
            2025,
            "ВПР",
            "Математика",
            5,
            2000,
            150,
            800,
            750,
            300,
            None,
            3.6,
        ],
        [
            "Россия",
            "РФ",
            2025,
            "ЕГЭ",
            "Русский язык",
            11,
            600000,
            None,
            None,
            None,
            None,
            9000,
            68.4,
        ],
    ]
    report = importer_for("reference", world["users"]["region"]).run(
        write_table(tmp_path / "ref.ods", rows)
    )
    assert report.ok, report.problems
    assert ReferenceResult.objects.get(level="municipality").municipality == world["north"]
    assert ReferenceResult.objects.get(level="russia").territory == "Российская Федерация"


def test_it_writes_templates_that_import_back(world: dict[str, Any], tmp_path: Path) -> None:
    for kind in IMPORTERS:
        path = write_template(kind, tmp_path / f"{kind}.xlsx")
        # the school's own list of students is loaded by the school alone
        user = world["users"]["school" if kind == "students" else "municipality"]
        report = importer_for(kind, user).run(path)
        assert report.ok and report.rows == 0, kind


def test_the_console_command_imports_and_audits(
    world: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_table(tmp_path / "r.csv", [RESULT_HEADERS, result_row("100")])
    call_command("import", "results", str(path), verbosity=0)
    assert Result.objects.count() == 1
    assert AuditEvent.objects.filter(action="import.results", actor=None).exists()
    call_command("import", "results", str(path), verbosity=0)
    assert "Изменений нет" in capsys.readouterr().out
    bad = write_table(tmp_path / "bad.csv", [RESULT_HEADERS, result_row("999")])
    with pytest.raises(CommandError, match="Ошибок: 1"):
        call_command("import", "results", str(bad), verbosity=0)


def test_the_upload_page_runs_the_import_as_a_job(
    world: dict[str, Any], tmp_path: Path, settings: Any
) -> None:
    from django.test import Client
    from django.urls import reverse

    from shnor.core.jobs import run_pending

    settings.MEDIA_ROOT = tmp_path / "media"
    client = Client()
    client.force_login(world["users"]["region"])
    path = write_table(tmp_path / "r.xlsx", [RESULT_HEADERS, result_row("100")])
    with path.open("rb") as upload:
        response = client.post(reverse("import"), {"kind": "results", "file": upload})
    assert response.status_code == 302 and Result.objects.count() == 0
    assert run_pending() == 1
    assert Result.objects.count() == 1
    page = client.get(reverse("import")).content.decode()
    assert "Мои последние загрузки" in page and "Добавлено: 1" in page
    job_page = client.get(response.url).content.decode()
    assert "Добавлено: 1" in job_page and "hx-trigger" not in job_page
