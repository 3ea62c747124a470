from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.core.management.base import BaseCommand, CommandError

from shnor.core.audit import record_audit
from shnor.core.system import SystemUser
from shnor.identification.engine.definition import DefinitionError
from shnor.identification.methodologies import read_definition
from shnor.identification.models import Methodology


class Command(BaseCommand):
    help = (
        "Загрузить методику из YAML (свою региональную модель из тех же блоков) или выгрузить "
        "существующую: shnor methodology load FILE.yaml | shnor methodology dump CODE FILE.yaml"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["load", "dump"])
        parser.add_argument("args", nargs="+")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "dump":
            code = args[0]
            path = args[1] if len(args) > 1 else f"{code}.yaml"
            methodology = Methodology.objects.filter(code=code).order_by("-version").first()
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
        latest = Methodology.objects.filter(code=definition["code"]).order_by("-version").first()
        version = max(int(definition["version"]), latest.version + 1 if latest else 1)
        definition = {**definition, "version": version}
        saved = Methodology.objects.create(
            code=definition["code"],
            version=version,
            name=definition["name"],
            description=definition.get("description", ""),
            source=definition["source"],
            definition=definition,
            parent=latest,
        )
        record_audit(
            "identification.methodology_loaded",
            actor=SystemUser(),
            target=saved,
            summary=f"{saved} из {args[0]}",
        )
        self.stdout.write(self.style.SUCCESS(f"Загружено: {saved}"))
