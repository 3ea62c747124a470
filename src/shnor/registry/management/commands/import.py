from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from tqdm import tqdm

from shnor.core.importing import IMPORTERS, importer_for
from shnor.core.jobs import Progress
from shnor.core.system import ConsoleCommand
from shnor.registry.models import Region


class Command(ConsoleCommand):
    help = "Загрузить файл XLSX/XLS/ODS/CSV: schools, context, results или reference."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)
        parser.add_argument("--region", help="регион загрузки (создаётся, если его ещё нет)")
        parser.add_argument(
            "--layout", help="results: сохранённая форма региона (широкая таблица по предметам)"
        )

    def handle(
        self,
        *args: Any,
        kind: str,
        file: Path,
        region: str | None,
        layout: str | None,
        **options: Any,
    ) -> None:
        if not file.exists():
            raise CommandError(f"Файл не найден: {file}")
        user = self.system_user(
            region=Region.objects.get_or_create(name=region)[0] if region else None
        )
        with tqdm(unit=" строк", disable=options["verbosity"] == 0) as bar:
            try:
                importer = importer_for(kind, user, layout=layout)
            except KeyError as error:
                raise CommandError(error.args[0]) from None
            report = importer.run(file, progress=Progress(console=bar))
        for notice in report.notices:
            self.stdout.write(notice)
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(f"Предупреждение: {warning}"))
        for problem in report.problems:
            self.stderr.write(str(problem))
        if report.problems:
            raise CommandError(report.summary)
        self.stdout.write(self.style.SUCCESS(report.summary))
