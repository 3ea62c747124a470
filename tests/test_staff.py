"""Teachers: imports, deficits, the route built from them, indicators, personal-data scope."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shnor.core.importing import importer_for
from shnor.core.system import SystemUser
from shnor.identification.actions import do_run_identification
from shnor.identification.models import Methodology
from shnor.indicators.engine import compute
from shnor.staff.actions import do_build_route, do_complete_item, do_record_deficit
from shnor.staff.choices import ItemKind
from shnor.staff.individual_routes import route_year
from shnor.staff.models import Activity, Deficit, Teacher
from shnor.staff.picture import course_order, deficits_by_subject, staffing
from tests.conftest import add_results
from tests.tables import write_table

TEACHER_HEADERS = [
    "Код ОО",
    "ФИО",
    "Предметы",
    "Категория",
    "Стаж",
    "Возраст",
    "Нагрузка, часов",
    "Региональная сеть",
    "Методический актив",
]
DEFICIT_HEADERS = ["Код ОО", "ФИО", "Вид дефицита", "Тема", "Предмет", "Источник", "Дата"]


@pytest.fixture
def staffed(world: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    rows = [
        TEACHER_HEADERS,
        ["100", "Иванова Анна Петровна", "Математика", "первая", "10–20", "30–55", 32, "да", "нет"],
        [
            "100",
            "Петров Олег Иванович",
            "Русский язык, Литература",
            "высшая",
            "более 20",
            "старше 55",
            24,
            "нет",
            "да",
        ],
        [
            "200",
            "Сидорова Вера Николаевна",
            "Математика",
            "без категории",
            "до 3",
            "до 30",
            18,
            "нет",
            "нет",
        ],
    ]
    report = importer_for("teachers", world["users"]["municipality"]).run(
        write_table(tmp_path / "teachers.xlsx", rows)
    )
    assert report.ok, report.problems
    world["teacher"] = Teacher.objects.get(full_name="Иванова Анна Петровна")
    return world


def test_teacher_import_checks_cells_and_upserts(staffed: dict[str, Any], tmp_path: Path) -> None:
    bad = [
        TEACHER_HEADERS,
        ["100", "Новый Педагог", "Физика", "вторая", "5 лет", "30–55", 80, "может", "нет"],
    ]
    report = importer_for("teachers", staffed["users"]["municipality"]).run(
        write_table(tmp_path / "bad.csv", bad)
    )
    assert [p.column for p in report.problems] == [
        "Категория",
        "Стаж",
        "Нагрузка, часов",
        "Региональная сеть",
    ]
    assert Teacher.objects.count() == 3
    teacher = staffed["teacher"]
    assert teacher.in_regional_network and float(teacher.load_hours) == 32.0


def test_deficit_import_names_unknown_teachers(staffed: dict[str, Any], tmp_path: Path) -> None:
    rows = [
        DEFICIT_HEADERS,
        [
            "100",
            "иванова анна петровна",
            "предметный",
            "задачи с параметром",
            "Математика",
            "ЦНППМ",
            "15.06.2025",
        ],
        ["100", "Неизвестная Н. Н.", "методический", "оценивание", "", "ЦНППМ", "15.06.2025"],
        ["100", "Петров Олег Иванович", "методический", "оценивание", "", "ЦНППМ", "вчера"],
    ]
    report = importer_for("deficits", staffed["users"]["municipality"]).run(
        write_table(tmp_path / "d.csv", rows)
    )
    assert [(p.row, p.column) for p in report.problems] == [(3, "ФИО"), (4, "Дата")]
    report = importer_for("deficits", staffed["users"]["municipality"]).run(
        write_table(tmp_path / "d.csv", rows[:2])
    )
    assert report.ok and Deficit.objects.get().found_on == date(2025, 6, 15)


def record_methodical_deficit(teacher: Any, user: Any, found_on: date) -> None:
    do_record_deficit(
        teacher,
        kind="методический",
        topic="формирующее оценивание",
        subject="",
        source="самодиагностика",
        found_on=found_on,
        acting_user=user,
    )


def test_the_route_is_built_from_deficits(staffed: dict[str, Any]) -> None:
    teacher, user = staffed["teacher"], staffed["users"]["school"]
    do_record_deficit(
        teacher,
        kind="предметный",
        topic="задачи с параметром",
        subject="Математика",
        source="ЦНППМ",
        found_on=date(2025, 6, 1),
        acting_user=user,
    )
    record_methodical_deficit(teacher, user, date(2025, 6, 1))
    route = do_build_route(teacher, 2025, acting_user=user, today=date(2025, 2, 1))
    kinds = [item.kind for item in route.items.order_by("pk")]
    assert kinds == [ItemKind.COURSE, ItemKind.ASSOCIATION, ItemKind.INTERNSHIP, ItemKind.MENTORING]
    assert all(item.deadline.year == 2025 for item in route.items.all())
    assert "задачи с параметром" in route.items.first().title
    again = do_build_route(teacher, 2025, acting_user=user)
    assert again.pk == route.pk and again.items.count() == 4  # no duplicate steps
    assert route.status == "выполняется (0 из 4)"
    for item in route.items.all():
        do_complete_item(item, acting_user=user, on=date(2025, 10, 1))
    assert route.status == "выполнен"
    assert Activity.objects.filter(teacher=teacher, kind="course").count() == 1


def test_staff_indicators_follow_routes(staffed: dict[str, Any]) -> None:
    region, a = staffed["region"], staffed["schools"]["a"]
    add_results(a, [(2025, "ОГЭ", "Математика", 9, 20, 8), (2025, "ВПР", "Математика", 5, 20, 8)])
    do_run_identification(
        Methodology.objects.get(code="federal"), 2025, acting_user=SystemUser(region=region)
    )

    def school_value(code: str) -> float | None:
        values = compute(region.pk, [2025])
        rows = values.filter((values["indicator"] == code) & (values["school_id"] == a.pk))
        return rows["value"][0] if rows.height else None

    assert school_value("teachers_iom_share") == 0.0
    assert school_value("iom_completed_share") is None  # nobody has a route: no denominator
    teacher = staffed["teacher"]
    do_record_deficit(
        teacher,
        kind="предметный",
        topic="тема",
        subject="Математика",
        source="ЦНППМ",
        found_on=date(2025, 6, 1),
        acting_user=None,
    )
    route = do_build_route(teacher, 2025, acting_user=None)
    assert school_value("teachers_iom_share") == pytest.approx(50.0)
    assert school_value("iom_completed_share") == 0.0
    for item in route.items.all():
        do_complete_item(item, acting_user=None, on=date(2025, 9, 1))
    assert school_value("iom_completed_share") == pytest.approx(100.0)
    assert school_value("teachers_trained_share") == pytest.approx(50.0)


def test_pictures_are_aggregates(staffed: dict[str, Any]) -> None:
    for teacher in Teacher.objects.all():
        do_record_deficit(
            teacher,
            kind="предметный",
            topic="текстовые задачи",
            subject="Математика",
            source="ЦНППМ",
            found_on=date(2025, 6, 1),
            acting_user=None,
        )
    order = course_order(Deficit.objects.all())
    assert order == [
        {
            "kind": "предметный",
            "subject": "Математика",
            "topic": "текстовые задачи",
            "teachers": 3,
            "schools": 2,
        }
    ]
    assert deficits_by_subject(Deficit.objects.all())[0]["counts"] == [3, 0, 0]
    rows = {r["subject"]: r for r in staffing(Teacher.objects.all())}
    assert rows["Математика"]["total"] == 2 and rows["Математика"]["overload"] == 1
    assert rows["Литература"]["over_55"] == 1


@pytest.mark.parametrize(
    "role,visible",
    [
        ("school", True),
        ("municipality", True),
        ("curator", False),
        ("region", False),
        ("observer", False),
        ("outsider", False),
    ],
)
def test_personal_data_is_visible_by_role_only(
    staffed: dict[str, Any], role: str, visible: bool
) -> None:
    client = Client()
    client.force_login(staffed["users"][role])
    teacher = staffed["teacher"]  # works at school a (the school user's; not the curator's)
    page = client.get(reverse("staff:teacher", args=[teacher.pk]))
    assert (page.status_code == 200) is visible
    staff_list = client.get(reverse("staff:school", args=[teacher.school_id]))
    assert (staff_list.status_code == 200) is visible
    picture = client.get(reverse("staff:index"), follow=True).content.decode()
    if role != "school":
        assert "Иванова Анна Петровна" not in picture
    order = client.get(reverse("staff:order"))
    assert order.status_code == 200 and "Иванова".encode() not in order.content


def test_the_curator_sees_own_schools_teachers(staffed: dict[str, Any]) -> None:
    client = Client()
    client.force_login(staffed["users"]["curator"])  # curator of school b
    other = Teacher.objects.get(full_name="Сидорова Вера Николаевна")
    assert client.get(reverse("staff:teacher", args=[other.pk])).status_code == 200
    response = client.post(reverse("staff:teacher", args=[other.pk]), {"action": "route"})
    assert response.status_code == 404  # curators read, schools and municipalities edit


def test_a_school_records_a_deficit_and_builds_a_route_on_the_page(staffed: dict[str, Any]) -> None:
    client = Client()
    client.force_login(staffed["users"]["school"])
    url = reverse("staff:teacher", args=[staffed["teacher"].pk])
    client.post(
        url,
        {
            "action": "deficit",
            "kind": "методический",
            "topic": "оценивание",
            "source": "самодиагностика",
            "found_on": "2025-05-20",
        },
    )
    client.post(url, {"action": "route"})
    page = client.get(url).content.decode()
    assert "оценивание" in page and "Стажировка" in page and "выполняется (0 из 2)" in page
    bad = client.post(
        url, {"action": "deficit", "kind": "непонятный", "topic": "x"}, follow=True
    ).content.decode()
    assert "Не сохранено" in bad


def test_a_route_built_in_december_plans_the_next_year(staffed: dict[str, Any]) -> None:
    teacher, user = staffed["teacher"], staffed["users"]["school"]
    assert route_year(date(2026, 3, 1)) == 2026
    assert route_year(date(2026, 12, 1)) == 2027
    record_methodical_deficit(teacher, user, date(2026, 11, 1))
    today = date(2026, 12, 1)
    route = do_build_route(teacher, route_year(today), acting_user=user, today=today)
    assert route.year == 2027 and route.items.exists()
    assert all(item.deadline > today for item in route.items.all())
