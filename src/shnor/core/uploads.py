"""Uploaded files: what each kind may be (size, types), where import files wait for their job and
how long they are kept.

Import files may hold teachers' personal data, so they live only as long as their job needs them
(plus `KEEP_UPLOADS_DAYS`); evidence files are kept with their comment, and being served back to
other users, they must be what their extension says.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from shnor.core.choices import JobStatus
from shnor.core.models import Job

ZIP = (b"PK\x03\x04",)  # DOCX, XLSX, PPTX and the OpenDocument formats are zip packages
OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # DOC, XLS, PPT of Office 97–2003
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "docx": ZIP,
    "xlsx": ZIP,
    "pptx": ZIP,
    "odt": ZIP,
    "ods": ZIP,
    "odp": ZIP,
    "doc": OLE,
    "xls": OLE,
    "ppt": OLE,
    "rtf": (b"{\\rtf",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "txt": (),  # plain text: no signature, but no NUL bytes either (binary formats have many)
}


@dataclass(frozen=True)
class UploadKind:
    label: str  # «файл данных», in messages
    limit_setting: str  # the setting holding the largest size, megabytes
    types: tuple[str, ...]  # extensions, lower case, without the dot
    # Whether the first bytes must match the extension: evidence files are served back to other
    # users; import files are read by our own readers, which name what is wrong with them.
    sniff: bool = False

    @property
    def limit_mb(self) -> int:
        return int(getattr(settings, self.limit_setting))


IMPORT = UploadKind("файл данных", "MAX_IMPORT_MB", ("xlsx", "xls", "ods", "csv"))
PROGRAMME = UploadKind("файл программы", "MAX_IMPORT_MB", ("docx", "xlsx", "xls", "ods", "csv"))
EVIDENCE = UploadKind(
    "файл-подтверждение",
    "MAX_EVIDENCE_MB",
    tuple(SIGNATURES),
    sniff=True,
)


def check_upload(file: UploadedFile, kind: UploadKind) -> None:
    """Raise ValidationError, in Russian and naming the file, unless it fits the kind."""
    extension = Path(file.name or "").suffix.lower().lstrip(".")
    if extension not in kind.types:
        raise ValidationError(
            f"Файл «{file.name}»: такой вид файлов не принимается как {kind.label}; "
            f"допустимы: {', '.join(t.upper() for t in kind.types)}."
        )
    limit = kind.limit_mb * 1024 * 1024
    if file.size is not None and file.size > limit:
        size = f"{file.size / 1024 / 1024:.1f}".replace(".", ",")
        raise ValidationError(
            f"Файл «{file.name}» слишком большой: {size} МБ; "
            f"{kind.label} может занимать не больше {kind.limit_mb} МБ."
        )
    if kind.sniff:
        file.seek(0)
        head = file.read(4096)
        file.seek(0)
        signatures = SIGNATURES[extension]
        if not (head.startswith(signatures) if signatures else b"\0" not in head):
            raise ValidationError(
                f"Файл «{file.name}» не похож на {extension.upper()}: его содержимое не "
                "совпадает с расширением. Сохраните документ заново в этом формате."
            )


class UploadField(forms.FileField):
    """A file field that accepts only files fitting an upload kind."""

    def __init__(self, kind: UploadKind, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        file = super().clean(data, initial)
        if file:
            check_upload(file, self.kind)
        return file


def uploads_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads"


def store_upload(file: UploadedFile) -> Path:
    """Save an import file where its job will read it, under a name nobody can guess."""
    folder = uploads_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{uuid.uuid4().hex}{Path(file.name or '').suffix.lower()}"
    with stored.open("wb") as out:
        for chunk in file.chunks():
            out.write(chunk)
    return stored


def release_upload(params: dict[str, Any]) -> None:
    """Delete a finished job's import file, unless uploads are kept for some days."""
    if settings.KEEP_UPLOADS_DAYS:
        return
    path = params.get("path")
    if path and Path(path).parent == uploads_folder():
        Path(path).unlink(missing_ok=True)


# A file is stored a moment before its job is queued: the sweep leaves files this young alone.
SWEEP_GRACE_SECONDS = 3600


def remove_old_uploads() -> int:
    """Delete import files older than `KEEP_UPLOADS_DAYS` that no queued or running job needs
    (left by a job whose worker died, or an upload whose job was never queued); returns how many."""
    folder = uploads_folder()
    if not folder.is_dir():
        return 0
    needed = {
        str(params.get("path"))
        for params in Job.objects.filter(
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).values_list("params", flat=True)
        if isinstance(params, dict)
    }
    oldest = time.time() - max(settings.KEEP_UPLOADS_DAYS * 86400, SWEEP_GRACE_SECONDS)
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and str(path) not in needed and path.stat().st_mtime < oldest:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
