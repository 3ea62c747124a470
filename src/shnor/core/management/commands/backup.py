from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from shnor.core.audit import record_audit
from shnor.core.backup import BackupError, create_backup
from shnor.core.system import ConsoleCommand


class Command(ConsoleCommand):
    help = (
        "Резервная копия: база данных (SQLite или PostgreSQL) и файлы (вложения, шаблоны "
        "справок) в одном архиве FILE.tar.gz; можно делать при работающем приложении."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="куда записать архив, например shnor.tar.gz")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            summary = create_backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        record_audit(
            "core.backup_made",
            actor=self.system_user(),
            summary=f"{file.name}: файлов {summary.files}",
            file=str(file),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Записано: {file} — база {summary.database / 1e6:.1f} МБ, файлов {summary.files}"
            )
        )
