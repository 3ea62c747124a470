"""Whose methodology: the region's, versioned by its coordinator alone through one audited
action; the primary methodology of the region and of a municipality; the region's pages show the
region's runs; the identification report describes the year asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from shnor.core.models import AuditEvent
from shnor.identification.actions import (
    do_run_identification,
    do_save_methodology_version,
    do_set_primary_methodology,
)
from shnor.identification.history import latest_run
from shnor.identification.models import Methodology, Run
from shnor.identification.services import NotAllowed
from shnor.reports.builders import identification_report
from tests.conftest import add_results

LOW = [("ВПР", "Математика", 5, 20, 8), ("ОГЭ", "Математика", 9, 20, 7)]


@pytest.fixture
def listed(world: dict[str, Any]) -> dict[str, Any]:
    """School a (north): 40% and 35% «2» in 2024 and 2025; c (south): 25% in both years."""
    for year in (2024, 2025):
        add_results(world["schools"]["a"], [(year, *row) for row in LOW])
        add_results(world["schools"]["c"], [(year, "ОГЭ", "Математика", 9, 20, 5)])
    return world


def builtin(code: str = "federal") -> Methodology:
    return Methodology.objects.get(code=code, is_builtin=True)


def form_values(methodology: Methodology) -> dict[str, Any]:
    """The parameters as the methodology page posts them, unchanged."""
    values: dict[str, Any] = {}
    for name, spec in methodology.definition["parameters"].items():
        value = spec["value"]
        if spec["type"] == "list" and spec.get("options"):
            values[name] = value
        elif spec["type"] == "list":
            values[name] = ", ".join(value)
        elif spec["type"] == "boolean":
            values[name] = "true" if value else "false"
        else:
            values[name] = str(value)
    return values


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_municipal_coordinator_cannot_edit_a_methodology(listed: dict[str, Any]) -> None:
    user = listed["users"]["municipality"]
    client = logged_in(user)
    url = reverse("identification:methodology", args=[builtin().pk])
    page = client.get(url).content.decode()
    assert "Сохранить как новую версию" not in page
    response = client.post(url, {"low_share": "0,05", "code": "federal"})
    assert response.status_code == 403
    with pytest.raises(NotAllowed):
        do_save_methodology_version(builtin(), {"low_share": 0.05}, acting_user=user)
    assert Methodology.objects.filter(code="federal").count() == 1


def test_a_regions_methodology_is_its_own(listed: dict[str, Any]) -> None:
    mine = do_save_methodology_version(
        builtin(), {"low_share": 0.2}, acting_user=listed["users"]["region"], code="local"
    )
    assert mine.region == listed["region"] and mine.owner_label == "Тестовая область"
    outsider = listed["users"]["outsider"]
    url = reverse("identification:methodology", args=[mine.pk])
    assert logged_in(outsider).get(url).status_code == 404
    with pytest.raises(NotAllowed, match="занят методикой другого региона"):
        do_save_methodology_version(builtin(), {}, acting_user=outsider, code="local")
    methodologies = logged_in(outsider).get(reverse("identification:methodologies"))
    assert "local" not in methodologies.content.decode()


def test_the_web_page_and_the_console_save_through_one_audited_action(
    listed: dict[str, Any], tmp_path: Path
) -> None:
    region_user = listed["users"]["region"]
    response = logged_in(region_user).post(
        reverse("identification:methodology", args=[builtin().pk]),
        {**form_values(builtin()), "low_share": "0,05", "code": "federal"},
    )
    assert response.status_code == 302
    web = Methodology.objects.get(code="federal", version=builtin().version + 1)
    assert web.region == listed["region"] and web.created_by == region_user
    call_command("methodology", "dump", "federal", str(tmp_path / "f.yaml"), verbosity=0)
    call_command(
        "methodology",
        "load",
        str(tmp_path / "f.yaml"),
        region="Тестовая область",
        verbosity=0,
    )
    console = Methodology.objects.get(code="federal", version=web.version + 1)
    assert console.region == listed["region"] and console.parent == web
    # the dump was the built-in, not the region's edit
    assert console.definition["parameters"]["low_share"]["value"] == 0.3
    events = AuditEvent.objects.filter(action="identification.methodology_saved")
    assert {(e.object_id, e.data["origin"]) for e in events} == {
        (str(web.pk), "веб-страница методики"),
        (str(console.pk), f"файл {tmp_path / 'f.yaml'}"),
    }


def test_identify_federal_uses_the_builtin_unless_the_version_is_named(
    listed: dict[str, Any],
) -> None:
    do_save_methodology_version(
        builtin(), {"low_share": 0.2}, acting_user=listed["users"]["region"]
    )
    call_command("identify", year=2025, methodology="federal", region="Тестовая область")
    run = Run.objects.latest("created")
    assert run.methodology == builtin()
    assert run.statuses.get(school__code="300").status != "low_results"  # 25% < 30%
    call_command(
        "identify",
        year=2025,
        methodology="federal",
        methodology_version=builtin().version + 1,
        region="Тестовая область",
    )
    edited = Run.objects.latest("created")
    assert edited.methodology.region == listed["region"]
    assert edited.statuses.get(school__code="300").status == "low_results"  # 25% ≥ 20%


def test_a_municipal_run_does_not_become_the_regions_list(listed: dict[str, Any]) -> None:
    region_user, municipal = listed["users"]["region"], listed["users"]["municipality"]
    region_run = do_run_identification(builtin(), 2025, acting_user=region_user)
    own = do_run_identification(builtin("strezhevoy"), 2025, acting_user=municipal)
    again = do_run_identification(builtin(), 2025, acting_user=municipal)
    assert latest_run(region_user) == region_run
    home = logged_in(region_user).get(reverse("home"))
    assert home.context["run"] == region_run
    # the municipality's pages: its own run of the region's methodology, the newer one
    assert latest_run(municipal) == again
    do_set_primary_methodology("strezhevoy", acting_user=municipal)
    assert latest_run(municipal) == own
    page = logged_in(region_user).get(reverse("municipality", args=[listed["north"].pk]))
    assert page.context["run"]() == own  # computed when the page's cached part is rendered
    assert latest_run(region_user) == region_run  # the municipality's choice is its own


def test_the_region_chooses_its_primary_methodology(listed: dict[str, Any]) -> None:
    region_user = listed["users"]["region"]
    federal = do_run_identification(builtin(), 2025, acting_user=region_user)
    strezhevoy = do_run_identification(builtin("strezhevoy"), 2025, acting_user=region_user)
    assert latest_run(region_user) == federal  # SHNOR_PRIMARY_METHODOLOGY's default
    client = logged_in(region_user)
    response = client.post(reverse("identification:primary"), {"code": "strezhevoy"})
    assert response.status_code == 302
    assert latest_run(region_user) == strezhevoy
    assert latest_run(listed["users"]["municipality"]) == strezhevoy
    assert client.post(reverse("identification:primary"), {"code": "magic"}).status_code == 302
    assert latest_run(region_user) == strezhevoy
    assert AuditEvent.objects.filter(action="identification.primary_methodology").count() == 1
    observer = logged_in(listed["users"]["observer"])
    assert observer.post(reverse("identification:primary"), {"code": ""}).status_code == 403


def test_the_identification_report_describes_the_year_asked(listed: dict[str, Any]) -> None:
    user = listed["users"]["region"]
    older = do_run_identification(builtin(), 2024, acting_user=user)
    newer = do_run_identification(builtin(), 2025, acting_user=user)
    report = identification_report(user, listed["region"], None, 2024)
    assert report.subtitle == "Тестовая область, 2024 год"
    assert f"результаты 2024 года; запуск №{older.pk}" in report.sections[0].paragraphs[0]
    assert f"запуск №{newer.pk}" not in " ".join(report.sections[0].paragraphs)
    missing = identification_report(user, listed["region"], None, 2023)
    assert "2023 года ещё не проводилось" in missing.sections[0].paragraphs[0]
