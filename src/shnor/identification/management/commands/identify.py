from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shnor.core.jobs import Progress
from shnor.core.system import SystemUser
from shnor.identification.exports import to_csv, to_docx, to_xlsx
from shnor.identification.models import Methodology
from shnor.identification.services import do_run_identification
from shnor.registry.models import Municipality, Region


class Command(BaseCommand):
    help = "Выявить ШНОР и школы в зоне риска по методике за год."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument(
            "--methodology",
            required=True,
            help="код методики: federal, strezhevoy, sayansky, comparative, …",
        )
        parser.add_argument(
            "--methodology-version",
            type=int,
            dest="methodology_version",
            help="версия методики (по умолчанию последняя)",
        )
        parser.add_argument("--region", help="регион (если в базе их несколько)")
        parser.add_argument("--municipality", help="название муниципалитета")
        parser.add_argument("--output", type=Path, help="FILE.csv, FILE.xlsx или FILE.docx")

    def handle(
        self,
        *args: Any,
        year: int,
        methodology: str,
        methodology_version: int | None,
        region: str | None,
        municipality: str | None,
        output: Path | None,
        **options: Any,
    ) -> None:
        versions = Methodology.objects.filter(code=methodology).order_by("-version")
        chosen = (
            versions.filter(version=methodology_version).first()
            if methodology_version
            else versions.first()
        )
        if chosen is None:
            known = ", ".join(sorted(set(Methodology.objects.values_list("code", flat=True))))
            raise CommandError(f"Нет методики «{methodology}»; есть: {known}")
        place = None
        if municipality:
            place = Municipality.objects.filter(name__iexact=municipality).first()
            if place is None:
                raise CommandError(f"Нет муниципалитета «{municipality}»")
        regions = Region.objects.filter(name__iexact=region) if region else Region.objects.all()
        if place is None and regions.count() != 1:
            names = ", ".join(Region.objects.values_list("name", flat=True))
            raise CommandError(f"Укажите --region или --municipality; регионы в базе: {names}")
        with tqdm(unit=" шаг", disable=options["verbosity"] == 0) as bar:
            run = do_run_identification(
                chosen,
                year,
                acting_user=SystemUser(),
                municipality=place,
                region=place.region if place else regions.get(),
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
