"""Golden cases of the signs of non-objective results (engine/signs.py, objectivity.yaml) and of
the ВПР objectivity table, on hand-made data; a property that the order of students and rows
changes nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import polars as pl
import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from shnor.assessments.models import Result
from shnor.identification.actions import do_run_identification
from shnor.identification.engine.evaluate import Evaluation
from shnor.identification.engine.inputs import Inputs, frame
from shnor.identification.forms import PrimaryMethodologyForm
from shnor.identification.history import latest_objectivity_run, latest_run
from shnor.identification.models import Methodology
from shnor.identification.objectivity import objectivity_table
from shnor.reports.builders import identification_report
from tests.conftest import add_results
from tests.identification_data import YEAR, result, run, school, status_of
from tests.taskresults_data import make_catalogue, make_papers

MATH = "Математика"
# the hand-made papers' scale: 0–20 points, «3» from 6, «4» from 11, «5» from 16
BOUNDARIES = {3: 6, 4: 11, 5: 16}
SCHOOLS = 5


def mark_of(total: float) -> int:
    return max([m for m, b in BOUNDARIES.items() if total >= b], default=2)


def paper(
    school_id: int,
    student: str,
    total: float,
    *,
    mark: int | None = None,
    journal: int | str | None = "same",
    year: int = YEAR,
    grade: int = 5,
    subject: str = MATH,
) -> tuple[Any, ...]:
    marked = mark_of(total) if mark is None else mark
    journal_mark = marked if journal == "same" else journal
    return (school_id, year, "ВПР", subject, grade, student, float(total), marked, journal_mark)


def honest(school_id: int, year: int = YEAR, n: int = 20, **kwargs: Any) -> list[tuple[Any, ...]]:
    """A school whose totals spread evenly over the scale, marks as the boundaries give."""
    return [
        paper(school_id, f"{school_id}-{year}-{i}", i * 20 // n, year=year, **kwargs)
        for i in range(n)
    ]


def data(
    papers: list[tuple[Any, ...]],
    tasks: list[tuple[Any, ...]] | None = None,
    results: list[tuple[Any, ...]] | None = None,
) -> Inputs:
    return Inputs(
        schools=frame("schools", [school(i) for i in range(1, SCHOOLS + 1)]),
        results=frame("results", results or []),
        context=frame("context"),
        reference=frame("reference"),
        papers=frame("papers", papers),
        tasks=frame("tasks", tasks or []),
    )


def sign(evaluation: Evaluation, indicator: str, school_id: int) -> dict[str, Any]:
    rows = evaluation.evidence.filter(
        (pl.col("indicator") == indicator) & (pl.col("school_id") == school_id)
    )
    return rows.row(0, named=True)


def others(first: int = 2, **kwargs: Any) -> list[tuple[Any, ...]]:
    return [p for s in range(first, SCHOOLS + 1) for p in honest(s, **kwargs)]


class TestTopMarks:
    def test_a_school_with_most_papers_at_5_shows_the_sign(self) -> None:
        top = [paper(1, f"t{i}", 18 if i < 12 else 8) for i in range(20)]
        evaluation = run("objectivity", data(top + others()))
        found = sign(evaluation, "top_marks", 1)
        assert found["triggered"] and found["applicable"]
        assert "«5» у 60,0% (12 из 20)" in found["detail"]
        assert not sign(evaluation, "top_marks", 2)["triggered"]
        assert status_of(evaluation)[1] == "objectivity"
        assert status_of(evaluation)[2] == "none"

    def test_a_small_group_is_left_out_not_flagged(self) -> None:
        top = [paper(1, f"t{i}", 19) for i in range(6)]
        found = sign(run("objectivity", data(top + others())), "top_marks", 1)
        assert not found["applicable"] and not found["triggered"]
        assert "исключено: 6 участников при минимуме 10" in found["detail"]

    def test_the_threshold_is_a_parameter(self) -> None:
        top = [paper(1, f"t{i}", 18 if i < 12 else 8) for i in range(20)]
        evaluation = run("objectivity", data(top + others()), top_excess=0.5)
        assert not sign(evaluation, "top_marks", 1)["triggered"]


class TestBoundaryPeaks:
    def test_totals_piled_on_the_boundaries_show_the_sign(self) -> None:
        piled = [paper(1, f"p{i}", [6, 7, 11, 12, 16, 17][i % 6]) for i in range(20)]
        evaluation = run("objectivity", data(piled + others()))
        found = sign(evaluation, "boundary_peaks", 1)
        assert found["triggered"]
        assert "100,0% работ (20 из 20)" in found["detail"]
        assert not sign(evaluation, "boundary_peaks", 2)["triggered"]

    def test_boundaries_come_from_the_region_papers(self) -> None:
        # one paper marked «5» at 3 points does not move the boundary of «5»
        odd = [paper(2, "odd", 3, mark=5)]
        piled = [paper(1, f"p{i}", [6, 7, 11, 12, 16, 17][i % 6]) for i in range(20)]
        found = sign(run("objectivity", data(piled + others() + odd)), "boundary_peaks", 1)
        assert found["triggered"]

    def test_a_smooth_school_does_not(self) -> None:
        evaluation = run("objectivity", data(others(first=1)))
        assert not any(sign(evaluation, "boundary_peaks", s)["triggered"] for s in range(1, 6))


def task_row(school_id: int, task: str, level: str, done: float, n: int = 20) -> tuple[Any, ...]:
    return (school_id, YEAR, "ВПР", MATH, 5, task, n, done, level, 1.0)


def task_set(school_id: int, easy: float, hard: float, n: int = 20) -> list[tuple[Any, ...]]:
    return [
        task_row(school_id, "1", "базовый", easy, n),
        task_row(school_id, "2", "базовый", easy, n),
        task_row(school_id, "3", "повышенный", hard, n),
        task_row(school_id, "4", "высокий", hard, n),
    ]


class TestEasyVsHard:
    def test_easy_tasks_done_worse_than_hard_show_the_sign(self) -> None:
        tasks = task_set(1, 0.5, 0.8) + [r for s in range(2, 6) for r in task_set(s, 0.75, 0.4)]
        evaluation = run("objectivity", data(others(), tasks))
        found = sign(evaluation, "easy_vs_hard", 1)
        assert found["triggered"]
        assert (
            "базовые задания выполнены на 50,0%, повышенного и высокого уровня — на 80,0%"
            in (found["detail"])
        )
        assert round(found["value"], 6) == 30.0
        assert not sign(evaluation, "easy_vs_hard", 2)["triggered"]

    def test_without_task_data_the_sign_says_what_it_waits_for(self) -> None:
        found = sign(run("objectivity", data(others())), "easy_vs_hard", 2)
        assert not found["applicable"]
        assert "нужно выполнение заданий ВПР" in found["detail"]

    def test_a_small_class_is_left_out(self) -> None:
        tasks = task_set(1, 0.5, 0.8, n=4) + task_set(2, 0.75, 0.4)
        found = sign(run("objectivity", data(others(), tasks)), "easy_vs_hard", 1)
        assert not found["triggered"]
        assert "исключено: 4 участника при минимуме 10" in found["detail"]


class TestHistoryJump:
    def test_a_jump_against_the_school_own_past_shows_the_sign(self) -> None:
        # forty papers a year: a jump of 37 points is more than three standard errors
        before = honest(1, year=YEAR - 1, n=40) + others(year=YEAR - 1)
        jumped = [paper(1, f"j{i}", 12) for i in range(40)]
        evaluation = run("objectivity", data(before + jumped + others()))
        found = sign(evaluation, "history_jump", 1)
        assert found["triggered"], found["detail"]
        assert f"«4» и «5» у 100,0% при 45,0% в {YEAR - 1}" in found["detail"]
        assert not sign(evaluation, "history_jump", 2)["triggered"]

    def test_without_earlier_papers_it_waits_for_them(self) -> None:
        found = sign(run("objectivity", data(others())), "history_jump", 2)
        assert not found["applicable"]
        assert f"нужны работы ВПР тех же классов за {YEAR - 2}–{YEAR - 1}" in found["detail"]

    def test_the_same_jump_in_a_small_class_is_within_chance(self) -> None:
        before = [p for s in range(1, 6) for p in honest(s, year=YEAR - 1)]
        jumped = [paper(1, f"j{i}", 12 if i < 18 else 3) for i in range(20)]
        found = sign(run("objectivity", data(before + jumped + others())), "history_jump", 1)
        assert found["applicable"] and not found["triggered"]
        assert run_with_z0_triggers(before + jumped + others())

    def test_a_year_everyone_did_better_is_no_jump(self) -> None:
        before = [p for s in range(1, 6) for p in honest(s, year=YEAR - 1)]
        better = [
            paper(s, f"b{s}-{i}", 12 if i < 18 else 3) for s in range(1, 6) for i in range(20)
        ]
        evaluation = run("objectivity", data(before + better))
        assert not any(sign(evaluation, "history_jump", s)["triggered"] for s in range(1, 6))


def run_with_z0_triggers(papers: list[tuple[Any, ...]]) -> bool:
    """Without the standard-error test the threshold alone marks school 1."""
    return bool(sign(run("objectivity", data(papers), z=0), "history_jump", 1)["triggered"])


class TestJournalMarks:
    def test_marks_far_above_the_journal_show_the_sign(self) -> None:
        raised = [paper(1, f"r{i}", i, journal=max(2, mark_of(i) - 1)) for i in range(20)]
        evaluation = run("objectivity", data(raised + others()))
        found = sign(evaluation, "journal_marks", 1)
        assert found["triggered"]
        assert "повысили 70,0% (14 из 20)" in found["detail"]
        assert not sign(evaluation, "journal_marks", 2)["triggered"]

    def test_marks_far_below_the_journal_show_it_too(self) -> None:
        lowered = [paper(1, f"l{i}", i, journal=min(5, mark_of(i) + 1)) for i in range(20)]
        found = sign(run("objectivity", data(lowered + others())), "journal_marks", 1)
        assert found["triggered"]
        assert "понизили 80,0% (16)" in found["detail"]

    def test_missing_journal_marks_are_not_counted(self) -> None:
        # twelve papers without a journal mark, eight raised: too few compared papers
        mixed = [paper(1, f"m{i}", i, journal=None) for i in range(12)] + [
            paper(1, f"r{i}", 12, journal=2) for i in range(8)
        ]
        found = sign(run("objectivity", data(mixed + others())), "journal_marks", 1)
        assert not found["applicable"] and not found["triggered"]
        assert "исключено: 8 участников при минимуме 10" in found["detail"]

    def test_no_journal_marks_at_all_waits_for_them(self) -> None:
        none = [paper(1, f"n{i}", i, journal=None) for i in range(20)]
        found = sign(run("objectivity", data(none + others())), "journal_marks", 1)
        assert not found["applicable"]
        assert "с отметками журнала" in found["detail"]


def oge_results(school_id: int, vpr_low: int, oge_low: int) -> list[tuple[Any, ...]]:
    return [
        result(school_id, YEAR - 1, "ВПР", MATH, 8, 20, vpr_low),
        result(school_id, YEAR, "ОГЭ", MATH, 9, 20, oge_low),
    ]


class TestOgeGap:
    def test_a_cohort_far_worse_at_the_oge_shows_the_sign(self) -> None:
        results = oge_results(1, 0, 10) + [r for s in range(2, 6) for r in oge_results(s, 4, 2)]
        evaluation = run("objectivity", data(others(), results=results))
        found = sign(evaluation, "oge_gap", 1)
        assert found["triggered"]
        assert f"ВПР Математика 8 кл. ({YEAR - 1}) → ОГЭ 9 кл. ({YEAR})" in found["detail"]
        assert not sign(evaluation, "oge_gap", 2)["triggered"]

    def test_without_the_oge_it_waits_for_it(self) -> None:
        results = [result(1, YEAR - 1, "ВПР", MATH, 8, 20, 0)]
        found = sign(run("objectivity", data(others(), results=results)), "oge_gap", 1)
        assert not found["applicable"]
        assert f"ОГЭ 9 кл. за {YEAR}" in found["detail"]


class TestTheList:
    def test_min_signs_is_a_parameter_and_the_count_is_kept(self) -> None:
        top = [paper(1, f"t{i}", 18 if i < 12 else 8, journal=3) for i in range(20)]
        evaluation = run("objectivity", data(top + others()), min_signs=2)
        statuses = evaluation.statuses.filter(pl.col("school_id") == 1).row(0, named=True)
        assert statuses["status"] == "objectivity"
        assert statuses["indicators_triggered"] >= 2
        assert status_of(run("objectivity", data(others(first=1)), min_signs=2))[1] == "none"

    def test_a_school_without_papers_is_insufficient_data(self) -> None:
        assert status_of(run("objectivity", data(others())))[1] == "insufficient_data"


# -- the objectivity table ------------------------------------------------------------------


def table_paper(school_id: int, student: str, mark: int, journal: int | None) -> dict[str, Any]:
    return {
        "school_id": school_id,
        "municipality_id": 1,
        "year": YEAR,
        "kind": "ВПР",
        "subject_id": 7,
        "grade": 5,
        "student": student,
        "variant": None,
        "total": 10.0,
        "mark": mark,
        "journal_mark": journal,
    }


def imported(school_id: int, **counts: int | None) -> dict[str, Any]:
    return {
        "school_id": school_id,
        "year": YEAR,
        "kind": "ВПР",
        "subject_id": 7,
        "grade": 5,
        "enrolled": counts.get("enrolled"),
        "participants": counts.get("participants"),
        "lowered": counts.get("lowered"),
        "confirmed": counts.get("confirmed"),
        "raised": counts.get("raised"),
    }


TABLE_PAPERS = [
    table_paper(1, "a", 5, 4),
    table_paper(1, "b", 3, 4),
    table_paper(1, "c", 4, 4),
    table_paper(1, "d", 4, None),
    table_paper(1, "e", 5, 3),
]


class TestObjectivityTable:
    def test_counts_from_papers_with_enrolled_from_the_results(self) -> None:
        table = objectivity_table(
            pl.DataFrame(TABLE_PAPERS), pl.DataFrame([imported(1, enrolled=8, participants=5)])
        )
        row = table.row(0, named=True)
        assert (row["enrolled"], row["participants"]) == (8, 5)
        assert row["participation"] == 5 / 8
        assert (row["lowered"], row["confirmed"], row["raised"], row["compared"]) == (1, 1, 2, 4)
        assert row["source"] == "papers"

    def test_imported_counts_where_no_papers(self) -> None:
        table = objectivity_table(
            pl.DataFrame(TABLE_PAPERS),
            pl.DataFrame(
                [
                    imported(2, enrolled=None, participants=30, lowered=3, confirmed=20, raised=7),
                    imported(3, enrolled=25, participants=20),
                ]
            ),
        )
        second = table.filter(pl.col("school_id") == 2).row(0, named=True)
        assert (second["lowered"], second["confirmed"], second["raised"]) == (3, 20, 7)
        assert second["enrolled"] is None and second["participation"] is None
        assert second["compared"] == 30 and second["source"] == "form"
        # a result without the comparison has no row: nothing to say about objectivity
        assert table.filter(pl.col("school_id") == 3).height == 0

    def test_participants_are_the_results_count_where_imported(self) -> None:
        # papers loaded for five of twenty participants: the comparison is over the five
        table = objectivity_table(
            pl.DataFrame(TABLE_PAPERS), pl.DataFrame([imported(1, enrolled=25, participants=20)])
        )
        row = table.row(0, named=True)
        assert (row["participants"], row["participation"], row["compared"]) == (20, 0.8, 4)

    def test_papers_win_over_the_form(self) -> None:
        table = objectivity_table(
            pl.DataFrame(TABLE_PAPERS),
            pl.DataFrame([imported(1, participants=40, lowered=0, confirmed=0, raised=40)]),
        )
        assert table.height == 1 and table.row(0, named=True)["raised"] == 2


# -- order changes nothing ------------------------------------------------------------------

generated = st.lists(
    st.tuples(st.integers(1, 5), st.integers(0, 20), st.sampled_from([None, 2, 3, 4, 5])),
    min_size=10,
    max_size=80,
)


@settings(max_examples=25, deadline=None)
@given(generated, st.randoms(use_true_random=False))
def test_shuffling_students_and_rows_changes_nothing(rows: list, rnd: Any) -> None:
    papers = [
        paper(s, f"s{i}", total, journal=journal, year=YEAR - (i % 2))
        for i, (s, total, journal) in enumerate(rows)
    ]
    tasks = [r for s in range(1, 6) for r in task_set(s, 0.2 * s, 0.9 - 0.1 * s)]
    shuffled_papers = rnd.sample(papers, len(papers))
    # students renamed in another order: a code is a pseudonym, nothing may depend on it
    renamed = [(*p[:5], f"x{rnd.random()}", *p[6:]) for p in shuffled_papers]
    first = run("objectivity", data(papers, tasks))
    second = run("objectivity", data(renamed, rnd.sample(tasks, len(tasks))))
    assert first.statuses.equals(second.statuses)
    assert first.evidence.equals(second.evidence)


def test_a_municipal_run_compares_with_the_whole_region() -> None:
    top = [paper(1, f"t{i}", 18 if i < 12 else 8) for i in range(20)]
    whole = data(top + others())
    only_one = replace(whole, schools=whole.schools.filter(pl.col("school_id") == 1))
    assert sign(run("objectivity", only_one), "top_marks", 1) == sign(
        run("objectivity", whole), "top_marks", 1
    )


# -- on the database: a run, the pages, the справка ---------------------------------------

DB_YEAR = 2026


@pytest.fixture
def signs_world(world: dict[str, Any]) -> dict[str, Any]:
    """School a: every paper «5» against a journal «3», the basic tasks missed and the hard
    ones done; b and c: honest papers. c has no papers, only the imported comparison."""
    make_catalogue(
        DB_YEAR,
        "ВПР",
        MATH,
        5,
        [
            ("1", 1, "1.1", "Счёт", "базовый"),
            ("2", 1, "1.2", "Сравнение", "базовый"),
            ("3", 1, "2.1", "Дроби", "повышенный"),
            ("4", 1, "3.1", "Задача", "высокий"),
        ],
    )
    a, b, c = (world["schools"][k] for k in "abc")
    make_papers(a, DB_YEAR, "ВПР", MATH, 5, [(f"A{i}", [0, 0, 1, 1], 5, 3) for i in range(12)])
    make_papers(b, DB_YEAR, "ВПР", MATH, 5, [(f"B{i}", [1, 1, 0, 0], 3, 3) for i in range(12)])
    add_results(b, [(DB_YEAR, "ВПР", MATH, 5, 12, 0)])
    add_results(c, [(DB_YEAR, "ВПР", MATH, 5, 20, 2)])
    Result.objects.filter(school=b).update(enrolled=15)
    Result.objects.filter(school=c).update(enrolled=25, lowered=2, confirmed=10, raised=8)
    objectivity = Methodology.objects.get(code="objectivity")
    world["run"] = do_run_identification(objectivity, DB_YEAR, acting_user=world["users"]["region"])
    return world


def test_a_run_lists_the_school_with_its_signs(signs_world: dict[str, Any]) -> None:
    run, a = signs_world["run"], signs_world["schools"]["a"]
    statuses = dict(run.statuses.values_list("school__code", "status"))
    assert statuses == {"100": "objectivity", "200": "none", "300": "insufficient_data"}
    signs = {i["indicator"] for i in run.evidence_items([a.pk])[a.pk] if i["triggered"]}
    assert signs == {"top_marks", "easy_vs_hard", "journal_marks"}
    assert run.counts["entered"] == 1


def test_the_list_of_shnor_is_never_the_objectivity_list(signs_world: dict[str, Any]) -> None:
    user = signs_world["users"]["region"]
    assert latest_run(user) is None
    assert latest_objectivity_run(user) == signs_world["run"]
    codes = [c for c, _ in PrimaryMethodologyForm(user).fields["code"].choices]
    assert "objectivity" not in codes and "federal" in codes


def test_the_school_card_shows_the_table_and_the_signs(
    client: Any, signs_world: dict[str, Any]
) -> None:
    client.force_login(signs_world["users"]["region"])
    a, b, c = (signs_world["schools"][k] for k in "abc")
    page = client.get(reverse("school", args=[a.pk])).content.decode()
    assert "Аномальная доля «5» по сравнению с регионом" in page
    assert "признаки необъективности" in page and "по работам обучающихся" in page
    page = client.get(reverse("school", args=[b.pk])).content.decode()
    assert "Признаков необъективности результатов по расчёту" in page
    # b: 12 of 15 took part; the result cell shows participation beside the comparison
    assert "80,0" in page and "участие 80,0%" in page
    page = client.get(reverse("school", args=[c.pk])).content.decode()
    assert "понизили 10,0%" in page and "повысили 40,0%" in page
    assert "из загруженной формы" in page


def test_the_territory_page_and_the_overviews(client: Any, signs_world: dict[str, Any]) -> None:
    client.force_login(signs_world["users"]["region"])
    page = client.get(reverse("identification:objectivity")).content.decode()
    assert "СОШ № 1" in page and "Северный район" in page and "Южный район" in page
    north = signs_world["north"]
    page = client.get(
        reverse("identification:objectivity"), {"municipality": north.pk, "year": DB_YEAR}
    ).content.decode()
    assert "Отметки ВПР расходятся с отметками журнала" in page
    assert client.get(reverse("identification:objectivity"), {"year": "x"}).status_code == 400
    home = client.get(reverse("home")).content.decode()
    assert "<b>1</b> по расчёту за 2026 год" in home
    page = client.get(reverse("municipality", args=[north.pk])).content.decode()
    assert "признаками необъективности результатов ВПР за 2026 год: 1" in page


def test_the_municipal_coordinator_sees_only_its_schools(
    client: Any, signs_world: dict[str, Any]
) -> None:
    client.force_login(signs_world["users"]["municipality"])
    page = client.get(reverse("identification:objectivity")).content.decode()
    assert "СОШ № 1" in page and "Дальнее" not in page


def test_the_spravka_lists_the_schools_apart(signs_world: dict[str, Any]) -> None:
    user = signs_world["users"]["region"]
    do_run_identification(
        Methodology.objects.filter(code="federal").first(), DB_YEAR, acting_user=user
    )
    report = identification_report(user, signs_world["region"], None, DB_YEAR)
    section = next(s for s in report.sections if "необъективности" in s.heading)
    assert "отдельно от списка ШНОР" in section.paragraphs[0]
    assert section.table is not None
    assert [row[2] for row in section.table.rows] == ["МБОУ СОШ № 1"]
    assert "Аномальная доля «5»" in section.table.rows[0][3]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 3), st.sampled_from([5, 6]), st.integers(2, 5), st.integers(2, 6)),
        min_size=1,
        max_size=40,
    ),
    st.randoms(use_true_random=False),
)
def test_shuffling_papers_changes_no_table(rows: list, rnd: Any) -> None:
    # journal mark 6 stands for a missing one
    papers = [
        {**table_paper(s, f"s{i}", mark, None if journal == 6 else journal), "grade": grade}
        for i, (s, grade, mark, journal) in enumerate(rows)
    ]
    counts = pl.DataFrame([imported(2, enrolled=30, participants=10, raised=3)])
    first = objectivity_table(pl.DataFrame(papers), counts)
    second = objectivity_table(pl.DataFrame(rnd.sample(papers, len(papers))), counts)
    assert first.equals(second)
    assert first["compared"].sum() == sum(1 for r in rows if r[3] != 6) + (
        0 if any(r[0] == 2 and r[1] == 5 for r in rows) else 3
    )
