"""The journal: every change names its actor, time, object and what changed, from the web, the
console and the administration; failed logins and imports too; the journal page shows each
coordinator the events of their territory."""

from __future__ import annotations

import getpass
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.core.management.base import CommandError
from django.forms.models import model_to_dict
from django.test import Client, RequestFactory
from django.urls import reverse

from shnor.accounts.models import User
from shnor.core.audit import ACTION_LABELS, action_labels, record_audit, visible_events
from shnor.core.importing import importer_for
from shnor.core.models import AuditEvent
from shnor.core.system import SystemUser
from shnor.identification.actions import do_run_identification
from shnor.identification.models import Methodology
from shnor.registry.models import School
from shnor.staff.models import Teacher
from shnor.support.actions import do_approve_programme, do_create_programme, do_record_execution
from shnor.support.choices import MeasureStatus, ProgrammeKind, ProgrammeStatus
from tests.tables import write_table

TODAY = date.today()
SOURCE = Path(__file__).resolve().parents[1] / "src" / "shnor"


@pytest.fixture
def programme(world: dict[str, Any]) -> Any:
    school = world["schools"]["a"]
    return do_create_programme(
        kind=ProgrammeKind.SCHOOL,
        title="Программа школы № 1",
        municipality=school.municipality,
        school=school,
        year_from=TODAY.year,
        year_to=TODAY.year + 1,
        measures=[{"text": "Пробные экзамены", "deadline": TODAY + timedelta(days=10)}],
        source="тест",
        acting_user=world["users"]["school"],
    )


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_records_who_changed_what_from_what_to_what(
    world: dict[str, Any], programme: Any
) -> None:
    school_user, mun = world["users"]["school"], world["users"]["municipality"]
    do_approve_programme(programme, acting_user=mun)
    approved = AuditEvent.objects.get(action="support.programme_approved")
    assert approved.actor == mun and approved.object_id == str(programme.pk)
    assert approved.data["changes"]["status"] == ["draft", "approved"]
    assert approved.data["changes"]["approved_by_id"] == [None, mun.pk]
    measure = programme.measures.get()
    do_record_execution(
        measure, status=MeasureStatus.IN_PROGRESS, acting_user=school_user, may_confirm=False
    )
    event = AuditEvent.objects.get(action="support.measure_status")
    assert event.actor == school_user and event.object_type == "support.Measure"
    assert event.data["changes"] == {"status": ["planned", "in_progress"]}
    assert event.data["scope"] == {
        "region": world["region"].pk,
        "municipality": world["north"].pk,
        "school": world["schools"]["a"].pk,
        "personal": False,
    }


def test_every_action_code_has_a_russian_label() -> None:
    written = set()
    for path in SOURCE.rglob("*.py"):
        written |= set(re.findall(r'record_audit\(\s*"([a-z_.]+)"', path.read_text()))
    assert len(written) > 20
    assert written <= set(ACTION_LABELS), written - set(ACTION_LABELS)
    labels = action_labels()
    assert labels["import.teachers"] == "Загрузка данных: Педагоги школ"
    assert labels["import.results.failed"].startswith("Загрузка отклонена")
    assert all(re.search("[а-яё]", label, re.I) for label in labels.values())


def test_console_commands_name_the_operating_system_user_or_the_account_given(
    world: dict[str, Any], tmp_path: Path
) -> None:
    path = write_table(tmp_path / "teachers.csv", [["Код ОО", "ФИО"], ["100", "Иванова А. П."]])
    call_command("import", "teachers", str(path), verbosity=0)
    event = AuditEvent.objects.get(action="import.teachers")
    assert event.actor is None and event.data["console"] == getpass.getuser()
    assert event.data["file"] == "teachers.csv" and event.data["added"] == 1
    path = write_table(tmp_path / "more.csv", [["Код ОО", "ФИО"], ["200", "Петров О. И."]])
    call_command("import", "teachers", str(path), "--as", "mun", verbosity=0)
    event = AuditEvent.objects.filter(action="import.teachers").latest("pk")
    assert event.actor == world["users"]["municipality"]
    assert event.data["console"] == getpass.getuser()
    with pytest.raises(CommandError, match="нет активного пользователя «nobody»"):
        call_command("import", "teachers", str(path), "--as", "nobody", verbosity=0)


def test_it_records_a_failed_import_with_its_file_and_error_count(
    world: dict[str, Any], tmp_path: Path
) -> None:
    rows = [["Код ОО", "ФИО"], ["999", "Нет такой школы"], ["", "Без кода"]]
    report = importer_for("teachers", world["users"]["school"]).run(
        write_table(tmp_path / "плохой.csv", rows)
    )
    assert not report.ok and not Teacher.objects.exists()
    event = AuditEvent.objects.get(action="import.teachers.failed")
    assert event.actor == world["users"]["school"]
    assert event.data["file"] == "плохой.csv" and event.data["errors"] == 2
    assert event.data["scope"]["school"] == world["schools"]["a"].pk


def test_it_records_failed_logins_without_the_password(world: dict[str, Any]) -> None:
    response = Client().post(reverse("login"), {"username": "mun", "password": "Секрет-42"})
    assert response.status_code == 200  # the form again, with its error
    event = AuditEvent.objects.get(action="accounts.login_failed")
    assert event.data["username"] == "mun" and event.object_id == str(
        world["users"]["municipality"].pk
    )
    assert "Секрет-42" not in json.dumps(event.data, ensure_ascii=False) + event.summary
    assert event in visible_events(world["users"]["municipality"])  # the coordinator sees it
    Client().post(reverse("login"), {"username": "никто", "password": "x"})
    stranger = AuditEvent.objects.filter(action="accounts.login_failed").latest("pk")
    assert stranger.data["scope"]["region"] is None  # no account: for administrators only
    assert stranger not in visible_events(world["users"]["region"])


