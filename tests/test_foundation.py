"""Models and their rules, the job queue, the demo region and the installed command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from shnor.assessments.models import ProcedureKind, Result, Subject
from shnor.core import jobs
from shnor.core.models import Job
from shnor.demo.generator import SMALL_MUNICIPALITY, DemoRegion
from shnor.registry.models import Municipality, School


def test_result_rules_live_in_clean(world: dict[str, Any]) -> None:
    row = Result(
        school=world["schools"]["a"],
        year=2025,
        kind=ProcedureKind.objects.get(code="ВПР"),
        subject=Subject.objects.get(name="Математика"),
        grade=5,
        enrolled=10,
        participants=12,
        mark2=5,
        mark3=5,
        mark4=5,
        mark5=0,
        below_min=13,
        mean_score=Decimal("101"),
    )
    with pytest.raises(ValidationError) as error:
        row.clean()
    assert set(error.value.message_dict) == {"participants", "mark2", "below_min", "mean_score"}
    row.participants, row.below_min, row.mean_score, row.enrolled = 15, 5, Decimal("3.2"), 20
    row.clean()
    assert row.low_share == pytest.approx(1 / 3)


def test_school_names_and_grades(world: dict[str, Any]) -> None:
    school = world["schools"]["c"]
    assert school.short_name == "ООШ с. Дальнее" and school.top_grade == 9


def test_a_job_is_claimed_once(world: dict[str, Any]) -> None:
    calls = []

    @jobs.job_kind("test.echo")
    def echo(progress: jobs.Progress, params: dict[str, Any], user: Any) -> dict[str, Any]:
        progress.start(2)
        progress.advance(2)
        calls.append(params)
        return {"echo": params["x"]}

    job = jobs.enqueue("test.echo", "Эхо", {"x": 1}, world["users"]["region"])
    claimed = jobs.claim_next()
    assert claimed is not None and claimed.pk == job.pk and claimed.status == "running"
    assert jobs.claim_next() is None  # nobody else gets it
    finished = jobs.run(claimed)
    assert finished.status == "done" and finished.result == {"echo": 1} and calls == [{"x": 1}]


def test_a_failing_job_is_recorded(world: dict[str, Any]) -> None:
    @jobs.job_kind("test.fail")
    def fail(progress: jobs.Progress, params: dict[str, Any], user: Any) -> dict[str, Any]:
        raise RuntimeError("сломалось")

    jobs.enqueue("test.fail", "Сбой", {}, None)
    assert jobs.run_pending() == 1
    job = Job.objects.get()
    assert job.status == "failed" and "сломалось" in job.error and job.finished


def test_job_pages_belong_to_their_user(world: dict[str, Any]) -> None:
    job = Job.objects.create(kind="import", title="Загрузка", user=world["users"]["region"])
    own, other = Client(), Client()
    own.force_login(world["users"]["region"])
    other.force_login(world["users"]["municipality"])
    assert own.get(reverse("job", args=[job.pk])).status_code == 200
    assert other.get(reverse("job", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_the_demo_region_is_plausible() -> None:
    counts = DemoRegion(seed=7).build()
    assert counts["municipalities"] == 20 and 270 <= counts["schools"] <= 330
    small = Municipality.objects.get(name=SMALL_MUNICIPALITY)
    assert small.schools.count() == 13
    basic = School.objects.filter(municipality=small, kind="ООШ")
    assert basic.exists()
    assert not Result.objects.filter(school__in=basic, kind__code="ЕГЭ").exists()
    assert Result.objects.filter(school__municipality=small, participants__lt=5).exists()
    years = set(Result.objects.values_list("year", flat=True))
    assert len(years) == 5
    client = Client()
    client.login(username="region", password="demo")
    assert client.get(reverse("home")).status_code == 200


def test_the_installed_command_runs_management_commands(tmp_path: Any) -> None:
    command = shutil.which("shnor") or os.path.join(os.path.dirname(sys.executable), "shnor")
    env = {
        **os.environ,
        "SHNOR_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.sqlite3",
    }
    listed = subprocess.run(
        [command, "help"], capture_output=True, text=True, env=env, check=True
    ).stdout
    for name in ("import", "template", "identify", "demo", "serve", "worker", "migrate"):
        assert name in listed
    subprocess.run([command, "migrate", "-v0"], env=env, check=True)
    template = tmp_path / "results.xlsx"
    subprocess.run([command, "template", "results", str(template)], env=env, check=True)
    assert template.stat().st_size > 0


def test_only_superusers_manage_users(world: dict[str, Any]) -> None:
    from shnor.accounts.models import User

    admin = User.objects.create_superuser(
        "boss", password="x", role="region", region=world["region"]
    )
    client = Client()
    client.force_login(admin)
    page = client.get("/admin/accounts/user/").content.decode()
    assert "curator" in page and "Роль" in page
    assert "Пользователи" in client.get(reverse("schools")).content.decode()
    coordinator = Client()
    coordinator.force_login(world["users"]["region"])
    assert coordinator.get("/admin/accounts/user/").status_code == 302
    assert "Пользователи" not in coordinator.get(reverse("schools")).content.decode()
