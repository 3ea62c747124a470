"""`shnor backup` and `shnor restore`: the database and the files come back equal, on whichever
database the suite runs (scripts/with-postgres.sh runs it on PostgreSQL)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from shnor.core.backup import MANIFEST, data_rows
from shnor.core.models import AuditEvent
from shnor.core.system import SystemUser
from shnor.identification.actions import do_run_identification
from shnor.identification.models import Methodology
from shnor.registry.models import School
from shnor.support.actions import do_approve_programme, do_create_programme, do_record_execution
from shnor.support.choices import MeasureStatus, ProgrammeKind

pytestmark = pytest.mark.django_db(transaction=True)

TODAY = date.today()


@pytest.fixture
def data_dir(settings: Any, tmp_path: Path) -> Path:
    """A data folder of the test's own: restore replaces the files in it."""
    settings.DATA_DIR = tmp_path / "data"
    settings.MEDIA_ROOT = tmp_path / "data" / "media"
    settings.DATA_DIR.mkdir()
    return settings.DATA_DIR


@pytest.fixture
def filled(world: dict[str, Any], data_dir: Path) -> dict[str, Any]:
    """The world with a programme carried out (evidence files), a run and a report template."""
    school, user = world["schools"]["a"], world["users"]["municipality"]
    programme = do_create_programme(
        kind=ProgrammeKind.SCHOOL,
        title="Программа школы № 1",
        municipality=school.municipality,
        school=school,
        year_from=TODAY.year,
        year_to=TODAY.year + 1,
        measures=[
            {"text": f"Мероприятие {n}", "period": "", "deadline": TODAY + timedelta(days=n)}
            for n in range(1, 4)
        ],
        source="тест",
        acting_user=user,
    )
    do_approve_programme(programme, acting_user=user)
    for n, measure in enumerate(programme.measures.order_by("number")):
        do_record_execution(
            measure,
            status=MeasureStatus.DONE,
            acting_user=user,
            may_confirm=True,
            text=f"Протокол {n}",
            file=ContentFile(f"протокол {n}\n".encode() * (n + 1), name=f"протокол_{n}.txt"),
        )
    do_run_identification(
        Methodology.objects.get(code="federal"),
        2025,
        acting_user=SystemUser(region=world["region"]),
    )
    templates = data_dir / "report_templates"
    templates.mkdir()
    (templates / "default.docx").write_bytes(b"PK\x03\x04 letterhead")
    return world


def table_fingerprints() -> dict[str, tuple[int, str]]:
    """Every model's table (many-to-many tables included): its row count and a hash of all
    its rows in key order. The restore's own journal row is left out: it is the one row a
    restore adds."""
    prints = {}
    for model in apps.get_models(include_auto_created=True):
        rows = model._base_manager.order_by("pk")
        if model is AuditEvent:
            rows = rows.exclude(action="core.restored")
        values = list(rows.values_list(*[f.attname for f in model._meta.concrete_fields]))
        prints[model._meta.label] = (
            len(values),
            hashlib.sha256(repr(values).encode()).hexdigest(),
        )
    return prints


def file_hashes() -> dict[str, str]:
    root = Path(settings.DATA_DIR)
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).parts[0] in ("media", "report_templates")
    }


def wipe() -> None:
    call_command("flush", interactive=False, verbosity=0)
    for folder in ("media", "report_templates"):
        shutil.rmtree(Path(settings.DATA_DIR) / folder, ignore_errors=True)


def test_it_brings_back_every_table_and_file(filled: dict[str, Any], tmp_path: Path) -> None:
    tables, files = table_fingerprints(), file_hashes()
    assert tables["support.Measure"][0] == 3 and tables["identification.SchoolStatus"][0] > 0
    assert len([f for f in files if f.startswith("media/evidence/")]) == 3
    assert "report_templates/default.docx" in files
    archive = tmp_path / "copy.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    backup_events = AuditEvent.objects.filter(action="core.backup_made")
    assert backup_events.get().data["console"]  # the operating-system user
    tables = table_fingerprints()  # the backup's own journal row is written after the copy

    wipe()
    assert data_rows() == 0 and file_hashes() == {}
    call_command("restore", str(archive), verbosity=0)

    assert file_hashes() == files
    restored = table_fingerprints()
    # the journal row of the backup itself came after the copy: the only difference
    assert restored.pop("core.AuditEvent")[0] == tables.pop("core.AuditEvent")[0] - 1
    assert restored == tables
    assert AuditEvent.objects.filter(action="core.restored").count() == 1


def test_it_refuses_a_database_with_data_unless_forced(
    filled: dict[str, Any], tmp_path: Path
) -> None:
    archive = tmp_path / "copy.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    evidence = sorted((Path(settings.MEDIA_ROOT) / "evidence").rglob("*.txt"))
    evidence[0].unlink()
    (Path(settings.MEDIA_ROOT) / "stray.txt").write_text("не из копии")
    School.objects.filter(code="100").update(name="Переименованная")
    with pytest.raises(CommandError, match=r"В базе уже есть данные.*--force"):
        call_command("restore", str(archive), verbosity=0)
    assert not evidence[0].exists()  # nothing was touched
    call_command("restore", str(archive), "--force", verbosity=0)
    assert evidence[0].exists() and not (Path(settings.MEDIA_ROOT) / "stray.txt").exists()
    assert School.objects.get(code="100").name == filled["schools"]["a"].name


def test_it_refuses_what_is_not_a_backup(world: dict[str, Any], tmp_path: Path) -> None:
    wipe()
    not_gzip = tmp_path / "notes.tar.gz"
    not_gzip.write_text("просто текст")
    with pytest.raises(CommandError, match="не архив резервной копии shnor или он повреждён"):
        call_command("restore", str(not_gzip), verbosity=0)
    foreign = tmp_path / "foreign.tar.gz"
    with tarfile.open(foreign, "w:gz") as archive:
        info = tarfile.TarInfo("readme.txt")
        info.size = 2
        archive.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(CommandError, match="это не резервная копия shnor"):
        call_command("restore", str(foreign), verbosity=0)
    with pytest.raises(CommandError, match="Файл не найден"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), verbosity=0)


def test_it_refuses_a_damaged_or_altered_archive(filled: dict[str, Any], tmp_path: Path) -> None:
    archive = tmp_path / "copy.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    wipe()
    with pytest.raises(CommandError, match="повреждён"):
        call_command("restore", str(truncated), verbosity=0)
    altered = tmp_path / "altered.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(altered, "w:gz") as target:
        for member in source:
            content = source.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("files/media/"):
                content = bytes(b ^ 1 for b in content)  # same size, other bytes
            target.addfile(member, io.BytesIO(content))
    with pytest.raises(CommandError, match="не совпадают с описью: files/media/"):
        call_command("restore", str(altered), verbosity=0)
    assert data_rows() == 0  # nothing restored from either
    with tarfile.open(archive, "r:gz") as source:
        manifest = json.load(source.extractfile(MANIFEST))  # type: ignore[arg-type]
    assert manifest["vendor"] in ("sqlite", "postgresql") and manifest["migrations"]["support"]
