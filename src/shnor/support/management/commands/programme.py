from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from shnor.core.documents.render import RENDERERS
from shnor.core.system import ConsoleCommand
from shnor.core.tabular import UnreadableFile
from shnor.registry.models import Municipality, School
from shnor.support.actions import do_import_programme
from shnor.support.choices import ProgrammeKind
from shnor.support.documents import programme_report
from shnor.support.importers import ProgrammeImportError
from shnor.support.models import Programme


class Command(ConsoleCommand):
    help = (
        "Программы поддержки: shnor programme import FILE (--school КОД | --municipality "
        "НАЗВАНИЕ) [--kind roadmap] [--years 2025-2026] — загрузить существующую программу "
        "из DOCX/XLSX/XLS/ODS/CSV как проект; shnor programme export ID FILE.docx|xlsx|pdf"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("args", nargs="+")
        parser.add_argument("--school", help="код ОО (программа школы)")
        parser.add_argument("--municipality", help="муниципалитет (МППКО)")
        parser.add_argument(
            "--kind",
            choices=[k for k in ProgrammeKind.values if k != ProgrammeKind.MUNICIPAL],
            default=ProgrammeKind.ROADMAP,
        )
        parser.add_argument("--years", help="годы программы, например 2025-2026")
        parser.add_argument("--title")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "export":
            self.export(*args)
            return
        path = Path(args[0])
        school = municipality = None
        if options["school"]:
            school = School.objects.filter(code=options["school"]).first()
            if school is None:
                raise CommandError(f"Нет школы с кодом «{options['school']}»")
            municipality = school.municipality
        elif options["municipality"]:
            municipality = Municipality.objects.filter(name=options["municipality"]).first()
            if municipality is None:
                raise CommandError(f"Нет муниципалитета «{options['municipality']}»")
        else:
            raise CommandError("Укажите --school КОД или --municipality НАЗВАНИЕ")
        years = (options["years"] or str(date.today().year)).split("-")
        try:
            programme = do_import_programme(
                path,
                path.name,
                kind=options["kind"] if school else ProgrammeKind.MUNICIPAL,
                title=options["title"] or path.stem,
                municipality=municipality,
                school=school,
                year_from=int(years[0]),
                year_to=int(years[-1]),
                acting_user=self.system_user(),
            )
        except (ProgrammeImportError, UnreadableFile, OSError) as error:
            raise CommandError(f"Ничего не записано.\n{error}") from None
        self.stdout.write(
            f"Загружено мероприятий: {programme.measures.count()} — «{programme}» (проект, "
            f"id {programme.pk})"
        )

    def export(self, pk: str, target: str = "") -> None:
        programme = Programme.objects.select_related("municipality").filter(pk=pk).first()
        if programme is None:
            raise CommandError(f"Нет программы с id {pk}")
        path = Path(target or f"programma_{programme.pk}.docx")
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in RENDERERS:
            raise CommandError(f"{path}: ожидается .docx, .xlsx или .pdf")
        report = programme_report(programme, date.today())
        path.write_bytes(
            RENDERERS[fmt](report, f"Управление образования: {programme.municipality.name}")
        )
        self.stdout.write(f"Записано: {path}")
