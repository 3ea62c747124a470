from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db.models import Q
from tqdm import tqdm

from shnor.core.jobs import Progress
from shnor.core.system import ConsoleCommand
from shnor.identification.actions import do_import_official_list, do_run_identification
from shnor.identification.choices import ListSource
from shnor.identification.exports import to_csv, to_docx, to_xlsx
from shnor.identification.models import Methodology
from shnor.identification.services import default_methodology
from shnor.registry.models import Municipality, Region

OFFICIAL_SOURCES = [s.value for s in ListSource if s != ListSource.METHODOLOGY]


class Command(ConsoleCommand):
    help = (
        "Выявить ШНОР и школы в зоне риска по методике за год: shnor identify --year Y "
        "--methodology CODE; или загрузить официальный список: shnor identify import-list FILE "
        "--source fioko|rosobrnadzor|coko --year Y."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "action",
            nargs="?",
            choices=["import-list"],
            help="import-list FILE — загрузить полученный список (XLSX, XLS, ODS, CSV)",
        )
        parser.add_argument("file", nargs="?", type=Path, help="файл официального списка")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--methodology",
            help="код методики: federal, strezhevoy, sayansky, comparative, …; без "
            "--methodology-version — общая (встроенная) версия, а для своей методики "
            "региона — её последняя версия",
        )
        parser.add_argument(
            "--methodology-version",
            type=int,
            dest="methodology_version",
            help="версия методики, в том числе отредактированная регионом",
        )
        parser.add_argument("--source", choices=OFFICIAL_SOURCES, help="источник списка")
        parser.add_argument("--region", help="регион (если в базе их несколько)")
        parser.add_argument("--municipality", help="название муниципалитета")
        parser.add_argument("--output", type=Path, help="FILE.csv, FILE.xlsx или FILE.docx")

    def handle(
        self,
        *args: Any,
        action: str | None,
        file: Path | None,
        year: int,
        methodology: str | None,
        methodology_version: int | None,
        source: str | None,
        region: str | None,
        municipality: str | None,
        output: Path | None,
        **options: Any,
    ) -> None:
        place = None
        if municipality:
            place = Municipality.objects.filter(name__iexact=municipality).first()
            if place is None:
                raise CommandError(f"Нет муниципалитета «{municipality}»")
        regions = Region.objects.filter(name__iexact=region) if region else Region.objects.all()
        if place is None and regions.count() != 1:
            names = ", ".join(Region.objects.values_list("name", flat=True))
            raise CommandError(f"Укажите --region или --municipality; регионы в базе: {names}")
        territory = place.region if place else regions.get()
        if action == "import-list":
            self.import_list(file, source, year, territory, place)
            return
        if not methodology:
            raise CommandError("Укажите --methodology CODE (или import-list FILE)")
        chosen = (
            Methodology.objects.filter(code=methodology, version=methodology_version)
            .filter(Q(region__isnull=True) | Q(region=territory))
            .first()
            if methodology_version
            else default_methodology(methodology, territory)
        )
        if chosen is None:
            known = ", ".join(sorted(set(Methodology.objects.values_list("code", flat=True))))
            raise CommandError(f"Нет методики «{methodology}»; есть: {known}")
        with tqdm(unit=" шаг", disable=options["verbosity"] == 0) as bar:
            run = do_run_identification(
                chosen,
                year,
                acting_user=self.system_user(),
                municipality=place,
                region=territory,
                progress=Progress(console=bar),
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Запуск №{run.pk}: {run} — "
                + ", ".join(f"{k}: {v}" for k, v in run.counts.items())
                + f"; отпечаток данных {run.fingerprint}; {run.seconds} с"
            )
        )
        if output:
            writers = {
                ".csv": lambda: to_csv(run, run.statuses.all()).encode(),
                ".xlsx": lambda: to_xlsx(run, run.statuses.all()),
                ".docx": lambda: to_docx(run, run.statuses.all()),
            }
            writer = writers.get(output.suffix.lower())
            if writer is None:
                raise CommandError("Файл вывода: .csv, .xlsx или .docx")
            output.write_bytes(writer())
            self.stdout.write(f"Записано: {output}")

    def import_list(
        self,
        file: Path | None,
        source: str | None,
        year: int,
        region: Region,
        place: Municipality | None,
    ) -> None:
        if file is None or source is None:
            raise CommandError("import-list FILE --source fioko|rosobrnadzor|coko --year Y")
        if not file.exists():
            raise CommandError(f"Файл не найден: {file}")
        report, run = do_import_official_list(
            file,
            source=source,
            year=year,
            acting_user=self.system_user(region),
            municipality=place,
        )
        for notice in report.notices:
            self.stdout.write(notice)
        for problem in report.problems:
            self.stderr.write(str(problem))
        if run is None:
            raise CommandError(report.summary)
        self.stdout.write(
            self.style.SUCCESS(
                f"Список №{run.pk}: {run} — школ в списке: {report.added}; "
                + ", ".join(f"{k}: {v}" for k, v in run.counts.items())
            )
        )
