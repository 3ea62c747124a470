"""Imports of task-level data: the catalogue, ФИС ОКО's «Выполнение заданий» form and the
student-level scores — good files, bad cells named by place, names refused, nothing half-written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shnor.core.columnar import read_frame
from shnor.core.importing import importer_for
from shnor.core.snapshots import current_stamp
from shnor.taskresults.frames import (
    PAPERS,
    catalogue_frame,
    paper_scores_frame,
    papers_frame,
    reference_task_frame,
    school_task_frame,
)
from shnor.taskresults.models import Paper, ReferenceTaskShare, SchoolTaskShare, Task
from tests.tables import write_table

YEAR = 2026
DATA = Path(__file__).parent / "data"
CATALOGUE = [
    [
        "Год",
        "Процедура",
        "Предмет",
        "Класс",
        "Номер задания",
        "Макс. балл",
        "Код КЭС",
        "Проверяемое умение",
        "Уровень",
    ],
    [YEAR, "ВПР", "Математика", 5, "1", 1, "1.1", "Счёт", "базовый"],
    [YEAR, "ВПР", "Математика", 5, "2", 2, "2.3", "Дроби", "повышенный"],
    [YEAR, "ВПР", "Математика", 5, "10(1)", 1, "", "Задача", "высокий"],
]
SCORE_HEADER = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Код участника", "Вариант"]
SCORE_HEADER += ["1", "2", "10(1)", "Первичный балл", "Отметка", "Отметка по журналу"]
SCORES = [
    ["100", YEAR, "ВПР", "Математика", 5, "A-001", "1", 1, 2, 0, 3, 4, 4],
    ["100", YEAR, "ВПР", "Математика", 5, "A-002", "2", 0, 1, "N", 1, 3, 4],
    ["100", YEAR, "ВПР", "Математика", 5, "A-003", "1", 1, 0, 1, None, 4, 5],
    ["200", YEAR, "ВПР", "Математика", 5, "B-001", "2", 1, 2, 1, 4, 5, 5],
]


def run(kind: str, path: Path, user: Any) -> Any:
    return importer_for(kind, user).run(path)


@pytest.fixture
def catalogue(world: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    report = run(
        "task_catalogue", write_table(tmp_path / "kes.xlsx", CATALOGUE), world["users"]["region"]
    )
    assert report.ok, report.problems
    return world


def test_it_imports_the_catalogue(catalogue: dict[str, Any]) -> None:
    frame = catalogue_frame(years=[YEAR])
    assert frame["task"].to_list() == ["1", "2", "10(1)"]
    assert frame["task_order"].to_list() == [1, 2, 3]
    assert frame["level"].to_list() == ["базовый", "повышенный", "высокий"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_it_imports_student_scores(catalogue: dict[str, Any], tmp_path: Path, suffix: str) -> None:
    path = write_table(tmp_path / f"scores{suffix}", [SCORE_HEADER, *SCORES])
    report = run("task_scores", path, catalogue["users"]["region"])
    assert report.ok, report.problems
    assert (report.rows, report.added) == (4, 4)
    assert "Баллов за задания: 12" in report.notices
    stored = Paper.objects.get(student="A-002")
    assert (stored.scores, stored.total, stored.mark, stored.journal_mark) == ("0;1;", 1.0, 3, 4)
    # a total left out is the sum of the scores
    assert Paper.objects.get(student="A-003").total == 2.0
    again = run("task_scores", path, catalogue["users"]["region"])
    assert (again.added, again.changed, again.unchanged) == (0, 0, 4)
    a = catalogue["schools"]["a"]
    done = school_task_frame(school_ids=[a.pk])["done"].to_list()
    assert done == pytest.approx([2 / 3, 3 / 6, 1 / 3])


def test_it_updates_a_changed_paper(catalogue: dict[str, Any], tmp_path: Path) -> None:
    user = catalogue["users"]["region"]
    run("task_scores", write_table(tmp_path / "a.csv", [SCORE_HEADER, *SCORES]), user)
    changed = [row[:] for row in SCORES]
    changed[0][8] = 1
    changed[0][10] = 2
    report = run("task_scores", write_table(tmp_path / "b.csv", [SCORE_HEADER, *changed]), user)
    assert (report.added, report.changed, report.unchanged) == (0, 1, 3)
    assert Paper.objects.get(student="A-001").scores == "1;1;0"


def test_it_writes_the_papers_snapshot_of_the_new_state(
    catalogue: dict[str, Any], tmp_path: Path
) -> None:
    """The snapshot is written from the stored one and the file, not read back from the
    table: after new, changed and untouched papers it holds exactly what the table holds."""
    user = catalogue["users"]["region"]
    run("task_scores", write_table(tmp_path / "a.csv", [SCORE_HEADER, *SCORES[:3]]), user)
    changed = [row[:] for row in SCORES]
    changed[1][7] = 1
    changed[1][10] = 2
    report = run("task_scores", write_table(tmp_path / "b.csv", [SCORE_HEADER, *changed]), user)
    assert (report.added, report.changed, report.unchanged) == (1, 1, 2)
    stamp = current_stamp(PAPERS.table)
    assert PAPERS.path(stamp).exists()
    written = pl.read_ipc(PAPERS.path(stamp)).sort("student")
    afresh = read_frame(PAPERS.select_sql(), [], PAPERS.columns).sort("student")
    assert written.equals(afresh)
    assert written.filter(pl.col("student") == "A-002")["scores"].item() == "1;1;"


def test_it_names_every_bad_cell_and_writes_nothing(
    catalogue: dict[str, Any], tmp_path: Path
) -> None:
    bad = [row[:] for row in SCORES]
    bad[0][8] = 3  # above the task's maximum of 2
    bad[1][0] = "999"  # unknown school
    bad[2][11] = 7  # not a mark
    bad[3][7] = "один"
    bad.append(bad[3][:])  # the same student twice
    bad[4][7] = 1
    path = write_table(tmp_path / "bad.csv", [SCORE_HEADER, *bad])
    report = run("task_scores", path, catalogue["users"]["region"])
    places = {(p.row, p.column) for p in report.problems}
    assert places == {
        (2, "2"),
        (3, "Код ОО"),
        (4, "Отметка"),
        (5, "1"),
        (6, "Код участника"),
    }
    first = str(report.problems[0])
    assert first.startswith("bad.csv, лист «CSV», строка 2, столбец «2»: значение «3»")
    assert "повторяет строку 5" in str(report.problems[-1])
    assert Paper.objects.count() == 0


def test_it_refuses_a_column_of_names(catalogue: dict[str, Any], tmp_path: Path) -> None:
    header = [*SCORE_HEADER, "ФИО"]
    rows = [[*row, "Иванов Иван Иванович"] for row in SCORES]
    report = run(
        "task_scores",
        write_table(tmp_path / "n.csv", [header, *rows]),
        catalogue["users"]["region"],
    )
    assert not report.ok
    assert "только коды участников" in str(report.problems[0])
    assert report.problems[0].column == "ФИО"
    # a column of names under another header is refused as well
    header[-1] = "Участник"
    report = run(
        "task_scores",
        write_table(tmp_path / "m.csv", [header, *rows]),
        catalogue["users"]["region"],
    )
    assert [p.column for p in report.problems] == ["Участник"]
    assert Paper.objects.count() == 0


def test_it_asks_for_the_catalogue_first(world: dict[str, Any], tmp_path: Path) -> None:
    report = run(
        "task_scores",
        write_table(tmp_path / "s.csv", [SCORE_HEADER, *SCORES]),
        world["users"]["region"],
    )
    assert len(report.problems) == 1
    assert "не загружен кодификатор заданий" in report.problems[0].expected


def test_it_rolls_back_when_writing_fails(
    catalogue: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shnor.taskresults import paper_import

    calls = []

    def failing(*args: Any) -> None:
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("диск заполнен")
        original(*args)

    original = paper_import.insert_rows
    monkeypatch.setattr(paper_import, "insert_rows", failing)
    monkeypatch.setattr(paper_import, "BATCH", 2)
    with pytest.raises(RuntimeError):
        run(
            "task_scores",
            write_table(tmp_path / "s.csv", [SCORE_HEADER, *SCORES]),
            catalogue["users"]["region"],
        )
    assert len(calls) == 2 and Paper.objects.count() == 0


def test_it_imports_the_fis_oko_form(world: dict[str, Any]) -> None:
    report = run("task_shares", DATA / "fis_oko_task_shares.csv", world["users"]["region"])
    assert report.ok, report.problems
    assert report.added == 6
    assert "В кодификатор добавлено заданий: 3" in report.notices
    frame = school_task_frame(school_ids=[world["schools"]["a"].pk])
    assert frame["done"].to_list() == pytest.approx([0.805, 0.41, 0.60])
    assert set(frame["source"]) == {"form"}
    references = reference_task_frame(years=[YEAR]).sort("level", "task_order")
    assert (
        references.filter(pl.col("level") == "municipality")["territory_id"].to_list()
        == [world["north"].pk] * 3
    )
    assert references.filter(pl.col("level") == "russia")["done"].to_list() == pytest.approx(
        [0.764, 0.581, 0.62]
    )
    assert ReferenceTaskShare.objects.count() == 9
    assert catalogue_frame()["skill"].to_list()[1] == "Действия с дробями"
    again = run("task_shares", DATA / "fis_oko_task_shares.csv", world["users"]["region"])
    assert (again.added, again.changed) == (0, 0)


def test_it_refuses_conflicting_territory_shares(world: dict[str, Any], tmp_path: Path) -> None:
    rows = [line.split(";") for line in (DATA / "fis_oko_task_shares.csv").read_text().splitlines()]
    rows[-1][-2] = "70"  # the region's figure of task 3 differs from the first school's
    report = run("task_shares", write_table(tmp_path / "f.csv", rows), world["users"]["region"])
    assert [(p.row, p.column) for p in report.problems] == [(9, "Регион")]
    assert "в строке 6" in report.problems[0].expected
    assert SchoolTaskShare.objects.count() == 0 and Task.objects.count() == 0


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(range(len(SCORES))))
def test_shuffling_rows_changes_no_frame(
    catalogue: dict[str, Any], tmp_path: Path, order: list[int]
) -> None:
    """The same papers in any row order give the same frames (each example starts afresh: the
    fixtures are the test's, shared by its examples)."""
    frames = []
    for rows in (SCORES, [SCORES[i] for i in order]):
        Paper.objects.all().delete()
        path = write_table(tmp_path / "s.csv", [SCORE_HEADER, *rows])
        assert run("task_scores", path, catalogue["users"]["region"]).ok
        frames.append(
            (
                papers_frame().sort("student"),
                paper_scores_frame().sort("student", "task_order"),
                school_task_frame(),
            )
        )
    for first, second in zip(*frames, strict=True):
        assert first.equals(second)
