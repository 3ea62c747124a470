from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from shnor.core.audit import record_audit
from shnor.core.backup import BackupError, restore_backup
from shnor.core.system import ConsoleCommand


class Command(ConsoleCommand):
    help = (
        "Восстановить базу данных и файлы из архива shnor backup. Архив проверяется целиком "
        "до начала; в базу с данными — только с --force (данные будут заменены)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path, help="архив, записанный командой shnor backup")
        parser.add_argument(
            "--force", action="store_true", help="заменить данные, уже имеющиеся в базе"
        )

    def handle(self, *args: Any, file: Path, force: bool, **options: Any) -> None:
        self.system_user()  # a wrong --as is refused before anything is replaced
        try:
            manifest, files = restore_backup(file, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        record_audit(
            "core.restored",
            actor=self.system_user(),  # the account as the restored database has it
            summary=f"{file.name} от {manifest['created'][:10]}: файлов {files}",
            file=str(file),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Восстановлено из {file} (копия от {manifest['created'][:16]}), файлов: {files}. "
                "Если копия сделана более старой версией, выполните shnor migrate."
            )
        )
