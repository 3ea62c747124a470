from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import CommandError

from shnor.core.system import ConsoleCommand
from shnor.identification.actions import do_save_methodology_version
from shnor.identification.engine.definition import DefinitionError
from shnor.identification.methodologies import read_definition
from shnor.identification.services import NotAllowed, default_methodology
from shnor.registry.models import Region


class Command(ConsoleCommand):
    help = (
        "Загрузить методику из YAML (свою региональную модель из тех же блоков) или выгрузить "
        "существующую: shnor methodology load FILE.yaml [--region R] | "
        "shnor methodology dump CODE FILE.yaml. Загруженная с --region методика принадлежит "
        "региону, без него — общая для всех регионов."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["load", "dump"])
        parser.add_argument("args", nargs="+")
        parser.add_argument("--region", help="регион-владелец загружаемой методики")

    def handle(self, *args: Any, action: str, region: str | None, **options: Any) -> None:
        if action == "dump":
            code = args[0]
            path = args[1] if len(args) > 1 else f"{code}.yaml"
            owner = Region.objects.filter(name__iexact=region).first() if region else None
            methodology = default_methodology(code, owner)
            if methodology is None:
                raise CommandError(f"Нет методики «{code}»")
            Path(path).write_text(
                yaml.safe_dump(methodology.definition, allow_unicode=True, sort_keys=False),
                encoding="utf-8",
            )
            self.stdout.write(f"Записано: {path}")
            return
        try:
            definition = read_definition(Path(args[0]))
        except (DefinitionError, OSError, yaml.YAMLError) as error:
            raise CommandError(f"{args[0]}: {error}") from None
        owner = Region.objects.filter(name__iexact=region).first() if region else None
        if region and owner is None:
            raise CommandError(f"Нет региона «{region}»")
        try:
            saved = do_save_methodology_version(
                definition, acting_user=self.system_user(owner), origin=f"файл {args[0]}"
            )
        except (DefinitionError, NotAllowed) as error:
            raise CommandError(f"{args[0]}: {error}") from None
        self.stdout.write(self.style.SUCCESS(f"Загружено: {saved}"))
