"""Errors and warnings (issue 13): the impossible refuses the file, the implausible is loaded
and named — in the report, the console and the job's result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from shnor.assessments.models import Result
from shnor.core.importing import importer_for
from shnor.registry.models import SchoolContext
from tests.conftest import stored_results
from tests.tables import RESULT_HEADERS, result_row, write_table

CONTEXT_HEADERS = ["Код ОО", "Год", "Обучающихся", "Обучающихся с ОВЗ"]


def run(world: dict[str, Any], kind: str, path: Path) -> Any:
    return importer_for(kind, world["users"]["region"]).run(path)


def ege(code: str, year: int = 2025, subject: str = "Русский язык", **extra: Any) -> list[Any]:
    return result_row(
        code,
        year=year,
        kind="ЕГЭ",
        subject=subject,
        grade=None,
        marks=(None, None, None, None),
        **{"Не преодолели минимальный порог": 1, "Средний балл": 61.5, **extra},
    )


def test_ege_participants_above_students_are_a_warning_and_the_file_loads(
    world: dict[str, Any], tmp_path: Path
) -> None:
    path = write_table(
        tmp_path / "ege.csv",
        [RESULT_HEADERS, ege("100", **{"Обучающихся": 18, "Участников": 20})],
    )
    report = run(world, "results", path)
    assert report.ok and report.added == 1
    assert [str(w) for w in report.warnings] == [
        "ege.csv, лист «CSV», строка 2, столбец «Участников»: значение «20» — участников "
        "больше, чем обучающихся (18): для ЕГЭ это возможно — экзамен сдают и выпускники "
        "прошлых лет"
    ]
    assert "Предупреждений: 1." in report.summary
    assert report.as_dict()["warnings"] == [str(report.warnings[0])]


def test_other_procedures_keep_participants_above_students_an_error(
    world: dict[str, Any], tmp_path: Path
) -> None:
    path = write_table(
        tmp_path / "vpr.csv",
        [RESULT_HEADERS, result_row("100", **{"Обучающихся": 10, "Участников": 20})],
    )
    before = stored_results()
    report = run(world, "results", path)
    assert [(p.column, p.expected) for p in report.problems] == [
        ("Участников", "участников не может быть больше, чем обучающихся")
    ]
    assert stored_results() == before


def test_a_file_with_an_error_and_a_warning_writes_nothing_and_shows_both(
    world: dict[str, Any], tmp_path: Path
) -> None:
    path = write_table(
        tmp_path / "mixed.csv",
        [
            RESULT_HEADERS,
            ege("100", **{"Обучающихся": 18, "Участников": 20}),
            result_row("999"),
        ],
    )
    report = run(world, "results", path)
    assert [p.row for p in report.problems] == [3]
    assert [w.row for w in report.warnings] == [2]
    assert report.summary == "Ошибок: 1. Ничего не записано. Предупреждений: 1."
    assert Result.objects.count() == 0


def test_a_mean_outside_the_scale_band_is_a_warning(world: dict[str, Any], tmp_path: Path) -> None:
    path = write_table(
        tmp_path / "means.csv",
        [
            RESULT_HEADERS,
            result_row("100", **{"Средний балл": 17}),  # a primary score as a mean of marks
            ege("200", **{"Средний балл": 4.1}),  # a five-point mean for Russian
            ege("100", subject="Математика базовая", **{"Средний балл": 4.1}),  # marks: fine
        ],
    )
    report = run(world, "results", path)
    assert report.ok and report.added == 3
    assert [(w.row, w.column, w.expected) for w in report.warnings] == [
        (
            2,
            "Средний балл",
            "средний балл вне шкалы отметок 2–5 этой процедуры: проверьте, не первичный ли это "
            "балл",
        ),
        (
            3,
            "Средний балл",
            "средний балл ниже половины минимального балла (24): проверьте, не по пятибалльной "
            "ли шкале он указан",
        ),
    ]


def test_a_class_size_changing_sharply_and_an_absent_school_are_warnings(
    world: dict[str, Any], tmp_path: Path
) -> None:
    last_year = [
        RESULT_HEADERS,
        result_row("100", year=2024, participants=20),
        result_row("200", year=2024),
    ]
    assert run(world, "results", write_table(tmp_path / "2024.csv", last_year)).ok
    this_year = [RESULT_HEADERS, result_row("100", year=2025, participants=60)]
    report = run(world, "results", write_table(tmp_path / "2025.csv", this_year))
    assert report.ok and report.added == 1
    assert [str(w) for w in report.warnings] == [
        "2025.csv, лист «—», столбец «Код ОО» — школа 200 «МБОУ СОШ № 2» есть в результатах ВПР "
        "за 2024 год, а в файле за 2025 год её нет",
        "2025.csv, лист «CSV», строка 2, столбец «Обучающихся»: значение «62» — обучающихся 62, "
        "а годом раньше 22: численность изменилась резко, проверьте",
    ]


def test_school_context_warns_of_a_sharp_change_in_students(
    world: dict[str, Any], tmp_path: Path
) -> None:
    rows = [CONTEXT_HEADERS, ["100", 2024, 400, 10], ["100", 2025, 120, 10], ["200", 2025, 90, 5]]
    report = run(world, "context", write_table(tmp_path / "context.csv", rows))
    assert report.ok and report.added == 3
    assert [(w.row, w.column) for w in report.warnings] == [(3, "Обучающихся")]
    assert "обучающихся 120, а годом раньше 400" in report.warnings[0].expected
    bad = [CONTEXT_HEADERS, ["100", 2023, 100, 120]]
    report = run(world, "context", write_table(tmp_path / "bad.csv", bad))
    assert [p.expected for p in report.problems] == [
        "обучающихся с ОВЗ больше, чем всех обучающихся"
    ]
    assert SchoolContext.objects.count() == 3


def test_the_console_lists_warnings(world: dict[str, Any], tmp_path: Path, capsys: Any) -> None:
    path = write_table(
        tmp_path / "ege.csv",
        [RESULT_HEADERS, ege("100", **{"Обучающихся": 18, "Участников": 20})],
    )
    call_command("import", "results", str(path), region=world["region"].name, verbosity=0)
    out = capsys.readouterr().out
    assert "Предупреждение: ege.csv, лист «CSV», строка 2, столбец «Участников»" in out
    assert "Предупреждений: 1." in out
    assert Result.objects.count() == 1


def test_an_import_that_fails_while_writing_is_journaled_and_writes_nothing(
    world: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shnor.assessments.models import Result
    from shnor.core.importing import Importer
    from shnor.core.models import AuditEvent

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(Importer, "upsert", broken)
    path = write_table(tmp_path / "r.csv", [RESULT_HEADERS, result_row("100")])
    with pytest.raises(OSError):
        importer_for("results", world["users"]["region"]).run(path)
    assert not Result.objects.exists()
    event = AuditEvent.objects.get(action="import.results.failed")
    assert event.actor == world["users"]["region"] and "запись не выполнена" in event.summary
