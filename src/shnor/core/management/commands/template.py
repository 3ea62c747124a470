from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from shnor.core.import_template import write_template
from shnor.core.importing import IMPORTERS


class Command(BaseCommand):
    help = "Записать пустой шаблон загрузки (XLSX) с пояснениями к столбцам."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, kind: str, file: Path, **options: Any) -> None:
        write_template(kind, file)
        self.stdout.write(self.style.SUCCESS(f"Шаблон записан: {file}"))
