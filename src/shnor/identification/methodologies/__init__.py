"""The built-in methodologies, shipped as YAML beside this file and loaded after every migrate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from shnor.identification.engine.definition import validate

FOLDER = Path(__file__).parent
DEFINITION_KEYS = (
    "code",
    "version",
    "name",
    "description",
    "source",
    "parameters",
    "exclude_school_kinds",
    "indicators",
    "status",
    "exit",
)


def read_definition(path: Path) -> dict[str, Any]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return validate({k: raw[k] for k in DEFINITION_KEYS if k in raw})


def builtin_definitions() -> list[dict[str, Any]]:
    return [read_definition(p) for p in sorted(FOLDER.glob("*.yaml"))]


def load_builtin(**_: Any) -> None:
    """post_migrate: every shipped definition stored once. A shipped version is known by its
    code and the version its file states; if a region has already saved a version under that
    number, the shipped one takes the next free number rather than being lost behind it."""
    from django.db.models import Max

    from shnor.identification.models import Methodology

    for definition in builtin_definitions():
        code, shipped = definition["code"], definition["version"]
        versions = Methodology.objects.filter(code=code)
        if versions.filter(is_builtin=True, definition__version=shipped).exists():
            continue
        number = shipped
        if versions.filter(version=shipped).exists():
            number = (versions.aggregate(last=Max("version"))["last"] or 0) + 1
        Methodology.objects.create(
            code=code,
            version=number,
            name=definition["name"],
            description=definition.get("description", ""),
            source=definition["source"],
            definition=definition,
            is_builtin=True,
        )
