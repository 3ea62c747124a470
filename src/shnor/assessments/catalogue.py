"""The shipped assessment catalogue, loaded (idempotently) after every migrate."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shnor.core.cells import normalize_name

CATALOGUE_FILE = Path(__file__).with_name("catalogue.yaml")


@cache
def catalogue() -> dict[str, Any]:
    return yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))


def load_catalogue(**_: Any) -> None:
    from shnor.assessments.models import MinimumThreshold, ProcedureKind, Subject

    data = catalogue()
    kinds = {}
    for kind in data["kinds"]:
        kinds[kind["code"]], _created = ProcedureKind.objects.update_or_create(
            code=kind["code"], defaults={k: v for k, v in kind.items() if k != "code"}
        )
    subjects = {}
    for subject in data["subjects"]:
        subjects[subject["name"]], _created = Subject.objects.update_or_create(
            name=subject["name"],
            defaults={
                "aliases": "; ".join(subject.get("aliases", [])),
                "order": subject.get("order", 100),
            },
        )
    for kind_code, scores in data["thresholds"].items():
        for subject_name, score in scores.items():
            for year in data["threshold_years"]:
                MinimumThreshold.objects.get_or_create(
                    kind=kinds[kind_code],
                    subject=subjects[subject_name],
                    year=year,
                    defaults={"min_score": score},
                )


def subject_lookup() -> dict[str, int]:
    """Every spelling of every subject → its key."""
    from shnor.assessments.models import Subject

    lookup = {}
    for pk, name, aliases in Subject.objects.values_list("pk", "name", "aliases"):
        lookup[normalize_name(name)] = pk
        for alias in filter(None, (a.strip() for a in aliases.split(";"))):
            lookup[normalize_name(alias)] = pk
    return lookup
