"""Uploads: a size limit per kind, evidence files only of allowed types (by extension and by
content), import files gone when their job is."""

from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from shnor.core import jobs, uploads
from shnor.core.models import Job
from shnor.support.actions import do_add_note, do_create_programme
from shnor.support.choices import ProgrammeKind
from shnor.support.models import MeasureNote
from tests.tables import RESULT_HEADERS, result_row, write_table

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_import_file_over_the_limit_is_refused_with_a_message(
    world: dict[str, Any], media: Path, settings: Any
) -> None:
    settings.MAX_IMPORT_MB = 1
    client = signed_in(world["users"]["region"])
    big = SimpleUploadedFile("results.csv", b"x" * (1024 * 1024 + 1))
    page = client.post(reverse("import"), {"kind": "results", "file": big}, follow=True)
    text = page.content.decode()
    assert "Файл «results.csv» слишком большой: 1,0 МБ" in text
    assert "файл данных может занимать не больше 1 МБ" in text
    assert not Job.objects.exists() and not (media / "uploads").exists()


def test_an_import_file_of_another_type_is_refused(world: dict[str, Any], media: Path) -> None:
    client = signed_in(world["users"]["region"])
    page = client.post(
        reverse("import"),
        {"kind": "results", "file": SimpleUploadedFile("results.exe", b"MZ")},
        follow=True,
    )
    assert "допустимы: XLSX, XLS, ODS, CSV" in page.content.decode()
    assert not Job.objects.exists()


@pytest.mark.parametrize("keep_days", [0, 2])
def test_an_import_file_lives_as_long_as_its_job_or_the_days_kept(
    world: dict[str, Any], media: Path, settings: Any, tmp_path: Path, keep_days: int
) -> None:
    settings.KEEP_UPLOADS_DAYS = keep_days
    client = signed_in(world["users"]["region"])
    path = write_table(tmp_path / "r.csv", [RESULT_HEADERS, result_row("100")])
    with path.open("rb") as upload:
        client.post(reverse("import"), {"kind": "results", "file": upload})
    stored = Path(Job.objects.get().params["path"])
    assert stored.parent == media / "uploads" and stored.exists()
    assert jobs.run_pending() == 1 and Job.objects.get().status == "done"
    assert stored.exists() == bool(keep_days)


def test_the_sweep_removes_old_uploads_no_waiting_job_needs(
    world: dict[str, Any], media: Path, settings: Any
) -> None:
    settings.KEEP_UPLOADS_DAYS = 1
    folder = media / "uploads"
    folder.mkdir(parents=True)
    old = time.time() - 2 * 86400
    orphan, waiting, young = folder / "orphan.csv", folder / "waiting.csv", folder / "young.csv"
    for path in (orphan, waiting, young):
        path.write_text("x")
    for path in (orphan, waiting):
        os.utime(path, (old, old))
    Job.objects.create(kind="import", title="ждёт", params={"path": str(waiting)})
    assert uploads.remove_old_uploads() == 1
    assert not orphan.exists() and waiting.exists() and young.exists()


@pytest.fixture
def measure(world: dict[str, Any]) -> Any:
    school = world["schools"]["a"]
    programme = do_create_programme(
        kind=ProgrammeKind.SCHOOL,
        title="Программа",
        municipality=school.municipality,
        school=school,
        year_from=date.today().year,
        year_to=date.today().year,
        measures=[{"text": "Пробные экзамены", "deadline": date.today()}],
        source="тест",
        acting_user=world["users"]["school"],
    )
    return programme.measures.get()


@pytest.mark.parametrize(
    ("name", "content", "refusal"),
    [
        ("akt.pdf", PDF, None),
        ("photo.PNG", PNG, None),
        ("akt.txt", "Акт проверки".encode(), None),
        ("akt.pdf", b"<html><script>alert(1)</script>", "не похож на PDF"),
        ("scan.jpg", PDF, "не похож на JPG"),
        ("akt.txt", b"MZ\x90\x00\x03\x00", "не похож на TXT"),
        ("run.exe", b"MZ\x90\x00", "такой вид файлов не принимается как файл-подтверждение"),
        ("page.html", b"<html>", "допустимы: PDF, DOCX"),
    ],
)
def test_evidence_files_are_only_of_allowed_types(
    world: dict[str, Any],
    media: Path,
    measure: Any,
    name: str,
    content: bytes,
    refusal: str | None,
) -> None:
    file = SimpleUploadedFile(name, content)
    if refusal is None:
        note = do_add_note(measure, text="", file=file, acting_user=world["users"]["school"])
        assert Path(note.file.path).read_bytes() == content
        return
    with pytest.raises(ValidationError, match=refusal):
        do_add_note(measure, text="", file=file, acting_user=world["users"]["school"])
    assert not MeasureNote.objects.exists()


def test_evidence_over_the_limit_is_refused_on_the_page(
    world: dict[str, Any], media: Path, measure: Any, settings: Any
) -> None:
    settings.MAX_EVIDENCE_MB = 1
    client = signed_in(world["users"]["school"])
    big = SimpleUploadedFile("akt.pdf", PDF + b"0" * (1024 * 1024))
    page = client.post(
        reverse("support:measure", args=[measure.pk]),
        {"action": "note", "text": "акт", "file": big},
        follow=True,
    )
    assert "Не сохранено: Файл «akt.pdf» слишком большой" in page.content.decode()
    assert not MeasureNote.objects.exists() and not (media / "evidence").exists()


def test_a_programme_file_over_the_limit_is_refused(
    world: dict[str, Any], media: Path, settings: Any
) -> None:
    settings.MAX_IMPORT_MB = 1
    client = signed_in(world["users"]["municipality"])
    big = SimpleUploadedFile("mppko.xlsx", b"PK\x03\x04" + b"0" * (1024 * 1024))
    page = client.post(
        reverse("support:import"),
        {"municipality": world["north"].pk, "file": big},
        follow=True,
    )
    assert "Не загружено: Файл «mppko.xlsx» слишком большой" in page.content.decode()