def test_the_administration_is_journalled_with_values_and_never_passwords(
    world: dict[str, Any],
) -> None:
    superuser = User.objects.create_superuser("root", password="x")
    request = RequestFactory().post("/admin/")
    request.user = superuser
    school = world["schools"]["c"]
    school_admin = admin.site._registry[School]
    data = {**model_to_dict(school), "name": "МКОУ ООШ с. Ближнее"}
    form = school_admin.get_form(request, school)(data, instance=school)
    assert form.is_valid(), form.errors
    school_admin.save_model(request, form.save(commit=False), form, change=True)
    event = AuditEvent.objects.get(action="admin.changed")
    assert event.actor == superuser and event.object_type == "registry.School"
    assert event.data["changes"] == {"name": ["МКОУ ООШ с. Дальнее", "МКОУ ООШ с. Ближнее"]}
    assert event.data["scope"]["municipality"] == world["south"].pk

    user_admin = admin.site._registry[User]
    secret = "Very-secret-Passw0rd"
    form = user_admin.get_form(request, None, change=False)(
        {
            "username": "новый",
            "password1": secret,
            "password2": secret,
            "usable_password": "true",
            "role": "region",
            "region": world["region"].pk,
        }
    )
    assert form.is_valid(), form.errors
    user_admin.save_model(request, form.save(commit=False), form, change=False)
    added = AuditEvent.objects.get(action="admin.added")
    assert added.data["changes"]["username"] == [None, "новый"]
    assert secret not in json.dumps(added.data) and "pbkdf2" not in json.dumps(added.data)

    school_admin.delete_model(request, world["schools"]["outside"])
    deleted = AuditEvent.objects.get(action="admin.deleted")
    assert deleted.summary == "Чужая школа" and not School.objects.filter(code="900").exists()


def test_the_journal_shows_each_coordinator_their_territory(
    world: dict[str, Any], programme: Any
) -> None:
    users = world["users"]
    record_audit("admin.changed", actor=None, target=world["schools"]["outside"], summary="чужая")
    record_audit("admin.changed", actor=None, target=world["schools"]["c"], summary="южная")
    teacher = Teacher.objects.create(school=world["schools"]["a"], full_name="Иванова А. П.")
    record_audit("staff.deficit_recorded", actor=users["school"], target=teacher, summary="ФИО")

    def summaries(user: User) -> set[str]:
        page = client_of(user).get(reverse("audit"))
        assert page.status_code == 200
        return {e.summary for e in page.context["page"].object_list}

    region = summaries(users["region"])
    assert "южная" in region and "чужая" not in region
    assert "ФИО" not in region  # teachers' personal data: not for the region
    north = summaries(users["municipality"])
    assert "ФИО" in north and "южная" not in north and "чужая" not in north
    assert "Программа школы № 1 (версия 1): мероприятий 1 (тест)" in north
    assert summaries(users["outsider"]) == {"чужая"}
    for role in ("school", "curator", "observer"):
        assert client_of(users[role]).get(reverse("audit")).status_code == 404
    assert "Журнал действий" in client_of(users["region"]).get(reverse("schools")).content.decode()


def test_the_journal_filters_through_its_form_and_pages(
    world: dict[str, Any], programme: Any
) -> None:
    mun = world["users"]["municipality"]
    for n in range(55):
        record_audit("support.note_added", actor=mun, target=programme, summary=f"заметка {n}")
    client = client_of(mun)
    page = client.get(reverse("audit"), {"action": "support.note_added"})
    assert page.context["page"].paginator.count == 55
    second = client.get(reverse("audit"), {"action": "support.note_added", "page": 2})
    assert len(second.context["page"].object_list) == 5
    assert "заметка 0" in second.content.decode()  # the oldest last
    by_school_user = client.get(reverse("audit"), {"actor": world["users"]["school"].pk})
    assert {e.action for e in by_school_user.context["page"].object_list} == {
        "support.programme_created"
    }
    assert "Создание программы" in by_school_user.content.decode()
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    assert client.get(reverse("audit"), {"since": tomorrow}).context["page"].paginator.count == 0
    for bad in ({"since": "вчера"}, {"action": "drop table"}, {"actor": "x"}):
        response = client.get(reverse("audit"), bad)
        assert response.status_code == 400 and "bad-text" in response.content.decode()
    response = client.get(reverse("audit"), {"since": tomorrow, "until": TODAY.isoformat()})
    assert "Дата окончания раньше даты начала" in response.content.decode()


def test_object_pages_show_their_history(world: dict[str, Any], programme: Any) -> None:
    mun = world["users"]["municipality"]
    do_approve_programme(programme, acting_user=mun)
    run = do_run_identification(
        Methodology.objects.get(code="federal"),
        2025,
        acting_user=SystemUser(region=world["region"]),
    )
    client = client_of(mun)
    page = client.get(reverse("support:programme", args=[programme.pk])).content.decode()
    assert "История изменений" in page and "Утверждение программы" in page
    # the change in words: the field's name and the status before and after
    assert "состояние" in page
    assert str(ProgrammeStatus.DRAFT.label) in page and str(ProgrammeStatus.APPROVED.label) in page
    school_page = client.get(reverse("school", args=[programme.school_id])).content.decode()
    assert "История изменений" in school_page and "Создание программы" in school_page
    run_page = client_of(world["users"]["region"]).get(reverse("identification:run", args=[run.pk]))
    assert "Выявление по методике" in run_page.content.decode()
    school_user_page = client_of(world["users"]["school"]).get(
        reverse("support:programme", args=[programme.pk])
    )
    text = school_user_page.content.decode()
    assert "Утверждение программы" in text and "Все записи в журнале" not in text
