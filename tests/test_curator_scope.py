"""Scope in one place: a curator's schools are those of the assignments in force today, by
their dates; each importer names the action it needs."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from shnor.core.importing import importable, importer_for
from shnor.core.models import Job
from shnor.core.scope import restrict
from shnor.registry.models import Municipality, School
from shnor.staff.models import Teacher
from shnor.support.actions import do_assign_curator, do_end_assignment
from shnor.support.models import CuratorAssignment
from tests.tables import write_table

TODAY = date.today()
MONTH = timedelta(days=31)


@pytest.fixture
def curator(world: dict[str, Any]) -> Any:
    return world["users"]["curator"]


def assign(world: dict[str, Any], school: str, starts: date, ends: date | None = None) -> None:
    CuratorAssignment.objects.create(
        curator=world["users"]["curator"], school=world["schools"][school], starts=starts, ends=ends
    )


def visible(user: Any) -> set[str]:
    return set(restrict(School.objects.all(), user).values_list("code", flat=True))


def test_it_keeps_a_school_closed_until_its_assignment_starts(
    world: dict[str, Any], curator: Any
) -> None:
    assign(world, "a", starts=TODAY + MONTH)
    assert visible(curator) == {"200"}  # school b of the world only, not a before its start
    client = Client()
    client.force_login(curator)
    school_a = world["schools"]["a"]
    assert client.get(reverse("school", args=[school_a.pk])).status_code == 404


def test_it_opens_a_school_whose_assignment_ends_next_month(
    world: dict[str, Any], curator: Any
) -> None:
    assign(world, "a", starts=TODAY - MONTH, ends=TODAY + MONTH)
    assert visible(curator) == {"100", "200"}
    client = Client()
    client.force_login(curator)
    assert client.get(reverse("school", args=[world["schools"]["a"].pk])).status_code == 200


def test_it_closes_a_school_after_its_assignment_ended(world: dict[str, Any], curator: Any) -> None:
    assign(world, "a", starts=TODAY - 2 * MONTH, ends=TODAY - timedelta(days=1))
    assert visible(curator) == {"200"}


def test_it_counts_the_first_and_the_last_day(world: dict[str, Any], curator: Any) -> None:
    assign(world, "a", starts=TODAY, ends=TODAY)
    assert visible(curator) == {"100", "200"}


def test_it_follows_the_actions_by_date(world: dict[str, Any], curator: Any) -> None:
    mun = world["users"]["municipality"]
    school = world["schools"]["a"]
    assignment = do_assign_curator(
        school, curator, starts=TODAY - MONTH, order="приказ № 1", acting_user=mun
    )
    assert "100" in visible(curator)
    do_end_assignment(assignment, ends=TODAY + MONTH, acting_user=mun)
    assert "100" in visible(curator)  # ends next month: open today
    do_end_assignment(assignment, ends=TODAY - timedelta(days=1), acting_user=mun)
    assert "100" not in visible(curator)


def test_it_narrows_municipal_and_regional_rows_to_the_assigned_schools(
    world: dict[str, Any], curator: Any
) -> None:
    assert set(restrict(Municipality.objects.all(), curator).values_list("name", flat=True)) == {
        "Северный район"
    }
    CuratorAssignment.objects.filter(curator=curator).update(ends=TODAY - timedelta(days=1))
    assert not restrict(Municipality.objects.all(), curator).exists()
    assert visible(curator) == set()


TEACHERS = [["Код ОО", "ФИО"], ["100", "Иванова Анна Петровна"], ["200", "Петров Олег Иванович"]]


def test_it_lets_only_those_who_may_see_personal_data_import_teachers(
    world: dict[str, Any],
) -> None:
    users = world["users"]
    assert {"teachers", "deficits"} & set(importable(users["region"])) == set()
    assert {"teachers", "deficits", "results"} <= set(importable(users["municipality"]))
    assert set(importable(users["school"])) == {"teachers", "deficits", "students"}
    assert importable(users["curator"]) == {} and importable(users["observer"]) == {}
    with pytest.raises(PermissionDenied):
        importer_for("teachers", users["region"])


def test_it_refuses_the_regional_coordinators_teachers_upload(
    world: dict[str, Any], tmp_path: Path
) -> None:
    client = Client()
    client.force_login(world["users"]["region"])
    page = client.get(reverse("import")).content.decode()
    assert "Педагоги школ" not in page and "Список школ" in page
    path = write_table(tmp_path / "teachers.csv", TEACHERS)
    with path.open("rb") as upload:
        response = client.post(reverse("import"), {"kind": "teachers", "file": upload})
    assert response.status_code == 302 and response.url == reverse("import")
    assert not Job.objects.exists() and not Teacher.objects.exists()


def test_it_lets_a_school_import_its_own_teachers_only(
    world: dict[str, Any], tmp_path: Path
) -> None:
    school_user = world["users"]["school"]  # school a, code 100
    report = importer_for("teachers", school_user).run(
        write_table(tmp_path / "teachers.csv", TEACHERS)
    )
    assert [(p.row, p.column) for p in report.problems] == [(3, "Код ОО")]  # school b: not its
    assert not Teacher.objects.exists()
    report = importer_for("teachers", school_user).run(
        write_table(tmp_path / "own.csv", TEACHERS[:2])
    )
    assert report.ok and report.added == 1
    assert Teacher.objects.get().school == world["schools"]["a"]
    client = Client()
    client.force_login(school_user)
    page = client.get(reverse("import")).content.decode()
    assert "Педагоги школ" in page and "Список школ" not in page
    assert "Загрузка данных" in client.get(reverse("schools")).content.decode()  # the menu


def test_a_curator_without_schools_is_told_so_and_meets_no_dead_end(world: dict[str, Any]) -> None:
    from django.test import Client

    from shnor.accounts.choices import Role
    from shnor.accounts.models import User

    curator = User.objects.create_user("curator2", password="x", role=Role.CURATOR)
    client = Client()
    client.force_login(curator)
    home = client.get("/")
    assert home.status_code == 200
    page = home.content.decode()
    assert "Вам пока не назначены школы" in page
    links = [m for m in re.findall(r'<a href="(/[^"]*)"', page) if not m.startswith("/static")]
    assert links and "/schools/" not in links
    for link in links:  # every menu item and link of the page opens
        assert client.get(link).status_code == 200, link
